"""The indicator index (inspector/analyze/ioc_index.py): the shipped one must equal parsing the shipped
bundles, and a stale or broken index must never be used."""

from __future__ import annotations

import json
import shutil

from inspector.analyze import ioc_index, iocs
from inspector.resources import signatures_dir

SHIPPED = signatures_dir() / "iocs"


def _flat(indicators: iocs.IndicatorSet) -> tuple:
    return ({kind: {key: sorted(items) for key, items in values.items()}
             for kind, values in indicators.by_kind.items()}, indicators.unsupported, sorted(indicators.sources))


def test_the_shipped_index_is_current_and_equals_the_bundles():
    document = json.loads((SHIPPED / ioc_index.INDEX).read_text("utf-8"))
    assert ioc_index.is_current(SHIPPED, document), "run: python scripts/build_pack_index.py"
    from_index = iocs.IndicatorSet()
    assert ioc_index.read_into(SHIPPED, from_index)
    parsed = iocs.load(SHIPPED, use_index=False)
    assert _flat(from_index) == _flat(parsed)
    assert sum(parsed.counts().values()) > 5000


def test_a_changed_bundle_makes_the_index_stale(tmp_path):
    folder = tmp_path / "iocs"
    shutil.copytree(SHIPPED, folder)
    stix = sorted(folder.rglob("*.stix2"))[0]
    bundle = json.loads(stix.read_text("utf-8"))
    bundle["objects"].append({"type": "indicator", "id": "indicator--test-index",
                              "pattern": "[domain-name:value = 'stale-index.example']"})
    stix.write_text(json.dumps(bundle), "utf-8")
    assert not ioc_index.read_into(folder, iocs.IndicatorSet())
    loaded = iocs.load(folder)  # parsed: the new indicator is there
    assert loaded.lookup("domain", "stale-index.example")
    ioc_index.write(folder)  # rebuilt: current again, and holds it
    again = iocs.IndicatorSet()
    assert ioc_index.read_into(folder, again) and again.lookup("domain", "stale-index.example")


def test_a_removed_bundle_or_a_broken_index_is_not_used(tmp_path):
    folder = tmp_path / "iocs"
    shutil.copytree(SHIPPED, folder)
    (folder / "echap" / "samples.csv").unlink()
    assert not ioc_index.read_into(folder, iocs.IndicatorSet())
    assert _flat(iocs.load(folder)) == _flat(iocs.load(folder, use_index=False))

    shutil.rmtree(folder)
    shutil.copytree(SHIPPED, folder)
    document = json.loads((folder / ioc_index.INDEX).read_text("utf-8"))
    document["indicators"]["domain"][0] = ["x.example", 10**9, 0, 0]  # a string reference out of range
    (folder / ioc_index.INDEX).write_text(json.dumps(document), "utf-8")
    into = iocs.IndicatorSet()
    assert not ioc_index.read_into(folder, into) and not into.by_kind  # nothing half-added
    (folder / ioc_index.INDEX).write_text("{not json", "utf-8")
    assert _flat(iocs.load(folder)) == _flat(iocs.load(SHIPPED, use_index=False))
