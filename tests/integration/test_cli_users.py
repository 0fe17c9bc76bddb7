"""``blangko users list | set-password | deactivate | activate | set-role`` (issue 11 §3):
each change is written, recorded in the account history as made from the command line,
and ends the user's sessions; each prints one line; refusals exit 1 in Indonesian and
write nothing."""

import getpass
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from blangko import sessions
from blangko.cli import app
from blangko.db import session_scope
from blangko.errors import Unauthenticated
from blangko.models import Role
from blangko.users import get_user
from tests.integration.api_support import PASSWORD, add_user
from tests.integration.users_support import (
    account,
    accounts_state,
    events_of,
    password_works,
)

runner = CliRunner()
CLI = "baris perintah (cli)"


def signed_in(username: str) -> tuple[int, str]:
    """A live web session of the user (user id, session id)."""
    with session_scope() as session:
        user = get_user(session=session, username=username)
        started = sessions.start(
            session=session, user=user, kind="web", client="test", lifetime=timedelta(hours=1)
        )
        assert user.id is not None
        return user.id, started.id


def still_signed_in(session_of: tuple[int, str]) -> bool:
    user_id, session_id = session_of
    with session_scope(write=False) as session:
        try:
            sessions.signed_in_user(session=session, user_id=user_id, session_id=session_id)
        except Unauthenticated:
            return False
    return True


def test_users_list_is_a_readable_table(engine: Engine) -> None:
    add_user(engine, "perencana", Role.planner)
    add_user(engine, "petugas.bekasi", Role.officer, "32.16")
    assert runner.invoke(app, ["users", "deactivate", "perencana"]).exit_code == 0
    result = runner.invoke(app, ["users", "list"])
    assert result.exit_code == 0, result.output
    header, *rows, summary = result.stdout.splitlines()
    assert header.split() == ["username", "role", "office", "e-mail", "active", "created", "(WIB)"]
    assert [row.split()[:5] for row in rows] == [
        ["perencana", "planner", "-", "-", "no"],
        ["petugas.bekasi", "officer", "32.16", "-", "yes"],
    ]
    created = account("perencana").created_at + timedelta(hours=7)  # WIB is UTC+7
    assert rows[0].endswith(created.strftime("%Y-%m-%d %H:%M"))
    assert summary == "2 users, 1 active."


def test_set_password_from_stdin_ends_sessions_and_is_recorded(engine: Engine) -> None:
    add_user(engine, "petugas.bekasi", Role.officer, "32.16")
    before = signed_in("petugas.bekasi")
    result = runner.invoke(
        app,
        ["users", "set-password", "Petugas.Bekasi", "--password-stdin"],
        input="sandi-baru-yang-panjang\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Password of petugas.bekasi changed; their sessions and tokens ended.\n"
    )
    assert password_works("petugas.bekasi", "sandi-baru-yang-panjang")
    assert not password_works("petugas.bekasi", PASSWORD)
    assert not still_signed_in(before)
    assert events_of("petugas.bekasi")[0] == (CLI, "kata sandi diganti", "")


def test_set_password_prompts_twice(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    add_user(sqlite_engine, "perencana", Role.planner)
    typed = iter(["sandi-baru-yang-panjang", "sandi-baru-yang-lain"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    before = accounts_state()
    result = runner.invoke(app, ["users", "set-password", "perencana"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Gagal: Kata sandi dan ulangannya tidak sama.")
    assert accounts_state() == before
    typed = iter(["sandi-baru-yang-panjang"] * 2)
    assert runner.invoke(app, ["users", "set-password", "perencana"]).exit_code == 0
    assert password_works("perencana", "sandi-baru-yang-panjang")


def test_deactivate_and_activate(engine: Engine) -> None:
    add_user(engine, "perencana", Role.planner)
    before = signed_in("perencana")
    result = runner.invoke(app, ["users", "deactivate", "perencana"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "User perencana deactivated: cannot sign in; their sessions ended.\n"
    assert account("perencana").is_active is False
    assert not password_works("perencana", PASSWORD)
    assert not still_signed_in(before)
    result = runner.invoke(app, ["users", "activate", "perencana"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "User perencana activated: can sign in again.\n"
    assert password_works("perencana", PASSWORD)
    assert [e[:2] for e in events_of("perencana")] == [
        (CLI, "diaktifkan"),
        (CLI, "dinonaktifkan"),
        (CLI, "dibuat"),
    ]


def test_set_role_moves_an_officer_and_ends_sessions(engine: Engine) -> None:
    add_user(engine, "petugas.bekasi", Role.officer, "32.16")
    before = signed_in("petugas.bekasi")
    result = runner.invoke(
        app, ["users", "set-role", "petugas.bekasi", "--role", "officer", "--office", "12.71"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "User petugas.bekasi is now officer of office 12.71; their sessions ended.\n"
    )
    assert not still_signed_in(before)
    result = runner.invoke(app, ["users", "set-role", "petugas.bekasi", "--role", "planner"])
    assert result.stdout == "User petugas.bekasi is now planner; their sessions ended.\n"
    moved = account("petugas.bekasi")
    assert (moved.role, moved.office_code) == (Role.planner, None)
    assert events_of("petugas.bekasi")[:2] == [
        (CLI, "peran diubah", "officer 12.71 → planner"),
        (CLI, "peran diubah", "officer 32.16 → officer 12.71"),
    ]


def test_users_add_records_who_created_the_account(sqlite_engine: Engine) -> None:
    result = runner.invoke(
        app,
        ["users", "add", "budi", "--role", "officer", "--office", "32.16", "--password-stdin"],
        input="rahasia-123\n",
    )
    assert result.exit_code == 0, result.output
    assert events_of("budi") == [(CLI, "dibuat", "peran officer, kantor 32.16")]


@pytest.mark.parametrize(
    ("command", "stdin", "message"),
    [
        (["set-password", "nobody", "--password-stdin"], "rahasia-123\n", "'nobody' tidak"),
        (["deactivate", "nobody"], "", "Pengguna 'nobody' tidak ditemukan"),
        (["activate", "nobody"], "", "Pengguna 'nobody' tidak ditemukan"),
        (["set-role", "nobody", "--role", "planner"], "", "Pengguna 'nobody' tidak ditemukan"),
        (["set-password", "budi.bekasi", "--password-stdin"], "pendek\n", "minimal 10 karakter"),
        (
            ["set-password", "budi.bekasi", "--password-stdin"],
            "BUDI.bekasi\n",
            "tidak boleh sama dengan nama pengguna",
        ),
        (["activate", "budi.bekasi"], "", "Akun 'budi.bekasi' sudah aktif"),
        (["set-role", "budi.bekasi", "--role", "boss"], "", "Peran 'boss' tidak dikenal"),
        (["set-role", "budi.bekasi", "--role", "officer"], "", "harus terikat pada satu kantor"),
        (
            ["set-role", "budi.bekasi", "--role", "officer", "--office", "99.99"],
            "",
            "'99.99' tidak ditemukan",
        ),
        (
            ["set-role", "budi.bekasi", "--role", "officer", "--office", "32.16"],
            "",
            "sudah berperan officer 32.16",
        ),
    ],
)
def test_refusals_exit_1_in_indonesian_and_write_nothing(
    sqlite_engine: Engine, command: list[str], stdin: str, message: str
) -> None:
    add_user(sqlite_engine, "budi.bekasi", Role.officer, "32.16")
    live = signed_in("budi.bekasi")
    before = accounts_state()
    result = runner.invoke(app, ["users", *command], input=stdin)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("Gagal: ") and message in result.stderr
    assert result.stdout == ""
    assert accounts_state() == before
    assert still_signed_in(live)
