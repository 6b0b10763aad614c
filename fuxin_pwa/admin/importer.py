"""Importing people, places and households from CSV or XLSX: upload → preview → confirm.

The uploaded file waits under instance/imports/<token>.<ext> (not in the session cookie,
which is small and signed, not private) until the admin confirms. Confirming reads and
checks the file again and writes every row in one transaction, or nothing: a file with any
error is refused whole, so no half-imported roster is ever left behind."""
import csv
import io
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import join_list, zh
from .import_rows import SPECS, Column, RowResult

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
KEEP_SECONDS = 24 * 3600  # an upload nobody confirmed is removed after a day
EXTENSIONS = ("csv", "xlsx")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the admin, in their language."""


# --- Keeping the upload between preview and confirm ---------------------------------------

def imports_dir() -> str:
    return current_app.config.get("IMPORT_DIR") or os.path.join(current_app.instance_path, "imports")


def store_upload(file_storage) -> str:
    """Save the uploaded file under a random token; returns the token."""
    ext = file_storage.filename.rsplit(".", 1)[-1].lower() if "." in (file_storage.filename or "") else ""
    if ext not in EXTENSIONS:
        raise ImportFileError(_("只支持 CSV 或 XLSX 文件"))
    content = file_storage.stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("文件太大（最大 %(mb)s MB），请拆分后导入", mb=MAX_BYTES // 1024 // 1024))
    if not content.strip():
        raise ImportFileError(_("文件是空的"))
    os.makedirs(imports_dir(), exist_ok=True)
    _remove_stale()
    token = secrets.token_urlsafe(24)
    with open(os.path.join(imports_dir(), f"{token}.{ext}"), "wb") as out:
        out.write(content)
    return token


def stored_path(token: str) -> str | None:
    """The file kept under `token`, or None (unknown, expired or not a token at all)."""
    if not TOKEN_RE.match(token or ""):
        return None
    for ext in EXTENSIONS:
        path = os.path.join(imports_dir(), f"{token}.{ext}")
        if os.path.isfile(path):
            return path
    return None


def discard(token: str) -> None:
    path = stored_path(token)
    if path:
        os.remove(path)


def _remove_stale() -> None:
    cutoff = time.time() - KEEP_SECONDS
    with os.scandir(imports_dir()) as entries:
        for entry in entries:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.remove(entry.path)


# --- Reading a table ---------------------------------------------------------------------

def cell_text(value) -> str:
    """A cell as the admin typed it: 13812345678 not 13812345678.0, dates as 2024-08-05."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"  # a cell's value, read like the file's 是/否
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _decode(content: bytes) -> str:
    # Excel in China saves CSV as GBK; everything else says UTF-8 (often with a BOM).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 XLSX"))


def _read_csv(path: str) -> list[list[str]]:
    with open(path, "rb") as f:
        text = _decode(f.read())
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return [[cell_text(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _read_xlsx(path: str) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a broken or mislabelled file: openpyxl raises many kinds
        raise ImportFileError(_("无法读取该 XLSX 文件，请确认它是 Excel 2007 及以上格式")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([cell_text(c) for c in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_table(path: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header row and the data rows with their spreadsheet row numbers (header = 1).
    Empty rows are skipped; their numbers are kept so errors point at the right line."""
    rows = _read_xlsx(path) if path.endswith(".xlsx") else _read_csv(path)
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(c for c in row)]
    if not numbered:
        raise ImportFileError(_("文件中没有内容"))
    (_number, header), data = numbered[0], numbered[1:]
    if len(data) > MAX_ROWS:
        raise ImportFileError(_("一次最多导入 %(n)s 行，请拆分文件", n=MAX_ROWS))
    return header, data


def normalise_header(text: str) -> str:
    """'上级编码 *', 'Parent Code', '电话（可选）' → comparable keys."""
    text = re.sub(r"[（(].*?[)）]", "", text or "")
    return re.sub(r"[\s*_\-]", "", text).lower()


def map_headers(header: list[str], columns: list[Column]) -> tuple[dict[str, int], list[Column], list[str]]:
    """Which file column holds which field; the required columns missing; the ignored ones."""
    by_key = {}
    for column in columns:
        # The Chinese header, the header in the admin's language, the code, the aliases.
        for name in (zh(column.label), str(column.label), column.field) + column.aliases:
            by_key[normalise_header(name)] = column
    positions, ignored = {}, []
    for i, text in enumerate(header):
        column = by_key.get(normalise_header(text))
        if column is None or column.field in positions:
            if text:
                ignored.append(text)
            continue
        positions[column.field] = i
    missing = [c for c in columns if c.required and c.field not in positions]
    return positions, missing, ignored


# --- Preview and confirm -----------------------------------------------------------------

@dataclass
class Preview:
    kind: str
    columns: list[Column]
    rows: list[RowResult] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(len(r.errors) for r in self.rows)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def build_preview(kind: str, path: str, acting_user) -> Preview:
    """Read and check every row; write nothing."""
    spec = SPECS[kind]
    preview = Preview(kind=kind, columns=spec.columns)
    try:
        header, data = read_table(path)
    except ImportFileError as error:
        preview.file_errors.append(str(error))
        return preview
    positions, missing, preview.ignored_columns = map_headers(header, spec.columns)
    if missing:
        names = join_list(_("%(label)s（%(field)s）", label=c.label, field=c.field) for c in missing)
        preview.file_errors.append(_("缺少必填列：%(names)s", names=names))
        return preview
    preview.rows = [
        RowResult(number, {f: (cells[i] if i < len(cells) else "") for f, i in positions.items()})
        for number, cells in data]
    if not preview.rows:
        preview.file_errors.append(_("文件只有表头，没有数据行"))
        return preview
    spec.check(preview.rows, acting_user)
    return preview


def confirm_import(kind: str, token: str, acting_user) -> tuple[Preview, bool]:
    """Check the kept file again and write all of it in one transaction; (preview, written)."""
    path = stored_path(token)
    if path is None:
        raise ImportFileError(_("上传的文件已失效，请重新上传"))
    preview = build_preview(kind, path, acting_user)
    if not preview.ok:
        return preview, False
    try:
        SPECS[kind].apply(preview.rows)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    discard(token)
    return preview, True


def template_csv(kind: str) -> bytes:
    """The header row of an import file, in Chinese in every language (the files are kept in
    Chinese; English headers and the codes are read too); with a BOM so Excel opens it right."""
    out = io.StringIO()
    csv.writer(out).writerow([zh(c.label) for c in SPECS[kind].columns])
    return out.getvalue().encode("utf-8-sig")
