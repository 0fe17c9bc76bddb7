"""Reading typed values from submitted forms, refusing with the domain's Indonesian
messages so the page can show them in place and keep what was typed."""

from datetime import date

from starlette.datastructures import FormData

from blangko.errors import ValidationFailed


def text(form: FormData, field: str) -> str:
    value = form.get(field, "")
    return value.strip() if isinstance(value, str) else ""


def integer(form: FormData, field: str, label: str, *, default: int | None = None) -> int:
    raw = text(form, field).replace(".", "").replace(" ", "")
    if raw == "" and default is not None:
        return default
    if not raw.isdigit() or len(raw) > 12:
        raise ValidationFailed(f"{label} harus berupa bilangan bulat 0 atau lebih.", field=field)
    return int(raw)


def day(form: FormData, field: str, label: str) -> date:
    raw = text(form, field)
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{label} harus berupa tanggal (TTTT-BB-HH).", field=field) from None


def optional_day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd means the first page."""
    return int(raw) if raw and raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1
