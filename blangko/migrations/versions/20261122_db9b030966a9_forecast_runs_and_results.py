"""forecast runs and results

Revision ID: db9b030966a9
Revises: afddb7f55587
Create Date: 2026-11-22 06:39:00.214013

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import blangko.models

# revision identifiers, used by Alembic.
revision: str = "db9b030966a9"
down_revision: str | Sequence[str] | None = "afddb7f55587"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Forecast runs and their per-office results."""
    op.create_table(
        "forecast_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "finished",
                "failed",
                name="forecastrunstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", blangko.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", blangko.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", blangko.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("office_code", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("offices_total", sa.Integer(), nullable=False),
        sa.Column("offices_done", sa.Integer(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_forecast_runs_office_code_offices")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_forecast_runs_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_runs")),
    )
    op.create_table(
        "forecast_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("office_code", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("generated_at", blangko.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("stockout_date", sa.Date(), nullable=True),
        sa.Column("stockout_probability", sa.JSON(), nullable=False),
        sa.Column("days_of_cover", sa.Float(), nullable=True),
        sa.Column("mean_daily_demand", sa.Float(), nullable=False),
        sa.Column("backtest_mase", sa.Float(), nullable=True),
        sa.Column("backtest", sa.JSON(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_code"], ["offices.code"], name=op.f("fk_forecast_results_office_code_offices")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["forecast_runs.id"], name=op.f("fk_forecast_results_run_id_forecast_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_results")),
        sa.UniqueConstraint(
            "run_id", "office_code", name=op.f("uq_forecast_results_run_id_office_code")
        ),
    )
    with op.batch_alter_table("forecast_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forecast_results_office_code_id", ["office_code", "id"], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("forecast_results", schema=None) as batch_op:
        batch_op.drop_index("ix_forecast_results_office_code_id")

    op.drop_table("forecast_results")
    op.drop_table("forecast_runs")
