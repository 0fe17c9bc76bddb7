"""The e-mail outbox against a real SMTP server (aiosmtpd on loopback): content arrives,
nothing is lost while the server is down, nothing is sent twice."""

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope
from sqlalchemy import Engine
from sqlmodel import select

from blangko import notifications
from blangko.db import make_engine, session_scope
from blangko.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    Office,
    OutboxMessage,
    OutboxStatus,
    Role,
    utcnow,
)
from blangko.users import create_user
from tests.net import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


class Server:
    """An aiosmtpd server that can be stopped and started again on the same port."""

    def __init__(self, port: int, **kwargs: object) -> None:
        self.port = port
        self.inbox = Inbox()
        self.kwargs = kwargs
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, **self.kwargs
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server() -> Iterator[Server]:
    server = Server(free_port())
    yield server
    server.stop()


def officer_with_email(engine: Engine, office: str = "32.73") -> str:
    address = f"petugas.{office.replace('.', '')}@dukcapil.example"
    with session_scope(engine) as session:
        create_user(
            session=session,
            username=f"petugas{office.replace('.', '')}",
            password="kata-sandi-rahasia",
            role=Role.officer,
            office_code=office,
            email=address,
        )
    return address


def queue_alert(engine: Engine, on: date, office_code: str = "32.73") -> OutboxMessage | None:
    alert = Alert(
        office_code=office_code,
        kind=AlertKind.stockout_risk,
        severity=AlertSeverity.critical,
        message="Stok diperkirakan habis pada 3 Des 2026. Ajukan permintaan alokasi segera.",
    )
    with session_scope(engine) as session:
        office = session.get_one(Office, office_code)
        return notifications.queue_office_alerts(
            session=session, office=office, alerts=[alert], on=on
        )


def outbox(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine, write=False) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_alert_email_arrives_with_indonesian_content(engine: Engine, server: Server) -> None:
    address = officer_with_email(engine)
    assert queue_alert(engine, date(2026, 11, 22)) is not None
    server.start()

    report = notifications.send_due(engine, smtp_url=server.url)

    assert report.sent == 1 and report.waiting == 0
    [(rcpt, mail)] = server.inbox.messages
    assert rcpt == [address]
    assert mail["Subject"] == "[Blangko] 1 peringatan untuk Kota Bandung (32.73), 22 Nov 2026"
    text = mail.get_body(preferencelist=("plain",))
    assert text is not None
    body = text.get_content()
    assert "Yth. petugas stok Kota Bandung" in body
    assert "[KRITIS] Stok diperkirakan habis pada 3 Des 2026" in body
    html = mail.get_body(preferencelist=("html",))
    assert html is not None and 'lang="id"' in html.get_content()
    [stored] = outbox(engine)
    assert stored.status is OutboxStatus.sent and stored.attempts == 1


def test_the_same_alert_email_is_queued_once_a_day(engine: Engine) -> None:
    officer_with_email(engine)
    assert queue_alert(engine, date(2026, 11, 22)) is not None
    assert queue_alert(engine, date(2026, 11, 22)) is None
    assert queue_alert(engine, date(2026, 11, 23)) is not None
    assert [m.key for m in outbox(engine)] == ["alert:32.73:2026-11-22", "alert:32.73:2026-11-23"]


def test_waiting_messages_are_listed_for_the_pages(engine: Engine) -> None:
    officer_with_email(engine)
    queue_alert(engine, date(2026, 11, 21))
    queue_alert(engine, date(2026, 11, 22))
    with session_scope(engine, write=False) as session:
        waiting = notifications.list_messages(session=session, status=OutboxStatus.pending)
        other = notifications.list_messages(session=session, office_codes=["32.71"])
    assert [m.key for m in waiting] == ["alert:32.73:2026-11-22", "alert:32.73:2026-11-21"]
    assert other == []


def test_nobody_to_tell_means_nothing_queued(engine: Engine) -> None:
    assert queue_alert(engine, date(2026, 11, 22)) is None
    assert outbox(engine) == []


def test_without_smtp_url_messages_wait_in_the_outbox(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BLANGKO_SMTP_URL", raising=False)
    officer_with_email(engine)
    queue_alert(engine, date(2026, 11, 22))
    report = notifications.send_due(engine)
    assert (report.sent, report.waiting) == (0, 1)
    [stored] = outbox(engine)
    assert stored.status is OutboxStatus.pending and stored.attempts == 0


def test_message_waits_while_server_is_down_and_is_delivered_once_after(
    engine: Engine, server: Server
) -> None:
    officer_with_email(engine)
    queue_alert(engine, date(2026, 11, 22))
    now = utcnow()

    down = notifications.send_due(engine, smtp_url=server.url, now=now)

    assert (down.sent, down.retrying, down.waiting) == (0, 1, 1)
    [stored] = outbox(engine)
    assert stored.status is OutboxStatus.pending
    assert stored.attempts == 1
    assert stored.last_error  # e.g. ConnectionRefusedError
    assert stored.next_attempt_at == now + notifications.BASE_BACKOFF

    # Still down a minute later: the second attempt backs off for two minutes.
    later = now + timedelta(minutes=1)
    notifications.send_due(engine, smtp_url=server.url, now=later)
    [stored] = outbox(engine)
    assert stored.attempts == 2
    assert stored.next_attempt_at == later + timedelta(minutes=2)

    server.start()
    not_yet = notifications.send_due(engine, smtp_url=server.url, now=later + timedelta(seconds=30))
    assert not_yet.sent == 0 and server.inbox.messages == []

    back = notifications.send_due(engine, smtp_url=server.url, now=later + timedelta(minutes=2))
    again = notifications.send_due(engine, smtp_url=server.url, now=later + timedelta(hours=3))

    assert (back.sent, again.sent) == (1, 0)
    assert len(server.inbox.messages) == 1
    [stored] = outbox(engine)
    assert stored.status is OutboxStatus.sent and stored.attempts == 3 and stored.last_error == ""


def test_two_senders_at_once_deliver_each_message_exactly_once(
    engine: Engine, server: Server
) -> None:
    officer_with_email(engine)
    for day in range(20):
        queue_alert(engine, date(2026, 10, 1) + timedelta(days=day))
    server.start()
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url), make_engine(url)]
    reports: list[notifications.SendReport] = []

    def run(own: Engine) -> None:
        reports.append(notifications.send_due(own, smtp_url=server.url))

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()

    subjects = [mail["Subject"] for _, mail in server.inbox.messages]
    assert len(subjects) == 20 and len(set(subjects)) == 20
    assert sum(r.sent for r in reports) == 20
    assert all(m.status is OutboxStatus.sent for m in outbox(engine))


def test_sender_logs_in_when_the_url_has_a_user(engine: Engine) -> None:
    seen: list[tuple[str, str]] = []

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, auth_data: object
    ) -> AuthResult:
        login = auth_data.login.decode()  # type: ignore[attr-defined]
        password = auth_data.password.decode()  # type: ignore[attr-defined]
        seen.append((login, password))
        return AuthResult(success=password == "rahasia")

    server = Server(free_port(), authenticator=authenticator, auth_require_tls=False)
    server.start()
    try:
        officer_with_email(engine)
        queue_alert(engine, date(2026, 11, 22))
        report = notifications.send_due(
            engine, smtp_url=f"smtp://pusat:rahasia@127.0.0.1:{server.port}"
        )
    finally:
        server.stop()
    assert report.sent == 1 and len(server.inbox.messages) == 1
    assert seen == [("pusat", "rahasia")]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.local", notifications.SmtpConfig("mail.local", 25, "plain")),
        (
            "smtp+starttls://u%40x:p%3Aw@mail.local:2525",
            notifications.SmtpConfig("mail.local", 2525, "starttls", "u@x", "p:w"),
        ),
        ("smtps://u:p@mail.local", notifications.SmtpConfig("mail.local", 465, "ssl", "u", "p")),
    ],
)
def test_smtp_url_forms(url: str, expected: notifications.SmtpConfig) -> None:
    assert notifications.parse_smtp_url(url) == expected


def test_unknown_smtp_scheme_is_refused_with_a_hint() -> None:
    with pytest.raises(ValueError, match="smtp\\+starttls://"):
        notifications.parse_smtp_url("http://mail.local")
