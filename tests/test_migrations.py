"""Every schema change is a migration: upgrading an empty database gives exactly the
tables the models describe, on SQLite and (in CI) on PostgreSQL."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from fuxin_pwa.extensions import db


@pytest.mark.rebuilds_schema
def test_migrations_build_the_schema_the_models_describe(app):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    # A new production database starts with the eight kinds of field work.
    labels = db.session.scalars(sa.text("SELECT label FROM task_kinds ORDER BY sort")).all()
    assert labels[:2] == ["违建约谈", "安置回访"] and len(labels) == 8
    db.session.commit()
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
