"""Field views: thin — parse, check access, call a service, render."""
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..auth.models import FIELD_ROLES, OVERSIGHT_ROLES
from ..domain import an_id
from ..extensions import db
from ..kept import hole_context, kept_page
from ..photos.services import photos_for_records
from ..places.services import get_household, place_choices
from ..records import REJECTED, web_meta
from ..web import Page, page_args, render
from . import bp
from .forms import CheckInForm, TaskLogForm, kind_choices
from .models import LOW_ACCURACY_M, RELAY_KIND
from .panels import changes_at, panels_for
from .queries import my_places_this_week, my_record
from .services import active_task_kinds, save_checkin, save_task_log

ANYONE = FIELD_ROLES + OVERSIGHT_ROLES


@bp.get("/")
@login_required
def home():
    """The field home: my places with this week's visits, and the two big actions. Leaders
    and admins start on the week's coverage, the first thing they look at."""
    if current_user.sees_all and request.args.get("field") != "1":
        return redirect(url_for("coverage.index"))
    return kept_page(current_user, _draw_home)


def _draw_home():
    """The home as kept.py keeps it: drawn with holes for what each answer fills in."""
    panels = panels_for(current_user)
    html = render_template("field/home.html", places=my_places_this_week(current_user), panels=panels,
                           **hole_context())
    return html, changes_at(panels)


def _prefill(form, places):
    if not form.record_id.data:
        form.record_id.data = str(uuid.uuid4())
    if form.place_id.data is None:
        wanted = request.args.get("place_id", type=an_id)
        ids = [pid for pid, _label in places]
        form.place_id.data = wanted if wanted in ids else (ids[0] if len(ids) == 1 else None)


def _household_choice(form):
    """The household a link opened the form for (?household_id=…, a household of the plan),
    offered beside 不关联; 404 for one outside the person's places."""
    household = None
    if request.args.get("household_id", type=an_id):
        household = get_household(request.args.get("household_id", type=an_id), current_user)
    form.household_id.choices = [("", _("不关联"))] + ([(household.id, household.address)] if household else [])
    return household


@bp.route("/checkin", methods=["GET", "POST"])
@roles_required(*ANYONE)
def checkin():
    form = CheckInForm(user=current_user)
    form.place_id.choices = place_choices(current_user)
    household = _household_choice(form)
    if form.validate_on_submit():
        result = save_checkin(current_user, form, web_meta(form, "checkin"))
        if result.status != REJECTED:
            flash(_("已保存签到"), "success")
            return redirect(url_for("field.home"))
        form.record_id.errors = result.errors["id"]
    if household and form.household_id.data is None and request.method == "GET":
        form.household_id.data = household.id
        form.place_id.data = household.place_id
    _prefill(form, form.place_id.choices)
    return render("field/checkin.html", form=form, low_accuracy_m=LOW_ACCURACY_M,
                  status=422 if form.errors else 200)


@bp.route("/log", methods=["GET", "POST"])
@roles_required(*ANYONE)
def task_log():
    form = TaskLogForm(user=current_user)
    form.place_id.choices = place_choices(current_user)
    form.kind.choices = kind_choices(active_task_kinds())
    household = _household_choice(form)
    form.case_id.choices = [("", _("不关联"))]
    if form.validate_on_submit():
        result = save_task_log(current_user, form, web_meta(form, "task_log"))
        if result.status != REJECTED:
            flash(_("已保存工作记录"), "success")
            if result.record.case_id:
                return redirect(url_for("cases.show", case_id=result.record.case_id))
            return redirect(url_for("field.home"))
        form.record_id.errors = result.errors["id"]
    if household and form.household_id.data is None and request.method == "GET":
        form.household_id.data = household.id
        form.place_id.data = household.place_id
    directive = _relaying(form)
    _prefill(form, form.place_id.choices)
    return render("field/task_log.html", form=form, directive=directive, status=422 if form.errors else 200)


def _relaying(form):
    """Opened from a directive's card (?directive_id=…&place_id=…): the relay's form, a
    briefing by default. The directive shown is only a heading; the form validates the link."""
    from ..directives.models import Directive  # the directives area builds on this one

    if request.method == "GET" and form.directive_id.data is None:
        form.directive_id.data = request.args.get("directive_id", type=an_id)
        if form.directive_id.data is not None and not form.kind.data:
            form.kind.data = RELAY_KIND
    return db.session.get(Directive, form.directive_id.data) if form.directive_id.data else None


@bp.get("/my/record")
@login_required
def record():
    """My last 30 days; active search answers the list fragment to htmx."""
    q = request.args.get("q", "")
    page, per_page = page_args()
    rows, total = my_record(current_user, q, page, per_page)
    return render("field/record.html", "field/_record_list.html",
                  page=Page(rows, page, per_page, total), q=q,
                  photos=photos_for_records(r for _type, r in rows))
