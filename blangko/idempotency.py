"""Idempotency keys (SPEC §3): the same key with the same body returns the first result
and writes nothing; the same key with another body is refused.

Keys belong to the user who sends them (``scoped``): clients choose their keys, and two
offices that happen to pick the same one must not see each other's results or conflicts.

Two requests with one key may arrive together (a client retrying after a timeout). SQLite
write transactions are serial already; on PostgreSQL a transaction-scoped advisory lock on
the key makes the second wait for the first to commit and then replay its result, instead
of failing on the key's primary key."""

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from blangko import fields
from blangko.errors import IdempotencyConflict, ValidationFailed
from blangko.models import IdempotencyKey

MAX_KEY_LENGTH = fields.IDEMPOTENCY_KEY_MAX_LENGTH


def scoped(user_id: int | None, key: str | None) -> str | None:
    """``key`` as stored for ``user_id`` (``7/<key>``; a key too long to carry the prefix is
    stored by its SHA-256). User ids are never reused, so neither are scoped keys."""
    if not key:
        return None
    owner = "-" if user_id is None else str(user_id)
    stored = f"{owner}/{key}"
    if len(stored) <= MAX_KEY_LENGTH:
        return stored
    return f"{owner}/sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def fingerprint(operation: str, payload: Any) -> str:
    body = json.dumps({"op": operation, "body": payload}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def replay(session: Session, key: str | None, operation: str, payload: Any) -> int | None:
    """The id of the first result made with ``key``, or None when the key is new."""
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            f"Idempotency-Key terlalu panjang (maksimal {MAX_KEY_LENGTH} karakter)."
        )
    _wait_for_same_key(session, key)
    stored = session.get(IdempotencyKey, key)
    if stored is None:
        return None
    if stored.operation != operation or stored.fingerprint != fingerprint(operation, payload):
        raise IdempotencyConflict(
            "Idempotency-Key ini sudah dipakai untuk permintaan lain dengan isi berbeda. "
            "Gunakan kunci baru untuk permintaan baru."
        )
    return stored.result_id


def _wait_for_same_key(session: Session, key: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


def remember(
    session: Session, key: str | None, operation: str, payload: Any, result_id: int | None
) -> None:
    if not key or result_id is None:
        return
    session.add(
        IdempotencyKey(
            key=key,
            operation=operation,
            fingerprint=fingerprint(operation, payload),
            result_id=result_id,
        )
    )
    session.flush()
