"""三必访 views: thin — parse, check access, call a service, render.

A trigger is recorded by a leader, an admin, or the person about themselves; the visit by a
leader or admin (online here, or offline from the home's card through the sync). A care
record is personnel data: the person, leaders and admins; anyone else gets 404."""
import uuid

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES, User
from ..domain import NotFound
from ..extensions import db
from ..field.forms import int_or_none
from ..field.panels import TOP, home_panel
from ..people.sections import profile_section
from ..people.services import may_see
from ..records import DUPLICATE, CREATED, web_meta
from ..stats.workbook import xlsx_download
from ..timeutil import local_day_bounds_utc, local_today
from ..web import form_status, render
from . import bp
from .export import ledger_workbook
from .forms import CareVisitForm, TriggerForm
from .models import CareTrigger
from .queries import owed_visits, triggers_of, year_triggers
from .services import leaders, record_trigger, save_care_visit

HOME_LIMIT = 6


@home_panel("care", "care/_home.html", slot=TOP, order=40)
def _home_care(user):
    """The responsible leader's owed and overdue care visits, each with its visit form (the
    home opens offline, so the visit can be recorded with no signal)."""
    if not user.sees_all:
        return None
    owed = owed_visits(user.id)
    if not owed:
        return None
    today = local_today()
    # Drawn again at midnight: "已超期 n 天" and the form's date move on with the day.
    return {"owed": owed[:HOME_LIMIT], "more": max(0, len(owed) - HOME_LIMIT), "today": today,
            "changes_at": local_day_bounds_utc(today, today)[1]}


@profile_section("care", order=60)
def _profile_care(viewer, person):
    triggers = triggers_of(person.id)
    return Markup(render_template("care/_profile.html", person=person, triggers=triggers, viewer=viewer))


def _get_trigger(trigger_id) -> CareTrigger:
    trigger = db.session.get(CareTrigger, trigger_id)
    if trigger is None or not may_see(current_user, trigger.person_id):
        raise NotFound()
    return trigger


def _visit_form(trigger, formdata=None):
    form = CareVisitForm(formdata=formdata, user=current_user)
    if formdata is None:
        form.record_id.data = str(uuid.uuid4())
        form.trigger_id.data = trigger.id
        form.visited_on.data = local_today()
    return form


@bp.get("/")
@login_required
def index():
    """Leaders: visits owed by anyone and the year's ledger. Others: their own care record."""
    if not current_user.sees_all:
        return redirect(url_for("people.show", person_id=current_user.id))
    year = request.args.get("year", local_today().year, type=int)
    year = year if 2000 <= year <= 2100 else local_today().year
    return render("care/index.html", owed=owed_visits(), triggers=year_triggers(year), year=year)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = TriggerForm()
    if current_user.sees_all:
        people = db.session.scalars(db.select(User).where(User.active).order_by(User.name, User.id)).all()
        form.person_id.choices = [(None, _("请选择"))] + [(p.id, f"{p.name}（{p.team_label or p.role_label}）")
                                                          for p in people]
        if request.method == "GET":  # from a person's profile: theirs
            form.person_id.data = request.args.get("person_id", type=int_or_none)
    else:  # the person about themselves
        form.person_id.choices = [(current_user.id, current_user.name)]
        if form.person_id.data is None and request.method == "GET":
            form.person_id.data = current_user.id
    form.responsible_id.choices = [(None, _("请选择"))] + [(p.id, p.name) for p in leaders()]
    if form.validate_on_submit():
        trigger = record_trigger(current_user, form.person_id.data, form.reason.data, form.happened_on.data,
                                 form.note.data, form.responsible_id.data)
        flash(_("已登记，%(date)s 前完成走访", date=f"{trigger.due_on:%Y-%m-%d}"), "success")
        return redirect(url_for("care.show", trigger_id=trigger.id))
    return render("care/new.html", form=form, status=form_status(form))


@bp.get("/<int:trigger_id>")
@login_required
def show(trigger_id):
    trigger = _get_trigger(trigger_id)
    form = _visit_form(trigger) if current_user.sees_all else None
    return render("care/show.html", trigger=trigger, form=form)


@bp.post("/<int:trigger_id>/visits")
@login_required
def add_visit(trigger_id):
    trigger = _get_trigger(trigger_id)
    if not current_user.sees_all:  # the person sees their record, the leaders make the visit
        raise NotFound()
    form = _visit_form(trigger, request.form)
    form.trigger_id.data = trigger.id  # the URL's trigger, whatever the form said
    if form.validate_on_submit():
        result = save_care_visit(current_user, form, web_meta(form, "care_visit"))
        if result.status in (CREATED, DUPLICATE):
            flash(_("已记录关爱走访"), "success")
            return redirect(url_for("care.show", trigger_id=trigger.id))
        form.record_id.errors = list(result.errors.get("id", [])) if result.errors else []
    return render("care/show.html", trigger=trigger, form=form, status=form_status(form) if form.errors else 400)


@bp.get("/ledger.xlsx")
@roles_required(*OVERSIGHT_ROLES)
def ledger():
    year = request.args.get("year", local_today().year, type=int)
    year = year if 2000 <= year <= 2100 else local_today().year
    out, name, ascii_name = ledger_workbook(year, current_user)
    return xlsx_download(out, name, ascii_name)
