"""dumpsys.txt / a bugreport's dumpstate → the text of each service."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.dumpsys import iter_sections, iter_service_lines, split_dumpsys
from inspector.analyze.parsers.dumpsys_package import parse_dumpsys_package

FIXTURES = Path(__file__).parent / "fixtures" / "android"
DEMO = Path(__file__).parent.parent / "inspector" / "simulator" / "profiles" / "demo" / "commands"
SEPARATOR = "-" * 79 + "\n"
SERVICES = ("package", "accessibility", "device_policy", "usagestats", "appops", "adb", "notification", "wifi",
            "batterystats")


def androidqf_dumpsys() -> str:
    """The demo phone's outputs laid out as inspector's collector and androidqf write dumpsys.txt."""
    return "".join(f"{SEPARATOR}DUMP OF SERVICE {name}:\n" + (DEMO / f"dumpsys_{name}.txt").read_text("utf-8")
                   for name in SERVICES)


def test_androidqf_layout_gives_each_service_its_exact_text():
    split = split_dumpsys(androidqf_dumpsys())
    assert list(split.services) == list(SERVICES)
    assert split.warnings == []
    for name in SERVICES:
        original = (DEMO / f"dumpsys_{name}.txt").read_text("utf-8")
        assert split.services[name].rstrip("\n") == original.rstrip("\n"), name


def test_streamed_service_lines_parse_without_the_whole_section():
    lines = iter_service_lines(androidqf_dumpsys().encode(), "package")
    dump = parse_dumpsys_package(lines, tz="Asia/Shanghai")
    assert len(dump.packages) == 7
    assert list(iter_service_lines(androidqf_dumpsys(), "no-such-service")) == []


def test_bugreport_dumpstate_sections():
    split = split_dumpsys((FIXTURES / "bugreport_dumpstate_android11.txt").read_bytes())
    assert list(split.services) == ["SurfaceFlinger", "cpuinfo", "adb", "package", "meminfo"]
    assert split.warnings == ["service 'package' appears again: kept its first section"]
    package = split.services["package"]
    # The dashes not followed by a header are the service's own text; duration lines belong to no one.
    assert "-" * 79 + "\n(the line of dashes above" in package
    assert "was the duration" not in package
    assert package.endswith("enabled=0 instant=false virtual=false\n")
    assert split.services["cpuinfo"] == "Load: 6.21 / 5.89 / 5.61\n"
    assert split.services["meminfo"] == "Applications Memory Usage (in Kilobytes):\n"
    dump = parse_dumpsys_package(package, tz="Asia/Bishkek")
    assert [p.name for p in dump.packages] == ["com.fiberhome.wifiserver"]
    assert dump.packages[0].uninstalled_with_data


def test_iter_sections_keeps_duplicates_in_order():
    names = [name for name, _ in iter_sections((FIXTURES / "bugreport_dumpstate_android11.txt").read_text())]
    assert names == ["SurfaceFlinger", "cpuinfo", "adb", "package", "meminfo", "package"]


def test_truncated_and_empty_sections():
    text = f"{SEPARATOR}DUMP OF SERVICE adb:\n{SEPARATOR}DUMP OF SERVICE package:\nPackages:\n  Package [a.b] (1"
    split = split_dumpsys(text)
    assert split.services == {"adb": "", "package": "Packages:\n  Package [a.b] (1\n"}
    assert split.warnings == ["service 'adb': empty section"]


def test_not_a_dumpsys():
    with pytest.raises(ParseError) as caught:
        split_dumpsys("Packages:\n  Package [a.b] (1):\n")
    assert caught.value.artifact == "dumpsys"
    assert split_dumpsys(b"").warnings == ["empty input"]
    assert split_dumpsys(b"   \n").services == {}


def _dumps() -> list[tuple[str, bytes]]:
    """Whole dumpsys texts: the bugreport fixture, and each simulated phone's services joined under
    their headers as the collector writes dumpsys.txt."""
    profiles = Path(__file__).parent.parent / "inspector" / "simulator" / "profiles"
    out = [("bugreport", (FIXTURES / "bugreport_dumpstate_android11.txt").read_bytes())]
    for folder in sorted(profiles.glob("*/commands")):
        parts = [b"DUMP OF SERVICE " + p.stem.removeprefix("dumpsys_").encode() + b":\n" + p.read_bytes()
                 for p in sorted(folder.glob("dumpsys_*.txt"))]
        out.append((folder.parent.name, b"\n".join(parts)))
    return out


@pytest.mark.parametrize("name, data", _dumps(), ids=lambda v: v if isinstance(v, str) else "")
def test_section_offsets_give_the_same_lines_as_reading_from_the_start(name, data, tmp_path):
    from inspector.analyze.parsers.dumpsys import section_offsets

    whole = tmp_path / "dumpsys.txt"
    whole.write_bytes(data + b"\nDUMP OF SERVICE last:\nno newline at the end")
    with open(whole, "rb") as f:
        offsets = section_offsets(f)
        assert len(offsets) >= 5 and "last" in offsets
        for service, offset in offsets.items():
            f.seek(0)
            expected = list(iter_service_lines(f, service))
            f.seek(offset)
            assert list(iter_service_lines(f, service)) == expected, service
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with open(empty, "rb") as f:
        assert section_offsets(f) == {}
