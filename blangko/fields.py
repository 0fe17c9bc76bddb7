"""One definition of each value a person or a client may send: the nine daily figures,
quantities, dates, notes and references, record ids. The table models, the services,
the API schemas, the CSV import and the web forms all use these, so that every front
door refuses the same input with the same Indonesian message.

``check_*`` take a typed value (an ``int``, a ``date``, a ``str``) and return it checked;
``parse_*`` read a value typed by a person (a form field, a CSV cell, a query parameter)
and then check it. Both raise ``ValidationFailed`` naming the field. The ``*_error``
functions say what is wrong without raising, for pydantic validators."""

import re
from dataclasses import dataclass
from datetime import date

from blangko.errors import ValidationFailed

# A shipment or a procurement is at most this many blanks (national use is 1–2 million a
# month); the bound keeps sums far inside a 32-bit column.
MAX_QUANTITY = 100_000_000
# Ids are 32-bit columns on PostgreSQL.
MAX_ID = 2**31 - 1
EARLIEST_DATE = date(2011, 1, 1)  # KTP-el began in 2011
LATEST_DATE = date(2099, 12, 31)  # far enough for any plan, far from date overflow
NOTE_MAX_LENGTH = 500
REFERENCE_MAX_LENGTH = 100
IDEMPOTENCY_KEY_MAX_LENGTH = 200
IDEMPOTENCY_KEY = r"^[\x21-\x7e]+$"  # printable ASCII, no spaces
OFFICE_CODE = r"^(00|\d{2}(\.\d{2})?)$"
# A province or kab/kota: every office but the national one (00), which asks nobody for
# blanks (allocation requests).
REGIONAL_OFFICE_CODE = r"^(0[1-9]|[1-9][0-9])(\.[0-9]{2})?$"

_DIGITS = re.compile(r"[0-9]+")
# Thousands grouped the Indonesian way (1.250.000) or the English way (1,250,000), one
# separator throughout; "1,5" is a decimal and refused.
_GROUPED = re.compile(r"[0-9]{1,3}([.,])[0-9]{3}(\1[0-9]{3})*")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Control characters other than tab and line breaks (which a text area may send), as a
# regular-expression class that Python, JSON Schema (ECMA-262) and Rust read alike.
CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
# What ``str.strip()`` removes (``str.isspace()``), spelled out: ECMA-262's ``\s`` is not
# the same set (it has U+FEFF and lacks U+0085), so a schema pattern cannot use it.
WHITESPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


@dataclass(frozen=True)
class Figure:
    """One of the nine figures of a daily report (laporan harian)."""

    name: str  # column of ``daily_reports``, field of ``DailyFigures``, CSV column
    label: str  # what the officer reads
    description: str  # what a client developer reads in /openapi.json
    spoil_cause: str | None = None  # for ``spoiled_*``: the cause, as the API nests it


DAILY_FIGURES: tuple[Figure, ...] = (
    Figure("print_requests", "Permintaan cetak baru (PRR)", "Records that became print-ready"),
    Figure("printed", "Tercetak", "Cards printed (consumes blanks)"),
    Figure("spoiled_gagal_cetak", "Rusak: gagal cetak", "Print failure", "gagal_cetak"),
    Figure("spoiled_gagal_encode", "Rusak: gagal encode", "Chip encoding failure", "gagal_encode"),
    Figure("spoiled_rusak_fisik", "Rusak: rusak fisik", "Physically damaged", "rusak_fisik"),
    Figure("spoiled_lainnya", "Rusak: lainnya", "Other causes", "lainnya"),
    Figure("backlog", "Sisa PRR belum tercetak (akhir hari)", "Print-ready records still waiting"),
    Figure("suket_issued", "Suket diterbitkan", "Suket letters issued"),
    Figure("ikd_activations", "Aktivasi IKD", "Digital ID (IKD) activations"),
)
FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in DAILY_FIGURES)
SPOIL_CAUSES: tuple[str, ...] = tuple(f.spoil_cause for f in DAILY_FIGURES if f.spoil_cause)


def _refuse(message: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, field=field)


# Quantities (jumlah blangko and the daily figures): whole numbers, 0 … MAX_QUANTITY.


def quantity_error(value: int, *, minimum: int = 0) -> str | None:
    """What is wrong with a quantity, or None."""
    if value < minimum:
        return {0: "tidak boleh negatif", 1: "harus lebih dari 0"}.get(
            minimum, f"minimal {minimum}"
        )
    if value > MAX_QUANTITY:
        return "terlalu besar (maksimal 100.000.000)"
    return None


def check_quantity(value: int, *, field: str, label: str, minimum: int = 0) -> int:
    """A quantity: an ``int`` (not a ``bool``) between ``minimum`` and ``MAX_QUANTITY``."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise _refuse(f"{label} harus bilangan bulat.", field)
    problem = quantity_error(value, minimum=minimum)
    if problem:
        raise _refuse(f"{label} {problem}.", field)
    return value


def parse_quantity(raw: str, *, field: str, label: str, minimum: int = 0) -> int:
    """A quantity typed by a person: ASCII digits, optionally grouped by thousands
    (``1.250``). Unicode digits (``²``), signs, decimals and exponents are refused."""
    text = raw.strip()
    if _GROUPED.fullmatch(text):
        text = text.replace(".", "").replace(",", "")
    if not _DIGITS.fullmatch(text):
        least = "lebih dari 0" if minimum == 1 else f"{minimum} atau lebih"
        raise _refuse(f"{label} harus berupa bilangan bulat {least}.", field)
    if len(text) > 12:  # far beyond MAX_QUANTITY; don't convert huge strings
        raise _refuse(f"{label} terlalu besar (maksimal 100.000.000).", field)
    return check_quantity(int(text), field=field, label=label, minimum=minimum)


# Dates: calendar dates between EARLIEST_DATE and LATEST_DATE, written YYYY-MM-DD.


def day_error(value: date) -> str | None:
    """What is wrong with a date, or None."""
    if value < EARLIEST_DATE:
        return "terlalu lama (sebelum 1 Jan 2011, awal KTP-el)"
    if value > LATEST_DATE:
        return "terlalu jauh di masa depan"
    return None


def check_day(value: date, *, field: str, label: str) -> date:
    problem = day_error(value)
    if problem:
        raise _refuse(f"{label} {value.isoformat()} {problem}.", field)
    return value


def is_iso_date(text: str) -> bool:
    """Whether ``text`` is written ``YYYY-MM-DD`` in ASCII digits (a real date or not)."""
    return _ISO_DATE.fullmatch(text) is not None


def parse_day(raw: str, *, field: str, label: str) -> date:
    """A date written ``YYYY-MM-DD`` (what a browser's date field sends); other ISO forms
    (``20261120``, week dates) and Unicode digits are refused."""
    text = raw.strip()
    try:
        if not is_iso_date(text):
            raise ValueError(text)
        value = date.fromisoformat(text)
    except ValueError:
        raise _refuse(f"{label} harus berupa tanggal (TTTT-BB-HH).", field) from None
    return check_day(value, field=field, label=label)


# Texts (notes, references, reasons): stripped, bounded, no control characters.


def has_control_characters(value: str) -> bool:
    """Control characters other than tab and line breaks (which a text area may send)."""
    return _CONTROL.search(value) is not None


def text_error(value: str, *, max_length: int) -> str | None:
    """What is wrong with a free text, or None."""
    if has_control_characters(value):
        return "berisi karakter kendali yang tidak diizinkan"
    if len(value) > max_length:
        return f"maksimal {max_length} karakter"
    return None


def check_text(
    value: str | None, *, field: str, label: str, max_length: int, required: bool = False
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _refuse(f"{label} wajib diisi.", field)
    problem = text_error(value, max_length=max_length)
    if problem:
        raise _refuse(f"{label} {problem}.", field)
    return value


def check_note(value: str | None, *, field: str = "note", label: str = "Catatan") -> str:
    """A free note (catatan), a reason, a shortfall explanation."""
    return check_text(value, field=field, label=label, max_length=NOTE_MAX_LENGTH)


def check_reference(
    value: str | None,
    *,
    field: str = "reference",
    label: str = "Nomor surat",
    required: bool = False,
) -> str:
    """A letter or contract number (nomor surat)."""
    return check_text(
        value, field=field, label=label, max_length=REFERENCE_MAX_LENGTH, required=required
    )


def check_idempotency_key(value: str, *, field: str = "Idempotency-Key") -> str:
    """A client's one-time key for a write: printable ASCII, at most 200 characters."""
    if not re.fullmatch(IDEMPOTENCY_KEY, value) or len(value) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise _refuse(
            "Kunci idempoten harus 1–200 karakter ASCII yang terlihat (misalnya UUID).", field
        )
    return value


# Record ids (shipments, requests, movements, alerts, plans, runs).


def check_id(value: int, *, field: str, label: str) -> int:
    if isinstance(value, bool) or not 1 <= value <= MAX_ID:
        raise _refuse(f"{label} tidak dikenal.", field)
    return value


# The same rules as a JSON schema states them (OpenAPI 3.1), so that clients and fuzzers
# see them in /openapi.json. Patterns are ECMA-262, searched, hence anchored. The checks
# above still do the refusing, with their Indonesian messages.


def _group(alternatives: list[str]) -> str:
    return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"


def _digits_between(low: str, high: str) -> list[str]:
    """Patterns (alternatives) for the digit strings of one length from ``low`` to
    ``high``."""
    if low == high:
        return [low]
    if len(low) == 1:
        return [f"[{low}-{high}]"]
    if low[0] == high[0]:
        return [low[0] + _group(_digits_between(low[1:], high[1:]))]
    rest = len(low) - 1
    first, last = int(low[0]), int(high[0])
    head, tail = [], []
    if low[1:] != "0" * rest:
        head.append(low[0] + _group(_digits_between(low[1:], "9" * rest)))
        first += 1
    if high[1:] != "9" * rest:
        tail.append(high[0] + _group(_digits_between("0" * rest, high[1:])))
        last -= 1
    if first <= last:
        digit = str(first) if first == last else f"[{first}-{last}]"
        head.append(digit + "[0-9]" * rest)
    return head + tail


def _date_pattern(earliest: date, latest: date) -> str:
    """``YYYY-MM-DD`` from ``earliest`` to ``latest``; with ``format: date`` (which refuses
    31 April) exactly the dates ``day_error`` accepts."""
    assert (earliest.month, earliest.day, latest.month, latest.day) == (1, 1, 12, 31)
    years = _group(_digits_between(f"{earliest.year:04d}", f"{latest.year:04d}"))
    return f"^{years}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"


DATE_PATTERN = _date_pattern(EARLIEST_DATE, LATEST_DATE)
# A month ``YYYY-MM`` in the same years (the monthly documents).
MONTH_PATTERN = DATE_PATTERN.removesuffix("-(?:0[1-9]|[12][0-9]|3[01])$") + "$"
# A text without control characters (``text_error``).
TEXT_PATTERN = f"^[^{CONTROL_CHARACTERS}]*$"
# A required text: also something left after stripping (``check_text(required=True)``).
FILLED_TEXT_PATTERN = (
    f"^[^{CONTROL_CHARACTERS}]*[^{CONTROL_CHARACTERS}{WHITESPACE}][^{CONTROL_CHARACTERS}]*$"
)
