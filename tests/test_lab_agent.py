"""The agent itself: compiled from its source in the test with frida's compiler (syntax and API
errors, and whether the shipped bundle is what the source compiles to), loaded into a real process,
and the version checks around it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

frida = pytest.importorskip("frida", reason="lab mode needs the frida module (a dependency of inspector)")

from inspector.lab.agent import bundle, compile_agent  # noqa: E402
from inspector.lab.device import compare_versions, version_problem  # noqa: E402

SOURCE = Path(__file__).resolve().parents[1] / "inspector" / "lab" / "agent"


@pytest.fixture(scope="module")
def agent_project(tmp_path_factory) -> Path:
    """The agent's source tree with node_modules (frida-java-bridge, as pinned in package-lock.json)."""
    if (SOURCE / "node_modules" / "frida-java-bridge").is_dir():
        return SOURCE
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to fetch frida-java-bridge for compiling the agent (apt-get install npm)")
    project = tmp_path_factory.mktemp("agent")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(SOURCE / name, project / name)
    shutil.copytree(SOURCE / "src", project / "src")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=project, check=True, capture_output=True)
    return project


def test_the_source_compiles_to_the_shipped_bundle(agent_project):
    compiled = compile_agent(agent_project)
    assert "frida-java-bridge" in compiled or "Java" in compiled
    assert compiled == bundle(), "agent.bundle.js is stale: run python scripts/build_lab_agent.py"


def test_a_syntax_error_in_the_agent_is_reported(agent_project, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(agent_project, broken, ignore=shutil.ignore_patterns(".git"))
    (broken / "src" / "native.js").write_text("export function installNativeHooks( {\n")
    with pytest.raises(ValueError, match="does not compile"):
        compile_agent(broken)


def test_the_shipped_agent_loads_and_answers_in_a_real_process():
    device = frida.get_local_device()
    pid = device.spawn(["/bin/sleep", "30"])
    try:
        session = device.attach(pid)
        script = session.create_script(bundle())
        messages = []
        script.on("message", lambda message, data: messages.append(message))
        script.load()
        hello = script.exports_sync.init({"paths": ["/nowhere"], "backtrace": True, "captureContent": False})
        assert hello["frida"] == frida.__version__ and hello["java"] is False
        assert {"open", "openat", "connect", "execve", "unlink", "opendir"} <= set(hello["hooks"]["native"])
        assert script.exports_sync.flush()["pending"] == 0
        script.unload()
        session.detach()
    finally:
        device.kill(pid)
    assert not [m for m in messages if m["type"] == "error"], messages
    (batch,) = [m["payload"] for m in messages if m["type"] == "send"]
    assert batch["type"] == "lines" and (batch["first"], batch["last"], batch["count"]) == (1, 1, 1)
    assert json.loads(batch["lines"])["k"] == "agent_loaded" and batch["lines"].endswith("\n")


def test_version_comparison_and_the_mismatch_message():
    assert compare_versions("17.26.2", "17.26.2") == "same"
    assert compare_versions("17.26.2", "17.2.0") == "minor"
    assert compare_versions("17.26.2", "16.7.19") == "major"
    assert version_problem("17.26.2", "17.1.0") is None
    problem = version_problem("17.26.2", "16.7.19")
    assert "16.7.19" in str(problem) and "17.26.2" in str(problem) and "frida-server" in problem.hint
