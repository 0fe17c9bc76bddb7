"""The Alembic migrations give exactly the models' schema, on SQLite and PostgreSQL, and
can be taken down to nothing and up again."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

import blangko.models  # noqa: F401  (registers every table)
from blangko.db import session_scope, writer
from blangko.migrate import alembic_config, current_revision, head_revision, upgrade
from blangko.offices import seed_offices


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_as_batch": engine.dialect.name == "sqlite"},
        )
        return list(compare_metadata(context, SQLModel.metadata))


def table_names(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def test_migrations_match_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    assert table_names(engine) == set(SQLModel.metadata.tables)


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    config = alembic_config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert current_revision(engine) is None
    assert table_names(engine) == set()
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert schema_differences(engine) == []
    with session_scope(engine) as session:
        assert seed_offices(session=session).created == 553


def test_an_installation_in_use_upgrades_with_its_rows(engine: Engine) -> None:
    """A database from before the server-side sessions (its users referred to by other
    rows) upgrades to head: on SQLite the users table is rebuilt, which must neither fail
    on the rows that refer to it nor lose them."""
    config = alembic_config()
    with writer(engine).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "582a3b132e24")
    with writer(engine).begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (username, password_hash, role, is_active, created_at) "
                "VALUES ('lama', 'x', 'planner', true, CURRENT_TIMESTAMP)"
            )
        )
        user_id = connection.execute(sa.text("SELECT id FROM users")).scalar_one()
        connection.execute(
            sa.text(
                "INSERT INTO forecast_runs (status, created_at, settings, versions, "
                "offices_total, offices_done, error, requested_by) VALUES ('finished', "
                "CURRENT_TIMESTAMP, '{}', '{}', 0, 0, '', :user)"
            ),
            {"user": user_id},
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        users = connection.execute(sa.text("SELECT id, username, session_version FROM users"))
        assert users.all() == [(user_id, "lama", 0)]
        runs = connection.execute(sa.text("SELECT requested_by FROM forecast_runs"))
        assert runs.scalar_one() == user_id
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
