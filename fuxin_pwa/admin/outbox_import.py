"""Admin view for importing a device's exported outbox: upload → applied → what happened to
each record. No preview step: applying is idempotent (a record id is stored once), so the
same file imported again only answers "already there"."""

from flask_babel import lazy_gettext as _l

from ..access import roles_required
from ..auth.models import ADMIN
from ..records import CONFLICT, CREATED, DUPLICATE, REJECTED
from ..sync.outbox_file import OutboxFileError, import_outbox
from ..web import form_status, render
from . import bp
from .forms import OutboxImportForm

STATUS_LABELS = {CREATED: _l("新增"), DUPLICATE: _l("已有（重复）"), REJECTED: _l("未导入"),
                 CONFLICT: _l("已保存（有冲突）")}


@bp.route("/outbox-import", methods=["GET", "POST"])
@roles_required(ADMIN)
def outbox_import():
    """Upload a file the device exported; its records are applied as the person who made them."""
    form = OutboxImportForm()
    report = None
    if form.validate_on_submit():
        try:
            report = import_outbox(form.file.data.read())
        except OutboxFileError as error:
            form.file.errors.append(str(error))
    return render("admin/outbox_import.html", form=form, report=report, labels=STATUS_LABELS,
                  CREATED=CREATED, DUPLICATE=DUPLICATE, REJECTED=REJECTED, status=form_status(form))
