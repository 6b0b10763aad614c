"""The dispatched person's side: my deployments (the banner at the top of the home), the
acknowledgement buttons' no-JS door, and reports from the post.

With JS, the banner's buttons and the report form save into the outbox (offline too) and
reach the server through /api/v1/sync; these routes validate with the same forms and store
through the same services."""
import uuid
from datetime import timedelta

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ..field.panels import TOP, home_panel
from ..field.tied_forms import save_tied, tied_task_log_form
from ..oversight.queries import place_options
from ..places.services import selectable_places
from ..records import REJECTED, web_meta
from ..web import form_status, render
from . import bp, services
from .access import incident_for_report
from .forms import AckForm
from .models import DEPLOYMENT_STATES
from .queries import my_deployments

REPORT_KIND = "flood_duty"  # 防汛值守: what a report from a post usually is


def _new_record_id() -> str:
    return str(uuid.uuid4())


@bp.app_context_processor
def _card_helpers():
    # The cards are drawn on the home too, by the field area's template.
    return {"new_record_id": _new_record_id}


@home_panel("dispatch", "dispatch/_home_banner.html", slot=TOP, order=10)
def _home_banner(user):
    """On top of the home, for everyone: the box the poll fills is there even when empty."""
    mine = my_deployments(user)
    # Each card says how long ago its state was set ("5 分钟前"): that changes every minute.
    return {"mine": mine, "changes_at": min((m.deployment.state_at + timedelta(minutes=m.minutes + 1)
                                            for m in mine), default=None)}


def _mine_page(status=200):
    return render("dispatch/mine.html", "dispatch/_mine.html", status=status, mine=my_deployments(current_user))


@bp.get("/mine")
@login_required
def mine():
    """My deployments in open incidents with the next acknowledgement buttons; htmx (the
    home's banner, polled) gets the fragment, with no card when I am sent nowhere."""
    return _mine_page()


@bp.post("/<int:incident_id>/ack")
@login_required
def ack(incident_id):
    """收到 / 出发 / 到岗 / 撤离 posted without JS: the same AckForm and service as sync."""
    formdata = MultiDict(request.form)
    formdata.setlist("incident_id", [str(incident_id)])  # the URL, not the body, names the incident
    form = AckForm(formdata=formdata, user=current_user)
    if form.validate_on_submit():
        result = services.acknowledge(current_user, form, web_meta(form, "incident_ack"))
        if result.status != REJECTED:
            flash(_("已确认：%(state)s", state=DEPLOYMENT_STATES[form.state.data]), "success")
            return redirect(url_for("dispatch.mine"))
        for name, messages in result.errors.items():  # the id taken, or the incident over
            form[name if name in form else "record_id"].errors = list(messages)
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    return _mine_page(status=422)


# --- Reports from the post ---------------------------------------------------------------------

def _report_places(incident, deployment, user) -> list[tuple[int, str]]:
    """The post's place and the incident's first, then the person's own places; a report from
    an incident may name any of them (TaskLogForm allows it for someone deployed there)."""
    labels = dict(place_options())
    first = [deployment.post.place_id if deployment is not None and deployment.post is not None else None,
             incident.place_id]
    ids = [pid for pid in first if pid is not None] + [p.id for p in selectable_places(user)]
    return [(pid, labels[pid]) for pid in dict.fromkeys(ids) if pid in labels]


def _report_form(incident, deployment, formdata=None):
    """The field's task-log form tied to this incident (fixed, as a case page fixes its case);
    the place is the person's to choose, the post's first."""
    return tied_task_log_form(current_user, {"incident_id": incident.id}, formdata, default_kind=REPORT_KIND,
                              place_choices=_report_places(incident, deployment, current_user))


@bp.route("/<int:incident_id>/report", methods=["GET", "POST"])
@login_required
def report(incident_id):
    """A report from the post: a task log (防汛值守 by default) linked to the incident, with photos."""
    incident, deployment = incident_for_report(incident_id, current_user)
    form = _report_form(incident, deployment, request.form if request.method == "POST" else None)
    if save_tied(current_user, form):
        flash(_("已保存现场报告"), "success")
        return redirect(_after_report(incident))
    return render("dispatch/report.html", form=form, incident=incident, deployment=deployment,
                  next_url=_after_report(incident), status=form_status(form))


def _after_report(incident) -> str:
    if current_user.sees_all:
        return url_for("dispatch.board", incident_id=incident.id)
    return url_for("field.home")
