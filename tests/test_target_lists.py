"""The shipped BXAQ target list: provenance, loading, lookups, and damaged data."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

import pytest
import yaml

from inspector.analyze.signatures import SignaturePack, SignaturePackError
from inspector.analyze.targets import TargetList
from inspector.resources import signatures_dir

SHARED_TSV = Path(__file__).resolve().parents[1].parent / "shared" / "intel" / "bxaq-targets" / "targets.tsv"
BUILD_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_target_list.py"


@pytest.fixture(scope="module")
def bxaq() -> TargetList:
    (target,) = SignaturePack.load().target_lists
    return target


def _build_module():
    spec = importlib.util.spec_from_file_location("build_target_list", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_list_loads_with_its_recorded_identity(bxaq):
    meta = yaml.safe_load((signatures_dir() / "target-lists" / "bxaq.yaml").read_text())
    assert bxaq.count == 73_315 == meta["entries"]
    assert bxaq.data_sha256 == meta["data_sha256"]
    assert bxaq.family == "bxaq" and bxaq.algorithm == "md5"
    assert len(set(bxaq.sizes)) == 68_140  # distinct sizes, as the list's README says
    assert min(bxaq.sizes) == 31 and max(bxaq.sizes) == 2_054_074_368


@pytest.mark.skipif(not SHARED_TSV.exists(), reason="../shared is not beside this checkout")
def test_shipped_data_is_exactly_the_published_list(bxaq):
    raw = SHARED_TSV.read_bytes()
    meta = yaml.safe_load((signatures_dir() / "target-lists" / "bxaq.yaml").read_text())
    assert hashlib.sha256(raw).hexdigest() == meta["source_sha256"]
    build = _build_module()
    entries = build.parse(raw.decode("ascii"))
    assert build.encode(entries) == (signatures_dir() / "target-lists" / "bxaq.bin").read_bytes()
    for size, md5 in entries[::97]:
        assert bxaq.has_size(size) and bxaq.matches(size, md5.hex())


def test_lookups(bxaq):
    assert bxaq.matches(135510055, "e624931e72eb7d0736b8e43be9bba4b6")  # upper or lower case
    assert bxaq.matches(135510055, "E624931E72EB7D0736B8E43BE9BBA4B6")
    assert not bxaq.matches(135510056, "E624931E72EB7D0736B8E43BE9BBA4B6")  # size and MD5 must both match
    assert not bxaq.matches(135510055, "00" * 16)
    assert not bxaq.matches(135510055, "not hex")
    assert not bxaq.has_size(1)


def test_demo_entries_only_on_request():
    plain = SignaturePack.load().target_lists[0]
    demo = SignaturePack.load(include_demo=True).target_lists[0]
    assert not plain.matches(48012, "691647CBEC3AE95B13E8874AD82D4441")
    assert demo.matches(48012, "691647CBEC3AE95B13E8874AD82D4441") and demo.count == plain.count + 1


def _copy_pack(tmp_path) -> Path:
    copy = tmp_path / "signatures"
    shutil.copytree(signatures_dir(), copy)
    return copy


@pytest.mark.parametrize("damage,message", [
    (lambda p: p.write_bytes(p.read_bytes()[:1000]), "does not match the SHA-256"),
    (lambda p: p.unlink(), "No such file"),
])
def test_damaged_data_is_a_clear_error(tmp_path, damage, message):
    copy = _copy_pack(tmp_path)
    damage(copy / "target-lists" / "bxaq.bin")
    with pytest.raises(SignaturePackError, match=message) as info:
        SignaturePack.load(copy)
    assert "bxaq" in str(info.value)


def test_data_format_is_checked_even_without_a_recorded_hash(tmp_path):
    copy = _copy_pack(tmp_path)
    meta_path = copy / "target-lists" / "bxaq.yaml"
    meta = yaml.safe_load(meta_path.read_text())
    del meta["data_sha256"]
    meta_path.write_text(yaml.safe_dump(meta))
    (copy / "target-lists" / "bxaq.bin").write_bytes(b"NOTALIST" + bytes(100))
    with pytest.raises(SignaturePackError, match="bad magic"):
        SignaturePack.load(copy)
