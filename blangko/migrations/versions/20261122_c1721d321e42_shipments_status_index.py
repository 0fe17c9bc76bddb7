"""Index on shipments (status, to_office): stock positions sum the in-transit shipments
per receiver without reading every closed shipment.

Revision ID: c1721d321e42
Revises: db9b030966a9
Create Date: 2026-11-22 07:18:30

"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c1721d321e42"
down_revision: str | Sequence[str] | None = "db9b030966a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_shipments_status_to_office", "shipments", ["status", "to_office"])


def downgrade() -> None:
    op.drop_index("ix_shipments_status_to_office", table_name="shipments")
