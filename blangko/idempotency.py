"""Idempotency keys (SPEC §3): the same key with the same body returns the first result
and writes nothing; the same key with another body is refused."""

import hashlib
import json
from typing import Any

from sqlmodel import Session

from blangko.errors import IdempotencyConflict, ValidationFailed
from blangko.models import IdempotencyKey

MAX_KEY_LENGTH = 200


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
    stored = session.get(IdempotencyKey, key)
    if stored is None:
        return None
    if stored.operation != operation or stored.fingerprint != fingerprint(operation, payload):
        raise IdempotencyConflict(
            "Idempotency-Key ini sudah dipakai untuk permintaan lain dengan isi berbeda. "
            "Gunakan kunci baru untuk permintaan baru."
        )
    return stored.result_id


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
