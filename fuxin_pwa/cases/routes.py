"""Case views (一户一策): thin — parse, check access, call a service, render.

Access: a person sees the households and cases under the places they cover (404 outside);
anyone who sees a case may log a visit on it; its owner, leaders and admins move its status."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..domain import an_id
from ..field.tied_forms import save_tied, tied_task_log_form
from ..photos.services import photos_for_records
from ..places.services import get_household, place_path
from ..web import Page, form_status, is_htmx, page_args, render
from . import bp
from .forms import CaseFilterForm, CaseForm, CaseStatusForm
from .services import (TransitionError, case_events, case_visits, change_status, default_visit_kind,
                       get_case, household_cases, list_cases, may_change_status, open_case,
                       owner_candidates, recent_household_logs, search_households, visit_count)




@bp.get("/")
@login_required
def index():
    """Cases in my place scope, filtered; htmx gets only the list."""
    form = CaseFilterForm(request.args)
    form.validate()
    page, per_page = page_args()
    rows, total = list_cases(current_user, page=page, per_page=per_page, **form.values())
    return render("cases/index.html", "cases/_case_list.html", form=form,
                  page=Page(rows, page, per_page, total))


@bp.get("/households")
@login_required
def households():
    """Find a household in my scope, to open its page (and a case on it)."""
    q = request.args.get("q", "")
    page, per_page = page_args()
    items, total = search_households(current_user, q, page, per_page)
    return render("cases/households.html", "cases/_household_list.html", q=q,
                  page=Page(items, page, per_page, total))


@bp.get("/households/<int:household_id>")
@login_required
def household(household_id):
    """One household: who they are (masked), their cases and the latest work logged there."""
    household = get_household(household_id, current_user)
    return render("cases/household.html", household=household, place_label=place_path(household.place),
                  cases=household_cases(household), logs=recent_household_logs(household))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Open a case on a household; the owner is someone who covers it (me by default)."""
    household_id = request.args.get("household_id", type=an_id)
    if not household_id:
        flash(_("请先找到要立案的户"), "info")
        return redirect(url_for("cases.households"))
    household = get_household(household_id, current_user)
    form = CaseForm()
    form.owner_id.choices = [(p.id, _("%(name)s（%(role)s）", name=p.name, role=p.role_label))
                             for p in owner_candidates(household, current_user)]
    if form.validate_on_submit():
        case = open_case(current_user, household, form.kind.data, form.title.data, form.plan.data,
                         form.owner_id.data)
        flash(_("已建立一户一策"), "success")
        return redirect(url_for("cases.show", case_id=case.id))
    if form.owner_id.data is None:
        form.owner_id.data = current_user.id
    return render("cases/new.html", form=form, household=household, status=form_status(form))


@bp.get("/<int:case_id>")
@login_required
def show(case_id):
    """The case: plan, owner, status, and the timeline of visits with a form to add one."""
    return _case_page(get_case(case_id, current_user))


@bp.post("/<int:case_id>/visits")
@login_required
def add_visit(case_id):
    """A visit on the case is a task log: TaskLogForm validates it and save_task_log stores it,
    as for the field form and sync. htmx gets the new timeline, a fresh form and (out of band)
    the case's facts and status; a browser without JS gets the page again."""
    case = get_case(case_id, current_user)
    form = _visit_form(case, request.form)
    if not save_tied(current_user, form):
        return _case_page(case, visit_form=form, status=form_status(form))
    if not is_htmx():
        flash(_("已记录走访"), "success")
        return redirect(url_for("cases.show", case_id=case.id, _anchor="visits"))
    return _case_page(case, saved=True)


@bp.post("/<int:case_id>/status")
@login_required
def move_status(case_id):
    """Change the case's status along CASE_TRANSITIONS; who and when are recorded."""
    case = get_case(case_id, current_user)
    if not may_change_status(case, current_user):
        abort(403)
    form = CaseStatusForm(case=case)
    if form.validate_on_submit():
        try:
            change_status(case, current_user, form.to_status.data, form.note.data)
        except TransitionError as error:  # moved by someone else since the form was read
            form.to_status.errors = [str(error)]
        else:
            flash(_("状态已改为「%(status)s」", status=case.status_label), "success")
            return redirect(url_for("cases.show", case_id=case.id))
    response = _case_page(case, status_form=form, status=form_status(form))
    # A boosted form would otherwise leave /status (a POST-only URL) in the address bar.
    response.headers["HX-Replace-Url"] = url_for("cases.show", case_id=case.id)
    return response


def _visit_form(case, formdata=None):
    """The field's task-log form, tied to this case: the case, not the request, says which
    place, household and case the visit belongs to."""
    fixed = {"place_id": case.household.place_id, "household_id": case.household_id, "case_id": case.id}
    return tied_task_log_form(current_user, fixed, formdata, default_kind=default_visit_kind(case))


def _case_page(case, visit_form=None, status_form=None, status: int = 200, saved: bool = False):
    may_change = may_change_status(case, current_user)
    if status_form is None and may_change:
        status_form = CaseStatusForm(formdata=None, case=case)
    visits = case_visits(case)
    return render("cases/show.html", "cases/_visits.html", status=status, case=case,
                  visits=visits, photos=photos_for_records(visits), visit_total=visit_count(case),
                  events=case_events(case),
                  visit_form=visit_form or _visit_form(case), status_form=status_form,
                  may_change=may_change, saved=saved)
