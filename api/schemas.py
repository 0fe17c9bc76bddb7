"""Request and response bodies of the JSON API, kept apart from the tables.

Field names are English (SPEC §4); descriptions and examples are what a client developer
reads in ``/openapi.json``. The limits are ``blangko.fields``, the ones every front door
uses, and the schema states them (patterns for dates and texts); types are strict: a
quantity is a JSON integer written as one (``12``; not ``12.0``, ``"12"``, ``true`` or ``12.5``:
issue 11 item 9), a date a ``YYYY-MM-DD`` string (not a Unix timestamp)."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from blangko import fields, ikd
from blangko.errors import ProblemCode
from blangko.fields import MAX_ID, MAX_QUANTITY, OFFICE_CODE
from blangko.models import (
    ForecastRunStatus,
    MovementKind,
    OfficeKind,
    RequestStatus,
    Role,
    ShipmentStatus,
    Source,
    TrancheStatus,
)
from blangko.risk import RiskLevel
from forecast.models import PROPHET, WEEKDAY_MEDIAN

__all__ = ["MAX_ID", "MAX_QUANTITY", "OFFICE_CODE"]


def _printable(value: str) -> str:
    if fields.has_control_characters(value):
        raise ValueError("teks berisi karakter kendali yang tidak diizinkan")
    return value


def _iso_date(value: object) -> object:
    """Only ``YYYY-MM-DD`` text (or a ``date`` built in Python) becomes a date."""
    if isinstance(value, date) or (isinstance(value, str) and fields.is_iso_date(value)):
        return value
    raise ValueError("harus tanggal dengan format YYYY-MM-DD")


def _date_in_range(value: date) -> date:
    problem = fields.day_error(value)
    if problem:
        raise ValueError(problem)
    return value


Quantity = Annotated[StrictInt, Field(ge=0, le=MAX_QUANTITY)]
PositiveQuantity = Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)]
Day = Annotated[
    date,
    BeforeValidator(_iso_date),
    AfterValidator(_date_in_range),
    Field(
        description="YYYY-MM-DD, from 2011-01-01 (KTP-el began) to 2099-12-31",
        json_schema_extra={"pattern": fields.DATE_PATTERN},
    ),
]
OfficeCode = Annotated[
    str,
    Field(
        pattern=OFFICE_CODE,
        description="Kemendagri office code: `00`, `PP` or `PP.RR`",
        examples=["32.16"],
    ),
]
# Texts: the schema states the rules of ``blangko.fields`` (no control characters; a
# required text is not blank), which the validators and the services enforce.
_TEXT = {"pattern": fields.TEXT_PATTERN}
_FILLED_TEXT = {"minLength": 1, "pattern": fields.FILLED_TEXT_PATTERN}
Note = Annotated[
    str,
    Field(
        max_length=fields.NOTE_MAX_LENGTH,
        description="Free note (catatan)",
        json_schema_extra=_TEXT,
    ),
    AfterValidator(_printable),
]
Reason = Annotated[
    str,
    Field(max_length=fields.NOTE_MAX_LENGTH, json_schema_extra=_FILLED_TEXT),
    AfterValidator(_printable),
]
Reference = Annotated[
    str,
    Field(max_length=fields.REFERENCE_MAX_LENGTH, json_schema_extra=_TEXT),
    AfterValidator(_printable),
]
RequiredReference = Annotated[
    str,
    Field(max_length=fields.REFERENCE_MAX_LENGTH, json_schema_extra=_FILLED_TEXT),
    AfterValidator(_printable),
]


def _figure(name: str) -> Any:
    """A daily figure's field: 0 when missing, described as ``blangko.fields`` says."""
    figure = next(f for f in fields.DAILY_FIGURES if name in (f.name, f.spoil_cause))
    return Field(default=0, description=figure.description)


class ForecastModel(StrEnum):
    """The model a forecast came from: Prophet, or the weekday median fallback."""

    prophet = PROPHET
    weekday_median = WEEKDAY_MEDIAN


class AlertStatus(StrEnum):
    """An alert is open until its condition clears, then resolved."""

    open = "open"
    resolved = "resolved"


class HealthStatus(StrEnum):
    ok = "ok"
    degraded = "degraded"


class Page(BaseModel):
    """What every list answers besides its items: paged with ``limit`` and ``offset``."""

    total: int = Field(description="Items matching the filters, on all pages", examples=[230])
    next: int | None = Field(
        description="The `offset` of the next page; null on the last page", examples=[100]
    )


class Problem(BaseModel):
    """RFC 9457 problem details; ``code`` is stable, ``detail`` is for people (Indonesian)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:blangko:problem:insufficient_stock",
                    "title": "Stok tidak cukup",
                    "status": 409,
                    "detail": "Stok blangko kantor 32.16 tinggal 120 keping, tidak cukup untuk "
                    "500 keping. …",
                    "code": "insufficient_stock",
                    "instance": "/api/v1/offices/32.16/daily-reports/2026-11-20",
                    "errors": [],
                }
            ]
        },
    )

    type: str = Field(description="URI naming the kind of problem: `urn:blangko:problem:<code>`")
    title: str
    status: int
    detail: str = Field(description="What went wrong and what to do, in Bahasa Indonesia")
    code: ProblemCode = Field(description="Stable code a client can act on")
    instance: str = Field(description="The request path")
    errors: list["FieldError"] = Field(
        description="Each bad field (validation errors and CSV imports); empty when no field "
        "is to blame"
    )


class FieldError(BaseModel):
    field: str = Field(description="Field or CSV column, dotted for nested fields")
    message: str = Field(description="What is wrong with it, in Bahasa Indonesia")
    row: int | None = Field(
        default=None, description="CSV line number (the header is line 1)", examples=[3]
    )


class SignInForm(BaseModel):
    """OAuth2 password form (``application/x-www-form-urlencoded``)."""

    username: str = Field(min_length=1, max_length=64, examples=["bekasi"])
    password: str = Field(min_length=1, max_length=1024)
    grant_type: str | None = Field(
        default=None, pattern="^password$", description="`password` (OAuth2), or omitted"
    )


class Token(BaseModel):
    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the token expires", examples=[28800])


class OfficePublic(BaseModel):
    code: str = Field(examples=["32.16"])
    name: str = Field(examples=["Kabupaten Bekasi"])
    kind: OfficeKind
    parent_code: str | None = Field(examples=["32"])
    province_code: str | None = Field(examples=["32"])
    timezone: str = Field(examples=["Asia/Jakarta"])
    population: int


class UserPublic(BaseModel):
    id: int
    username: str
    role: Role
    office_code: str | None


class LeadTimePublic(BaseModel):
    """How long a resupply requested today takes to reach the office (waktu tunggu
    kiriman), learned from the ledger's last 365 days: the centre's request letter →
    dispatch delay plus the transit to this office, shrunk towards its province and region
    when it has few shipments."""

    median: int = Field(description="Median lead time in days", examples=[9])
    p90: int = Field(
        description="90th percentile in days: the horizon of the stock-out alert and the "
        "reallocation plan (with the safety days)",
        examples=[14],
    )
    source: Literal["office", "province", "region", "default"] = Field(
        description="Most specific history it was learned from: the office's own shipments, "
        "its province's, its region's, or `default` (BLANGKO_LEAD_TIME_DAYS, no history)"
    )


IkdShare90d = Annotated[
    float | None,
    Field(
        description="IKD activations ÷ blanks received over the last 90 days (office-local "
        f"dates; Rakernas 2023 target ≥ {ikd.TARGET}); null when the office received nothing",
        examples=[0.43],
    ),
]


class OfficeStockPublic(BaseModel):
    """Stock position of one office (posisi stok)."""

    office: str = Field(examples=["32.16"])
    on_hand: int = Field(description="Blanks in the office's stock", examples=[12500])
    in_transit_in: int = Field(description="Blanks dispatched to the office, not yet received")
    in_transit_out: int = Field(description="Blanks the office dispatched, not yet received")
    backlog: int = Field(description="Print-ready records waiting (latest daily report)")
    days_of_cover: float | None = Field(
        description="On hand ÷ forecast daily demand; null until a forecast exists"
    )
    lead_time_days: LeadTimePublic | None = Field(
        description="Lead time of a resupply requested today; null for the national office"
    )
    ikd_share_90d: IkdShare90d
    ikd_share_ytd: float | None = Field(
        description="The same since 1 January of the office's year; null when the office "
        "received nothing since then",
        examples=[0.48],
    )
    as_of: datetime


class NationalRow(BaseModel):
    code: str = Field(examples=["12.71"])
    name: str = Field(examples=["Kota Medan"])
    kind: OfficeKind
    province: str | None = Field(description="Province code", examples=["12"])
    on_hand: int
    in_transit_in: int
    in_transit_out: int
    backlog: int
    days_of_cover: float | None = Field(description="null until a forecast exists")
    stockout_date: date | None = Field(description="null until a forecast exists")
    risk: RiskLevel | None = Field(description="Stock-out risk level; null until a forecast exists")
    ikd_share_90d: IkdShare90d


class NationalOverview(BaseModel):
    """Every office's stock position (ikhtisar nasional)."""

    as_of: datetime
    offices: list[NationalRow]


class LedgerLine(BaseModel):
    """One line of the stock card (kartu stok)."""

    entry_id: int
    movement_id: int
    movement_kind: MovementKind
    business_date: date
    recorded_at: datetime
    source: Source
    note: str
    counterparty: str = Field(description="The office on the other side of the entry")
    counterparty_account: str
    quantity_in: int
    quantity_out: int
    balance: int = Field(description="Stock balance after this line")


class StockCardPublic(BaseModel):
    office: str
    date_from: date | None = Field(alias="from", serialization_alias="from")
    date_to: date | None = Field(alias="to", serialization_alias="to")
    opening_balance: int = Field(description="Balance before the first line of the range")
    closing_balance: int = Field(description="Balance at the end of the range")
    total: int = Field(description="Lines in the range (all pages)")
    limit: int
    offset: int
    entries: list[LedgerLine]

    model_config = ConfigDict(populate_by_name=True)


class Spoiled(BaseModel):
    """Blanks destroyed that day, by cause (blangko rusak)."""

    model_config = ConfigDict(extra="forbid")

    gagal_cetak: Quantity = _figure("gagal_cetak")
    gagal_encode: Quantity = _figure("gagal_encode")
    rusak_fisik: Quantity = _figure("rusak_fisik")
    lainnya: Quantity = _figure("lainnya")


class DailyReportSave(BaseModel):
    """The day's figures of one office. ``spoiled`` is an object by cause; missing causes
    count as 0. Saving the same date again corrects the report (the previous version is
    reversed)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "print_requests": 180,
                    "printed": 150,
                    "spoiled": {"gagal_cetak": 2, "gagal_encode": 1, "rusak_fisik": 0},
                    "backlog": 40,
                    "suket_issued": 30,
                    "ikd_activations": 55,
                    "note": "",
                }
            ]
        },
    )

    print_requests: Quantity = _figure("print_requests")
    printed: Quantity = _figure("printed")
    spoiled: Spoiled = Field(default_factory=Spoiled)
    backlog: Quantity = _figure("backlog")
    suket_issued: Quantity = _figure("suket_issued")
    ikd_activations: Quantity = _figure("ikd_activations")
    note: Note = ""


class DailyReportPublic(BaseModel):
    id: int
    office: str
    report_date: date
    version: int = Field(description="1 for the first save, +1 for each correction")
    is_current: bool
    print_requests: int
    printed: int
    spoiled: Spoiled
    spoiled_total: int
    backlog: int
    suket_issued: int
    ikd_activations: int
    movement_id: int | None = Field(description="The ledger movement; null when nothing moved")
    recorded_at: datetime


class StockCountCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"counted_quantity": 4980, "counted_on": "2026-11-20", "note": ""}]
        },
    )

    counted_quantity: Quantity = Field(description="Blanks physically counted")
    counted_on: Day
    note: Note = ""


class StockCountPublic(BaseModel):
    id: int
    office: str
    counted_on: date
    counted_quantity: int
    book_quantity: int = Field(description="Book balance before the count")
    adjustment: int = Field(description="counted − book, posted to the adjustment account")
    movement_id: int | None
    note: str


class ProcurementCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"quantity": 2000000, "received_on": "2026-11-18", "reference": "SPK-2026-017"}
            ]
        },
    )

    quantity: PositiveQuantity
    received_on: Day
    reference: RequiredReference = Field(description="Contract or delivery note number")
    note: Note = ""


class MovementPublic(BaseModel):
    id: int
    kind: MovementKind
    office: str
    business_date: date
    recorded_at: datetime
    source: Source
    note: str
    reverses_id: int | None


class AllocationRequestCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "office": "32.16",
                    "quantity": 20000,
                    "reference": "470/1123/Disdukcapil",
                    "note": "Stok tinggal 2 minggu",
                }
            ]
        },
    )

    office: OfficeCode = Field(
        description="The office asking: a province or kab/kota, not `00`",
        json_schema_extra={"pattern": fields.REGIONAL_OFFICE_CODE},
    )
    quantity: PositiveQuantity
    reference: RequiredReference = Field(description="Letter number (nomor surat)")
    note: Note = ""


class AllocationApprove(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"quantity": 15000, "expected_on": "2026-12-05"}]},
    )

    quantity: PositiveQuantity = Field(description="Approved quantity, at most the request")
    expected_on: Day = Field(description="Expected arrival date")


class AllocationReject(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Stok nasional sedang kosong"}]},
    )

    reason: Reason


class AllocationRequestPublic(BaseModel):
    id: int
    office: str
    quantity: int
    reference: str
    note: str
    status: RequestStatus
    requested_on: date
    approved_quantity: int | None
    decision_reason: str
    decided_at: datetime | None
    shipment_id: int | None = Field(description="The shipment made on approval")


class ShipmentCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "from_office": "32",
                    "to_office": "32.16",
                    "quantity": 5000,
                    "expected_on": "2026-11-28",
                    "reference": "470/88/Disdukcapil-Prov",
                }
            ]
        },
    )

    from_office: OfficeCode
    to_office: OfficeCode = Field(description="The receiving office: not `from_office`")
    quantity: PositiveQuantity
    expected_on: Day
    reference: Reference = ""
    dispatched_on: Day | None = Field(default=None, description="Defaults to today (sender)")
    note: Note = ""


class ShipmentReceive(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "received_quantity": 4950,
                    "received_on": "2026-11-27",
                    "shortfall_reason": "1 dus basah",
                }
            ]
        },
    )

    received_quantity: Quantity
    received_on: Day
    shortfall_reason: Note = Field(default="", description="Required when short")


class ShipmentCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Note = ""


class ShipmentPublic(BaseModel):
    id: int
    from_office: str
    to_office: str
    quantity: int
    status: ShipmentStatus
    reference: str
    dispatched_on: date
    expected_on: date
    received_on: date | None
    received_quantity: int | None
    shortfall_reason: str
    allocation_request_id: int | None


class ReverseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = ""
    business_date: Day | None = Field(default=None, description="Defaults to today")


class ImportResult(BaseModel):
    imported: int = Field(description="Rows written")
    ids: list[int] = Field(description="Ids of the daily reports or shipments written")


class HealthLastRun(BaseModel):
    """The newest forecast run, as the health check reports it."""

    id: int
    status: ForecastRunStatus
    started_at: datetime | None
    finished_at: datetime | None
    offices_done: int


class HealthDatabase(BaseModel):
    reachable: bool
    revision: str | None
    head: str | None
    at_head: bool


class Health(BaseModel):
    status: HealthStatus = Field(examples=["ok"])
    database: HealthDatabase
    scheduler: str = Field(examples=["not running"])
    last_forecast_run: HealthLastRun | None = Field(
        description="The newest forecast run; null when none has run"
    )


Problem.model_rebuild()


class ForecastPoint(BaseModel):
    date: date
    demand_mean: float = Field(description="Forecast print requests that day")
    demand_low: float = Field(description="10th percentile of sampled demand (80 % band)")
    demand_high: float = Field(description="90th percentile of sampled demand (80 % band)")
    projected_stock: float = Field(
        description="On hand − backlog + expected shipments − forecast demand, end of day; "
        "negative = unmet demand"
    )


class StockoutProbability(BaseModel):
    """P(stock-out within 14, 30 and 60 days)."""

    model_config = ConfigDict(populate_by_name=True)

    within_14: float = Field(alias="14", ge=0, le=1, examples=[0.0])
    within_30: float = Field(alias="30", ge=0, le=1, examples=[0.12])
    within_60: float = Field(alias="60", ge=0, le=1, examples=[0.64])


class BacktestScores(BaseModel):
    """The rolling-origin backtest behind the model choice."""

    mase: dict[str, float | None] = Field(
        default_factory=dict,
        description="MASE of each model by name (`prophet`, `weekday_median`, "
        "`seasonal_naive`); null where it could not be scored",
        examples=[{"prophet": 0.82, "weekday_median": 0.91, "seasonal_naive": 1.0}],
    )
    beats_seasonal_naive: bool | None = Field(
        default=None, description="Whether the chosen model beat seasonal naive"
    )


class OfficeForecastPublic(BaseModel):
    """The latest forecast of one office (prakiraan); office `00` is the national one."""

    office: str = Field(examples=["32.16"])
    run_id: int
    generated_at: datetime
    as_of: date = Field(description="Last reported date the forecast starts after")
    model: ForecastModel
    horizon_days: int = Field(examples=[90])
    points: list[ForecastPoint]
    on_hand: int
    stockout_date: date | None = Field(description="First day demand can no longer be met")
    stockout_probability: StockoutProbability = Field(
        description="Probability of running out within 14, 30 and 60 days"
    )
    days_of_cover: float | None = Field(description="On hand ÷ forecast mean daily demand")
    mean_daily_demand: float
    backtest_mase: float | None = Field(
        description="Rolling-origin MASE of the chosen model (below 1 beats seasonal naive)"
    )
    backtest: BacktestScores
    risk: RiskLevel = Field(
        description="`high`: a stock-out before a resupply requested today can arrive is "
        "likely (risk_probability ≥ 0.5) and expected within the p90 lead time; `medium`: "
        "likely, with time left to request; `low`: not likely. The same rule opens the "
        "`stockout_risk` alerts"
    )
    risk_probability: float | None = Field(
        description="Probability of a stock-out within risk_horizon_days; null for older "
        "runs (their risk follows the stock-out date)"
    )
    risk_horizon_days: int | None = Field(
        description="The office's p90 lead time when the forecast ran + safety days"
    )
    lead_time_days: LeadTimePublic | None = Field(
        description="Lead time of a resupply requested today; null for the national office"
    )
    note: str = Field(description="Why the fallback model was used, if it was")


class ForecastRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    office: str | None = Field(
        default=None,
        pattern=OFFICE_CODE,
        description="Only this office; all offices and the national projection when omitted",
    )


class ForecastRunPublic(BaseModel):
    id: int
    status: ForecastRunStatus
    office: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    offices_total: int
    offices_done: int
    settings: dict[str, Any]
    versions: dict[str, Any]
    error: str


class ReliabilityBin(BaseModel):
    horizon: int = Field(description="Days: the probability is P(stock-out within them)")
    low: float = Field(description="Lower edge of the probability bin")
    high: float = Field(description="Upper edge of the probability bin")
    predicted: float = Field(description="Mean predicted probability in the bin")
    observed: float = Field(description="Share of the bin's cases that ran out (counterfactual)")
    count: int


class EvaluationPublic(BaseModel):
    """The latest replay of past warnings (`blangko alerts evaluate`, weekly job)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "origins": 26,
                    "offices": 514,
                    "months": 12,
                    "stockouts": 40,
                    "warned": 37,
                    "recall": 0.925,
                    "precision": 0.74,
                    "false_alarms_per_100_offices_month": 1.3,
                    "brier": {"14": 0.02, "30": 0.04, "60": 0.07},
                    "calibration_error_30": 0.05,
                    "median_date_error_days": 4.0,
                    "reliability": [
                        {
                            "horizon": 30,
                            "low": 0.9,
                            "high": 1.0,
                            "predicted": 0.97,
                            "observed": 0.93,
                            "count": 120,
                        }
                    ],
                    "generated_at": "2026-12-06T20:00:00Z",
                }
            ]
        }
    )

    origins: int = Field(description="Forecast origins replayed (one every two weeks)")
    offices: int = Field(description="Kab/kota offices replayed")
    months: float = Field(description="Months covered by the origins")
    stockouts: int = Field(description="Actual stock-outs (no stock while residents waited)")
    warned: int = Field(description="Stock-outs warned at least the office's lead time ahead")
    recall: float | None = Field(description="warned ÷ stockouts")
    precision: float | None = Field(
        description="Share of warnings followed by a counterfactual stock-out (no new supply "
        "after the warning) within the office's horizon: a warning that led to a resupply is "
        "not a false alarm"
    )
    false_alarms_per_100_offices_month: float
    brier: dict[str, float | None] = Field(
        description="Brier score of P(stock-out within 14, 30, 60 days)"
    )
    calibration_error_30: float | None = Field(
        description="Mean |observed − predicted| over the bins of P30, weighted by count"
    )
    median_date_error_days: float | None = Field(
        description="Median |forecast − counterfactual| stock-out date, in days"
    )
    reliability: list[ReliabilityBin]
    generated_at: datetime


class OfficePage(Page):
    items: list[OfficePublic]


class DailyReportPage(Page):
    items: list[DailyReportPublic]


class AllocationRequestPage(Page):
    items: list[AllocationRequestPublic]


class ShipmentPage(Page):
    items: list[ShipmentPublic]


class PlannedProcurementCreate(BaseModel):
    """A procurement tranche budgeted or ordered (issue 13 item 2)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "quantity": 5000000,
                    "expected_on": "2027-03-15",
                    "reference": "SPK-2027-003",
                    "status": "ordered",
                }
            ]
        },
    )

    quantity: PositiveQuantity
    expected_on: Day
    reference: RequiredReference = Field(description="Contract, budget or e-katalog reference")
    status: Literal["planned", "ordered"] = Field(
        default="planned",
        description="`planned` (budgeted) or `ordered` (contract signed); a tranche becomes "
        "`received` only through `/receive`",
    )
    note: Note = ""


class PlannedProcurementReceive(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"received_on": "2027-03-12", "quantity": 4800000}]},
    )

    received_on: Day
    quantity: PositiveQuantity | None = Field(
        default=None, description="What arrived; the planned quantity when left out"
    )


class PlannedProcurementCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Note = ""


class PlannedProcurementPublic(BaseModel):
    id: int
    quantity: int = Field(description="Blanks planned or ordered")
    expected_on: date
    reference: str
    note: str
    status: TrancheStatus
    created_at: datetime
    updated_at: datetime
    received_on: date | None
    received_quantity: int | None = Field(
        description="Blanks the receipt posted into national stock (may differ from `quantity`)"
    )
    movement_id: int | None = Field(description="The procurement movement of the receipt")


class PlannedProcurementPage(Page):
    items: list[PlannedProcurementPublic]


class NationalModel(StrEnum):
    """How the national forecast was made (the best of the backtest): one Prophet model
    of the national sum, the fallback model on the national sum, or the sum of the
    offices' own fallback forecasts."""

    national_prophet = "national_prophet"
    national_weekday_median = "national_weekday_median"
    offices_weekday_median = "offices_weekday_median"


class NationalMonth(BaseModel):
    month: str = Field(pattern=fields.MONTH_PATTERN, examples=["2027-03"])
    days: int = Field(
        description="Forecast days in the month (the first month starts the day after "
        "as_of and may be partial; the 12 after it are whole)",
        examples=[31],
    )
    demand_mean: int = Field(description="Expected blanks used (prints + spoiled) in the month")
    demand_low: int = Field(description="10th percentile of the month's total (80 % band)")
    demand_high: int = Field(description="90th percentile of the month's total (80 % band)")
    projected_stock: int = Field(
        description="National stock at the end of the month against the 80th percentile of "
        "cumulative demand, open tranches included, the next tranche not; negative = short"
    )
    target_stock: int = Field(
        description="The target cover then: expected demand of the next target_days days"
    )


class NationalBacktest(BaseModel):
    """The rolling-origin backtest that chose the model (each origin scored on the 180
    days after it)."""

    model: NationalModel
    mase: float | None = Field(description="MASE of the chosen model (vs seven-day naive)")
    error_90d: float | None = Field(
        description="Mean absolute relative error of the 90-day total (0.05 = 5 %)"
    )
    error_180d: float | None = Field(
        description="Mean absolute relative error of the 180-day total"
    )
    origins: list[date]
    candidates: dict[str, dict[str, Any]] = Field(
        description="Each candidate's scores (`mase`, `error_90d`, `error_180d` and the "
        "signed errors per origin)"
    )


class NationalForecastPublic(BaseModel):
    """National demand a year ahead and the procurement timing (perencanaan pengadaan)."""

    generated_at: datetime
    as_of: date = Field(description="Last reported date the forecast starts after")
    model: NationalModel
    months: list[NationalMonth]
    national_stock: int = Field(
        description="Every office's stock (Ditjen's included) + blanks in transit − backlog"
    )
    target_days: int = Field(description="BLANGKO_NATIONAL_TARGET_DAYS", examples=[45])
    procurement_lead_days: int = Field(description="BLANGKO_PROCUREMENT_LEAD_DAYS", examples=[60])
    stock_below_target_on: date | None = Field(
        description="First day the projected stock is below the target cover; null when not "
        "within the horizon (the rest of this month and 12 full months)"
    )
    next_tranche_quantity: int | None = Field(
        description="Blanks the next tranche needs to keep the stock at the target cover "
        "until a tranche ordered on its arrival could arrive; null when none is needed"
    )
    arrive_by: date | None = Field(
        description="The day the next tranche must arrive by: stock_below_target_on (blanks "
        "count in the stock at the end of the day they arrive, so arriving then keeps that "
        "day at the target)"
    )
    order_by: date | None = Field(description="arrive_by − the procurement lead time")
    sentence: str = Field(description="The same in a sentence (Indonesian)")
    backtest: NationalBacktest
