"""The SMTP sender over STARTTLS and implicit TLS (smtps://) with login, against aiosmtpd
with a self-signed certificate made by openssl for the test."""

import shutil
import ssl
import subprocess
from datetime import date
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult
from sqlalchemy import Engine

from blangko import notifications
from tests.integration.test_outbox import Server, officer_with_email, queue_alert
from tests.net import free_port

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def accept(logins: list[str]):  # type: ignore[no-untyped-def]
    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        logins.append(auth_data.login.decode())
        return AuthResult(success=auth_data.password == b"rahasia")

    return authenticator


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_sender_uses_tls_and_logs_in(
    sqlite_engine: Engine, certificate: tuple[Path, Path], scheme: str
) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))
    logins: list[str] = []
    options: dict[str, object] = {"authenticator": accept(logins)}
    if scheme == "smtps":
        # aiosmtpd does not count implicit TLS as TLS for AUTH; the link is encrypted.
        options.update(ssl_context=server_context, auth_require_tls=False)
    else:
        options.update(tls_context=server_context, require_starttls=True)
    server = Server(free_port(), **options)
    server.start()
    try:
        officer_with_email(sqlite_engine)
        queue_alert(sqlite_engine, date(2026, 11, 22))
        report = notifications.send_due(
            sqlite_engine,
            smtp_url=f"{scheme}://pusat:rahasia@127.0.0.1:{server.port}",
            ssl_context=client_context,
        )
    finally:
        server.stop()
    assert report.sent == 1
    assert logins == ["pusat"]
    [(_, mail)] = server.inbox.messages
    assert mail["Subject"].startswith("[Blangko] 1 peringatan untuk Kota Bandung")


def test_an_untrusted_certificate_keeps_the_message_waiting(
    sqlite_engine: Engine, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    server = Server(free_port(), tls_context=server_context, require_starttls=True)
    server.start()
    try:
        officer_with_email(sqlite_engine)
        queue_alert(sqlite_engine, date(2026, 11, 22))
        report = notifications.send_due(
            sqlite_engine, smtp_url=f"smtp+starttls://127.0.0.1:{server.port}"
        )
    finally:
        server.stop()
    assert (report.sent, report.retrying, report.waiting) == (0, 1, 1)
    assert server.inbox.messages == []
