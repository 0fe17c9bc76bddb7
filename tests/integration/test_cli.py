"""``blangko users add``: creates a user whose password verifies (through the installed
command, on SQLite and PostgreSQL) and refuses bad input with an Indonesian message and a
non-zero exit (input checks that do not depend on the database: SQLite only)."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import Engine
from sqlmodel import func, select
from typer.testing import CliRunner

from blangko.cli import app
from blangko.db import session_scope
from blangko.models import Role, User
from blangko.users import authenticate

runner = CliRunner()


def user_count() -> int:
    with session_scope(write=False) as session:
        return session.exec(select(func.count()).select_from(User)).one()


def test_users_add_through_the_installed_command(engine: Engine) -> None:
    env = {**os.environ, "BLANGKO_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    command = ["users", "add", "Siti.Bekasi", "--role", "officer", "--office", "32.16"]
    options = ["--email", "siti@bekasi.go.id", "--password-stdin"]
    done = subprocess.run(
        [sys.executable, "-m", "blangko.cli", *command, *options],
        input="kata-sandi-rahasia\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "User siti.bekasi (officer) for office 32.16 created" in done.stdout
    with session_scope(engine) as session:
        user = authenticate(session=session, username="siti.bekasi", password="kata-sandi-rahasia")
        wrong = authenticate(session=session, username="siti.bekasi", password="kata-sandi-salah")
    assert user is not None and wrong is None
    assert (user.role, user.office_code, user.email) == (Role.officer, "32.16", "siti@bekasi.go.id")
    assert user.password_hash.startswith("$argon2")
    assert "kata-sandi-rahasia" not in user.password_hash


def test_planner_without_office(sqlite_engine: Engine) -> None:
    result = runner.invoke(
        app,
        ["users", "add", "perencana", "--role", "planner", "--password-stdin"],
        input="p4ssword-panjang\n",
    )
    assert result.exit_code == 0, result.output
    with session_scope(sqlite_engine) as session:
        user = authenticate(session=session, username="perencana", password="p4ssword-panjang")
    assert user is not None and user.role is Role.planner and user.office_code is None


@pytest.mark.parametrize(
    ("arguments", "password", "message"),
    [
        (["--role", "boss"], "rahasia-123", "Peran 'boss' tidak dikenal"),
        (["--role", "officer"], "rahasia-123", "harus terikat pada satu kantor"),
        (["--role", "officer", "--office", "99.99"], "rahasia-123", "tidak ditemukan"),
        (["--role", "officer", "--office", "00"], "rahasia-123", "memakai peran planner"),
        (["--role", "admin"], "pendek", "minimal 10 karakter"),
        (["--role", "admin", "--email", "bukan-alamat"], "rahasia-123", "e-mail tidak valid"),
    ],
)
def test_refusals_exit_non_zero_with_indonesian_message(
    sqlite_engine: Engine, arguments: list[str], password: str, message: str
) -> None:
    result = runner.invoke(
        app, ["users", "add", "budi", *arguments, "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("Gagal: ") and message in result.stderr
    assert user_count() == 0


def test_duplicate_username_is_refused(sqlite_engine: Engine) -> None:
    command = ["users", "add", "budi", "--role", "admin", "--password-stdin"]
    assert runner.invoke(app, command, input="rahasia-123\n").exit_code == 0
    again = runner.invoke(app, [*command[:2], "BUDI", *command[3:]], input="lain-lagi-123\n")
    assert again.exit_code == 1
    assert "Nama pengguna 'budi' sudah dipakai" in again.stderr
    assert user_count() == 1
    with session_scope(sqlite_engine) as session:
        assert authenticate(session=session, username="budi", password="rahasia-123") is not None
