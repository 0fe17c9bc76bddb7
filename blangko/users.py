"""User accounts: admin, planner and office officers, with argon2 password hashes."""

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from blangko.errors import ValidationFailed
from blangko.models import OfficeKind, Role, User
from blangko.offices import get_office

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 8
# A valid hash to verify against when the user does not exist, so that a wrong
# username takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("blangko-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role,
    office_code: str | None = None,
    email: str | None = None,
) -> User:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ValidationFailed(
            "Nama pengguna 3–64 karakter: huruf kecil, angka, titik, garis bawah atau minus.",
            field="username",
        )
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"Kata sandi minimal {MIN_PASSWORD} karakter.", field="password")
    if session.exec(select(User).where(User.username == username)).first():
        raise ValidationFailed(f"Nama pengguna '{username}' sudah dipakai.", field="username")
    if role is Role.officer:
        if not office_code:
            raise ValidationFailed(
                "Petugas (officer) harus terikat pada satu kantor.", field="office"
            )
        office = get_office(session=session, code=office_code)
        if office.kind is OfficeKind.national:
            raise ValidationFailed(
                "Petugas kantor pusat memakai peran planner, bukan officer.", field="office"
            )
    elif office_code:
        get_office(session=session, code=office_code)
    if email is not None and "@" not in email:
        raise ValidationFailed("Alamat e-mail tidak valid.", field="email")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        office_code=office_code,
        email=email,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user
