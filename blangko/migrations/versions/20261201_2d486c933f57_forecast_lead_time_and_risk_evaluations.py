"""Forecast results keep the lead time learned when they ran and the one risk figure
(P(stock-out before a resupply requested that day can arrive)); replays of past warnings
are stored with their scores.

Revision ID: 2d486c933f57
Revises: e5bf6c543c81
Create Date: 2026-12-01 23:06:55.214930

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import blangko.models

# revision identifiers, used by Alembic.
revision: str = "2d486c933f57"
down_revision: str | Sequence[str] | None = "e5bf6c543c81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_evaluations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("generated_at", blangko.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_origin", sa.Date(), nullable=False),
        sa.Column("last_origin", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_evaluations")),
    )
    with op.batch_alter_table("forecast_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_time_median", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("lead_time_p90", sa.Float(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "lead_time_source", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True
            )
        )
        batch_op.add_column(sa.Column("risk_horizon_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("risk_probability", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forecast_results", schema=None) as batch_op:
        batch_op.drop_column("risk_probability")
        batch_op.drop_column("risk_horizon_days")
        batch_op.drop_column("lead_time_source")
        batch_op.drop_column("lead_time_p90")
        batch_op.drop_column("lead_time_median")

    op.drop_table("forecast_evaluations")
