"""The signing key: no usable default, weak keys refused with a message that says how to
make a good one, and a SQLite installation's key made once and kept beside the database."""

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from blangko.secret_key import SecretKeyError, resolve_secret_key

POSTGRES = "postgresql+psycopg://blangko:blangko@127.0.0.1:5432/blangko"
GOOD = "x" * 32


def test_a_configured_key_of_32_bytes_or_more_is_used() -> None:
    assert resolve_secret_key(GOOD, POSTGRES) == GOOD


@pytest.mark.parametrize("key", ["pendek", "x" * 31, "  " + "x" * 20 + "  "])
def test_a_key_shorter_than_32_bytes_is_refused(key: str) -> None:
    with pytest.raises(SecretKeyError, match=r"terlalu pendek.*minimal 32 byte.*token_urlsafe"):
        resolve_secret_key(key, "sqlite:///blangko.db")


def test_the_default_of_earlier_versions_is_refused() -> None:
    with pytest.raises(SecretKeyError, match="diketahui umum"):
        resolve_secret_key("dev-only-change-me-0123456789abcdef", POSTGRES)


def test_postgres_without_a_key_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(SecretKeyError) as refused:
        resolve_secret_key(None, POSTGRES)
    message = str(refused.value)
    assert "BLANGKO_SECRET_KEY" in message
    assert "python -c 'import secrets; print(secrets.token_urlsafe(48))'" in message


def test_sqlite_without_a_key_makes_one_private_key_file_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path}/blangko.db"
    first = resolve_secret_key(None, url)
    path = tmp_path / "blangko.db.secret"
    assert capsys.readouterr().err == f"Kunci rahasia baru dibuat di {path} (mode 0600).\n"
    assert len(first) >= 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve_secret_key(None, url) == first  # read back, not made again
    assert capsys.readouterr().err == ""
    assert [p.name for p in tmp_path.iterdir()] == ["blangko.db.secret"]  # no leftovers


def test_a_damaged_key_file_is_refused_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "blangko.db.secret").write_text("kosong\n")
    with pytest.raises(SecretKeyError, match=r"blangko\.db\.secret terlalu pendek"):
        resolve_secret_key(None, f"sqlite:///{tmp_path}/blangko.db")


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/blangko.db"
    script = (
        "import sys; from blangko.secret_key import resolve_secret_key; "
        "print(resolve_secret_key(None, sys.argv[1]))"
    )
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", script, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    results = [process.communicate(timeout=60) for process in starts]
    keys = {out.strip() for out, _ in results}
    assert keys == {(tmp_path / "blangko.db.secret").read_text().strip()}
    assert sum("Kunci rahasia baru dibuat" in err for _, err in results) == 1
