"""Dispatch views for leaders and admins (the tablet): thin — parse, check access, call a
service, render. Every change answers htmx with the board's fragment, swapped in place, and a
browser without JS with a redirect back to the board."""
from collections import defaultdict
from datetime import datetime

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from ..auth.models import TEAM_LABELS
from ..extensions import db
from ..oversight.queries import place_options
from ..timeutil import LOCAL_TZ
from ..web import Page, form_status, is_htmx, page_args, render
from . import bp, services
from .access import dispatch_required, get_incident
from .forms import ActionForm, AssignForm, GroupForm, IncidentForm, PostForm
from .models import UNACKED_AFTER_MIN, Deployment
from .queries import board as board_view
from .queries import incident_groups, incident_posts, list_incidents
from .services import DispatchError, deployable_staff

POLL_SECONDS = 15  # how often the board and the field banner ask for news (DISPATCH_POLL_SECONDS)


def poll_seconds() -> int:
    return int(current_app.config.get("DISPATCH_POLL_SECONDS", POLL_SECONDS))


@bp.app_context_processor
def dispatch_context():
    # The home's banner is drawn by the field area's template with no context of ours.
    return {"dispatch_poll_seconds": poll_seconds, "dispatch_unacked_min": UNACKED_AFTER_MIN}



def export_url(incident):
    """The incident log in Excel, where the statistics area offers it."""
    try:
        return url_for("stats.export", fmt="xlsx", ledger="incidents", incident_id=incident.id)
    except BuildError:
        return None


@bp.get("/")
@dispatch_required
def index():
    """Open incidents first, then closed ones."""
    page, per_page = page_args()
    rows, total = list_incidents(page, per_page)
    return render("dispatch/index.html", page=Page(rows, page, per_page, total))


@bp.route("/new", methods=["GET", "POST"])
@dispatch_required
def new():
    """Open an incident: kind, title, area, start time (now by default), note."""
    form = IncidentForm(places=place_options())
    if form.validate_on_submit():
        incident = services.open_incident(current_user, form)
        flash(_("已建立事件，请添加岗位并派遣人员"), "success")
        return redirect(url_for("dispatch.board", incident_id=incident.id))
    if request.method == "GET":
        form.started_at.data = datetime.now(LOCAL_TZ).replace(tzinfo=None, second=0, microsecond=0)
        form.kind.data = form.kind.data or "flood"
    return render("dispatch/new.html", form=form, status=form_status(form))


# --- The board ------------------------------------------------------------------------------

def _staff_by_team(staff):
    teams = defaultdict(list)
    for person in staff:
        teams[person.team or ""].append(person)
    return [(TEAM_LABELS.get(team, _("未分队伍")), people) for team, people in teams.items()]


def _board_page(incident, *, post_form=None, group_form=None, assign_form=None, status=200,
                message=None, tone="success"):
    posts = incident_posts(incident)
    view = board_view(incident, posts)
    context = dict(incident=incident, view=view, poll=poll_seconds(), action_form=ActionForm(),
                   export_url=export_url(incident), message=message, tone=tone)
    if incident.is_open:
        staff, groups = deployable_staff(), incident_groups(incident)
        members = defaultdict(int)
        for row in view.rows:
            if row.deployment.group_id:
                members[row.deployment.group_id] += 1
        context.update(
            staff_by_team=_staff_by_team(staff), groups=groups, group_members=members,
            deployed={row.deployment.user_id: row for row in view.rows},
            post_form=post_form or PostForm(formdata=None, places=place_options()),
            group_form=group_form or GroupForm(formdata=None, posts=posts, staff=staff),
            assign_form=assign_form or AssignForm(formdata=None, posts=posts, staff=staff, groups=groups))
    return render("dispatch/board.html", "dispatch/_board.html", status=status, **context)


def _done(incident, message):
    """After a change: htmx gets the fresh board; a browser without JS goes back to it."""
    if is_htmx():
        return _board_page(incident, message=message)
    flash(message, "success")
    return redirect(url_for("dispatch.board", incident_id=incident.id))


def _refused(incident, error):
    if is_htmx():
        return _board_page(incident, message=str(error), tone="error", status=200)
    flash(str(error), "error")
    return redirect(url_for("dispatch.board", incident_id=incident.id))


@bp.get("/<int:incident_id>")
@dispatch_required
def board(incident_id):
    """The tablet board: posts with who is there and in what state, reports, and the controls."""
    return _board_page(get_incident(incident_id))


@bp.get("/<int:incident_id>/live")
@dispatch_required
def board_live(incident_id):
    """The board's live part, polled by htmx; a browser is sent to the whole board."""
    incident = get_incident(incident_id)
    if not is_htmx():
        return redirect(url_for("dispatch.board", incident_id=incident.id))
    return render("dispatch/_live.html", incident=incident, view=board_view(incident), poll=poll_seconds(),
                  action_form=ActionForm())


def _board_form(incident, form, form_name: str | None, act, done):
    """A control of the board: the form valid, `act()` changes the incident and `done(result)`
    says what was done; the form with its errors (a button's form, with form_name None: the
    page was too old), or the service's refusal, otherwise."""
    if not form.validate_on_submit():
        if form_name is None:
            return _refused(incident, _("页面已过期，请重新提交。"))
        return _board_page(incident, status=form_status(form), **{form_name: form})
    try:
        result = act()
    except DispatchError as error:
        return _refused(incident, error)
    return _done(incident, done(result))


@bp.post("/<int:incident_id>/posts")
@dispatch_required
def add_post(incident_id):
    incident = get_incident(incident_id)
    form = PostForm(places=place_options())
    return _board_form(incident, form, "post_form", lambda: services.add_post(incident, form),
                       lambda post: _("已添加岗位「%(name)s」", name=post.name))


@bp.post("/<int:incident_id>/groups")
@dispatch_required
def add_group(incident_id):
    incident = get_incident(incident_id)
    form = GroupForm(posts=incident_posts(incident), staff=deployable_staff())
    return _board_form(incident, form, "group_form", lambda: services.add_group(incident, current_user, form),
                       lambda group: _("已建立小组「%(name)s」", name=group.name))


@bp.post("/<int:incident_id>/assign")
@dispatch_required
def assign(incident_id):
    """Send one person or a whole group to a post, or back to 未分岗."""
    incident = get_incident(incident_id)
    form = AssignForm(posts=incident_posts(incident), staff=deployable_staff(), groups=incident_groups(incident))
    return _board_form(incident, form, "assign_form",
                       lambda: services.assign(incident, current_user, user_id=form.user_id.data,
                                               group_id=form.group_id.data, post_id=form.post_id.data),
                       lambda people: _("已派遣 %(n)s 人", n=people))


@bp.post("/<int:incident_id>/people/<int:deployment_id>/remove")
@dispatch_required
def remove_person(incident_id, deployment_id):
    incident = get_incident(incident_id)
    deployment = _deployment_in(incident, deployment_id)
    name = deployment.user.name
    return _board_form(incident, ActionForm(), None, lambda: services.remove_person(incident, deployment),
                       lambda deleted: _("已移出 %(name)s", name=name) if deleted
                       else _("%(name)s 已确认过任务，记录保留，改为撤离", name=name))


@bp.post("/<int:incident_id>/close")
@dispatch_required
def close(incident_id):
    """End the incident: polling stops and everyone shows as stood down."""
    incident = get_incident(incident_id)
    return _board_form(incident, ActionForm(), None, lambda: services.close_incident(incident),
                       lambda _result: _("事件已结束，全部人员撤离"))


def _deployment_in(incident, deployment_id) -> Deployment:
    deployment = db.session.get(Deployment, deployment_id)
    if deployment is None or deployment.incident_id != incident.id:
        abort(404)
    return deployment
