"""The Frida agent of lab mode.

The source is JavaScript in ``src/`` (events.js: batching and clock; native.js: libc hooks;
java.js: Android framework hooks, through the npm package frida-java-bridge, which Frida 17 no
longer builds into its runtime). It is shipped compiled as ``agent.bundle.js``, so that tracing
needs neither npm nor the network; ``scripts/build_lab_agent.py`` rebuilds it (``npm ci`` here, then
:func:`compile_agent`).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

AGENT_DIR = Path(__file__).resolve().parent
BUNDLE = AGENT_DIR / "agent.bundle.js"
SOURCE_ENTRY = "src/index.js"


@lru_cache(maxsize=1)
def bundle() -> str:
    """The compiled agent shipped with inspector."""
    return BUNDLE.read_text(encoding="utf-8")


def bundle_sha256() -> str:
    return hashlib.sha256(bundle().encode("utf-8")).hexdigest()


def compile_agent(project_root: Path = AGENT_DIR) -> str:
    """Compile ``src/index.js`` with frida's own compiler (needs ``node_modules`` with
    frida-java-bridge in ``project_root``: ``npm ci``). Raises ``ValueError`` with the compiler's
    diagnostics when the source has errors."""
    from inspector.lab.device import import_frida

    frida = import_frida()
    compiler = frida.Compiler()
    diagnostics: list[str] = []
    compiler.on("diagnostics", lambda items: diagnostics.extend(str(item) for item in items))
    try:
        text = compiler.build(SOURCE_ENTRY, project_root=str(project_root), compression="terser")
    except Exception as exc:  # frida raises its own error types for a failed build
        raise ValueError(f"the agent does not compile: {exc}; {'; '.join(diagnostics)}") from None
    if diagnostics:
        raise ValueError("the agent compiles with diagnostics: " + "; ".join(diagnostics))
    return text
