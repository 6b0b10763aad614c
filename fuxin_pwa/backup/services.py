"""Backups that restore: `flask backup` and `flask restore` (cli.py) call these two.

A backup takes the database first, then reads the upload folders. A photo's file is written
before its row is committed (photos/services.py), so every photo in the database snapshot
already has its file when the folders are read; files that arrive meanwhile are only extra.
Should a file the snapshot names be missing all the same, the manifest lists it and the
backup says so, rather than fail: the rest is still worth keeping.

A restore writes only into an empty database and empty folders, unless forced, and only a
backup of the same kind of database (SQLite → SQLite, PostgreSQL → PostgreSQL). The
database goes back first, in one transaction, then the files; then what the target holds is
checked against the manifest. The Alembic revision travels with the tables, so
`flask db upgrade` afterwards brings an older backup forward."""
import os
import tempfile
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from ..admin.importer import imports_dir
from .. import versions
from ..extensions import db
from ..photos.storage import photo_dir
from ..timeutil import utcnow
from . import BackupError, archive, postgres, sqlite
from .tables import describe

KINDS = {sqlite.KIND: sqlite, postgres.KIND: postgres}
KIND_NAMES = {sqlite.KIND: "SQLite", postgres.KIND: "PostgreSQL"}
FOLDER_NAMES = {"photos": "照片文件夹 photo folder", "imports": "待确认的导入文件夹 pending-import folder"}


def upload_folders() -> dict[str, str]:
    """The folders of uploaded files, by their name in the archive."""
    return {"photos": photo_dir(), "imports": imports_dir()}


def backup_dir() -> str:
    return current_app.config.get("BACKUP_DIR") or os.path.join(current_app.instance_path, "backups")


def code_revision() -> str | None:
    """The migration head of the code that runs (what `flask db upgrade` would bring a
    database to), as the app's version."""
    from alembic.script import ScriptDirectory

    try:
        return ",".join(sorted(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())) or None
    except Exception:  # no migrations folder beside the code: the manifest just says so
        return None


def _kind(engine: sa.Engine):
    name = engine.url.get_backend_name()
    if name not in KINDS:
        raise BackupError(f"不支持备份 {name} 数据库（只支持 SQLite 和 PostgreSQL）\n"
                          f"Backing up a {name} database is not supported (SQLite and PostgreSQL are)")
    return KINDS[name]


@dataclass
class BackupResult:
    path: str
    manifest: dict
    removed: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        m, database = self.manifest, self.manifest["database"]
        out = [f"备份完成 Backup written: {self.path}",
               f"  数据库 database: {KIND_NAMES[database['kind']]}, {len(database['rows'])} 张表 tables, "
               f"{sum(database['rows'].values())} 行 rows, 迁移版本 revision {m['alembic_revision'] or '-'}",
               "  文件 files: " + ", ".join(f"{name} {count}" for name, count in m["files"].items())]
        if self.removed:
            out.append(f"  删除较早的备份 older archives removed: {len(self.removed)}")
        if m["missing_photo_files"]:
            out.append(f"警告 Warning: {len(m['missing_photo_files'])} 张照片的文件不在 {FOLDER_NAMES['photos']}"
                       f" (photo files missing): " + ", ".join(m["missing_photo_files"][:10]))
        return out


def create_backup(keep: int | None = None) -> BackupResult:
    """One archive of the database, the upload folders and a manifest in BACKUP_DIR; then
    all but the newest `keep` (BACKUP_KEEP) archives there are removed."""
    keep = keep or current_app.config["BACKUP_KEEP"]
    kind = _kind(db.engine)
    folder = backup_dir()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    now = utcnow()
    path = archive.free_path(folder, now)
    with tempfile.TemporaryDirectory(prefix=".fuxin-backup-", dir=folder) as work:
        dump, schema, facts = kind.snapshot(db.engine, work)
        with archive.writing(path) as tar:
            tar.add(dump, arcname=kind.MEMBER)
            files = {name: archive.add_folder(tar, root, name, leave_out=folder)
                     for name, root in upload_folders().items()}
            manifest = {
                "format": archive.FORMAT,
                "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "app_revision": code_revision(),
                "alembic_revision": facts.revision,
                "database": {"kind": kind.KIND, "member": kind.MEMBER, "schema": schema, "rows": facts.rows},
                "files": {name: len(paths) for name, paths in files.items()},
                "missing_photo_files": sorted(set(facts.photo_paths) - set(files["photos"])),
            }
            archive.add_manifest(tar, manifest)
    return BackupResult(path, manifest, archive.prune(folder, keep))


@dataclass
class RestoreResult:
    path: str
    manifest: dict
    files: dict[str, int]

    def lines(self) -> list[str]:
        m = self.manifest
        out = [f"恢复完成 Restored: {self.path}（备份于 made at {m['created_at']}）",
               f"  数据库 database: {len(m['database']['rows'])} 张表 tables, "
               f"{sum(m['database']['rows'].values())} 行 rows, 迁移版本 revision {m['alembic_revision'] or '-'}",
               "  文件 files: " + ", ".join(f"{name} {count}" for name, count in self.files.items())]
        head = code_revision()
        if m["alembic_revision"] and head and m["alembic_revision"] != head:
            out.append(f"  代码的迁移版本是 {head}：请运行 flask db upgrade\n"
                       f"  The code's migrations are at {head}: run `flask db upgrade`")
        return out


def _not_empty(kind) -> list[str]:
    """What in the target holds something, described for the operator."""
    found = []
    tables = kind.existing_tables(db.engine)
    if tables:
        found.append(f"数据库（已有 {len(tables)} 张表）the database ({len(tables)} tables)")
    for name, root in upload_folders().items():
        if archive.has_files(root):
            found.append(f"{FOLDER_NAMES[name]} {root}")
    return found


def _refusal(found: list[str]) -> BackupError:
    items = "\n".join(f"  - {item}" for item in found)
    return BackupError(
        "恢复只写入空的数据库和空的文件夹，以下不是空的：\n"
        f"Restore writes only into an empty database and empty folders; these are not empty:\n{items}\n"
        "请改用新建的空数据库和空文件夹（不要先运行 flask db upgrade），或加 --force 用备份替换其中的一切。\n"
        "Use a newly created database and empty folders (without running `flask db upgrade` first), "
        "or add --force to replace everything in them with the backup.")


def restore_backup(path: str, force: bool = False) -> RestoreResult:
    """Restore the archive at `path` into the app's database and upload folders."""
    kind = _kind(db.engine)
    with archive.reading(path) as (tar, manifest):
        archived = manifest["database"]["kind"]
        if archived != kind.KIND:
            raise BackupError(
                f"备份来自 {KIND_NAMES.get(archived, archived)} 数据库，当前数据库是 {KIND_NAMES[kind.KIND]}："
                f"只能恢复到同一种数据库\n"
                f"The backup is of a {KIND_NAMES.get(archived, archived)} database and this one is "
                f"{KIND_NAMES[kind.KIND]}: a backup restores only into the same kind of database")
        kind.check_target(db.engine, manifest)
        db.session.remove()
        found = _not_empty(kind)
        if found and not force:
            raise _refusal(found)
        with tempfile.TemporaryDirectory(prefix="fuxin-restore-") as work:
            dump = archive.extract_member(tar, manifest["database"]["member"], work)
            kind.restore(db.engine, dump, manifest, force, work)
        # Written past the session, which bumps nothing: whatever a running server keeps is stale.
        versions.bump_all()
        files = {}
        for name, root in upload_folders().items():
            if force:
                archive.clear(root)
            files[name] = archive.extract_folder(tar, name, root)
    _check_restored(manifest, files)
    return RestoreResult(path, manifest, files)


def _check_restored(manifest: dict, files: dict[str, int]) -> None:
    """What the target now holds is what the manifest says was backed up."""
    with db.engine.connect() as conn:
        facts = describe(conn, manifest["database"]["schema"])
    differences = [f"{table}: {count} → {facts.rows.get(table)}"
                   for table, count in manifest["database"]["rows"].items() if facts.rows.get(table) != count]
    if facts.revision != manifest["alembic_revision"]:
        differences.append(f"alembic_version: {manifest['alembic_revision']} → {facts.revision}")
    differences += [f"{name}: {count} → {files.get(name)}"
                    for name, count in manifest["files"].items() if files.get(name) != count]
    if differences:
        raise BackupError("恢复后的内容与备份清单不符 / What was restored differs from the manifest:\n  "
                          + "\n  ".join(differences))
