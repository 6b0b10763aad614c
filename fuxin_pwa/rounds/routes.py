"""Planned rounds' views: thin — parse, check access, call a service, render.

Leaders and admins set the rules and see completion per place and per team; field staff see
their plan (the home's panel, and the whole list here). Admins and the grid worker covering
a household set its care groups; a visit is logged with the field's task-log or check-in
form naming the household. The phone gets the plan in /api/v1/me (sync/routes.py)."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..auth.models import ADMIN, GRID_WORKER, OVERSIGHT_ROLES, TEAM_LABELS
from ..field.panels import BOTTOM, home_panel
from ..places.services import get_household
from ..web import form_status, render
from . import bp
from .forms import CareTagsForm, ConfirmForm, RuleForm
from .models import CARE_TAGS
from .queries import rounds_by_place
from .services import all_rules, delete_rule, household_tags, month_plan, save_rule, set_care_tags

# The home lists this many households still owed; the rest are on /rounds/.
HOME_LIMIT = 8


@home_panel("rounds", "rounds/_home.html", slot=BOTTOM, order=30)
def _home_rounds(user):
    plan = month_plan(user)
    if plan is None or not plan.households:
        return None
    owed = plan.owed
    return {"plan": plan, "owed": owed[:HOME_LIMIT], "more": max(0, len(owed) - HOME_LIMIT), "limit": HOME_LIMIT}


def _leader_page(form, status=200):
    return render("rounds/leader.html", form=form, rules=all_rules(), places=rounds_by_place(),
                  teams=TEAM_LABELS, confirm=ConfirmForm(), status=status)


@bp.get("/")
@login_required
def index():
    """Leaders: the rules and each place's completion by team. Field staff: their plan."""
    if current_user.sees_all:
        return _leader_page(RuleForm())
    return render("rounds/mine.html", plan=month_plan(current_user))


@bp.post("/rules")
@roles_required(*OVERSIGHT_ROLES)
def save():
    form = RuleForm()
    if not form.validate_on_submit():
        return _leader_page(form, status=form_status(form) if form.errors else 400)
    save_rule(current_user, form.team.data, form.care_tag.data, form.visits_per_month.data)
    flash(_("已保存走访计划规则"), "success")
    return redirect(url_for("rounds.index"))


@bp.post("/rules/<int:rule_id>/delete")
@roles_required(*OVERSIGHT_ROLES)
def delete(rule_id):
    if ConfirmForm().validate_on_submit() and delete_rule(rule_id):
        flash(_("已删除走访计划规则"), "success")
    return redirect(url_for("rounds.index"))


@bp.route("/households/<int:household_id>/tags", methods=["GET", "POST"])
@roles_required(ADMIN, GRID_WORKER)
def household(household_id):
    """A household's care groups: the admin's, or the grid worker's who covers it (404 for
    one outside her places, as everywhere)."""
    target = get_household(household_id, current_user)
    form = CareTagsForm(data={"tags": household_tags(target.id)})
    form.tags.choices = [(code, str(label)) for code, label in CARE_TAGS.items()]
    if form.validate_on_submit():
        set_care_tags(target, form.tags.data or [])
        flash(_("已保存重点人群"), "success")
        return redirect(url_for("rounds.household", household_id=target.id))
    return render("rounds/household.html", household=target, form=form, status=form_status(form))
