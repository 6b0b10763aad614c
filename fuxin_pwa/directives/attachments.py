"""Files sent with a directive: what is accepted, and where it lives.

What a file is comes from its first bytes, never from its name or the browser's claim: a
PDF, a JPEG, a PNG or a WebP, nothing else (a Word file or a spreadsheet could carry macros,
an SVG or an HTML page script). The file is kept as sent, under PHOTO_DIR/directives/, written
the photos' way (whole or not at all), and served only as a download (routes.py), so even a
file that fooled the check is never rendered as a page of this site."""
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from ..domain import DomainError
from ..photos import storage
from ..timeutil import to_local
from .models import ATTACHMENT_MAX_BYTES, FILENAME_MAX, MAX_ATTACHMENTS, DirectiveAttachment

PDF = "application/pdf"
# Content type → the file name endings it may keep; the first is given to a name without one.
ENDINGS = {PDF: ("pdf",), "image/jpeg": ("jpg", "jpeg"), "image/png": ("png",), "image/webp": ("webp",)}
ACCEPT = ",".join([*ENDINGS, *(f".{e}" for endings in ENDINGS.values() for e in endings)])
# What the form says and offers: the file picker's filter, the size and count limits.
RULES = {"accept": ACCEPT, "mb": ATTACHMENT_MAX_BYTES // 1024 // 1024, "count": MAX_ATTACHMENTS}
FOLDER = "directives"
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]+")


class AttachmentRefused(DomainError):
    """A file that is not taken, with the sentence that says why, in the person's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Upload:
    """A file read and checked, waiting for its directive."""

    filename: str
    content_type: str
    data: bytes


def sniff(head: bytes) -> str | None:
    """The content type the bytes prove, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def read_upload(file) -> Upload:
    """A werkzeug FileStorage read (never more than the limit and one byte) and checked;
    AttachmentRefused otherwise."""
    shown = display_name(file.filename or "")
    data = file.stream.read(ATTACHMENT_MAX_BYTES + 1)
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise AttachmentRefused(_("「%(name)s」超过 %(mb)s MB，请压缩后再上传",
                                  name=shown, mb=_megabytes(ATTACHMENT_MAX_BYTES)))
    content_type = sniff(data[:16])
    if content_type is None:
        raise AttachmentRefused(_("「%(name)s」不是 PDF 文件或 JPEG、PNG、WebP 图片", name=shown))
    return Upload(safe_filename(file.filename or "", content_type), content_type, data)


def check_count(kept: int, adding: int) -> None:
    """At most MAX_ATTACHMENTS on one directive, counting what it keeps and what is added."""
    if kept + adding > MAX_ATTACHMENTS:
        raise AttachmentRefused(_("每个传达部署最多 %(n)s 个附件", n=MAX_ATTACHMENTS))


def display_name(raw: str) -> str:
    """The file's own name: some browsers send the whole path of the leader's computer."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    return _UNPRINTABLE.sub("", name).strip()


def safe_filename(raw: str, content_type: str) -> str:
    """The name to download it under: the leader's, ending as what the file really is, so a
    PDF named 通知.html is saved as 通知.html.pdf and never opened as a web page."""
    name = display_name(raw) or _("附件")
    endings = ENDINGS[content_type]
    stem, dot, ending = name.rpartition(".")
    if not dot or ending.lower() not in endings:
        stem, ending = name, endings[0]
    return f"{stem[:FILENAME_MAX - len(ending) - 1]}.{ending}"


def relative_path(file_uuid: str, content_type: str, at: datetime) -> str:
    local = to_local(at)
    return f"{FOLDER}/{local:%Y}/{local:%m}/{file_uuid}.{ENDINGS[content_type][0]}"


def write_files(uploads, user_id: int, at: datetime) -> list[DirectiveAttachment]:
    """Each upload's file on disk and its row (not yet added to the session). The files come
    first, as photos do: a row is never committed without its file."""
    rows = []
    try:
        for upload in uploads:
            file_uuid = str(uuid.uuid4())
            relative = relative_path(file_uuid, upload.content_type, at)
            storage.write_atomic(relative, upload.data)
            rows.append(DirectiveAttachment(uuid=file_uuid, filename=upload.filename,
                                            content_type=upload.content_type, size_bytes=len(upload.data),
                                            storage_path=relative, uploaded_by_id=user_id, uploaded_at=at))
    except BaseException:
        remove_files(rows)
        raise
    return rows


def remove_files(rows) -> None:
    """The files of attachments whose rows are gone (or were never committed)."""
    for row in rows:
        try:
            os.unlink(storage.absolute(row.storage_path))
        except FileNotFoundError:
            pass


def file_path(attachment: DirectiveAttachment) -> str | None:
    path = storage.absolute(attachment.storage_path)
    return path if os.path.isfile(path) else None
