"""Reading typed values from submitted forms and query strings with the definitions every
front door uses (``blangko.fields``), refusing with their Indonesian messages so the page
can show them in place and keep what was typed."""

from datetime import date

from starlette.datastructures import FormData, QueryParams

from blangko import fields, idempotency


def text(form: FormData | QueryParams, field: str) -> str:
    """A field's text as typed (stripped); a file or a missing field is empty."""
    value = form.get(field, "")
    return value.strip() if isinstance(value, str) else ""


def quantity(
    form: FormData, field: str, label: str, *, default: int | None = None, minimum: int = 0
) -> int:
    """A number of blanks or a daily figure; empty means ``default`` when there is one."""
    raw = text(form, field)
    if raw == "" and default is not None:
        return default
    return fields.parse_quantity(raw, field=field, label=label, minimum=minimum)


def day(form: FormData, field: str, label: str) -> date:
    return fields.parse_day(text(form, field), field=field, label=label)


def optional_day(form: FormData | QueryParams, field: str, label: str) -> date | None:
    """A date that may be left empty (a query filter); typed but invalid is refused."""
    raw = text(form, field)
    return fields.parse_day(raw, field=field, label=label) if raw else None


def note(form: FormData, field: str = "note", label: str = "Catatan") -> str:
    return fields.check_note(text(form, field), field=field, label=label)


def reference(form: FormData, field: str = "reference", label: str = "Nomor surat") -> str:
    return fields.check_reference(text(form, field), field=field, label=label)


def idempotency_key(form: FormData, user_id: int | None) -> str | None:
    """The form's one-time key (a hidden field), so that a form sent twice writes once;
    scoped to the signed-in user like the API's keys (``blangko.idempotency.scoped``)."""
    raw = text(form, "idempotency_key")
    if not raw:
        return None
    return idempotency.scoped(user_id, fields.check_idempotency_key(raw, field="idempotency_key"))


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd means the first page."""
    digits = raw or ""
    if digits.isascii() and digits.isdigit() and 0 < len(digits) < 7 and int(digits) > 0:
        return int(digits)
    return 1


def password(form: FormData, field: str) -> str:
    """A password exactly as typed (spaces count, so not stripped). Pages never show it
    again after a refusal."""
    value = form.get(field, "")
    return value if isinstance(value, str) else ""
