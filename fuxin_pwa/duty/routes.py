"""Duty views: thin — parse, check access, call a service, render.

Leaders and admins build rosters, change a shift, add standby groups, approve swaps, export,
and call a group up from the incident board. Everyone sees 我的值班 and who is on duty with
them; a person on a shift asks someone to take it over, and that person answers."""
from datetime import timedelta

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..domain import NotFound
from ..field.panels import TOP, home_panel
from ..oversight.queries import place_options
from ..stats.workbook import xlsx_download
from ..timeutil import local_today, to_local, utcnow
from ..web import form_status, render
from . import bp
from .export import roster_workbook
from .forms import AnswerForm, CallUpForm, ExchangeForm, GroupForm, RosterForm, ShiftForm, SwapForm
from .queries import (evidence, exchange_offers, get_group, get_roster, get_shift, get_swap, my_shifts, my_swaps, next_shift,
                      on_duty_now, roster_grid, roster_groups, rosters_for, standby_groups, swaps_waiting)
from .services import (DutyRefused, RosterRule, ShiftRule, add_group, answer_swap, approve_swap, ask_exchange,
                       ask_swap,
                       build_roster, call_up, duty_staff, set_shift_people)

duty_required = roles_required(*OVERSIGHT_ROLES)


def _people_choices():
    return [(u.id, f"{u.name}（{u.team_label}）" if u.team else u.name) for u in duty_staff()]


def people_field(field):
    """The field's choices, and the same people grouped by team for the picker (one query)."""
    teams: dict[str, list] = {}
    staff = duty_staff()
    for u in staff:
        teams.setdefault(u.team_label if u.team else "", []).append((u.id, u.name))
    field.choices = [(u.id, f"{u.name}（{u.team_label}）" if u.team else u.name) for u in staff]
    field.groups = list(teams.items())
    return field


@bp.app_context_processor
def _duty_helpers():
    # The incident board (dispatch's template) offers the call-up: read only where drawn.
    def call_up_form():
        form = CallUpForm(formdata=None)
        form.group_id.choices = [(g.id, f"{g.name}（{len(g.members)}人）") for g in standby_groups()]
        return form
    return {"duty_call_up_form": call_up_form}


@home_panel("duty", "duty/_home.html", slot=TOP, order=30)
def _home_duty(user):
    """我的值班: the shift I am on, or my next one, and swaps asked of me. The drawing changes
    by itself when that shift begins (上班中) or ends (the next one shows)."""
    shift, waiting = next_shift(user), swaps_waiting(user)
    if shift is None and not waiting:
        return None
    now = utcnow()
    changes = [s.shift.starts_at for s in waiting]  # a swap no longer offered once its shift begins
    if shift is not None:
        changes.append(shift.starts_at if shift.starts_at > now else shift.ends_at)
    return {"shift": shift, "on_now": shift is not None and shift.starts_at <= now, "swaps": waiting,
            "viewer_id": user.id, "changes_at": min(changes) if changes else None}


@bp.get("/")
@login_required
def index():
    """Leaders: every roster; field staff: the rosters they are on."""
    return render("duty/index.html", rosters=rosters_for(current_user), may_build=current_user.sees_all)


@bp.route("/new", methods=["GET", "POST"])
@duty_required
def new():
    form = RosterForm()
    form.place_id.choices = [(None, _("（不指定）"))] + place_options()
    people_field(form.member_ids)
    if form.validate_on_submit():
        shifts = [ShiftRule(form.shift1_label.data, form.shift1_starts.data, form.shift1_ends.data)]
        if form.shift2_label.data:
            shifts.append(ShiftRule(form.shift2_label.data, form.shift2_starts.data, form.shift2_ends.data))
        try:
            roster = build_roster(current_user, RosterRule(
                form.kind.data, form.name.data, form.place_id.data, form.starts_on.data, form.days.data, shifts,
                form.per_shift.data, form.member_ids.data, form.swap_needs_approval.data), form.holidays_only.data)
        except DutyRefused as refused:
            form.per_shift.errors.append(refused.message)
        else:
            flash(_("已生成排班"), "success")
            return redirect(url_for("duty.show", roster_id=roster.id))
    if form.starts_on.data is None and not form.errors:
        form.starts_on.data = local_today() + timedelta(days=1)
    return render("duty/new.html", form=form, status=form_status(form))


def _show(roster, group_form=None, status=200):
    grid = roster_grid(roster)
    shifts = [s for items in grid.cells.values() for s in items]
    manage = current_user.sees_all
    if manage and group_form is None:
        group_form = GroupForm(formdata=None)
    if group_form is not None:
        group_form.leader_id.choices = people_field(group_form.member_ids).choices
    return render("duty/show.html", roster=roster, grid=grid, evidence=evidence(shifts), manage=manage,
                  groups=roster_groups(roster),
                  group_form=group_form, now=utcnow(), status=status)


@bp.get("/<int:roster_id>")
@login_required
def show(roster_id):
    """The grid, days × shifts, names in cells, a check-in at the place marked by the name."""
    return _show(get_roster(roster_id, current_user))


@bp.post("/<int:roster_id>/groups")
@duty_required
def add_standby_group(roster_id):
    roster = get_roster(roster_id, current_user)
    form = GroupForm()
    form.leader_id.choices = form.member_ids.choices = _people_choices()
    if not form.validate_on_submit():
        return _show(roster, group_form=form, status=422)
    group = add_group(roster, form.name.data, form.leader_id.data, form.member_ids.data or [])
    flash(_("已添加小组「%(name)s」", name=group.name), "success")
    return redirect(url_for("duty.show", roster_id=roster.id))


@bp.route("/shifts/<int:shift_id>/edit", methods=["GET", "POST"])
@duty_required
def edit_shift(shift_id):
    shift = get_shift(shift_id)
    # Filled from the shift on GET only: a POST with nobody ticked must read as nobody.
    form = ShiftForm(data={"user_ids": [p.user_id for p in shift.people]} if request.method == "GET" else None)
    people_field(form.user_ids)
    if form.validate_on_submit():
        set_shift_people(shift, form.user_ids.data)
        flash(_("已保存班次人员"), "success")
        return redirect(url_for("duty.show", roster_id=shift.roster_id))
    return render("duty/shift.html", shift=shift, form=form, status=form_status(form))


@bp.get("/<int:roster_id>.xlsx")
@duty_required
def export(roster_id):
    roster = get_roster(roster_id, current_user)
    return xlsx_download(*roster_workbook(roster, current_user))


@bp.get("/mine")
@login_required
def mine():
    """我的值班: my coming shifts, the swaps asked of me and those I asked."""
    return render("duty/mine.html", shifts=my_shifts(current_user), waiting=swaps_waiting(current_user),
                  asked=my_swaps(current_user), answer_form=AnswerForm(formdata=None), now=utcnow())


@bp.get("/now")
@login_required
def now():
    """谁在值班: leaders every shift under way, with phones; field staff their own shift's people."""
    shifts = on_duty_now(current_user)
    return render("duty/now.html", shifts=shifts, evidence=evidence(shifts), full_phones=current_user.sees_all)


def _exchange_choices(shift):
    """The other people's shifts of the same roster, not yet begun, as "shift:user"."""
    return [(f"{s.id}:{p.user_id}", f"{p.user.name} · {s.label} · {to_local(s.starts_at):%m-%d %H:%M}")
            for s in exchange_offers(shift, current_user) for p in s.people if p.user_id != current_user.id]


def _my_shift(shift_id):
    shift = get_shift(shift_id)
    if not any(p.user_id == current_user.id for p in shift.people):
        raise NotFound()
    return shift


def _swap_page(shift, form=None, exchange_form=None, status=200):
    if form is None:
        form = SwapForm(formdata=None)
    if exchange_form is None:
        exchange_form = ExchangeForm(formdata=None)
    on = {p.user_id for p in shift.people}
    form.to_user_id.choices = [(v, label) for v, label in _people_choices() if v not in on]
    exchange_form.offer.choices = _exchange_choices(shift)
    return render("duty/swap.html", shift=shift, form=form, exchange_form=exchange_form, status=status)


@bp.route("/shifts/<int:shift_id>/swap", methods=["GET", "POST"])
@login_required
def swap(shift_id):
    """The person on a shift asks someone to take it over; anyone else: 404."""
    shift = _my_shift(shift_id)
    if request.method == "GET":
        return _swap_page(shift)
    form = SwapForm()
    on = {p.user_id for p in shift.people}
    form.to_user_id.choices = [(v, label) for v, label in _people_choices() if v not in on]
    if form.validate_on_submit():
        try:
            ask_swap(shift, current_user, form.to_user_id.data)
        except DutyRefused as refused:
            form.to_user_id.errors.append(refused.message)
        else:
            flash(_("已发出换班申请，等待对方确认"), "success")
            return redirect(url_for("duty.mine"))
    return _swap_page(shift, form=form, status=422)


@bp.post("/shifts/<int:shift_id>/exchange")
@login_required
def exchange(shift_id):
    """互换: the person on a shift offers it for one of another's; anyone else: 404."""
    shift = _my_shift(shift_id)
    form = ExchangeForm()
    form.offer.choices = _exchange_choices(shift)
    if form.validate_on_submit():
        other_id, user_id = form.parsed()
        try:
            ask_exchange(shift, current_user, get_shift(other_id), user_id)
        except DutyRefused as refused:
            form.offer.errors.append(refused.message)
        else:
            flash(_("已发出互换申请，等待对方确认"), "success")
            return redirect(url_for("duty.mine"))
    return _swap_page(shift, exchange_form=form, status=422)


def _settle(act, swap, form):
    if not form.validate_on_submit():
        flash(_("请选择同意或不同意"), "error")
        return redirect(url_for("duty.mine"))
    try:
        act(swap, form.answer.data == "yes")
    except DutyRefused as refused:
        flash(refused.message, "error")
    else:
        flash(_("已处理换班申请：%(state)s", state=swap.state_label), "success")
    return redirect(url_for("duty.mine"))


@bp.post("/swaps/<int:swap_id>/answer")
@login_required
def answer(swap_id):
    """The asked person's yes or no; anyone else: 404."""
    swap = get_swap(swap_id)
    if swap.to_user_id != current_user.id:
        raise NotFound()
    return _settle(answer_swap, swap, AnswerForm())


@bp.post("/swaps/<int:swap_id>/approve")
@duty_required
def approve(swap_id):
    return _settle(approve_swap, get_swap(swap_id), AnswerForm())


@bp.post("/call-up/<int:incident_id>")
@duty_required
def call_up_group(incident_id):
    """From the incident board: every member of a standby group sent to the incident."""
    from ..dispatch.access import get_incident
    from ..dispatch.services import DispatchError

    incident = get_incident(incident_id)
    form = CallUpForm()
    form.group_id.choices = [(g.id, g.name) for g in standby_groups()]
    if not form.validate_on_submit():
        flash(_("请选择预备队小组"), "error")
    else:
        group = get_group(form.group_id.data)
        try:
            sent = call_up(group, incident, current_user)
        except DispatchError as error:
            flash(str(error), "error")
        else:
            flash(_("已调集「%(name)s」%(n)s 人", name=group.name, n=sent), "success")
    return redirect(url_for("dispatch.board", incident_id=incident.id))
