"""PostgreSQL: pg_dump for the backup, pg_restore and psql for the restore.

The backup holds the app's schema (the URL's search_path, `public` unless it names
another), in pg_dump's custom format. The rows the manifest counts are read in the very
snapshot pg_dump dumps (a REPEATABLE READ transaction exports it, pg_dump takes it with
--snapshot), so the counts and the dump agree while the app keeps writing.

The restore turns the dump into SQL with pg_restore, then psql runs it in one transaction,
after dropping the schema first when forced: a restore that fails part way, forced or not,
leaves the database as it was. Owners and grants are left out (--no-owner
--no-privileges): the role that restores owns what it makes, whatever role made the dump.

The tools are looked up on PATH, or in PG_BIN_DIR; pg_dump must be the server's major
version or newer. Connection details come from the URL: host, port, user, database, and
PGPASSWORD from its password if it has one; the tools never prompt (--no-password)."""
import os
import re
import shutil
import subprocess

import sqlalchemy as sa
from flask import current_app

from . import BackupError
from .tables import Facts, describe

KIND = "postgresql"
MEMBER = "database.pgdump"


def _tool(name: str) -> str:
    folder = current_app.config.get("PG_BIN_DIR")
    path = os.path.join(folder, name) if folder else shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（与服务器同一大版本或更新），或设置 PG_BIN_DIR\n"
                          f"{name} not found: install the PostgreSQL client tools (the server's major version "
                          f"or newer), or set PG_BIN_DIR")
    return path


def _query(url: sa.URL, key: str) -> str | None:
    value = url.query.get(key)
    return value[-1] if isinstance(value, tuple) else value


def _connection(url: sa.URL) -> tuple[list[str], dict]:
    """Command-line options and environment for the tools, from the app's URL. The password
    goes in the environment, never on a command line that `ps` shows."""
    args = ["--no-password"]
    host = url.host or _query(url, "host")
    if host:
        args += ["--host", host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if _query(url, "sslmode"):
        env["PGSSLMODE"] = _query(url, "sslmode")
    return args, env


def _run(args: list[str], env: dict | None = None) -> str:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode:
        name = os.path.basename(args[0])
        detail = (result.stderr or result.stdout).strip()[-2000:]
        raise BackupError(f"{name} 失败 / {name} failed (exit {result.returncode}):\n{detail}")
    return result.stdout


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _schema(conn: sa.Connection) -> str:
    """The schema the app's tables live in. A fresh database whose URL names a schema not
    made yet has no current_schema(): then the first one its search_path names."""
    schema = conn.scalar(sa.text("SELECT current_schema()"))
    if schema:
        return schema
    first = conn.scalar(sa.text("SELECT current_setting('search_path')")).split(",")[0].strip().strip('"')
    return conn.scalar(sa.text("SELECT current_user")) if first == "$user" else first


def target_schema(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return _schema(conn)


def snapshot(engine: sa.Engine, folder: str) -> tuple[str, str, Facts]:
    """The app's schema as of now into `folder`; returns the dump's path, the schema and
    what it holds."""
    pg_dump = _tool("pg_dump")
    target = os.path.join(folder, MEMBER)
    args, env = _connection(engine.url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            snapshot_id = conn.scalar(sa.text("SELECT pg_export_snapshot()"))
            schema = _schema(conn)
            facts = describe(conn, schema)
            # The transaction stays open until pg_dump has taken its snapshot and finished.
            _run([pg_dump, *args, "--dbname", engine.url.database, "--format=custom", f"--snapshot={snapshot_id}",
                  "--schema", _ident(schema), "--file", target], env)
    return target, schema, facts


def check_target(engine: sa.Engine, manifest: dict) -> None:
    """pg_restore cannot rename a schema: the backup goes back into one of the same name."""
    archived, schema = manifest["database"]["schema"], target_schema(engine)
    if archived != schema:
        raise BackupError(
            f"备份中的表在 schema “{archived}”，本数据库使用 “{schema}”：请让数据库地址的 search_path 指向 “{archived}”"
            f"（options=-csearch_path%3D{archived}）\n"
            f"The backup's tables are in schema \"{archived}\" and this database uses \"{schema}\": point the URL's "
            f"search_path at \"{archived}\" (options=-csearch_path%3D{archived})")


def existing_tables(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                                 {"schema": _schema(conn)}))


def _about_the_schema(line: str, schema: str) -> bool:
    """A line of `pg_restore --list` that makes the schema itself or comments on it: the
    restore makes the schema (or finds `public` there already) before the dump runs."""
    return re.match(rf"^\d+; \d+ \d+ (SCHEMA - |COMMENT - SCHEMA ){re.escape(schema)} ", line) is not None


def restore(engine: sa.Engine, dump: str, manifest: dict, force: bool, folder: str) -> None:
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    schema = manifest["database"]["schema"]
    listing = os.path.join(folder, "restore.list")
    with open(listing, "w") as out:
        out.writelines(line + "\n" for line in _run([pg_restore, "--list", dump]).splitlines()
                       if not _about_the_schema(line, schema))
    sql = os.path.join(folder, "restore.sql")
    # To a file first, never piped: psql would commit whatever came before a pg_restore that
    # died half way.
    _run([pg_restore, "--no-owner", "--no-privileges", "--use-list", listing, "--file", sql, dump])
    steps = ["--command", f"DROP SCHEMA IF EXISTS {_ident(schema)} CASCADE"] if force else []
    steps += ["--command", f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)}", "--file", sql]
    args, env = _connection(engine.url)
    engine.dispose()
    _run([psql, *args, "--dbname", engine.url.database, "--no-psqlrc", "--quiet", "--single-transaction",
          "--set", "ON_ERROR_STOP=1", *steps], env)
