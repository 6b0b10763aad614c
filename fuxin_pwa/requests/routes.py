"""Resident request views: thin — parse, check access, call a service, render.

Access (requests/access.py): a person sees the requests in their places, assigned to them or
their team, or raised by them (404 otherwise); leaders and admins see all and alone assign.
Raising, changing and visiting work offline too: the pages' forms are outbox forms whose
records the sync endpoint stores through the same forms and services as these views."""
import uuid

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ..domain import an_id
from ..field.panels import home_panel
from ..field.tied_forms import save_tied, tied_task_log_form
from ..places.services import place_choices
from ..privacy.services import may_reveal_request
from ..records import CONFLICT, REJECTED, web_meta
from ..timeutil import utcnow
from ..web import Page, form_status, is_htmx, page_args, render
from . import bp
from .access import get_request, may_answer_resident, may_assign, may_work
from .forms import RequestFilterForm, RequestForm, RequestUpdateForm
from .models import ASSIGN, ASSIGNED, CALLBACK, CLOSE, OPEN_STATUSES, REOPEN, REQUEST_ACTIONS, START
from .queries import (active_categories, assignee_candidates, household_choices, list_requests,
                      my_open_requests, overdue_count, timeline)
from .services import change_request, display_note, raise_request

VISIT_KIND = "request_followup"  # 诉求办理


@bp.context_processor
def _template_helpers():
    return {"display_note": display_note}




# --- The board -----------------------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    """The requests I may see, filtered; overdue ones first and marked; htmx gets the list."""
    form = RequestFilterForm(request.args, categories=active_categories(),
                             places=place_choices(current_user))
    form.validate()
    page, per_page = page_args()
    now = utcnow()
    items, total = list_requests(current_user, page=page, per_page=per_page, now=now, **form.values())
    return render("requests/index.html", "requests/_list.html", form=form, now=now,
                  page=Page(items, page, per_page, total), overdue=overdue_count(current_user, now))


@home_panel("requests", "requests/_home_mine.html", order=50)
def _home_requests(user):
    items, total = my_open_requests(user)
    now = utcnow()
    return {"requests": items, "total": total, "now": now,
            "changes_at": min(filter(None, (r.due_shown_changes_at(now) for r in items)), default=None)}


@bp.get("/mine")
@login_required
def mine():
    """Not yet closed and assigned to me or my team: the panel at the bottom of the field home."""
    items, total = my_open_requests(current_user)
    return render("requests/mine.html", "requests/_mine_list.html", items=items, total=total, now=utcnow())


# --- Raising -------------------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Take a request down: at the centre's tablet (leaders: any place) or in the field."""
    form = RequestForm(user=current_user)
    form.place_id.choices = place_choices(current_user)
    if request.method == "GET" and form.service_day_id.data is None:
        form.service_day_id.data = request.args.get("service_day_id", type=an_id)
    service_day = form.linked_service_day()
    if service_day is not None and service_day.place_id not in {pid for pid, _label in form.place_id.choices}:
        form.place_id.choices = [(service_day.place_id, service_day.place.name)] + form.place_id.choices
    form.category.choices = [("", _("请选择"))] + [
        (c.code, _("%(label)s（%(n)s天）", label=c.display_label, n=c.deadline_days)) for c in active_categories()]
    if form.validate_on_submit():
        result = raise_request(current_user, form, web_meta(form, "request"))
        if result.status != REJECTED:
            flash(_("已登记群众诉求"), "success")
            return redirect(url_for("requests.show", request_id=result.record.id))
        form.record_id.errors = list(result.errors["id"])
    if not form.record_id.data:
        form.record_id.data = str(uuid.uuid4())
    if form.place_id.data is None and request.method == "GET":
        wanted = request.args.get("place_id", type=an_id) or (service_day and service_day.place_id)
        ids = [pid for pid, _label in form.place_id.choices]
        form.place_id.data = wanted if wanted in ids else (ids[0] if len(ids) == 1 else None)
    form.household_id.choices = _household_options(form.place_id.data)
    return render("requests/new.html", form=form, status=form_status(form), service_day=service_day)


def _household_options(place_id):
    return [("", _("不关联"))] + [(h.id, f"{h.address}（{h.head_name}）")
                                  for h in household_choices(current_user, place_id)]


@bp.get("/households")
@login_required
def households():
    """The household options of a place, for the raise form's select once a place is chosen."""
    return render("requests/_household_options.html",
                  options=_household_options(request.args.get("place_id", type=an_id)))


# --- One request ---------------------------------------------------------------------------------

@bp.get("/<int:request_id>")
@login_required
def show(request_id):
    """The request's facts, what may be done to it now, and its whole timeline."""
    return _request_page(get_request(request_id, current_user))


@bp.post("/<int:request_id>/events")
@login_required
def act(request_id):
    """A change (派单, 开始办理, 办结, 重新打开, 回访) made against the version on the page. A
    stale one is kept as a conflict and the person is told; a refused one comes back."""
    req = get_request(request_id, current_user)
    action = request.form.get("action", "")
    if action not in ACTION_PANELS:  # the page always names one: only a forged post does not
        abort(400)
    form = _action_form(req, action, request.form)
    if form.validate_on_submit():
        result = change_request(current_user, req, form.action.data, form.change_data(),
                                web_meta(form, "request_update"), form.base_version.data)
        if result.status == CONFLICT:
            flash(_("没有生效：您打开页面后，已有其他人先更改了这条诉求。您的操作已记入时间线"
                    "（标为“冲突（未生效）”），请看清最新状态后再操作。"), "error")
            return _back_to(req)
        if result.status != REJECTED:
            flash(_("已保存：%(action)s", action=form.action_label), "success")
            return _back_to(req)
        for name, messages in result.errors.items():
            target = form.base_version if name == "base_version" else form.action
            target.errors = list(target.errors) + list(messages)
    response = _request_page(req, posted=form, status=form_status(form))
    # A boosted form would otherwise leave /events (a POST-only URL) in the address bar.
    response.headers["HX-Replace-Url"] = url_for("requests.show", request_id=req.id)
    return response


def _back_to(req):
    return redirect(url_for("requests.show", request_id=req.id, _anchor="timeline"))


@bp.post("/<int:request_id>/visits")
@login_required
def add_visit(request_id):
    """A follow-up visit is a task log (诉求办理) tied to the request: TaskLogForm validates it
    and save_task_log stores it, as for the field form and sync."""
    req = get_request(request_id, current_user)
    form = _visit_form(req, request.form)
    if not save_tied(current_user, form):
        return _request_page(req, visit_form=form, status=form_status(form))
    if not is_htmx():
        flash(_("已记录办理情况"), "success")
        return _back_to(req)
    return _request_page(req, saved=True)


# The panels of the request page, in the order they are shown.
ACTION_PANELS = (START, ASSIGN, CLOSE, CALLBACK, REOPEN)


def _may(action, req) -> bool:
    """Whether the page offers this action now (the service decides again on submit)."""
    if action == ASSIGN:
        return may_assign(current_user) and req.status in OPEN_STATUSES
    if action == START:
        return req.status == ASSIGNED and may_work(current_user, req)
    if action == CLOSE:
        return req.status in OPEN_STATUSES and may_work(current_user, req)
    return req.is_closed and may_answer_resident(current_user, req)  # REOPEN, CALLBACK


def _action_form(req, action, formdata=None):
    """One action's form. The request and the action come from the page, not the post; the
    version is the one the person saw. Ids are per action: several forms share a page."""
    if formdata is not None:
        formdata = MultiDict(formdata)
        formdata.setlist("request_id", [str(req.id)])
        formdata.setlist("action", [action])
    form = RequestUpdateForm(formdata=formdata, user=current_user)
    if formdata is None:
        form.request_id.data, form.action.data, form.base_version.data = req.id, action, req.version
        form.record_id.data = str(uuid.uuid4())
    if action == ASSIGN:
        form.assignee_id.choices = [("", _("请选择"))] + [
            (p.id, _("%(name)s（%(role)s）", name=p.name, role=p.role_label)) for p in assignee_candidates(req)]
    for name, field in form._fields.items():
        field.id = f"{action}-{name}"
        field.label.field_id = field.id
    form.action_label = REQUEST_ACTIONS[action]
    return form


def _visit_form(req, formdata=None):
    """The field's task-log form tied to this request: place and household are the request's,
    for an assignee from another place too (the form accepts a request's own household)."""
    fixed = {"place_id": req.place_id, "request_id": req.id}
    if req.household_id:
        fixed["household_id"] = req.household_id
    return tied_task_log_form(current_user, fixed, formdata, default_kind=VISIT_KIND)


def _request_page(req, posted=None, visit_form=None, status: int = 200, saved: bool = False):
    forms = {action: _action_form(req, action) for action in ACTION_PANELS if _may(action, req)}
    if posted is not None:
        forms[posted.action.data] = posted
    entries, visit_total, photos, complete = timeline(req)
    return render("requests/show.html", "requests/_timeline.html", status=status, req=req, now=utcnow(),
                  forms=forms, entries=entries, visit_total=visit_total, photos=photos, complete=complete,
                  show_phone=may_reveal_request(current_user, req),  # masked; a tap reveals it
                  visit_form=visit_form or _visit_form(req), saved=saved)
