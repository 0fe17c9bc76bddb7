"""PDF documents: Jinja2 templates (``templates/``) rendered by WeasyPrint on A4, in
Debian's DejaVu fonts, with Indonesian numbers ("12.500") and dates ("1 Desember 2026")."""

from pathlib import Path
from typing import Any

import jinja2

from blangko import fmt

TEMPLATES = Path(__file__).parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
_env.filters["number"] = fmt.number
_env.filters["long_day"] = fmt.long_day
_env.filters["month"] = fmt.month


def html(template: str, context: dict[str, Any]) -> str:
    return _env.get_template(template).render(**context)


def pdf(template: str, context: dict[str, Any]) -> bytes:
    """The template rendered to a PDF. WeasyPrint is imported here: it loads Pango, which
    only the document routes need."""
    import weasyprint

    document = weasyprint.HTML(string=html(template, context), base_url=str(TEMPLATES))
    return bytes(document.write_pdf())
