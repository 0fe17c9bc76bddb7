"""Province quotas (kuota provinsi): each kab/kota's and each province's forecast demand for
the next three calendar months, beside stock on hand, in transit and backlog, as a basis
for allocation letters (written in December, a letter covers January to March).

Demand is in blanks (keping blangko), as allocation letters allocate blanks: the daily mean
of each office's latest stored forecast (``blangko.forecasts``: 90 days from the day after
the forecast ran; print requests) times 1 + the blanks spoiled per card printed over the
last year (``blangko.spoilage``, as the national forecast). The third month reaches past
that horizon; a day beyond it takes the demand of the same weekday four, eight, … weeks
earlier, inside the horizon's last 28 days: the level the forecast ends on, with its weekly
pattern, and no seasonality the model did not project (a Lebaran falling in the third month
is not in it; the national forecast looks twelve months ahead). The months begin with the
one after the planner's today (WIB). Also given: the demand left in the current month (from
tomorrow), and the shortfall (kekurangan): the rest of this month + the three months +
backlog − on hand − in transit, not below zero.

A province row adds up its Dinas provinsi (own stock, own forecast) and its kab/kota; its
shortfall is reckoned on those totals, as the province can redistribute, so it may be less
than the sum of its offices' shortfalls. Offices without a forecast have no demand
figures and are counted."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from blangko.errors import NotFound
from blangko.fmt import month as month_name
from blangko.forecasts import latest_results
from blangko.models import Office, OfficeKind
from blangko.months import month_end
from blangko.offices import get_office, list_offices
from blangko.offices import planner_today as wib_today
from blangko.spoilage import last_year_spoilage
from blangko.stock import OfficeStock, stock_positions

MONTHS = 3
CYCLE_DAYS = 28  # four whole weeks: a day past the horizon keeps its weekday
KIND_LABELS = {
    OfficeKind.province: "Dinas provinsi",
    OfficeKind.kabupaten: "Kabupaten",
    OfficeKind.kota: "Kota",
}


# --- the rules (plain data in, plain data out) --------------------------------------------


def next_months(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the ``count`` calendar months after ``today``'s."""
    months, first = [], today.replace(day=1)
    for _ in range(count):
        first = month_end(first) + timedelta(days=1)
        months.append(first)
    return months


class DailyDemand:
    """A stored forecast's daily mean demand in blanks (its print requests times
    ``blanks_per_print``), read on any day: inside the horizon as stored, outside it from
    the same weekday in the horizon's last (or first) four weeks."""

    def __init__(self, points: Iterable[Mapping[str, Any]], blanks_per_print: float = 1.0) -> None:
        self.by_day = {
            date.fromisoformat(p["date"]): float(p["demand_mean"]) * blanks_per_print
            for p in points
        }
        if not self.by_day:
            raise ValueError("a forecast without points")
        self.first, self.last = min(self.by_day), max(self.by_day)
        self.mean = sum(self.by_day.values()) / len(self.by_day)

    def on(self, day: date) -> float:
        if (found := self.by_day.get(day)) is not None:
            return found
        if (self.last - self.first).days + 1 < CYCLE_DAYS:
            return self.mean  # too short a horizon for a weekly pattern
        if day > self.last:
            weeks = -(-(day - self.last).days // CYCLE_DAYS)
            day -= timedelta(days=CYCLE_DAYS * weeks)
        elif day < self.first:
            weeks = -(-(self.first - day).days // CYCLE_DAYS)
            day += timedelta(days=CYCLE_DAYS * weeks)
        return self.by_day.get(day, self.mean)

    def total(self, first: date, last: date) -> int:
        """Blanks demanded from ``first`` to ``last`` inclusive, rounded to whole blanks."""
        days = (last - first).days + 1
        return round(sum(self.on(first + timedelta(days=i)) for i in range(max(days, 0))))


@dataclass(frozen=True)
class QuotaRow:
    """One office's, or one province's, demand ahead and stock (``months``: demand of each
    of the three months; ``None`` without a forecast)."""

    code: str
    name: str
    kind: OfficeKind
    province_code: str
    rest_of_month: int | None
    months: tuple[int, ...] | None
    on_hand: int
    in_transit: int
    backlog: int
    offices: int = 1
    without_forecast: int = 0

    @property
    def total(self) -> int | None:
        """Demand of the three months."""
        return None if self.months is None else sum(self.months)

    @property
    def shortfall(self) -> int | None:
        """Rest of this month + three months + backlog − on hand − in transit, at least 0."""
        if self.months is None or self.rest_of_month is None:
            return None
        need = self.rest_of_month + sum(self.months) + self.backlog
        return max(0, need - self.on_hand - self.in_transit)


def office_row(
    office: Office,
    demand: DailyDemand | None,
    position: OfficeStock,
    today: date,
    months: Sequence[date],
) -> QuotaRow:
    """An office's quota row from its forecast (``None``: none yet) and stock position."""
    return QuotaRow(
        code=office.code,
        name=office.name,
        kind=office.kind,
        province_code=office.province_code or "",
        rest_of_month=(
            None if demand is None else demand.total(today + timedelta(days=1), month_end(today))
        ),
        months=(
            None
            if demand is None
            else tuple(demand.total(first, month_end(first)) for first in months)
        ),
        on_hand=position.on_hand,
        in_transit=position.in_transit_in,
        backlog=position.backlog,
        without_forecast=int(demand is None),
    )


def province_row(province: Office, rows: Sequence[QuotaRow]) -> QuotaRow:
    """The sum of a province's rows (its Dinas and its kab/kota); demand over those with
    a forecast."""
    forecast = [r for r in rows if r.months is not None]
    return QuotaRow(
        code=province.code,
        name=province.name,
        kind=OfficeKind.province,
        province_code=province.code,
        rest_of_month=sum(r.rest_of_month or 0 for r in forecast) if forecast else None,
        months=(
            tuple(sum(values) for values in zip(*(r.months or () for r in forecast), strict=True))
            if forecast
            else None
        ),
        on_hand=sum(r.on_hand for r in rows),
        in_transit=sum(r.in_transit for r in rows),
        backlog=sum(r.backlog for r in rows),
        offices=len(rows),
        without_forecast=sum(r.without_forecast for r in rows),
    )


@dataclass(frozen=True)
class ProvinceQuota:
    total: QuotaRow
    offices: list[QuotaRow]  # the Dinas provinsi first, then the kab/kota by code


@dataclass(frozen=True)
class QuotaTable:
    today: date
    months: list[date]
    forecast_on: date | None  # the newest forecast's date
    provinces: list[ProvinceQuota] = field(default_factory=list)
    spoilage_ratio: float = 0.0  # blanks spoiled per card printed, in the demand

    def office_rows(self) -> list[QuotaRow]:
        return [row for p in self.provinces for row in p.offices]

    @property
    def month_names(self) -> list[str]:
        return [month_name(first) for first in self.months]

    # One definition of the columns, for the page, the workbook and the CSV file.

    def demand_headers(self) -> list[str]:
        return [
            f"Sisa {month_name(self.today)}",
            *(f"Kebutuhan {month_name(first)}" for first in self.months),
            f"Jumlah {MONTHS} bulan",
        ]

    def office_headers(self) -> list[str]:
        return ["Kode", "Nama", "Kode provinsi", "Jenis", *self.demand_headers(), *FIGURES]

    def province_headers(self) -> list[str]:
        return ["Kode", "Provinsi", "Kantor", "Tanpa prakiraan", *self.demand_headers(), *FIGURES]


FIGURES = ["Stok", "Dalam perjalanan", "Backlog (PRR)", "Kekurangan"]
PROVINCE_TOTAL = "Jumlah provinsi"  # the Jenis of a province's total in the CSV file


def demand_cells(row: QuotaRow) -> list[int | None]:
    return [row.rest_of_month, *(row.months or (None,) * MONTHS), row.total]


def figure_cells(row: QuotaRow) -> list[int | None]:
    return [row.on_hand, row.in_transit, row.backlog, row.shortfall]


def office_cells(row: QuotaRow, kind: str | None = None) -> list[Any]:
    """The cells of an office's row (``kind``: another label for its Jenis column)."""
    return [
        row.code,
        row.name,
        row.province_code,
        kind or KIND_LABELS.get(row.kind, str(row.kind)),
        *demand_cells(row),
        *figure_cells(row),
    ]


def province_cells(row: QuotaRow) -> list[Any]:
    return [
        row.code,
        row.name,
        row.offices,
        row.without_forecast,
        *demand_cells(row),
        *figure_cells(row),
    ]


# --- gathering ----------------------------------------------------------------------------


def planner_today(*, session: Session) -> date:
    """The planners' today (Ditjen's, WIB), from which the months are counted."""
    return wib_today()


def file_name(*, session: Session, extension: str, province: str | None = None) -> str:
    """``kuota-2027-01-2027-03.xlsx`` (``kuota-32-…`` for one province)."""
    months = next_months(planner_today(session=session))
    scope = f"-{province}" if province else ""
    return f"kuota{scope}-{months[0]:%Y-%m}-{months[-1]:%Y-%m}.{extension}"


def quota_table(*, session: Session, province: str | None = None) -> QuotaTable:
    """Every province (or only ``province``) with its offices: the latest forecasts and
    today's stock positions, in a few queries."""
    today = planner_today(session=session)
    months = next_months(today)
    if province and get_office(session=session, code=province).kind is not OfficeKind.province:
        raise NotFound(f"Kantor {province} bukan provinsi. Pilih kode provinsi dua angka.")
    offices = [
        o
        for o in list_offices(session=session, province=province or None)
        if o.kind is not OfficeKind.national
    ]
    codes = [o.code for o in offices]
    positions = stock_positions(session=session, office_codes=codes)
    forecasts = latest_results(session=session, office_codes=codes)
    spoilage = last_year_spoilage(session=session, as_of=today)
    rows: dict[str, list[QuotaRow]] = {}
    for office in offices:  # by code: a province before its kab/kota
        result = forecasts.get(office.code)
        demand = (
            DailyDemand(result.points, blanks_per_print=1.0 + spoilage)
            if result is not None and result.points
            else None
        )
        row = office_row(office, demand, positions[office.code], today, months)
        rows.setdefault(row.province_code, []).append(row)
    provinces = [
        ProvinceQuota(total=province_row(o, rows.get(o.code, [])), offices=rows.get(o.code, []))
        for o in offices
        if o.kind is OfficeKind.province
    ]
    return QuotaTable(
        today=today,
        months=months,
        forecast_on=max((r.as_of for r in forecasts.values()), default=None),
        provinces=provinces,
        spoilage_ratio=spoilage,
    )
