"""SQLite: the snapshot is taken through sqlite3's online backup API, never a file copy, which
could catch a page half written or miss what still sits in the write-ahead log; the copy is
one read transaction, so it is the database as of one moment while the app keeps writing.
A restore goes through the same API the other way: it replaces the whole database, in one
transaction, or leaves it as it was."""
import os
import sqlite3
from contextlib import closing

import sqlalchemy as sa

from . import BackupError
from .tables import Facts, describe

KIND = "sqlite"
MEMBER = "database.sqlite"


def _path(engine: sa.Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复\n"
                          "An in-memory SQLite database cannot be backed up or restored")
    return path


def _copy(source: str, target: str) -> None:
    # The timeout lets a copy wait for a writer that holds the lock, as the app's own
    # connections do (busy_timeout); sqlite3's backup retries while the database is busy.
    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(target, timeout=30)) as dst:
        src.backup(dst)


def snapshot(engine: sa.Engine, folder: str) -> tuple[str, str | None, Facts]:
    """The database as of now into `folder`; returns its path, its schema (None) and what it holds."""
    source = _path(engine)
    if not os.path.isfile(source):  # sqlite3.connect would make an empty one and back that up
        raise BackupError(f"找不到数据库文件：{source}\nDatabase file not found: {source}")
    target = os.path.join(folder, MEMBER)
    _copy(source, target)
    copy = sa.create_engine(f"sqlite:///{target}")
    try:
        with copy.connect() as conn:
            facts = describe(conn)
    finally:
        copy.dispose()
    return target, None, facts


def check_target(engine: sa.Engine, manifest: dict) -> None:
    """Any SQLite file takes any SQLite backup."""


def existing_tables(engine: sa.Engine) -> list[str]:
    if not os.path.exists(_path(engine)):  # inspecting would create the file
        return []
    return sa.inspect(engine).get_table_names()


def restore(engine: sa.Engine, dump: str, manifest: dict, force: bool, folder: str) -> None:
    """Replace the database with `dump`. A non-empty one was refused before, unless forced;
    forced, the backup API overwrites it whole, so nothing of it is left to drop."""
    target = _path(engine)
    engine.dispose()  # no pooled connection keeps reading the old pages
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    _copy(dump, target)
    engine.dispose()
