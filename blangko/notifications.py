"""E-mail through a persistent outbox (kotak keluar): messages are written to the database
first, in the same transaction as the event that caused them, and a sender delivers
them by SMTP later, with retry and exponential backoff.

Each message is sent at most once per claim: a sender flips the row from ``pending`` to
``sending`` in its own committed transaction (only one sender can win that update),
talks to SMTP, then marks it ``sent``. A message whose sender died mid-way is released
after ``STALE_CLAIM`` and tried again; its ``Message-ID`` stays the same, so a mail server
that saw it already can drop the copy. With ``BLANGKO_SMTP_URL`` unset, messages simply
wait in the outbox (the web pages show them).
"""

import logging
import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from blangko.db import get_engine, session_scope
from blangko.fmt import day, number
from blangko.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    Office,
    OutboxMessage,
    OutboxStatus,
    Role,
    User,
    utcnow,
)
from blangko.settings import get_settings

log = logging.getLogger(__name__)

BASE_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
STALE_CLAIM = timedelta(minutes=15)
SMTP_TIMEOUT_S = 30

SEVERITY_LABEL = {
    AlertSeverity.critical: "KRITIS",
    AlertSeverity.warning: "PERHATIAN",
    AlertSeverity.info: "INFO",
}

KIND_LABEL = {
    AlertKind.stockout_risk: "risiko kehabisan stok",
    AlertKind.national_shortage: "kekurangan nasional",
    AlertKind.backlog_high: "antrean tinggi",
    AlertKind.shipment_overdue: "kiriman terlambat",
    AlertKind.delivery_shortfall: "kiriman kurang",
    AlertKind.report_missing: "laporan belum masuk",
    AlertKind.surplus: "stok berlebih",
    AlertKind.stock_backlog_mismatch: "antrean naik padahal stok ada",
}

_templates = Environment(
    loader=PackageLoader("blangko", "templates/email"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_templates.filters["number"] = number
_templates.filters["day"] = day
_templates.globals["severity_label"] = lambda s: SEVERITY_LABEL[AlertSeverity(s)]
_templates.globals["kind_label"] = lambda k: KIND_LABEL[AlertKind(k)]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(name: str, **context: Any) -> Rendered:
    """Renders ``<name>.txt`` and ``<name>.html``; the subject is the text template's
    top-level ``subject`` variable."""
    text_template = _templates.get_template(f"{name}.txt")
    module = text_template.make_module(context)
    subject = " ".join(str(getattr(module, "subject", "")).split())
    return Rendered(
        subject=subject,
        text=str(module),
        html=_templates.get_template(f"{name}.html").render(context),
    )


# -- queueing ---------------------------------------------------------------------------


def queue(
    *,
    session: Session,
    key: str,
    kind: str,
    recipients: Iterable[str],
    subject: str,
    body_text: str,
    body_html: str | None = None,
    office_code: str | None = None,
) -> OutboxMessage | None:
    """Puts a message in the outbox once per ``key``: None when the key was queued before
    (or when there is nobody to send it to)."""
    to = sorted({r.strip() for r in recipients if r and r.strip()})
    if not to:
        return None
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first():
        return None
    message = OutboxMessage(
        key=key,
        kind=kind,
        office_code=office_code,
        recipients=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        status=OutboxStatus.pending,
    )
    try:
        with session.begin_nested():  # a concurrent writer may have queued the same key
            session.add(message)
    except IntegrityError:
        return None
    return message


def office_recipients(*, session: Session, office_code: str) -> list[str]:
    """E-mail addresses of the active officers of one office."""
    rows = session.exec(
        select(User.email).where(
            User.office_code == office_code,
            User.role == Role.officer,
            col(User.is_active),
            col(User.email).is_not(None),
        )
    ).all()
    return [r for r in rows if r]


def planner_recipients(*, session: Session) -> list[str]:
    rows = session.exec(
        select(User.email).where(
            User.role == Role.planner, col(User.is_active), col(User.email).is_not(None)
        )
    ).all()
    return [r for r in rows if r]


def queue_office_alerts(
    *, session: Session, office: Office, alerts: list[Alert], on: date, topic: str = ""
) -> OutboxMessage | None:
    """The day's alert e-mail to an office's officers: once per office, day and
    ``topic`` (e.g. the kinds that are new), so a later check the same day that finds
    something else still reaches them."""
    if not alerts:
        return None
    recipients = office_recipients(session=session, office_code=office.code)
    if not recipients:
        return None
    ordered = sorted(alerts, key=lambda a: (_severity_rank(a.severity), a.kind))
    rendered = render("alert", office=office, alerts=ordered, on=on)
    return queue(
        session=session,
        key=f"alert:{office.code}:{on.isoformat()}" + (f":{topic}" if topic else ""),
        kind="alert",
        recipients=recipients,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        office_code=office.code,
    )


def queue_oversight_alert(
    *, session: Session, province: Office, office: Office, alert: Alert, on: date
) -> OutboxMessage | None:
    """An alert about how a kab/kota office works (``stock_backlog_mismatch``) to the
    officers of its province, once per office, kind and day."""
    recipients = office_recipients(session=session, office_code=province.code)
    if not recipients:
        return None
    rendered = render("oversight", province=province, office=office, alert=alert, on=on)
    return queue(
        session=session,
        key=f"oversight:{office.code}:{alert.kind}:{on.isoformat()}",
        kind="alert",
        recipients=recipients,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        office_code=province.code,
    )


def queue_digest(*, session: Session, on: date, **context: Any) -> OutboxMessage | None:
    """The planners' daily digest (once per day). ``context`` feeds ``digest.txt/.html``."""
    recipients = planner_recipients(session=session)
    if not recipients:
        return None
    rendered = render("digest", on=on, **context)
    return queue(
        session=session,
        key=f"digest:{on.isoformat()}",
        kind="digest",
        recipients=recipients,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
    )


def list_messages(
    *,
    session: Session,
    status: OutboxStatus | None = None,
    office_codes: list[str] | None = None,
    limit: int = 100,
) -> list[OutboxMessage]:
    """Outbox messages newest first, for the pages that show what was (or waits to be)
    sent; ``office_codes`` limits them to those offices (planners' digests have none)."""
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if office_codes is not None:
        query = query.where(col(OutboxMessage.office_code).in_(office_codes))
    query = query.order_by(col(OutboxMessage.id).desc()).limit(limit)
    return list(session.exec(query).all())


def _severity_rank(severity: AlertSeverity) -> int:
    return [AlertSeverity.critical, AlertSeverity.warning, AlertSeverity.info].index(severity)


# -- sending ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: Literal["plain", "starttls", "ssl"]
    username: str | None = None
    password: str | None = None


_SCHEMES: dict[str, tuple[Literal["plain", "starttls", "ssl"], int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("ssl", 465),
}


def parse_smtp_url(url: str) -> SmtpConfig:
    """``smtp://host:port``, ``smtp+starttls://user:pass@host:port``, ``smtps://…``."""
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ValueError(
            f"BLANGKO_SMTP_URL: skema '{parts.scheme}' tidak dikenal; "
            "gunakan smtp://, smtp+starttls:// atau smtps://"
        )
    if not parts.hostname:
        raise ValueError("BLANGKO_SMTP_URL: nama host server surat belum diisi")
    security, default_port = _SCHEMES[parts.scheme]
    return SmtpConfig(
        host=parts.hostname,
        port=parts.port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failed attempt, at most an hour."""
    return min(BASE_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)


@dataclass(frozen=True)
class SendReport:
    sent: int
    retrying: int
    failed: int
    waiting: int
    """Messages still pending after this round (including ones not yet due)."""


class _Connection:
    """One SMTP session opened on first use, shared by a sending round."""

    def __init__(self, config: SmtpConfig, context: ssl.SSLContext | None) -> None:
        self.config = config
        self.context = context or ssl.create_default_context()
        self.smtp: smtplib.SMTP | None = None

    def get(self) -> smtplib.SMTP:
        if self.smtp is None:
            c = self.config
            smtp: smtplib.SMTP
            if c.security == "ssl":
                smtp = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=SMTP_TIMEOUT_S, context=self.context
                )
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=SMTP_TIMEOUT_S)
                if c.security == "starttls":
                    smtp.starttls(context=self.context)
            if c.username:
                smtp.login(c.username, c.password or "")
            self.smtp = smtp
        return self.smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def send_due(
    engine: Engine | None = None,
    *,
    smtp_url: str | None = None,
    mail_from: str | None = None,
    now: datetime | None = None,
    limit: int = 100,
    ssl_context: ssl.SSLContext | None = None,
) -> SendReport:
    """Delivers the outbox messages that are due. Without an SMTP URL (argument or
    ``BLANGKO_SMTP_URL``) nothing is sent and the messages keep waiting."""
    engine = engine or get_engine()
    settings = get_settings()
    smtp_url = smtp_url or settings.smtp_url
    mail_from = mail_from or settings.mail_from
    now = now or utcnow()
    _release_stale_claims(engine, now)
    if not smtp_url:
        return SendReport(0, 0, 0, _count_pending(engine))
    with session_scope(engine, write=False) as session:
        due = session.exec(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.pending,
                col(OutboxMessage.next_attempt_at) <= now,
            )
            .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
            .limit(limit)
        ).all()
    connection = _Connection(parse_smtp_url(smtp_url), ssl_context)
    sent = retrying = failed = 0
    try:
        for message_id in due:
            assert message_id is not None
            message = _claim(engine, message_id, now)
            if message is None:
                continue  # another sender has it
            try:
                smtp = connection.get()
                smtp.send_message(_email(message, mail_from))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                # The server refused this message itself: retrying would not help, so it
                # stays in the outbox as failed (shown to administrators), not lost.
                permanent = not isinstance(error, smtplib.SMTPDataError) or error.smtp_code >= 500
                _record_failure(engine, message, now, _describe(error), permanent=permanent)
                failed += permanent
                retrying += not permanent
            except (smtplib.SMTPException, OSError) as error:
                # Server down, connection lost or login refused: this one retries later,
                # the rest wait for the next round.
                _record_failure(engine, message, now, _describe(error), permanent=False)
                retrying += 1
                connection.close()
                break
            else:
                _mark_sent(engine, message)
                sent += 1
                log.info(
                    "email sent id=%s key=%s office=%s",
                    message.id,
                    message.key,
                    message.office_code,
                )
    finally:
        connection.close()
    return SendReport(sent, retrying, failed, _count_pending(engine))


def _claim(engine: Engine, message_id: int, now: datetime) -> OutboxMessage | None:
    """pending → sending, committed before any SMTP traffic; None if someone else won."""
    with session_scope(engine) as session:
        claimed = session.execute(
            sa.update(OutboxMessage)
            .where(
                col(OutboxMessage.id) == message_id,
                col(OutboxMessage.status) == OutboxStatus.pending,
            )
            .values(
                status=OutboxStatus.sending,
                claimed_at=now,
                attempts=col(OutboxMessage.attempts) + 1,
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return session.get_one(OutboxMessage, message_id, populate_existing=True)


def _mark_sent(engine: Engine, message: OutboxMessage) -> None:
    with session_scope(engine) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.id) == message.id)
            .values(status=OutboxStatus.sent, sent_at=utcnow(), last_error="")
        )


def _record_failure(
    engine: Engine, message: OutboxMessage, now: datetime, error: str, *, permanent: bool
) -> None:
    log.warning(
        "email failed id=%s key=%s attempts=%s permanent=%s error=%s",
        message.id,
        message.key,
        message.attempts,
        permanent,
        error,
    )
    with session_scope(engine) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(col(OutboxMessage.id) == message.id)
            .values(
                status=OutboxStatus.failed if permanent else OutboxStatus.pending,
                next_attempt_at=now + backoff(message.attempts),
                last_error=error[:1000],
                claimed_at=None,
            )
        )


def _release_stale_claims(engine: Engine, now: datetime) -> None:
    with session_scope(engine) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(
                col(OutboxMessage.status) == OutboxStatus.sending,
                col(OutboxMessage.claimed_at) < now - STALE_CLAIM,
            )
            .values(status=OutboxStatus.pending, claimed_at=None)
        )


def _count_pending(engine: Engine) -> int:
    with session_scope(engine, write=False) as session:
        return int(
            session.execute(
                sa.select(sa.func.count()).where(col(OutboxMessage.status) == OutboxStatus.pending)
            ).scalar_one()
        )


def _email(message: OutboxMessage, mail_from: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = ", ".join(message.recipients)
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    # Stable per message, so a retried copy after a crash can be recognised downstream.
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "blangko.localhost"
    email["Message-ID"] = f"<blangko-outbox-{message.id}@{domain}>"
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"
