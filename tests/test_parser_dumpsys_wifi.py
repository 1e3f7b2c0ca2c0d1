"""dumpsys wifi → saved networks with their creators, the config log, connections, scans, gateways."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.dumpsys_wifi import parse_dumpsys_wifi

FIXTURES = Path(__file__).parent / "fixtures" / "android"


def parse(name: str, tz: str, now: str | None = None, year: int | None = None):
    return parse_dumpsys_wifi((FIXTURES / name).read_bytes(), tz=tz, now=now, year=year)


def test_android9_hotspot_still_saved_and_connected():
    dump = parse("dumpsys_wifi_android9.txt", "America/Los_Angeles", now="2019-07-02T22:30:00Z")
    assert dump.warnings == []
    home, hotspot = dump.saved_networks
    assert (home.network_id, home.ssid, home.status, home.creator_uid) == (0, "HomeNet-5G", None, 1000)
    assert home.created.time == "2019-03-11T16:41:20Z" and "year taken" in home.created.note
    assert (hotspot.ssid, hotspot.ssid_raw, hotspot.status) == ("FH-CJ-AP", '"FH-CJ-AP"', "current")
    assert (hotspot.creator_uid, hotspot.creator_name, hotspot.last_update_name) == (
        10151, "com.fiberhome.wifiserver", "com.fiberhome.wifiserver")
    assert (hotspot.created.time, hotspot.last_connected.time) == ("2019-07-02T18:03:40Z", "2019-07-02T18:03:46Z")
    assert hotspot.has_ever_connected is True and hotspot.key_mgmt == ["WPA_PSK"]
    assert [(e.action, e.uid, e.package, e.network_id, e.ssid, e.time.time) for e in dump.log] == [
        ("enableNetwork", None, None, 0, None, "2019-07-02T04:02:11Z"),
        ("addOrUpdateNetworkInternal", 10151, "com.fiberhome.wifiserver", 2, "FH-CJ-AP", "2019-07-02T18:03:40Z"),
        ("enableNetwork", None, None, 2, None, "2019-07-02T18:03:40Z"),
        ("connectToNetwork", 10151, None, 2, None, "2019-07-02T18:03:41Z")]  # LocalDateTime without millis
    assert dump.gateways == ["192.168.43.1"]
    assert (dump.current.ssid, dump.current.bssid, dump.current.network_id) == ("FH-CJ-AP", "ae:5f:3e:12:9b:40", 2)
    assert [(e.ssid, e.bssid, e.time.time) for e in dump.connection_events] == [
        ("HomeNet-5G", "f4:8c:eb:21:0a:5c", "2019-07-02T04:02:12Z"),
        ("FH-CJ-AP", "ae:5f:3e:12:9b:40", "2019-07-02T18:03:45Z")]


def test_android11_removed_network_survives_in_log_and_events():
    dump = parse("dumpsys_wifi_android11.txt", "Asia/Bishkek", now="2021-09-03T10:00:00Z")
    assert dump.warnings == []
    assert [n.ssid for n in dump.saved_networks] == ["Beeline_Osh_7F1A", "MF-Extract"]
    beeline, extract = dump.saved_networks
    assert beeline.created.time == "2020-12-26T08:02:33Z"  # December is after the September dump: last year
    assert (extract.creator_name, extract.gateway, extract.key_mgmt) == ("com.Android.MFSocket", "10.10.10.1", ["NONE"])
    removed = [e for e in dump.log if e.action == "removeNetworkInternal"]
    assert [(e.uid, e.package, e.ssid, e.time.time) for e in removed] == [
        (10262, "com.fiberhome.wifiserver", "FH-CJ-AP", "2021-09-03T04:29:58Z")]
    assert len(dump.log) == 5
    assert [e.ssid for e in dump.connection_events] == ["Beeline_Osh_7F1A", "FH-CJ-AP", "MF-Extract"]
    assert dump.connection_events[1].fields["connectionNominator"] == "NOMINATOR_MANUAL"
    assert [(s.ssid, s.frequency, s.rssi) for s in dump.scan_results] == [
        ("MF-Extract", 2412, -41), ("FH-CJ-AP", 2437, -52), ("Beeline_Osh_7F1A", 2437, -79), ("", 5745, -88)]
    assert dump.scan_results[1].flags == "[WPA2-PSK-CCMP][RSN-PSK-CCMP][ESS]"
    assert dump.gateways == ["10.10.10.1"]


def test_android13_current_network_ip_and_dhcp_gateway():
    dump = parse("dumpsys_wifi_android13.txt", "Asia/Shanghai", now="2023-09-14T14:00:00Z")
    assert dump.warnings == []
    (hotel,) = dump.saved_networks
    assert (hotel.status, hotel.last_connected.time) == ("current", "2023-09-14T13:40:12Z")
    assert (dump.current.ip, dump.current.frequency) == ("172.20.10.5", 5745)
    assert dump.gateways == ["172.20.10.1"]
    assert dump.connection_events[0].fields["connectChoiceUid"] == "10262"
    assert [e.action for e in dump.log] == ["addOrUpdateNetworkInternal", "enableNetwork", "removeNetwork",
                                            "removeNetworkInternal"]


def test_month_day_times_without_year_or_now():
    dump = parse("dumpsys_wifi_android13.txt", "Asia/Shanghai")
    assert dump.connection_events[0].time.time is None
    assert dump.log[0].time.time == "2023-09-14T01:03:22Z"  # LocalLog prints the year
    assert parse("dumpsys_wifi_android13.txt", "Asia/Shanghai", year=2023).connection_events[0].time.time == \
        "2023-09-14T01:03:23Z"


def test_old_relative_last_connected_and_garbage():
    text = ("WifiConfigManager - Configured networks Begin ----\n"
            "ID: 1 SSID: \"a b\" PROVIDER-NAME: null BSSID: null FQDN: null PRIO: 0\n"
            " cuid=notanumber cname=com.x\n"
            "lastConnected: 3600sec \n\xff\xfe\x00\n"
            "ID: x SSID: broken\n")
    dump = parse_dumpsys_wifi(text, now="2026-11-18T13:40:00Z")
    (network,) = dump.saved_networks
    assert (network.ssid, network.creator_uid, network.creator_name) == ("a b", None, "com.x")
    assert network.last_connected.time == "2026-11-18T12:40:00Z"


def test_not_wifi():
    with pytest.raises(ParseError):
        parse_dumpsys_wifi("Packages:\n  Package [a] (1):\n")
    assert parse_dumpsys_wifi("").warnings == ["empty input"]
