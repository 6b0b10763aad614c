"""The admin's audit page and its CSV export: thin views over services.py."""
import csv
import io
from datetime import date

from flask import Response, request, stream_with_context
from flask_babel import gettext as _

from ..access import roles_required
from ..auth.models import ADMIN
from ..stats.workbook import BOM, CSV_MIMETYPE, FORMULA_START, content_disposition
from ..timeutil import local_today
from ..web import page_args, render
from . import bp
from .services import SYSTEM, AuditFilter, actor_choices, csv_rows, entries_page, type_choices

CSV_CHUNK_ROWS = 500


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:  # empty or mistyped: no bound
        return None


def _filter() -> AuditFilter:
    return AuditFilter(actor=request.args.get("actor", "").strip(), object_type=request.args.get("type", ""),
                       object_id=request.args.get("object_id", type=int),
                       date_from=_date("date_from"), date_to=_date("date_to"))


@bp.get("/")
@roles_required(ADMIN)
def index():
    """Every recorded change, newest first, by person, object type and date."""
    f = _filter()
    return render("audit/index.html", "audit/_list.html", f=f, page=entries_page(f, *page_args()),
                  actors=actor_choices(), types=type_choices(), system=SYSTEM)


def _csv_cell(value):
    """Text that starts like a formula stays text in a spreadsheet (what Excel itself does)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_chunks(f: AuditFilter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_("时间"), _("操作人"), _("对象"), _("编号"), _("操作"), _("字段"), _("修改前"), _("修改后"),
                     _("路径")])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(csv_rows(f), start=1):
        writer.writerow([_csv_cell(v) for v in row])
        if n % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


@bp.get("/export.csv")
@roles_required(ADMIN)
def export():
    """The same filter's entries for an auditor: one row per changed field."""
    f = _filter()
    response = Response(stream_with_context(_csv_chunks(f)), mimetype=CSV_MIMETYPE)
    day = local_today().strftime("%Y%m%d")
    response.headers["Content-Disposition"] = content_disposition(f"{_('变更记录')}_{day}.csv", f"fuxin-audit-{day}.csv")
    response.headers["Cache-Control"] = "private, no-store"
    return response
