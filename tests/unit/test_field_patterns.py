"""The JSON schema's patterns say exactly what ``blangko.fields`` accepts (issue 17 item
4): dates from 2011 to 2099, texts without control characters, required texts not blank.
Checked with Python's ``re`` over every character and with the JSON Schema validator the
fuzzer uses (ECMA-262 patterns)."""

import re
from datetime import date, timedelta

import jsonschema_rs
import pytest

from blangko import fields
from blangko.errors import ValidationFailed

CHARACTERS = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


def _required_text_ok(value: str) -> bool:
    try:
        fields.check_text(value, field="f", label="Teks", max_length=100, required=True)
    except ValidationFailed:
        return False
    return not fields.has_control_characters(value)  # the API checks the raw text too


def test_the_date_pattern_is_the_range_of_day_error() -> None:
    pattern = re.compile(fields.DATE_PATTERN)
    edges = [fields.EARLIEST_DATE, fields.LATEST_DATE, date(2020, 2, 29), date(2050, 6, 15)]
    for edge in edges:
        for shift in range(-40, 41):
            day = edge + timedelta(days=shift)
            assert bool(pattern.search(day.isoformat())) == (fields.day_error(day) is None), day
    for text in ("2011-1-01", "2011-01-01T00:00", "12011-01-01", "2011-13-01", "٢٠١١-01-01"):
        assert not pattern.search(text), text


def test_the_text_patterns_are_the_checks_of_every_character() -> None:
    text = re.compile(fields.TEXT_PATTERN)
    filled = re.compile(fields.FILLED_TEXT_PATTERN)
    for character in CHARACTERS:
        assert bool(text.search(character)) == (not fields.has_control_characters(character))
        assert bool(filled.search(character)) == _required_text_ok(character), hex(ord(character))
        padded = f" {character}\t"
        assert bool(filled.search(padded)) == _required_text_ok(padded), hex(ord(character))


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("470/1123/Disdukcapil", True),
        ("baris satu\nbaris dua", True),
        ("", False),
        ("   ", False),
        ("\u3000\u2003", False),  # ideographic and em spaces: blank once stripped
        ("\ufeff", True),  # not whitespace for str.strip(), though ECMA-262 \s says so
        ("surat\x01", False),
        ("\x85", False),  # NEL: whitespace for str.strip(), not for ECMA-262 \s
    ],
)
def test_a_json_schema_validator_reads_the_filled_text_pattern_alike(
    value: str, valid: bool
) -> None:
    schema = {"type": "string", "minLength": 1, "pattern": fields.FILLED_TEXT_PATTERN}
    assert jsonschema_rs.validator_for(schema).is_valid(value) is valid
    assert _required_text_ok(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [("2011-01-01", True), ("2099-12-31", True), ("2010-12-31", False), ("2100-01-01", False)],
)
def test_a_json_schema_validator_reads_the_date_pattern_alike(value: str, valid: bool) -> None:
    schema = {"type": "string", "format": "date", "pattern": fields.DATE_PATTERN}
    assert jsonschema_rs.validator_for(schema).is_valid(value) is valid


def test_regional_office_codes_are_the_office_codes_but_the_national_one() -> None:
    codes = [f"{p:02d}" for p in range(100)] + [
        f"{p:02d}.{r:02d}" for p in range(100) for r in (0, 1, 71, 99)
    ]
    for code in [*codes, "0", "320", "32.1", "32-16", "٣٢"]:
        regional = re.fullmatch(fields.REGIONAL_OFFICE_CODE, code) is not None
        office = re.fullmatch(fields.OFFICE_CODE, code, flags=re.ASCII) is not None
        assert regional == (office and not code.startswith("00")), code


def test_the_month_pattern_accepts_exactly_the_months_the_documents_take() -> None:
    from blangko.documents.monthly import parse_month
    from blangko.errors import ValidationFailed

    for year in range(1999, 2112):
        for month in range(0, 14):
            text = f"{year:04d}-{month:02d}"
            try:
                parse_month(text)
                accepted = True
            except ValidationFailed:
                accepted = False
            assert (re.fullmatch(fields.MONTH_PATTERN, text) is not None) == accepted, text
