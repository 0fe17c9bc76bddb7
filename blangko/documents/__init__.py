"""The paperwork (issue 15): handover records (BAST), destruction records (berita acara
pemusnahan) and monthly reports, gathered from the ledger and rendered as PDF (WeasyPrint,
from Jinja2 templates) and Excel (openpyxl)."""
