"""Lab mode from end to end: trace → behaviour findings → store → report (``inspector trace``).

The lab-mode sibling of :mod:`inspector.pipeline`: the one place that strings the lab room
(:mod:`inspector.lab`) to the store and the report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import inspector
from inspector.acquisition import Acquisition
from inspector.lab.device import FridaTarget, open_device, probe
from inspector.lab.result import trace_result
from inspector.lab.trace import TraceOptions, TraceOutcome, device_record, run_trace
from inspector.pipeline import ScanOutcome, store_and_report


def trace_app(target: FridaTarget, options: TraceOptions, out: Path, *, operator: str | None = None,
              on_progress: Callable[[int], None] | None = None) -> tuple[Acquisition, TraceOutcome]:
    """Reach the device, then trace into a new acquisition folder ``out``. Raises
    :class:`inspector.lab.errors.LabError` before anything is created when the device or frida-server
    is missing; once the folder exists, what was recorded is kept whatever happens."""
    device = open_device(target)
    acq = Acquisition.create(out, platform="local" if target.local else "android",
                             tool_version=inspector.__version__, signature_pack_version="-", operator=operator)
    acq.set_device(device_record(probe(device, target)))
    return acq, run_trace(device, target, options, acq, on_progress)


def report_trace(acq: Acquisition, *, formats: tuple[str, ...] = ("html", "json"), lang: str = "en",
                 db: str | None = None, store: bool = True, case: str | None = None) -> ScanOutcome:
    return store_and_report(acq, trace_result(acq), formats=formats, lang=lang, db=db, store=store, case=case)
