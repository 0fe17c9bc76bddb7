"""User accounts: admin, planner and office officers, with argon2 password hashes.

Accounts are never deleted: an admin deactivates them. Every change (created, password,
role or office, deactivated, activated) is recorded in ``user_events`` with who made it,
and ends all of the user's sessions (``blangko.sessions.end_all``)."""

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, select

from blangko import checks, sessions
from blangko.errors import Forbidden, NotFound, ValidationFailed
from blangko.fields import OFFICE_CODE
from blangko.models import Office, OfficeKind, Role, User, UserEvent
from blangko.offices import get_office

_hasher = PasswordHasher()
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
PASSWORD_RULES = (
    f"Kata sandi minimal {MIN_PASSWORD} karakter dan tidak boleh sama dengan nama pengguna."
)
# A valid hash to verify against when the user does not exist, so that a wrong
# username takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("blangko-dummy-password")


@dataclass(frozen=True)
class ChangedBy:
    """Who changes an account: a signed-in admin (or the user, for their own password),
    or ``None`` for the command line."""

    user: User | None

    @property
    def name(self) -> str:
        return self.user.username if self.user else "baris perintah (cli)"


CLI = ChangedBy(None)


def require_admin(user: User) -> None:
    """Only administrators manage accounts (SPEC §1)."""
    if user.role is not Role.admin:
        raise Forbidden("Pengelolaan pengguna hanya dapat dilakukan oleh admin.")


def parse_role(text: str) -> Role:
    """A role as typed (command line, form), refused in Indonesian when unknown."""
    try:
        return Role(text.strip())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ValidationFailed(
            f"Peran '{text.strip()}' tidak dikenal. Pilih salah satu: {roles}.", field="role"
        ) from None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(username: str, password: str) -> None:
    """Refuses a password that breaks the rules stated in ``PASSWORD_RULES``."""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed(
            f"Kata sandi terlalu pendek ({len(password)} karakter). {PASSWORD_RULES}",
            field="password",
        )
    if len(password) > MAX_PASSWORD or not password.isprintable():
        raise ValidationFailed(
            f"Kata sandi paling panjang {MAX_PASSWORD} karakter, tanpa karakter kendali.",
            field="password",
        )
    if password.strip().lower() == username.strip().lower():
        raise ValidationFailed(
            f"Kata sandi tidak boleh sama dengan nama pengguna. {PASSWORD_RULES}",
            field="password",
        )


def confirm_password(password: str, repeated: str) -> None:
    """A new password is typed twice (form, prompt); refuses when the two differ."""
    if password != repeated:
        raise ValidationFailed(
            "Kata sandi dan ulangannya tidak sama. Ketik ulang keduanya.", field="password_repeat"
        )


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    role: Role,
    office_code: str | None = None,
    email: str | None = None,
    by: ChangedBy = CLI,
) -> User:
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise ValidationFailed(
            "Nama pengguna 3–64 karakter: huruf kecil, angka, titik, garis bawah atau minus.",
            field="username",
        )
    check_password(username, password)
    if session.exec(select(User).where(User.username == username)).first():
        raise ValidationFailed(f"Nama pengguna '{username}' sudah dipakai.", field="username")
    office_code = _checked_office(session, role, office_code)
    if email is not None and (
        "@" not in email or len(email) > 255 or not email.isprintable() or " " in email
    ):
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
    where = f", kantor {office_code}" if office_code else ""
    _record(session, user, by, "dibuat", f"peran {role}{where}")
    return user


def _checked_office(session: Session, role: Role, office_code: str | None) -> str | None:
    office_code = (office_code or "").strip() or None
    if role is Role.officer:
        if not office_code:
            raise ValidationFailed(
                "Petugas (officer) harus terikat pada satu kantor.", field="office"
            )
        office = _existing_office(session, office_code)
        if office.kind is OfficeKind.national:
            raise ValidationFailed(
                "Petugas kantor pusat memakai peran planner, bukan officer.", field="office"
            )
    elif office_code:
        _existing_office(session, office_code)
    return office_code


def _existing_office(session: Session, code: str) -> Office:
    """An unknown code is a mistake in what was typed (422 on the form), not a missing page;
    a code that cannot be one is refused before the database sees it."""
    if not re.fullmatch(OFFICE_CODE, code):
        raise ValidationFailed(
            f"Kode kantor '{code[:20]}' tidak valid. Tulis kode Kemendagri, mis. 32.16.",
            field="office",
        )
    try:
        return get_office(session=session, code=code)
    except NotFound as error:
        raise ValidationFailed(error.message, field="office") from None


def get_user(*, session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise NotFound(f"Pengguna '{username}' tidak ditemukan.")
    return user


def get_user_by_id(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id) if 0 < user_id <= sessions.MAX_USER_ID else None
    if user is None:
        raise NotFound(f"Pengguna nomor {user_id} tidak ditemukan.")
    return user


def list_users(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(col(User.username))).all())


def list_events(
    *, session: Session, user_id: int | None = None, limit: int = 200
) -> list[UserEvent]:
    """The latest account changes, newest first (of one user, or of all)."""
    query = select(UserEvent).order_by(col(UserEvent.id).desc()).limit(limit)
    if user_id is not None:
        query = query.where(UserEvent.user_id == user_id)
    return list(session.exec(query).all())


def set_password(*, session: Session, user: User, password: str, by: ChangedBy = CLI) -> None:
    """A new password; every session of the user ends (also the one that changed it:
    the web page signs the user in again)."""
    check_password(user.username, password)
    user.password_hash = hash_password(password)
    own = by.user is not None and by.user.id == user.id
    _changed(session, user, by, "kata sandi diganti", "oleh pengguna sendiri" if own else "")


def change_own_password(*, session: Session, user: User, current: str, new: str) -> None:
    """A signed-in user's own change ("ganti kata sandi"): the current password first, so
    that a borrowed or stolen session cannot take the account over."""
    if not verify_password(user, current):
        raise ValidationFailed("Kata sandi sekarang salah.", field="current_password")
    if new == current:
        raise ValidationFailed(
            "Kata sandi baru harus berbeda dari kata sandi sekarang.", field="password"
        )
    set_password(session=session, user=user, password=new, by=ChangedBy(user))


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_active(*, session: Session, user: User, active: bool, by: ChangedBy = CLI) -> None:
    if by.user is not None and by.user.id == user.id and not active:
        raise ValidationFailed("Anda tidak dapat menonaktifkan akun Anda sendiri.", field="user")
    if user.is_active == active:
        state = "aktif" if active else "nonaktif"
        raise ValidationFailed(f"Akun '{user.username}' sudah {state}.", field="user")
    user.is_active = active
    _changed(session, user, by, "diaktifkan" if active else "dinonaktifkan", "")


def set_role(
    *,
    session: Session,
    user: User,
    role: Role,
    office_code: str | None,
    by: ChangedBy = CLI,
) -> None:
    office_code = _checked_office(session, role, office_code)
    if by.user is not None and by.user.id == user.id:
        # It would also end the admin's own sessions in the middle of the work.
        raise ValidationFailed(
            "Anda tidak dapat mengubah peran atau kantor akun Anda sendiri; minta admin lain.",
            field="role",
        )
    before = f"{user.role}{f' {user.office_code}' if user.office_code else ''}"
    after = f"{role}{f' {office_code}' if office_code else ''}"
    if before == after:
        raise ValidationFailed(f"Akun '{user.username}' sudah berperan {after}.", field="role")
    user.role = role
    user.office_code = office_code
    _changed(session, user, by, "peran diubah", f"{before} → {after}")


_NIP = re.compile(r"^[0-9]{18}$")


def set_profile(
    *,
    session: Session,
    user: User,
    full_name: str,
    nip: str,
    position: str,
    by: ChangedBy = CLI,
) -> None:
    """Who the user is on paper (the signature blocks of BAST and berita acara): nama
    lengkap, NIP (18 digits, or empty for staff without one) and jabatan. Sessions go on:
    nothing the user may do changes."""
    user.full_name = checks.text(
        full_name, "full_name", "Nama lengkap", required=False, max_length=120
    )
    nip = "".join(nip.split())
    if nip and not _NIP.match(nip):
        raise ValidationFailed("NIP terdiri atas 18 angka (boleh dikosongkan).", field="nip")
    user.nip = nip
    user.position = checks.text(position, "position", "Jabatan", required=False, max_length=120)
    session.add(user)
    _record(session, user, by, "profil diubah", f"{user.full_name}, {user.position}")


def _changed(session: Session, user: User, by: ChangedBy, action: str, detail: str) -> None:
    sessions.end_all(session=session, user=user)
    _record(session, user, by, action, detail)


def _record(session: Session, user: User, by: ChangedBy, action: str, detail: str) -> None:
    assert user.id is not None
    session.add(
        UserEvent(
            user_id=user.id,
            actor_id=by.user.id if by.user else None,
            actor=by.name[:80],
            action=action,
            detail=detail[:255],
        )
    )
    session.flush()


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
