"""Alembic environment: runs against ``BLANGKO_DATABASE_URL`` or a connection handed
in through ``config.attributes["connection"]`` (tests, ``blangko db upgrade``)."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import blangko.models  # noqa: F401  (registers every table on the metadata)
from blangko.db import make_engine
from blangko.settings import get_settings

config = context.config
target_metadata = SQLModel.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or get_settings().database_url)
    with engine.connect() as conn:
        run_migrations(conn)
    engine.dispose()
