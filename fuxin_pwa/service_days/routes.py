"""Service-day views: thin — parse, check access, call a service, render.

Leaders and admins arrange, change and call off days. Everyone sees the days they reach
(services.py), and the tally page (/service-days/tally) opens offline at the tablet: a tap
is a `service_tally` record saved on the device and synced; without JS each tap posts here."""
from datetime import time, timedelta, timezone

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..domain import an_id
from ..field.panels import TOP, home_panel
from ..places.services import place_choices
from ..records import REJECTED, web_meta
from ..timeutil import local_today, utcnow
from ..web import form_status, render
from . import bp
from .forms import ConfirmForm, ServiceDayForm, ServiceTallyForm
from .queries import requests_raised_at, tallies_of, totals_by_day
from .services import (DayInput, active_kinds, cancel_day, days_for, days_in_window, get_day, save_day, save_tally,
                       staff_choices)

PAST_DAYS = 90  # the list goes back a season; the statistics hold the rest


@home_panel("service_days", "service_days/_home.html", slot=TOP, order=45)
def _home_service_days(user):
    """Today's service days the person reaches, with the way to the tally page."""
    today = local_today()
    days = days_for(user, today, today)
    return {"days": days} if days else None


@bp.get("/")
@login_required
def index():
    today = local_today()
    days = days_for(current_user, today - timedelta(days=PAST_DAYS), None, cancelled=current_user.sees_all)
    upcoming = [d for d in days if d.held_on >= today]
    past = list(reversed([d for d in days if d.held_on < today]))
    return render("service_days/index.html", upcoming=upcoming, past=past, today=today,
                  totals=totals_by_day(d.id for d in past), may_arrange=current_user.sees_all)


def _day_form(day=None) -> ServiceDayForm:
    data = None
    if day is not None:
        data = {"title": day.title, "place_id": day.place_id, "held_on": day.held_on, "starts_at": day.starts_at,
                "ends_at": day.ends_at, "kind_ids": [k.id for k in day.services],
                "staff_ids": [u.id for u in day.staff], "volunteers": day.volunteers, "note": day.note}
    form = ServiceDayForm(data=data)
    form.place_id.choices = place_choices(current_user)
    kinds = active_kinds()
    if day is not None:  # a service stopped since stays ticked where the day has it
        kinds += [k for k in day.services if k not in kinds]
    form.kind_ids.choices = [(k.id, k.display_label) for k in kinds]
    form.staff_ids.choices = staff_choices()
    return form


def _input(form) -> DayInput:
    return DayInput(form.title.data, form.place_id.data, form.held_on.data, form.starts_at.data, form.ends_at.data,
                    [v for v in form.kind_ids.data or [] if v is not None],
                    [v for v in form.staff_ids.data or [] if v is not None], form.volunteers.data, form.note.data)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*OVERSIGHT_ROLES)
def new():
    form = _day_form()
    if request.method == "GET":  # the usual morning at a centre, every service offered
        form.kind_ids.data = [k.id for k in active_kinds()]
        form.starts_at.data, form.ends_at.data = time(8, 30), time(11, 30)
    if form.validate_on_submit():
        day = save_day(current_user, _input(form))
        flash(_("已安排便民服务日"), "success")
        return redirect(url_for("service_days.show", day_id=day.id))
    return render("service_days/form.html", form=form, day=None, status=form_status(form))


@bp.route("/<int:day_id>/edit", methods=["GET", "POST"])
@roles_required(*OVERSIGHT_ROLES)
def edit(day_id):
    day = get_day(day_id, current_user)
    form = _day_form(day)
    if form.validate_on_submit():
        save_day(current_user, _input(form), day)
        flash(_("已保存便民服务日"), "success")
        return redirect(url_for("service_days.show", day_id=day.id))
    return render("service_days/form.html", form=form, day=day, status=form_status(form))


@bp.post("/<int:day_id>/cancel")
@roles_required(*OVERSIGHT_ROLES)
def cancel(day_id):
    day = get_day(day_id, current_user)
    if ConfirmForm().validate_on_submit():
        cancel_day(day)
        flash(_("已取消该服务日"), "success")
    return redirect(url_for("service_days.show", day_id=day.id))


@bp.get("/<int:day_id>")
@login_required
def show(day_id):
    day = get_day(day_id, current_user)
    totals = totals_by_day([day.id]).get(day.id, {})
    return render("service_days/show.html", day=day, totals=totals, served=sum(totals.values()),
                  tallies=tallies_of(day.id), raised=requests_raised_at(day.id), today=local_today(),
                  may_arrange=current_user.sees_all, confirm=ConfirmForm())


@bp.get("/tally")
@login_required
def tally():
    """The tablet's page: the days of the week back and ahead, today's open with a button per
    service. It opens offline (pwa/shell.py OFFLINE_PAGES); the totals are the server's as
    drawn, and the page's script adds what this device has not yet synced."""
    return _tally_page(ServiceTallyForm(user=current_user))


def _tally_page(form, status=200):
    days = days_in_window(current_user)
    counted = totals_by_day(d.id for d in days)
    # After the count: the device's own records confirmed later than this are not in it.
    return render("service_days/tally.html", days=days, today=local_today(), form=form, drawn_at=_ms(utcnow()),
                  totals=counted, status=status)


def _ms(moment) -> int:
    """A naive UTC time as the milliseconds a script compares with the sync's server_time."""
    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1000)


@bp.get("/totals")
@login_required
def totals():
    """The tally page's numbers again, after a sync: {"totals": {day: {service code: n}},
    "drawn_at": ms}. Days the person does not reach are left out, as if not there."""
    wanted = {an_id(v) for v in request.args.getlist("day") if v.isdigit() and len(v) < 10}
    days = [d for d in days_in_window(current_user) if d.id in wanted]
    counted = totals_by_day(d.id for d in days)
    return jsonify(drawn_at=_ms(utcnow()), totals={
        str(d.id): {k.code: counted.get(d.id, {}).get(k.id, 0) for k in d.services} for d in days})


@bp.post("/tally")
@login_required
def add_tally():
    """A tap posted without JS (or a count entered by hand): stored once, back to the page."""
    form = ServiceTallyForm(user=current_user)
    if form.validate_on_submit():
        result = save_tally(current_user, form, web_meta(form, "service_tally"))
        if result.status == REJECTED:
            flash(str(result.errors["id"][0]), "error")
        else:
            flash(_("已登记：%(service)s %(n)s 人", service=form.kind.display_label, n=form.count.data), "success")
    else:  # back with what was typed and the errors, nothing lost
        return _tally_page(form, form_status(form))
    anchor = f"day-{form.event_id.data}" if form.event_id.data else None
    return redirect(url_for("service_days.tally", _anchor=anchor))
