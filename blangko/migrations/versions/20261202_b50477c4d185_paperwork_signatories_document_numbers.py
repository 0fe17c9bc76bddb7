"""The paperwork (issue 15): who signs (users' full name, NIP and jabatan), how each office
numbers its handover records (``offices.document_number_pattern``), the numbers given
(``handover_records``, one per shipment) and the per-office, per-year counters they are
drawn from (``document_counters``).

Revision ID: b50477c4d185
Revises: 9b3610b65bb7
Create Date: 2026-12-02 01:49:05.887978

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import blangko.models

# revision identifiers, used by Alembic.
revision: str = "b50477c4d185"
down_revision: str | Sequence[str] | None = "9b3610b65bb7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "document_counters",
        sa.Column("office_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_document_counters_office_code_offices")
        ),
        sa.PrimaryKeyConstraint("office_code", "kind", "year", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "handover_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("office_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("issued_at", blangko.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["users.id"], name=op.f("fk_handover_records_issued_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_handover_records_office_code_offices")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_handover_records_shipment_id_shipments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_records")),
        sa.UniqueConstraint(
            "office_code", "number", name=op.f("uq_handover_records_office_code_number")
        ),
        sa.UniqueConstraint(
            "office_code", "year", "seq", name=op.f("uq_handover_records_office_code_year_seq")
        ),
        sa.UniqueConstraint("shipment_id", name=op.f("uq_handover_records_shipment_id")),
    )
    with op.batch_alter_table("offices", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "document_number_pattern",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=True,
            )
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "full_name",
                sqlmodel.sql.sqltypes.AutoString(length=120),
                server_default="",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "nip",
                sqlmodel.sql.sqltypes.AutoString(length=18),
                server_default="",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "position",
                sqlmodel.sql.sqltypes.AutoString(length=120),
                server_default="",
                nullable=False,
            )
        )


def downgrade() -> None:
    """Downgrade schema. Plain ``DROP COLUMN`` (SQLite 3.35+): a batch rebuild of ``offices``
    would drop a table that every other table refers to."""
    for column in ("position", "nip", "full_name"):
        op.drop_column("users", column)
    op.drop_column("offices", "document_number_pattern")
    op.drop_table("handover_records")
    op.drop_table("document_counters")
