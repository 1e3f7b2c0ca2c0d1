"""The direct label reader (inspector/analyze/apk/arsc_labels.py) against androguard's full resolution of
resources.arsc, on every real APK at hand: the same labels in the same locales, or a clear ArscError
(then the engine asks androguard)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.analyze.apk.arsc_labels import ArscError, labels
from inspector.analyze.apk.androguard_setup import prepare_androguard
from inspector.analyze.apk.features import _labels_by_androguard, extract

FIXTURES = Path(__file__).parent / "fixtures" / "apks"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "apks"


def _label_ids(paths):
    from androguard.core.apk import APK

    prepare_androguard()
    for path in paths:
        try:
            apk = APK(str(path))
            raw = apk.get_attribute_value("application", "label") or ""
            res_id = int(raw[1:].split(":")[-1], 16) if raw.startswith("@") else None
        except Exception:  # noqa: BLE001 - broken APKs of the corpus: not what this test is about
            continue
        if res_id is not None:
            yield path, apk, res_id


def _compare(paths) -> int:
    compared = 0
    for path, apk, res_id in _label_ids(paths):
        try:
            expected = _labels_by_androguard(apk, res_id)
        except Exception:  # noqa: BLE001 - androguard cannot either
            continue
        try:
            arsc = apk.get_file("resources.arsc")
        except Exception:  # noqa: BLE001 - no table: androguard found nothing either
            assert expected == {}, path.name
            continue
        found = {k: v for k, v in labels(arsc, res_id).items() if v and not v.startswith("@")}
        assert found == expected, path.name
        compared += 1
    return compared


def test_same_labels_as_androguard_on_the_fixtures():
    assert _compare(sorted(FIXTURES.rglob("*.apk"))) >= 20


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/apks (the real-APK corpus) is not present")
def test_same_labels_as_androguard_on_the_real_corpus():
    assert _compare(sorted(CORPUS.rglob("*.apk"))) >= 100


def test_translations_of_a_label():
    rec = extract(FIXTURES / "org.demo.torch.apk")
    assert rec["labels"]["default"] == "Super Torch" and "超级手电筒" in rec["labels"].values()


@pytest.mark.parametrize("table", [b"", b"\x02\x00\x0c\x00\xff\xff\xff\x7f\x01\x00\x00\x00",
                                   b"\x02\x00\x0c\x00\x20\x00\x00\x00\x01\x00\x00\x00" + b"\x01\x00\xff\xff" * 5])
def test_broken_tables_raise_arsc_error(table):
    with pytest.raises(ArscError):
        labels(table, 0x7F010000)
