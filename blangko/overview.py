"""The national picture: one row per office with its stock position, its IKD compliance
and, once forecasts exist, days of cover, stock-out date and risk (used by
``GET /api/v1/stock`` and the planner's overview page)."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from blangko import ikd, ledger
from blangko.forecasts import latest_summaries, risk_level
from blangko.models import AccountKind, Office, OfficeKind
from blangko.offices import NATIONAL, local_today
from blangko.risk import RiskLevel
from blangko.stock import stock_positions


@dataclass
class OverviewRow:
    code: str
    name: str
    kind: OfficeKind
    province_code: str | None
    on_hand: int
    in_transit_in: int
    in_transit_out: int
    backlog: int
    days_of_cover: float | None = None
    stockout_date: date | None = None
    stockout_probability_30: float | None = None
    risk: RiskLevel | None = None
    ikd_share_90d: float | None = None  # IKD activations ÷ blanks received (blangko.ikd)


def national_overview(*, session: Session) -> list[OverviewRow]:
    """Every office in code order; the risk level by the one rule (``blangko.risk``),
    days left counted from the office's today."""
    positions = stock_positions(session=session)
    offices = session.exec(select(Office).order_by(Office.code)).all()
    rows = [
        OverviewRow(
            code=o.code,
            name=o.name,
            kind=o.kind,
            province_code=o.province_code,
            on_hand=positions[o.code].on_hand,
            in_transit_in=positions[o.code].in_transit_in,
            in_transit_out=positions[o.code].in_transit_out,
            backlog=positions[o.code].backlog,
        )
        for o in offices
    ]
    forecast = latest_summaries(session=session)
    for office, row in zip(offices, rows, strict=True):
        if (summary := forecast.get(row.code)) is not None:
            row.days_of_cover = summary.days_of_cover
            row.stockout_date = summary.stockout_date
            row.stockout_probability_30 = summary.stockout_probability.get("30")
            row.risk = risk_level(summary, today=local_today(office))
    compliance = ikd.compliance(session=session, offices=offices)
    for row in rows:
        row.ikd_share_90d = compliance[row.code].share_90d
    return rows


def national_stock(*, session: Session) -> int:
    return ledger.balance(session=session, office_code=NATIONAL, kind=AccountKind.stock)
