"""Statistics and ledgers (统计 · 台账): thin views, leaders and admins only. Every export
is written to the personal-data access log (who, which ledger, the filters, how many rows).

/stats/ shows the figures for a filter (htmx swaps the results when the filter changes);
/stats/export.<xlsx|csv> writes the ledgers under the same filter, for every area that links
to a ledger (the incident board links to one incident's log)."""
from dataclasses import replace

from flask import Response, abort, request, send_file, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..dispatch.models import Incident
from ..extensions import db
from ..oversight.queries import place_options
from ..privacy.services import LoggedExport
from ..timeutil import to_local
from ..web import form_status, render
from . import bp
from .charts import format_duration, report_charts
from .forms import ALL, INCIDENTS, LEDGERS, ExportForm, StatsFilterForm
from .ledgers import Options, ledgers_for
from .queries import build_report, task_kind_choices
from .workbook import CSV_MIMETYPE, XLSX_MIMETYPE, content_disposition, csv_chunks, write_xlsx



@bp.get("/")
@roles_required(*OVERSIGHT_ROLES)
def index():
    """Per month, per team and per place, for the filter; htmx gets only the results."""
    form = StatsFilterForm(request.args)
    form.set_choices(place_options())
    form.fill_default_dates()
    report = build_report(form.stats_filter()) if form.validate() else None
    return render("stats/index.html", "stats/_results.html", status=form_status(form), form=form, report=report,
                  charts=report_charts(report) if report else None, duration=format_duration,
                  ledgers=LEDGERS)


@bp.get("/export.<any(xlsx, csv):fmt>")
@roles_required(*OVERSIGHT_ROLES)
def export(fmt):
    """One ledger (or, in Excel, all of them) under the page's filters, as a download."""
    form = ExportForm(request.args)
    form.set_export_choices(place_options(), task_kind_choices(), fmt)
    form.fill_default_dates()
    if not form.validate():
        return render("stats/export_error.html", status=400, form=form)
    incident = None
    if form.incident_id.data and form.ledger.data in (INCIDENTS, ALL):
        incident = db.session.get(Incident, form.incident_id.data) or abort(404)
    options = Options(filter=form.stats_filter(), kind=form.kind.data or None,
                      status=form.status.data or None, incident=incident)
    export = LoggedExport(current_user, "ledger", f"{form.ledger.data}.{fmt}", request.args.to_dict())
    ledgers = [replace(ledger, rows=_counted(ledger.rows, export)) for ledger in ledgers_for(form.ledger.data)]
    name, ascii_name = _file_names(form, incident, fmt)
    if fmt == "csv":
        response = Response(stream_with_context(export.stream(csv_chunks(ledgers[0], options))),
                            mimetype=CSV_MIMETYPE)
    else:
        response = send_file(write_xlsx(ledgers, options), mimetype=XLSX_MIMETYPE)
        export.finish()
    response.headers["Content-Disposition"] = content_disposition(name, ascii_name)
    response.headers["Cache-Control"] = "private, no-store"  # residents' names: never in a shared cache
    return response


def _counted(rows, export):
    """A ledger's rows, counted into the export's log entry as they pass."""
    return lambda options, places: export.count(rows(options, places))


def _file_names(form, incident, fmt) -> tuple[str, str]:
    """签到台账_20250101-20251231.xlsx (and fuxin-visits-20250101-20251231.xlsx for old clients);
    one incident's log is named by its title and the day it started."""
    ledger = form.ledger.data
    title = str(LEDGERS.get(ledger, _("全部台账")))
    if incident is not None and ledger == INCIDENTS:
        day = to_local(incident.started_at).strftime("%Y%m%d")
        return f"{title}_{incident.title[:40]}_{day}.{fmt}", f"fuxin-incident-{incident.id}-{day}.{fmt}"
    dates = f"{form.date_from.data:%Y%m%d}-{form.date_to.data:%Y%m%d}"
    return f"{title}_{dates}.{fmt}", f"fuxin-{ledger}-{dates}.{fmt}"
