"""What a database holds, as a manifest records it and a restore is checked against: rows per
table, the Alembic revision, and the files the photos table names."""
from dataclasses import dataclass, field

import sqlalchemy as sa


@dataclass
class Facts:
    rows: dict[str, int]
    revision: str | None  # None: a database made without migrations (the tests' create_all)
    photo_paths: list[str] = field(default_factory=list)


def describe(conn: sa.Connection, schema: str | None = None) -> Facts:
    """Read inside the caller's transaction, so that on PostgreSQL it sees the same snapshot
    as pg_dump does."""
    names = sorted(sa.inspect(conn).get_table_names(schema=schema))
    rows = {name: conn.scalar(sa.select(sa.func.count()).select_from(sa.table(name, schema=schema)))
            for name in names}
    revision = None
    if "alembic_version" in names:
        versions = conn.scalars(sa.select(sa.column("version_num"))
                                .select_from(sa.table("alembic_version", schema=schema))).all()
        revision = ",".join(sorted(versions)) or None
    photo_paths = []
    if "photos" in names:
        photo_paths = list(conn.scalars(sa.select(sa.column("storage_path"))
                                        .select_from(sa.table("photos", schema=schema))))
    return Facts(rows, revision, photo_paths)
