"""Benchmarks measure inspector as `pip install` leaves it."""

from __future__ import annotations

from pathlib import Path


def compile_bytecode() -> None:
    """inspector's bytecode written as ``pip install`` leaves it (pip compiles on install). With an
    editable install and ``PYTHONDONTWRITEBYTECODE=1`` (set on these machines) every process would
    compile inspector's sources again (~40 ms CPU), which no installed copy does."""
    import compileall

    import inspector

    compileall.compile_dir(Path(inspector.__file__).parent, quiet=1)
