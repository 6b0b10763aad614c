"""The admin's audit page and its CSV export: thin views over services.py."""
from flask import Response, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..access import roles_required
from ..auth.models import ADMIN
from ..privacy.services import LoggedExport
from ..stats.workbook import CSV_MIMETYPE, content_disposition, csv_stream
from ..timeutil import local_today
from ..web import form_status, page_args, render
from . import bp
from .forms import AuditFilterForm
from .services import actor_choices, csv_rows, entries_page, type_choices


def _filter_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    form.set_choices(actor_choices(), type_choices())
    form.validate()
    return form


@bp.get("/")
@roles_required(ADMIN)
def index():
    """Every recorded change, newest first, by person, object type and date."""
    form = _filter_form()
    return render("audit/index.html", "audit/_list.html", status=form_status(form), form=form,
                  page=entries_page(form.audit_filter(), *page_args()))


CSV_COLUMNS = (_l("时间"), _l("操作人"), _l("对象"), _l("编号"), _l("操作"), _l("字段"), _l("修改前"), _l("修改后"),
               _l("路径"))


@bp.get("/export.csv")
@roles_required(ADMIN)
def export():
    """The same filter's entries for an auditor: one row per changed field. The log holds
    personal values (masked) and who changed what: taking it away is in the access log."""
    f = _filter_form().audit_filter()
    export = LoggedExport(current_user, "audit", "audit", request.args.to_dict())
    response = Response(stream_with_context(export.stream(csv_stream(CSV_COLUMNS, export.count(csv_rows(f))))),
                        mimetype=CSV_MIMETYPE)
    day = local_today().strftime("%Y%m%d")
    response.headers["Content-Disposition"] = content_disposition(f"{_('变更记录')}_{day}.csv", f"fuxin-audit-{day}.csv")
    response.headers["Cache-Control"] = "private, no-store"
    return response
