"""Domain errors. Each carries the stable problem ``code`` of SPEC §4 and a message in
Indonesian that tells the officer what to do; ``api/errors.py`` maps them to RFC 9457."""

from enum import StrEnum
from typing import Any, ClassVar


class ProblemCode(StrEnum):
    """Every ``code`` a problem response can carry: the domain errors below and the HTTP
    answers of ``api/errors.py``. One list, so that ``/openapi.json`` can state it as an
    enum and a client can switch on it."""

    validation_error = "validation_error"
    insufficient_stock = "insufficient_stock"
    not_found = "not_found"
    forbidden = "forbidden"
    unauthenticated = "unauthenticated"
    invalid_state = "invalid_state"
    future_date = "future_date"
    idempotency_conflict = "idempotency_conflict"
    precondition_failed = "precondition_failed"
    too_many_attempts = "too_many_attempts"
    method_not_allowed = "method_not_allowed"
    unavailable = "unavailable"
    internal_error = "internal_error"


class DomainError(Exception):
    code: ClassVar[ProblemCode] = ProblemCode.validation_error
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Permintaan ditolak"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(DomainError):
    code = ProblemCode.validation_error
    status = 422
    title = "Data tidak valid"


class InsufficientStock(DomainError):
    code = ProblemCode.insufficient_stock
    status = 409
    title = "Stok tidak cukup"


class NotFound(DomainError):
    code = ProblemCode.not_found
    status = 404
    title = "Tidak ditemukan"


class Forbidden(DomainError):
    code = ProblemCode.forbidden
    status = 403
    title = "Akses ditolak"


class Unauthenticated(DomainError):
    code = ProblemCode.unauthenticated
    status = 401
    title = "Perlu masuk"


class InvalidState(DomainError):
    code = ProblemCode.invalid_state
    status = 409
    title = "Status tidak memungkinkan"


class FutureDate(DomainError):
    code = ProblemCode.future_date
    status = 422
    title = "Tanggal di masa depan"


class IdempotencyConflict(DomainError):
    code = ProblemCode.idempotency_conflict
    status = 409
    title = "Kunci idempoten sudah dipakai"


class TooManyAttempts(DomainError):
    code = ProblemCode.too_many_attempts
    status = 429
    title = "Terlalu banyak percobaan masuk"


class PreconditionFailed(DomainError):
    """The client's copy is stale: ``If-Match`` names a version that is no longer current."""

    code = ProblemCode.precondition_failed
    status = 412
    title = "Data sudah berubah"
