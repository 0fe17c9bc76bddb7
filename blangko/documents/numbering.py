"""Document numbers (nomor surat): each office's pattern, and sequence numbers drawn from
``document_counters`` so that no number is ever given twice, even to concurrent requests.

A pattern holds ``{seq}`` and ``{year}`` and may hold ``{month}`` (Roman, as letters are
numbered: ``XII``) and ``{office}`` (the office code), e.g. ``470/{seq}/Disdukcapil/{year}``."""

import string

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from blangko.errors import ValidationFailed
from blangko.models import DocumentCounter, Office

DEFAULT_PATTERN = "470/{seq}/Disdukcapil/{year}"
PATTERN_MAX_LENGTH = 100
FIELDS = frozenset({"seq", "year", "month", "office"})
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
COUNTERS = DocumentCounter.__table__  # type: ignore[attr-defined]


def check_pattern(pattern: str) -> str:
    """The pattern, checked: known fields only, ``{seq}`` and ``{year}`` present (a number
    without them could repeat)."""
    pattern = pattern.strip()
    field = "document_number_pattern"
    if not pattern or len(pattern) > PATTERN_MAX_LENGTH:
        raise ValidationFailed(
            f"Pola nomor harus diisi, paling panjang {PATTERN_MAX_LENGTH} karakter.", field=field
        )
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    except ValueError as error:
        raise ValidationFailed(f"Pola nomor tidak dapat dibaca: {error}.", field=field) from None
    unknown = names - FIELDS
    if unknown:
        raise ValidationFailed(
            f"Pola nomor memuat {{{sorted(unknown)[0]}}}; yang dikenal hanya "
            "{seq}, {year}, {month} dan {office}.",
            field=field,
        )
    if not {"seq", "year"} <= names:
        raise ValidationFailed(
            "Pola nomor harus memuat {seq} (nomor urut) dan {year} (tahun), "
            "agar tidak ada nomor yang terulang.",
            field=field,
        )
    return pattern


def format_number(pattern: str, *, seq: int, year: int, month: int, office: str) -> str:
    """``470/{seq}/Disdukcapil/{year}`` with seq 7 in 2026 → ``470/7/Disdukcapil/2026``."""
    return pattern.format(seq=seq, year=year, month=ROMAN[month - 1], office=office)


def pattern_of(office: Office) -> str:
    return office.document_number_pattern or DEFAULT_PATTERN


def set_pattern(*, session: Session, office: Office, pattern: str | None) -> Office:
    """Sets (or, with None, resets to the default) how the office numbers its documents."""
    office.document_number_pattern = None if pattern is None else check_pattern(pattern)
    session.add(office)
    session.flush()
    return office


def next_seq(*, session: Session, office_code: str, kind: str, year: int) -> int:
    """The next sequence number of ``kind`` for the office in ``year``. One ``UPDATE …
    RETURNING`` takes it: concurrent callers queue on the counter's row (PostgreSQL) or
    on the database (SQLite) and each gets its own."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(COUNTERS)
        .values(office_code=office_code, kind=kind, year=year, last_seq=0)
        .on_conflict_do_nothing()
    )
    return int(
        session.execute(
            sa.update(COUNTERS)
            .where(
                COUNTERS.c.office_code == office_code,
                COUNTERS.c.kind == kind,
                COUNTERS.c.year == year,
            )
            .values(last_seq=COUNTERS.c.last_seq + 1)
            .returning(COUNTERS.c.last_seq)
        ).scalar_one()
    )
