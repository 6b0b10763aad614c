"""Photo files on disk: PHOTO_DIR/<yyyy>/<mm>/<photo uuid>.<ext>, written atomically.

A file is written to a temporary name in its final folder and renamed into place
(os.replace is atomic on one filesystem), so a crash or a cut connection mid-upload
leaves either the whole file or no file under the photo's name, never half of one."""
import os
import tempfile
from contextlib import contextmanager
from datetime import datetime

from flask import current_app

from ..timeutil import to_local

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
THUMB_SUFFIX = ".thumb.jpg"


def photo_dir() -> str:
    return current_app.config.get("PHOTO_DIR") or os.path.join(current_app.instance_path, "photos")


def relative_path(photo_uuid: str, content_type: str, received_at: datetime) -> str:
    """Year and month (local time) of arrival keep folders small and backups incremental."""
    local = to_local(received_at)
    return f"{local:%Y}/{local:%m}/{photo_uuid}.{EXTENSIONS[content_type]}"


def thumb_path(relative: str) -> str:
    return relative.rsplit(".", 1)[0] + THUMB_SUFFIX


def absolute(relative: str) -> str:
    """The file's place on disk; refuses anything that would lead out of PHOTO_DIR."""
    root = os.path.realpath(photo_dir())
    path = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([root, path]) != root:
        raise ValueError(f"photo path outside PHOTO_DIR: {relative}")
    return path


@contextmanager
def atomic_file(path: str, prefix: str):
    """A file open for writing that appears under `path` only once it is whole and on disk:
    a temp file in the same folder, fsync, rename. Nothing is left behind when it fails."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=prefix, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_atomic(relative: str, data: bytes) -> str:
    """Write `data` under `relative`, whole or not at all."""
    path = absolute(relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with atomic_file(path, ".upload-") as handle:
        handle.write(data)
    return path


def remove(relative: str) -> None:
    for name in (relative, thumb_path(relative)):
        try:
            os.unlink(absolute(name))
        except FileNotFoundError:
            pass
