"""What ``blangko demo`` shows: progress bars for the two phases and the closing lines."""

import sys
from types import TracebackType
from typing import Any

import typer

from blangko.demo.run import DemoResult
from blangko.fmt import day

LABELS = {"simulate": "Simulasi", "write": "Menulis "}


class DemoProgress:
    """One progress bar per phase (simulation, writing), on standard error."""

    def __init__(self) -> None:
        self.phase: str | None = None
        self.bar: Any = None

    def __enter__(self) -> "DemoProgress":
        return self

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self._close()
            self.phase = phase
            self.bar = typer.progressbar(
                length=total, label=LABELS.get(phase, phase), show_pos=True, file=sys.stderr
            ).__enter__()
        self.bar.update(done - self.bar.pos)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._close()


def _millions(value: float) -> str:
    return f"{value / 1e6:.1f} M"


def result_lines(result: DemoResult) -> list[str]:
    """The lines a person reads after the run."""
    if result.skipped:
        return [
            f"Demo skipped: the ledger already holds {result.ledger_rows:,} rows "
            "(the demo only fills an empty database)."
        ]
    assert result.written is not None and result.start and result.end and result.today
    w = result.written
    lines = [
        "Demo users (for the demo only: before real use, `blangko users deactivate USER` or "
        "`blangko users set-password USER`):"
    ]
    for user in result.users:
        where = (
            f"officer of {user.office_code} {user.office_name}" if user.office_code else "planner"
        )
        state = "created" if user.created else "already present, password unchanged"
        lines.append(f"  {user.username:<15} password {user.password:<15} {where} ({state})")
    if result.ends_before_today:
        lines.append(
            f"History ends {day(result.end)}, before today ({day(result.today)}): "
            "use --years or --start to bring it closer."
        )
    monthly = (
        f"{_millions(result.normal_monthly_prints)} blanks/month printed in normal months "
        "(national scale)"
        if result.normal_monthly_prints
        else "no normal month in range"
    )
    lines.append(
        f"Demo: {result.offices} offices, {result.days:,} days "
        f"({day(result.start)} – {day(result.end)}), {w.daily_reports:,} daily reports, "
        f"{w.shipments:,} shipments, {w.requests:,} allocation requests, "
        f"{w.movements:,} movements; {monthly}; written in {result.seconds:.0f} s."
    )
    return lines
