"""Admin views for importing people, places and households: upload → preview → confirm."""
from flask import abort, flash, make_response, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..auth.models import ADMIN
from ..web import form_status, render
from . import bp, importer
from .forms import ImportForm
from .import_rows import ACTION_LABELS, NEW, SAME, SPECS, UPDATE

KINDS = "any(places, people, households)"


@bp.get("/import")
@roles_required(ADMIN)
def import_index():
    """The three imports, each with its template file."""
    return render("admin/import_index.html", specs=SPECS)


@bp.route(f"/import/<{KINDS}:kind>", methods=["GET", "POST"])
@roles_required(ADMIN)
def import_upload(kind: str):
    """Upload a file; it is kept aside and previewed, nothing is written yet."""
    form = ImportForm()
    if form.validate_on_submit():
        try:
            token = importer.store_upload(form.file.data)
        except importer.ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            return redirect(url_for("admin.import_preview", kind=kind, token=token))
    return render("admin/import_upload.html", form=form, kind=kind, spec=SPECS[kind], status=form_status(form))


@bp.get(f"/import/<{KINDS}:kind>/template.csv")
@roles_required(ADMIN)
def import_template(kind: str):
    response = make_response(importer.template_csv(kind))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f"attachment; filename={kind}-template.csv"
    return response


def _preview_page(kind: str, token: str, preview, status: int = 200):
    return render("admin/import_preview.html", kind=kind, token=token, spec=SPECS[kind], preview=preview,
                  NEW=NEW, UPDATE=UPDATE, SAME=SAME, action_labels=ACTION_LABELS, status=status)


@bp.get(f"/import/<{KINDS}:kind>/<token>")
@roles_required(ADMIN)
def import_preview(kind: str, token: str):
    """Every row of the file with what would happen to it and its errors."""
    path = importer.stored_path(token)
    if path is None:
        abort(404)
    return _preview_page(kind, token, importer.build_preview(kind, path, current_user))


@bp.post(f"/import/<{KINDS}:kind>/<token>/confirm")
@roles_required(ADMIN)
def import_confirm(kind: str, token: str):
    """Check the file again and write it all, or nothing if any row has an error."""
    try:
        preview, written = importer.confirm_import(kind, token, current_user)
    except importer.ImportFileError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.import_upload", kind=kind))
    if not written:
        flash(_("文件中有 %(n)s 处错误，没有导入任何数据。请修改后重新上传。", n=preview.error_count), "error")
        return _preview_page(kind, token, preview, status=422)
    flash(_("已导入%(what)s：新增 %(new)s 条，更新 %(updated)s 条，不变 %(same)s 条", what=SPECS[kind].label,
            new=preview.count(NEW), updated=preview.count(UPDATE), same=preview.count(SAME)), "success")
    return redirect(url_for({"places": "admin.places", "people": "admin.people",
                             "households": "admin.index"}[kind]))
