"""Progress bars of the collectors (Android and iPhone): one line per stage, counting items or bytes."""

from __future__ import annotations

from rich import filesize
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text


class _CountColumn(ProgressColumn):
    """“12/40” for stages that count items, “3.2 MB” for stages that count bytes, a bare count when
    the total is not known in advance."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit")
        if unit == "bytes":
            return Text(filesize.decimal(int(task.completed)), style="progress.download")
        if task.total:
            return Text(f"{int(task.completed)}/{int(task.total)}", style="progress.percentage")
        return Text(str(int(task.completed)) if task.completed else "", style="progress.percentage")


class RichReporter:
    """Progress bars for the collector: one line per stage."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), _CountColumn(),
                                 TimeElapsedColumn(), console=console)
        self._task: TaskID | None = None

    def __enter__(self) -> RichReporter:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._close_task()
        self.progress.stop()

    def _close_task(self) -> None:
        if self._task is not None:
            task = self.progress.tasks[self._task]
            total = task.total if task.total else max(task.completed, 1)
            self.progress.update(self._task, total=total, completed=total)

    def stage(self, label: str, total: int | None = None, unit: str = "items") -> None:
        self._close_task()
        self._task = self.progress.add_task(label, total=total, unit=unit)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self.progress.advance(self._task, amount)

    def warn(self, text: str) -> None:
        self.progress.console.print(f"[yellow]! {text}[/yellow]", markup=True, highlight=False)
