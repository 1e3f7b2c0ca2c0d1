"""What inspector does before importing androguard (inspector/analyze/apk/androguard_setup.py): its
public-resources table built from the JSON copy androguard ships must equal the table androguard
builds from its XML, and its logger must be discarded without changing what androguard reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "apks"


def _run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)


def test_public_table_from_json_equals_androguards_own():
    code = ("import json, sys\n"
            "import androguard.core.resources.public as real\n"  # androguard's own, parsed from the XML
            "own = real.SYSTEM_RESOURCES\n"
            "del sys.modules['androguard.core.resources.public']\n"
            "from inspector.analyze.apk.androguard_setup import prepare_androguard\n"
            "prepare_androguard()\n"
            "ours = sys.modules['androguard.core.resources.public']\n"
            "print(json.dumps({'same': ours.SYSTEM_RESOURCES == own, 'ours': ours is not real,\n"
            "                  'attrs': len(own['attributes']['inverse'])}))")
    result = _run(code)
    assert result["ours"] and result["same"]
    assert result["attrs"] > 1000


def test_manifest_read_the_same_with_and_without_the_setup():
    apk = next(FIXTURES.glob("*.apk"))
    read = ("from androguard.core.apk import APK\n"
            f"a = APK({str(apk)!r})\n"
            "print(json.dumps({'xml': a.get_android_manifest_axml().get_xml().decode(),\n"
            "                  'perms': sorted(a.get_permissions()), 'pkg': a.get_package(),\n"
            "                  'loguru': type(sys.modules['loguru'].logger).__name__}))")
    plain = _run("import json, sys\n" + read)
    prepared = _run("import json, sys\nfrom inspector.analyze.apk.androguard_setup import prepare_androguard\n"
                    "prepare_androguard()\n" + read)
    assert plain["loguru"] == "Logger" and prepared["loguru"] == "NullLogger"
    assert prepared["xml"] == plain["xml"] and "android:" in plain["xml"]
    assert (prepared["pkg"], prepared["perms"]) == (plain["pkg"], plain["perms"])


def test_a_loguru_already_imported_is_kept():
    result = _run("import json, sys, loguru\n"
                  "from inspector.analyze.apk.androguard_setup import prepare_androguard\n"
                  "prepare_androguard(); prepare_androguard()\n"
                  "print(json.dumps({'kept': sys.modules['loguru'] is loguru,\n"
                  "                  'type': type(loguru.logger).__name__}))")
    assert result == {"kept": True, "type": "Logger"}
