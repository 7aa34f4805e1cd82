"""Migrations create the schema on both backends, and the models never drift from them."""

from sqlalchemy import Column, MetaData, String, inspect

from meetings.db import Database
from meetings.migrate import current_revision, downgrade, head_revision, schema_drift, upgrade
from meetings.models import Base


def test_upgrade_creates_every_table_and_matches_the_models(empty_database_url):
    database = Database(empty_database_url)
    try:
        assert current_revision(database.engine) is None
        upgrade(database.engine)
        assert current_revision(database.engine) == head_revision()
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert schema_drift(database.engine) == []
    finally:
        database.dispose()


def test_downgrade_to_nothing_and_back(empty_database_url):
    database = Database(empty_database_url)
    try:
        upgrade(database.engine)
        downgrade(database.engine, "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        upgrade(database.engine)
        assert schema_drift(database.engine) == []
    finally:
        database.dispose()


def test_drift_is_detected_when_a_model_changes(database_url):
    """The drift check itself must be able to fail: a column the migrations lack shows up."""
    changed = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["teams"].append_column(Column("colour", String(20)))
    database = Database(database_url)
    try:
        diffs = schema_drift(database.engine, changed)
    finally:
        database.dispose()
    assert [(d[0], d[3].name) for d in diffs] == [("add_column", "colour")]
