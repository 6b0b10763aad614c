"""Privacy views: revealing one number (any logged-in person, checked per record) and the
admin's access log with its CSV. Thin: parse → check access → service → render."""
from flask import Response, abort, current_app, has_request_context, request, stream_with_context, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..access import roles_required
from ..auth.models import ADMIN
from ..stats.forms import ALL, LEDGERS
from ..stats.workbook import CSV_MIMETYPE, content_disposition, csv_stream
from ..timeutil import local_today
from ..web import form_status, is_htmx, local_time, page_args, render
from . import bp
from .forms import AccessLogFilterForm, RevealForm
from .models import FIELD_LABELS, HOUSEHOLD, REQUEST, REVEAL_REASONS
from .queries import access_log_page, access_log_rows, people_choices
from .services import LoggedExport, RevealRefused, reveal, subject_value

# Without JavaScript the reveal answers with the record's own page, drawn by its own view.
SUBJECT_PAGES = {REQUEST: ("requests.show", "request_id"), HOUSEHOLD: ("cases.household", "household_id")}


# What this HTTP request revealed, or refused with errors: kept in its WSGI environ, which
# lives exactly as long as the request (an app context may outlive it, in tests and the CLI).
REVEALED, REVEAL_ERRORS = "fuxin.privacy.revealed", "fuxin.privacy.reveal_errors"


@bp.app_template_global()
def reveal_shown(subject_type: str, subject_id: int, field: str) -> bool:
    """Whether this request revealed the field (masked is the default everywhere)."""
    return has_request_context() and (subject_type, subject_id, field) in request.environ.get(REVEALED, ())


@bp.app_template_global()
def reveal_errors(subject_type: str, subject_id: int, field: str) -> list:
    if not has_request_context():
        return []
    return request.environ.get(REVEAL_ERRORS, {}).get((subject_type, subject_id, field), [])


@bp.app_template_global()
def reveal_reasons() -> dict:
    return REVEAL_REASONS


@bp.post("/privacy/reveal/<any(request, household):subject_type>/<int:subject_id>/<any(phone, id_number):field>")
@login_required
def reveal_field(subject_type, subject_id, field):
    """The full number, for a reason, logged. htmx swaps in the value; a browser without
    JavaScript gets the record's page with the value shown."""
    try:
        stored = subject_value(current_user, subject_type, subject_id, field)  # 404 or 403 before anything
    except RevealRefused:
        abort(403)
    form = RevealForm()
    key = (subject_type, subject_id, field)
    if form.validate_on_submit():
        reveal(current_user, subject_type, subject_id, field, form.reason.data)
        request.environ[REVEALED] = {key}
    else:
        request.environ[REVEAL_ERRORS] = {key: form.reason.errors or form.errors.get("csrf_token", [])}
    status = form_status(form)
    if is_htmx():
        return render("privacy/_revealed.html", status=status, subject_type=subject_type, subject_id=subject_id,
                      field=field, value=stored)
    endpoint, arg = SUBJECT_PAGES[subject_type]
    response = current_app.make_response(current_app.view_functions[endpoint](**{arg: subject_id}))
    response.status_code = status
    return response


# --- The access log (admins) -------------------------------------------------------------------

def _filter_form():
    form = AccessLogFilterForm(request.args)
    form.set_choices(people_choices())
    form.validate()
    return form


@bp.get("/admin/access-log/")
@roles_required(ADMIN)
def access_log():
    """Every reveal and export of residents' data, newest first, filtered and paged."""
    form = _filter_form()
    page = access_log_page(form.access_filter(), *page_args())
    return render("privacy/access_log.html", "privacy/_access_log_list.html", status=form_status(form),
                  form=form, page=page, field_text=field_text,
                  export_url=url_for("privacy.export_access_log",
                                     **{k: v for k, v in request.args.items() if k != "page"}))


ALL_LEDGERS = _l("全部台账")
ACCESS_LOG_COLUMNS = (_l("时间"), _l("人员"), _l("用户名"), _l("类型"), _l("对象"), _l("编号"), _l("字段/台账"),
                      _l("用途"), _l("筛选条件"), _l("行数"))


@bp.get("/admin/access-log/export.csv")
@roles_required(ADMIN)
def export_access_log():
    """The filtered log as CSV for an audit; taking it away is itself logged."""
    f = _filter_form().access_filter()
    export = LoggedExport(current_user, "access_log", "access_log", request.args.to_dict())
    rows = ((local_time(e.at, "%Y-%m-%d %H:%M:%S"), name, username, str(e.kind_label), str(e.subject_label),
             e.subject_id, field_text(e), str(e.reason_label), e.filters, e.rows)
            for e, name, username in export.count(access_log_rows(f)))
    response = Response(stream_with_context(export.stream(csv_stream(ACCESS_LOG_COLUMNS, rows))),
                        mimetype=CSV_MIMETYPE)
    day = f"{local_today():%Y%m%d}"
    response.headers["Content-Disposition"] = content_disposition(f"个人信息访问记录_{day}.csv",
                                                                  f"fuxin-access-log-{day}.csv")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def field_text(entry) -> str:
    """电话 / 身份证号 for a reveal; for a ledger's export, its name and format."""
    if entry.field in FIELD_LABELS:
        return str(FIELD_LABELS[entry.field])
    ledger, _dot, fmt = entry.field.partition(".")
    name = LEDGERS.get(ledger, ALL_LEDGERS if ledger == ALL else entry.subject_label)
    return f"{name} ({fmt})" if fmt else str(name)
