"""Writing ledgers out: an Excel workbook (one sheet per ledger) or a CSV file (one ledger).

The workbook is written with openpyxl's write-only mode, which spools each sheet to a
temporary file row by row, and the finished file is sent from disk; the CSV is streamed to the
client as it is read. Neither holds a year of rows in memory.

A cell of text that starts like a formula (=, +, -, @, or a tab or CR) is never run as one:
in Excel it is stored as text with Excel's quote prefix (openpyxl would otherwise store a str
starting with "=" as a formula), in CSV it gets a leading apostrophe (what Excel itself does).
Every export of the app writes its cells through csv_cell / xlsx_cell, the access log's too."""
import csv
import io
import re
import tempfile
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .ledgers import Ledger, Options
from .queries import place_index

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"  # so Excel opens a UTF-8 CSV with its Chinese intact
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_ROWS = 500
SPOOL_BYTES = 8 * 1024 * 1024  # a small workbook stays in memory, a year's goes to disk


def _clean(value):
    """Characters XML forbids (a pasted control character) would stop the workbook from saving."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def xlsx_cell(ws, value):
    """A value for a write-only sheet's row: formula-looking text as a text cell."""
    value = _clean(value)
    if value == "":
        return None  # an empty cell is not written at all: a third of a visit row is empty
    if looks_like_formula(value):
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"  # text, never a formula
        cell.quotePrefix = True  # and Excel keeps it text when someone edits the cell
        return cell
    return value


def csv_cell(value):
    """A value for csv.writer: None as empty, formula-looking text behind an apostrophe."""
    if value is None:
        return ""
    return "'" + value if looks_like_formula(value) else value


def write_xlsx(ledgers: list[Ledger], options: Options):
    """The workbook in a temporary file, rewound, ready to send."""
    places = place_index()
    wb = Workbook(write_only=True)
    for ledger in ledgers:
        _add_sheet(wb, ledger.title, ledger.columns, ledger.rows(options, places))
    return _saved(wb)


def write_table(title, columns, rows):
    """One sheet of any area's rows (a directive's places, say), written as the ledgers are:
    the same header, widths and formula-safe cells. `columns`: (header, width) pairs."""
    wb = Workbook(write_only=True)
    _add_sheet(wb, title, columns, rows)
    return _saved(wb)


def _add_sheet(wb, title, columns, rows) -> None:
    ws = wb.create_sheet(title=str(title)[:31])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F0F2F5")
    wrap = Alignment(vertical="center")
    for i, (_header, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"  # the header row stays in view while scrolling
    header = []
    for header_title, _width in columns:
        cell = WriteOnlyCell(ws, str(header_title))
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([xlsx_cell(ws, v) for v in row])


def _saved(wb):
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    wb.save(out)
    out.seek(0)
    return out


def csv_stream(header, rows):
    """Any export's CSV as text chunks: the BOM and header first, then CSV_CHUNK_ROWS rows at
    a time, every cell through csv_cell (the one rule for formula-looking text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(title) for title in header])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(v) for v in row])
        if n % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_chunks(ledger: Ledger, options: Options):
    """A ledger as CSV chunks."""
    yield from csv_stream([title for title, _width in ledger.columns], ledger.rows(options, place_index()))


_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def content_disposition(name: str, ascii_name: str) -> str:
    """attachment with an ASCII fallback for old clients and the real (Chinese) name as an
    RFC 5987 `filename*`, which every current browser prefers."""
    name = _UNSAFE_IN_NAME.sub("_", name)
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def xlsx_download(workbook, name: str, ascii_name: str):
    """A workbook as a download under its (Chinese) name, never kept by a shared cache: the
    sheets hold people's names."""
    from flask import send_file  # the sheets themselves know nothing of HTTP

    response = send_file(workbook, mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(name, ascii_name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
