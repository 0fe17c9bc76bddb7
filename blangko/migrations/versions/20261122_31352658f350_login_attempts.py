"""Login attempts, to throttle repeated failed sign-ins across server processes.

Revision ID: 31352658f350
Revises: 9b78242dc88f
Create Date: 2026-11-22 06:32:55.026193

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import blangko.models

# revision identifiers, used by Alembic.
revision: str = "31352658f350"
down_revision: str | Sequence[str] | None = "9b78242dc88f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("attempted_at", blangko.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_attempts_username_client", ["username", "client"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_username_client")
    op.drop_table("login_attempts")
