"""Tables. Quantities are non-negative integers of blanks; dates are office-local,
datetimes (``*_at``) are UTC."""

import enum
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from blangko.fields import NOTE_MAX_LENGTH, REFERENCE_MAX_LENGTH

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores it naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _utc_column(nullable: bool = False) -> Any:
    return sa.Column(UTCDateTime(), nullable=nullable)


class OfficeKind(enum.StrEnum):
    national = "national"
    province = "province"
    kabupaten = "kabupaten"
    kota = "kota"


class Role(enum.StrEnum):
    admin = "admin"
    planner = "planner"
    officer = "officer"


class AccountKind(enum.StrEnum):
    """Ledger accounts. ``supply`` (the producer, held by office 00) may go negative."""

    supply = "supply"
    stock = "stock"
    transit = "transit"
    printed = "printed"
    spoiled = "spoiled"
    lost = "lost"
    adjustment = "adjustment"


class MovementKind(enum.StrEnum):
    procurement = "procurement"
    dispatch = "dispatch"
    receipt = "receipt"
    cancel = "cancel"
    daily_report = "daily_report"
    stock_count = "stock_count"
    reversal = "reversal"


class Source(enum.StrEnum):
    api = "api"
    web = "web"
    import_ = "import"
    job = "job"
    demo = "demo"
    cli = "cli"


class ShipmentStatus(enum.StrEnum):
    in_transit = "in_transit"
    received = "received"
    received_short = "received_short"
    cancelled = "cancelled"


class RequestStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class TrancheStatus(enum.StrEnum):
    """A planned procurement tranche: planned (budgeted), ordered (contract signed),
    received (posted into national stock), cancelled."""

    planned = "planned"
    ordered = "ordered"
    received = "received"
    cancelled = "cancelled"


def _enum(e: type[enum.Enum], length: int = 20) -> Any:
    # Stored as plain strings: stable across databases and readable in SQL.
    return sa.Column(
        sa.Enum(
            e, native_enum=False, length=length, validate_strings=True, create_constraint=False
        ),
        nullable=False,
    )


class Office(SQLModel, table=True):
    """A Dinas Dukcapil (kab/kota or province) or Ditjen Dukcapil (``00``)."""

    __tablename__ = "offices"

    code: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=120)
    kind: OfficeKind = Field(sa_column=_enum(OfficeKind))
    parent_code: str | None = Field(default=None, foreign_key="offices.code", index=True)
    province_code: str | None = Field(default=None, max_length=2, index=True)
    timezone: str = Field(max_length=32)
    population: int = Field(default=0, ge=0)
    # How the office numbers its handover records (BAST), e.g. ``470/{seq}/Disdukcapil/{year}``
    # (blangko/documents/numbering.py); None: the default pattern.
    document_number_pattern: str | None = Field(default=None, max_length=100)


class User(SQLModel, table=True):
    """A person who signs in. Never deleted (deactivated instead), and ids are never reused
    (``AUTOINCREMENT`` on SQLite), so an old token can never name another person.
    ``session_version`` goes up whenever the password, role, office or active flag change:
    every session started under an older version is over."""

    __tablename__ = "users"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_column=_enum(Role))
    office_code: str | None = Field(default=None, foreign_key="offices.code", index=True)
    email: str | None = Field(default=None, max_length=255)
    # Who signs the paperwork (BAST, berita acara): nama lengkap, NIP, jabatan.
    full_name: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    nip: str = Field(default="", max_length=18, sa_column_kwargs={"server_default": ""})
    position: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    is_active: bool = True
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class AuthSession(SQLModel, table=True):
    """A signed-in session: one web sign-in (its id in the signed cookie) or one API token
    (its id in the token's ``sid`` claim). Checked on every request: it must not be ended
    (logout), expired, or older than its user's ``session_version``."""

    __tablename__ = "auth_sessions"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    user_version: int
    kind: str = Field(max_length=10)
    client: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    ended_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class UserEvent(SQLModel, table=True):
    """A change to a user account (created, password, role, office, (de)activated): who did
    it, when, and what, for the admins' page."""

    __tablename__ = "user_events"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    actor: str = Field(max_length=80)
    action: str = Field(max_length=40)
    detail: str = Field(default="", max_length=255)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class Account(SQLModel, table=True):
    """One ledger account of one office, with its cached balance."""

    __tablename__ = "accounts"
    __table_args__ = (sa.UniqueConstraint("office_code", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="offices.code")
    kind: AccountKind = Field(sa_column=_enum(AccountKind))
    balance: int = 0


class Movement(SQLModel, table=True):
    """One business event (mutasi); its entries move blanks between accounts."""

    __tablename__ = "movements"
    __table_args__ = (
        sa.Index("ix_movements_office_code_business_date", "office_code", "business_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: MovementKind = Field(sa_column=_enum(MovementKind))
    office_code: str = Field(foreign_key="offices.code")
    business_date: date
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    recorded_by: int | None = Field(default=None, foreign_key="users.id")
    source: Source = Field(sa_column=_enum(Source))
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH)
    idempotency_key: str | None = Field(default=None, max_length=200)
    reverses_id: int | None = Field(default=None, foreign_key="movements.id", unique=True)


class Entry(SQLModel, table=True):
    """One leg of a movement: ``quantity`` blanks from one account to another."""

    __tablename__ = "entries"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    movement_id: int = Field(foreign_key="movements.id", index=True)
    from_account_id: int = Field(foreign_key="accounts.id", index=True)
    to_account_id: int = Field(foreign_key="accounts.id", index=True)
    quantity: int


class AllocationRequest(SQLModel, table=True):
    """An office's request for blanks (surat permintaan blangko)."""

    __tablename__ = "allocation_requests"

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="offices.code", index=True)
    quantity: int
    reference: str = Field(max_length=REFERENCE_MAX_LENGTH)
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH)
    status: RequestStatus = Field(sa_column=_enum(RequestStatus))
    requested_on: date
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    created_by: int | None = Field(default=None, foreign_key="users.id")
    approved_quantity: int | None = None
    decision_reason: str = Field(default="", max_length=NOTE_MAX_LENGTH)
    decided_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    decided_by: int | None = Field(default=None, foreign_key="users.id")


class Shipment(SQLModel, table=True):
    """Blanks sent from one office to another (pengiriman): dispatched, then received or
    cancelled."""

    __tablename__ = "shipments"
    # In-transit shipments per receiver (stock positions) without reading closed ones.
    __table_args__ = (
        sa.Index("ix_shipments_status_to_office", "status", "to_office"),
        # Covers the blanks received per office over a period (IKD compliance).
        sa.Index(
            "ix_shipments_received_on_to_office_received_quantity",
            "received_on",
            "to_office",
            "received_quantity",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    from_office: str = Field(foreign_key="offices.code", index=True)
    to_office: str = Field(foreign_key="offices.code", index=True)
    quantity: int
    status: ShipmentStatus = Field(sa_column=_enum(ShipmentStatus))
    reference: str = Field(default="", max_length=REFERENCE_MAX_LENGTH)
    dispatched_on: date
    expected_on: date
    received_on: date | None = None
    received_quantity: int | None = None
    shortfall_reason: str = Field(default="", max_length=NOTE_MAX_LENGTH)
    # Indexed: "was this request dispatched by then" is asked per request (resupply).
    allocation_request_id: int | None = Field(
        default=None, foreign_key="allocation_requests.id", index=True
    )
    dispatch_movement_id: int = Field(foreign_key="movements.id")
    close_movement_id: int | None = Field(default=None, foreign_key="movements.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class DocumentCounter(SQLModel, table=True):
    """The last sequence number an office gave a kind of document (``bast``) in a year:
    incremented with one ``UPDATE`` per number, so two numbers are never the same."""

    __tablename__ = "document_counters"

    office_code: str = Field(foreign_key="offices.code", primary_key=True)
    kind: str = Field(max_length=20, primary_key=True)
    year: int = Field(primary_key=True)
    last_seq: int = 0


class HandoverRecord(SQLModel, table=True):
    """The number of a shipment's Berita Acara Serah Terima (BAST), given by the
    receiving office the first time the BAST is made, and the same on every copy since."""

    __tablename__ = "handover_records"
    __table_args__ = (
        sa.UniqueConstraint("office_code", "year", "seq"),
        sa.UniqueConstraint("office_code", "number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipments.id", unique=True)
    office_code: str = Field(foreign_key="offices.code")
    year: int
    seq: int
    number: str = Field(max_length=120)
    issued_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    issued_by: int | None = Field(default=None, foreign_key="users.id")


class DailyReport(SQLModel, table=True):
    """The day's figures of one office (laporan harian). Each save is a new version; the
    latest is current, the earlier ones stay as history."""

    __tablename__ = "daily_reports"
    __table_args__ = (
        sa.UniqueConstraint("office_code", "report_date", "version"),
        # Covers the IKD activations per office over a period (IKD compliance).
        sa.Index(
            "ix_daily_reports_office_code_is_current_report_date_ikd",
            "office_code",
            "is_current",
            "report_date",
            "ikd_activations",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="offices.code")
    report_date: date
    version: int = 1
    is_current: bool = True
    print_requests: int = 0
    printed: int = 0
    spoiled_gagal_cetak: int = 0
    spoiled_gagal_encode: int = 0
    spoiled_rusak_fisik: int = 0
    spoiled_lainnya: int = 0
    backlog: int = 0
    suket_issued: int = 0
    ikd_activations: int = 0
    movement_id: int | None = Field(default=None, foreign_key="movements.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    recorded_by: int | None = Field(default=None, foreign_key="users.id")

    @property
    def spoiled(self) -> int:
        return (
            self.spoiled_gagal_cetak
            + self.spoiled_gagal_encode
            + self.spoiled_rusak_fisik
            + self.spoiled_lainnya
        )


class StockCount(SQLModel, table=True):
    """A physical count (stock opname); any difference is posted as an adjustment."""

    __tablename__ = "stock_counts"

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="offices.code", index=True)
    counted_on: date
    counted_quantity: int
    book_quantity: int
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH)
    movement_id: int | None = Field(default=None, foreign_key="movements.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    recorded_by: int | None = Field(default=None, foreign_key="users.id")


class IdempotencyKey(SQLModel, table=True):
    """The first result of a write made with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_keys"

    key: str = Field(primary_key=True, max_length=200)
    operation: str = Field(max_length=60)
    fingerprint: str = Field(max_length=64)
    result_id: int
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class LoginAttempt(SQLModel, table=True):
    """A failed or successful sign-in, kept briefly to throttle password guessing across
    all server processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_username_client", "username", "client"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    client: str = Field(max_length=64)
    succeeded: bool = False
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(SQLModel, table=True):
    """An e-mail waiting in the persistent outbox (kotak keluar). ``key`` is unique so the
    same alert e-mail is never queued twice; a sender claims a row (pending → sending) in
    its own transaction before talking to SMTP, so each message is sent once."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)
    office_code: str | None = Field(default=None, foreign_key="offices.code", index=True)
    recipients: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    status: OutboxStatus = Field(sa_column=_enum(OutboxStatus))
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    claimed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class AlertKind(enum.StrEnum):
    stockout_risk = "stockout_risk"
    national_shortage = "national_shortage"
    backlog_high = "backlog_high"
    shipment_overdue = "shipment_overdue"
    delivery_shortfall = "delivery_shortfall"
    report_missing = "report_missing"
    surplus = "surplus"
    stock_backlog_mismatch = "stock_backlog_mismatch"


class AlertSeverity(enum.StrEnum):
    info = "info"
    warning = "warning"
    critical = "critical"


class Alert(SQLModel, table=True):
    """A condition that needs someone to act (peringatan). At most one open alert per office
    and kind: it is updated while the condition lasts and resolved when it clears."""

    __tablename__ = "alerts"
    __table_args__ = (
        sa.Index(
            "uq_alerts_open_office_kind",
            "office_code",
            "kind",
            unique=True,
            sqlite_where=sa.text("resolved_at IS NULL"),
            postgresql_where=sa.text("resolved_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="offices.code", index=True)
    kind: AlertKind = Field(sa_column=_enum(AlertKind, length=30))
    severity: AlertSeverity = Field(sa_column=_enum(AlertSeverity))
    message: str = Field(max_length=1000)
    details: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    opened_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    resolved_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    acknowledged_by: int | None = Field(default=None, foreign_key="users.id")


class PlanStatus(enum.StrEnum):
    proposed = "proposed"
    approved = "approved"
    superseded = "superseded"


class ReallocationPlan(SQLModel, table=True):
    """A proposed set of shipments (rencana realokasi) that meets deficits from national
    stock and surplus offices; approving it dispatches the lines."""

    __tablename__ = "reallocation_plans"

    id: int | None = Field(default=None, primary_key=True)
    status: PlanStatus = Field(sa_column=_enum(PlanStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    lead_time_days: int
    safety_days: int
    coverage: float
    total_deficit: int
    total_available: int
    total_moved: int
    total_cost: float
    forecast_run_id: int | None = None
    approved_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    approved_by: int | None = Field(default=None, foreign_key="users.id")


class ReallocationLine(SQLModel, table=True):
    """One move of a plan; ``shipment_id`` is set once the approved line is dispatched."""

    __tablename__ = "reallocation_lines"
    __table_args__ = (sa.UniqueConstraint("plan_id", "from_office", "to_office"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="reallocation_plans.id", index=True)
    from_office: str = Field(foreign_key="offices.code")
    to_office: str = Field(foreign_key="offices.code")
    quantity: int
    cost: float
    shipment_id: int | None = Field(default=None, foreign_key="shipments.id", unique=True)


class JobLock(SQLModel, table=True):
    """One row per scheduled run of a job: the unique key lets only one scheduler (of
    however many are running) claim a run."""

    __tablename__ = "job_locks"
    __table_args__ = (sa.UniqueConstraint("job_id", "scheduled_for"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=100)
    scheduled_for: datetime = Field(sa_column=_utc_column())
    owner: str = Field(max_length=200)
    acquired_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    finished_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    outcome: str = Field(default="", max_length=1000)


class SchedulerJob(SQLModel, table=True):
    """APScheduler 3's job store table, declared here so migrations create it (the
    scheduler only creates it when missing)."""

    __tablename__ = "apscheduler_jobs"

    id: str = Field(sa_column=sa.Column(sa.Unicode(191), primary_key=True))
    next_run_time: float | None = Field(default=None, sa_column=sa.Column(sa.Float(25), index=True))
    job_state: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))


class ForecastRunStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    finished = "finished"
    failed = "failed"


class ForecastRun(SQLModel, table=True):
    """One forecast run (prakiraan) over one or all offices: its settings, the library
    versions that made it, progress and outcome."""

    __tablename__ = "forecast_runs"

    id: int | None = Field(default=None, primary_key=True)
    status: ForecastRunStatus = Field(sa_column=_enum(ForecastRunStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    started_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    office_code: str | None = Field(default=None, foreign_key="offices.code")
    settings: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    versions: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    offices_total: int = 0
    offices_done: int = 0
    error: str = Field(default="", max_length=2000)
    requested_by: int | None = Field(default=None, foreign_key="users.id")
    # What the run did per office, counted (forecast/reuse.py): {"raced": n,
    # "refitted": n, "reused": n, "no_history": n}.
    stats: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False, server_default="{}")
    )


class ForecastResult(SQLModel, table=True):
    """The forecast of one office in one run: daily demand band and projected stock for
    the horizon, stock-out date and probabilities, days of cover and backtest error.
    Office ``00`` holds the national projection."""

    __tablename__ = "forecast_results"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "office_code"),
        # Covers the "latest finished result per office" lookup without reading the rows
        # (whose daily points are large).
        sa.Index("ix_forecast_results_office_code_id_run_id", "office_code", "id", "run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="forecast_runs.id")
    office_code: str = Field(foreign_key="offices.code")
    model: str = Field(max_length=40)
    generated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    as_of: date
    horizon_days: int
    points: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    on_hand: int = 0
    stockout_date: date | None = None
    stockout_probability: dict[str, float] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    days_of_cover: float | None = None
    mean_daily_demand: float = 0.0
    backtest_mase: float | None = None
    # The office's lead time as learned when the forecast ran (median and p90 days; where
    # from: office, province, region or default) and the one risk figure of SPEC §5: the
    # probability of running out before a resupply requested that day can arrive
    # (p90 lead time + safety days = ``risk_horizon_days``).
    lead_time_median: float | None = None
    lead_time_p90: float | None = None
    lead_time_source: str | None = Field(default=None, max_length=10)
    risk_horizon_days: int | None = None
    risk_probability: float | None = None
    backtest: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    note: str = Field(default="", max_length=500)


class ForecastModelState(SQLModel, table=True):
    """What an office's latest forecast leaves for the next run (forecast/reuse.py): the
    model chosen by its latest backtest and that backtest's origin, the fingerprint of
    the series it forecast, and (``state``) the forecast, the backtest's errors and the
    fitted Prophet parameters (a warm start)."""

    __tablename__ = "forecast_model_states"

    office_code: str = Field(foreign_key="offices.code", primary_key=True)
    model: str = Field(max_length=40)
    chosen_on: date
    fitted_on: date
    fingerprint: str = Field(max_length=64)
    run_id: int = Field(foreign_key="forecast_runs.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    state: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )


class ForecastEvaluation(SQLModel, table=True):
    """One replay of past warnings (``blangko alerts evaluate``, the weekly job): its
    scores as ``GET /api/v1/forecasts/evaluation`` returns them, and how it was made."""

    __tablename__ = "forecast_evaluations"

    id: int | None = Field(default=None, primary_key=True)
    generated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    first_origin: date
    last_origin: date
    months: int
    seconds: float = 0.0
    scores: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )


class PublicSnapshot(SQLModel, table=True):
    """One office's public status as the nightly job found it (``taken_on``, WIB): the
    history of the open data (``/publik/data/{YYYY-MM}.csv``). Levels and days only, as
    the public pages show them (README, *Halaman publik*)."""

    __tablename__ = "public_snapshots"
    __table_args__ = (sa.UniqueConstraint("taken_on", "office_code"),)

    id: int | None = Field(default=None, primary_key=True)
    taken_on: date
    office_code: str = Field(foreign_key="offices.code")
    status: str = Field(max_length=20)
    last_report_on: date | None = None
    expected_wait_days: int | None = None
    waiting_for_blanks: bool = False
    shipment_expected_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class PlannedProcurement(SQLModel, table=True):
    """A procurement tranche planned or ordered but not yet in national stock; receiving
    it posts the procurement movement (``movement_id``). Issue 13 item 2."""

    __tablename__ = "planned_procurements"

    id: int | None = Field(default=None, primary_key=True)
    quantity: int
    expected_on: date
    reference: str = Field(max_length=REFERENCE_MAX_LENGTH)
    note: str = Field(default="", max_length=NOTE_MAX_LENGTH)
    status: TrancheStatus = Field(sa_column=_enum(TrancheStatus))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    created_by: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    received_on: date | None = None
    movement_id: int | None = Field(default=None, foreign_key="movements.id")


class NationalForecast(SQLModel, table=True):
    """One national demand forecast a year ahead with its procurement timing, as
    ``GET /api/v1/forecasts/national`` returns it (``result``), and how it was made
    (``model``, ``backtest``). Made by the nightly job. Issue 13 items 1 and 3."""

    __tablename__ = "national_forecasts"

    id: int | None = Field(default=None, primary_key=True)
    generated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    as_of: date
    model: str = Field(max_length=40)
    seconds: float = 0.0
    result: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    backtest: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
