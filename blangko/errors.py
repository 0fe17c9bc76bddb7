"""Domain errors. Each carries the stable problem ``code`` of SPEC §4 and a message in
Indonesian that tells the officer what to do; ``api/errors.py`` maps them to RFC 9457."""

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    status = 400
    title = "Permintaan ditolak"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 422
    title = "Data tidak valid"


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    status = 409
    title = "Stok tidak cukup"


class NotFound(DomainError):
    code = "not_found"
    status = 404
    title = "Tidak ditemukan"


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    title = "Akses ditolak"


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401
    title = "Perlu masuk"


class InvalidState(DomainError):
    code = "invalid_state"
    status = 409
    title = "Status tidak memungkinkan"


class FutureDate(DomainError):
    code = "future_date"
    status = 422
    title = "Tanggal di masa depan"


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"
    status = 409
    title = "Kunci idempoten sudah dipakai"


class TooManyAttempts(DomainError):
    code = "too_many_attempts"
    status = 429
    title = "Terlalu banyak percobaan masuk"
