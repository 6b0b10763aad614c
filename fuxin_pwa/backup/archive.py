"""The archive on disk: its name, keeping the newest N, and what goes in and comes out.

`fuxin-backup-<UTC date and time to the minute>Z.tar.gz` (a second one in the same minute
gets `-2`, and so on) holds, in this order: the database (database.sqlite or
database.pgdump), every file of each upload folder (photos/…, imports/…), and manifest.json
last. It is written under a hidden `.part` name and renamed once whole, and the manifest is
its last member, so an archive cut short (a crash, a copy interrupted) is never taken for a
backup: it has no manifest and a restore refuses it."""
import io
import json
import os
import re
import shutil
import tarfile
import time
import zlib
from contextlib import contextmanager
from datetime import datetime

from ..photos.storage import atomic_file
from . import BackupError

NAME_RE = re.compile(r"^fuxin-backup-(\d{4}-\d{2}-\d{2}T\d{4})Z(?:-(\d+))?\.tar\.gz$")
MANIFEST = "manifest.json"
FORMAT = "fuxin-backup/1"


def archive_name(when: datetime, n: int = 1) -> str:
    return f"fuxin-backup-{when:%Y-%m-%dT%H%M}Z{'' if n == 1 else f'-{n}'}.tar.gz"


def free_path(folder: str, when: datetime) -> str:
    n = 1
    while os.path.exists(os.path.join(folder, archive_name(when, n))):
        n += 1
    return os.path.join(folder, archive_name(when, n))


def archives(folder: str) -> list[str]:
    """The archives in `folder`, oldest first. Only names this module gives count: any other
    file there (a copy someone made by hand, a `.part`) is never pruned."""
    found = []
    for name in os.listdir(folder):
        match = NAME_RE.match(name)
        if match:
            found.append(((match.group(1), int(match.group(2) or 1)), name))
    return [os.path.join(folder, name) for _, name in sorted(found)]


def prune(folder: str, keep: int) -> list[str]:
    """Remove all but the newest `keep` archives; returns the paths removed."""
    old = archives(folder)[:-keep] if keep > 0 else []
    for path in old:
        os.remove(path)
    return old


# --- Writing ------------------------------------------------------------------------------

@contextmanager
def writing(path: str):
    """A tar.gz open for writing that appears under `path` only once it is whole. It is
    readable by its owner alone: it holds password hashes and residents' details."""
    with atomic_file(path, f".{os.path.basename(path)}.") as raw:
        with tarfile.open(fileobj=raw, mode="w:gz") as tar:
            yield tar


def add_folder(tar: tarfile.TarFile, root: str, prefix: str, leave_out: str | None = None) -> list[str]:
    """Every regular file under `root` as `prefix/<its path>`; returns the paths added, relative
    to `root`. An upload still being written (photos/storage.py's hidden `.part` files) is left
    out, and so is a file gone before it could be read: a photo's file is removed only when
    its row was never committed, an import upload once it is confirmed."""
    added = []
    for folder, dirs, files in os.walk(root):
        if leave_out and os.path.realpath(folder) == os.path.realpath(leave_out):
            dirs.clear()  # backups kept inside an upload folder are not backed up again
            continue
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(folder, name)
            if (name.startswith(".") and name.endswith(".part")) or os.path.islink(path):
                continue
            relative = os.path.relpath(path, root)
            try:
                tar.add(path, arcname=f"{prefix}/{relative}", recursive=False)
            except FileNotFoundError:
                continue
            added.append(relative)
    return added


def add_manifest(tar: tarfile.TarFile, manifest: dict) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
    tar.addfile(info, io.BytesIO(data))


# --- Reading ------------------------------------------------------------------------------

def _unreadable(path: str, error: Exception) -> BackupError:
    return BackupError(f"备份文件无法读取（可能不完整或已损坏）：{path}（{error}）\n"
                       f"The backup file cannot be read (cut short or damaged): {path} ({error})")


@contextmanager
def reading(path: str):
    """The archive open for reading, with its manifest; refuses one that is not a whole
    Fuxin Field backup."""
    if not os.path.isfile(path):
        raise BackupError(f"找不到备份文件：{path}\nBackup file not found: {path}")
    try:
        tar = tarfile.open(path, "r:gz")
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise _unreadable(path, error) from None
    with tar:
        try:
            member = tar.getmember(MANIFEST)  # reads to the end: a truncated archive fails here
            manifest = json.load(tar.extractfile(member))
        except KeyError:
            raise BackupError(f"不是完整的福新外勤备份（没有 {MANIFEST}，可能复制未完成）：{path}\n"
                              f"Not a complete Fuxin Field backup (no {MANIFEST}; perhaps a copy cut short): "
                              f"{path}") from None
        except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as error:
            raise _unreadable(path, error) from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"备份格式 {manifest.get('format')!r} 无法识别（应为 {FORMAT}）\n"
                              f"Unknown backup format {manifest.get('format')!r} (expected {FORMAT})")
        yield tar, manifest


def extract_member(tar: tarfile.TarFile, name: str, folder: str) -> str:
    """One member (the database) into `folder`; returns its path there."""
    tar.extract(tar.getmember(name), folder, filter="data")
    return os.path.join(folder, name)


def extract_folder(tar: tarfile.TarFile, prefix: str, root: str) -> int:
    """The files under `prefix/` into `root`; returns how many. The "data" filter refuses
    any path that would lead out of `root` and drops owners and odd permission bits."""
    os.makedirs(root, exist_ok=True)
    count = 0
    for member in tar.getmembers():
        if member.isfile() and member.name.startswith(prefix + "/"):
            tar.extract(member.replace(name=member.name[len(prefix) + 1:], deep=False), root, filter="data")
            count += 1
    return count


# --- Upload folders -----------------------------------------------------------------------

def has_files(root: str) -> bool:
    """Whether any file lies under `root` (empty subfolders do not count)."""
    return any(files for _, _, files in os.walk(root))


def clear(root: str) -> None:
    """Remove everything inside `root`, not `root` itself (it may be a mounted volume)."""
    if not os.path.isdir(root):
        return
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
