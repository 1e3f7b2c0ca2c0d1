#!/usr/bin/env python3
"""Rebuild the lab-mode Frida agent: inspector/lab/agent/src → inspector/lab/agent/agent.bundle.js.

Runs `npm ci` in inspector/lab/agent (frida-java-bridge, pinned in package-lock.json; the npm
registry must be reachable) when node_modules is missing, then compiles with frida's own compiler
(frida.Compiler, the frida-compile of Frida 17). The bundle is committed, so installing and running
inspector never needs npm or the network. Usage: python scripts/build_lab_agent.py [--check]
(--check: exit 1 if the committed bundle differs from what the source compiles to).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT = ROOT / "inspector" / "lab" / "agent"
sys.path.insert(0, str(ROOT))

from inspector.lab.agent import compile_agent  # noqa: E402


def ensure_node_modules() -> None:
    if (AGENT / "node_modules" / "frida-java-bridge").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to fetch frida-java-bridge (Debian: apt-get install npm)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AGENT, check=True)


def main() -> int:
    ensure_node_modules()
    text = compile_agent(AGENT)
    bundle = AGENT / "agent.bundle.js"
    if "--check" in sys.argv[1:]:
        same = bundle.is_file() and bundle.read_text(encoding="utf-8") == text
        print("agent.bundle.js is up to date" if same else "agent.bundle.js differs from the source: rebuild it")
        return 0 if same else 1
    bundle.write_text(text, encoding="utf-8")
    print(f"wrote {bundle.relative_to(ROOT)} ({len(text):,} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
