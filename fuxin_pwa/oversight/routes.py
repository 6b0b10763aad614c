"""The leader's view: thin — parse, check access, call a query, render. Leaders and admins only."""
from flask import request

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..field.queries import record_page
from ..field.services import active_task_kinds
from ..photos.services import photos_for_records
from ..web import Page, page_args, render
from . import bp
from .forms import RecordFilterForm
from .queries import people_by_team, place_options, place_tree


@bp.get("/")
@roles_required(*OVERSIGHT_ROLES)
def index():
    """Every place (by community/village, with grids and who covers each) and everyone by team."""
    return render("oversight/index.html", tree=place_tree(), teams=people_by_team())


@bp.get("/records")
@roles_required(*OVERSIGHT_ROLES)
def records():
    """Every check-in and task log, newest first, filtered; htmx gets only the list."""
    form = RecordFilterForm(request.args)
    form.set_choices(place_options(), [(k.code, k.display_label) for k in active_task_kinds()])
    page, per_page = page_args()
    rows, total = record_page(form.record_filter(), page, per_page) if form.validate() else ([], 0)
    return render("oversight/records.html", "oversight/_records.html", form=form,
                  page=Page(rows, page, per_page, total), photos=photos_for_records(r for _, r in rows))
