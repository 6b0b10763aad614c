"""Duty views after a roster is built: extend it, rebuild its future with new people, delete it,
change a standby group, keep the holiday calendar. Leaders and admins only; thin as the rest."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import NotFound
from ..extensions import db
from ..timeutil import local_today
from ..web import form_status, render
from . import bp
from .forms import DeleteForm, ExtendForm, GroupForm, HolidayForm, PeopleForm
from .models import Holiday
from .planning import add_holidays, delete_holiday, delete_roster, extend_roster, holidays, rebuild_future, update_group
from .queries import get_group, get_roster
from .routes import duty_required, people_field
from .services import DutyRefused


def _people_form(roster, formdata=None):
    per_shift = roster.rule["per_shift"] if roster.rule else 1
    data = {"member_ids": roster.rule["member_ids"]} if roster.rule and formdata is None else None
    form = PeopleForm(formdata=formdata, data=data, per_shift=per_shift)
    people_field(form.member_ids)
    return form


def _manage(roster, extend_form=None, people_form=None, status=200):
    return render("duty/manage.html", roster=roster, status=status,
                  extend_form=extend_form or ExtendForm(formdata=None),
                  people_form=people_form or _people_form(roster))


@bp.get("/<int:roster_id>/manage")
@duty_required
def manage(roster_id):
    """延长、重排、删除: what a leader does with a roster once it runs."""
    return _manage(get_roster(roster_id, current_user))


@bp.post("/<int:roster_id>/extend")
@duty_required
def extend(roster_id):
    roster = get_roster(roster_id, current_user)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            days = extend_roster(roster, form.days.data)
        except DutyRefused as refused:
            form.days.errors.append(refused.message)
        else:
            flash(_("已延长排班 %(n)s 天", n=days), "success")
            return redirect(url_for("duty.show", roster_id=roster.id))
    return _manage(roster, extend_form=form, status=422)


@bp.post("/<int:roster_id>/people")
@duty_required
def rebuild(roster_id):
    """New people in the rotation: the shifts not yet begun are drawn again."""
    roster = get_roster(roster_id, current_user)
    form = _people_form(roster, formdata=request.form)
    if form.validate_on_submit():
        try:
            changed = rebuild_future(roster, form.member_ids.data)
        except DutyRefused as refused:
            form.member_ids.errors.append(refused.message)
        else:
            flash(_("已按新名单重排未开始的 %(n)s 个班次", n=changed), "success")
            return redirect(url_for("duty.show", roster_id=roster.id))
    return _manage(roster, people_form=form, status=422)


@bp.route("/<int:roster_id>/delete", methods=["GET", "POST"])
@duty_required
def delete(roster_id):
    roster = get_roster(roster_id, current_user)
    form = DeleteForm()
    if form.validate_on_submit():
        if delete_roster(roster):
            flash(_("已删除排班"), "success")
            return redirect(url_for("duty.index"))
        flash(_("已开始的班次有签到记录，已保留；只删除了未开始的班次"), "success")
        return redirect(url_for("duty.show", roster_id=roster_id))
    return render("duty/delete.html", roster=roster, form=form, status=form_status(form))


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@duty_required
def edit_group(group_id):
    group = get_group(group_id)
    data = None
    if request.method == "GET":
        data = {"name": group.name, "leader_id": group.leader_id, "member_ids": [m.user_id for m in group.members]}
    form = GroupForm(data=data)
    form.leader_id.choices = people_field(form.member_ids).choices
    if form.validate_on_submit():
        update_group(group, form.name.data, form.leader_id.data, form.member_ids.data or [])
        flash(_("已保存小组「%(name)s」", name=group.name), "success")
        return redirect(url_for("duty.show", roster_id=group.roster_id))
    return render("duty/group.html", group=group, form=form, status=form_status(form))


@bp.route("/holidays", methods=["GET", "POST"])
@duty_required
def holiday_calendar():
    """节假日安排: the days holiday-duty rosters keep to, this year's and later."""
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            rows = add_holidays(form.name.data, form.day.data, form.days.data)
        except DutyRefused as refused:
            form.day.errors.append(refused.message)
        else:
            flash(_("已录入「%(name)s」%(n)s 天", name=rows[0].name, n=len(rows)), "success")
            return redirect(url_for("duty.holiday_calendar"))
    since = local_today().replace(month=1, day=1)
    return render("duty/holidays.html", form=form, holidays=holidays(since), status=form_status(form))


@bp.post("/holidays/<int:holiday_id>/delete")
@duty_required
def remove_holiday(holiday_id):
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None:
        raise NotFound()
    delete_holiday(holiday)
    flash(_("已删除节假日 %(day)s", day=f"{holiday.day:%Y-%m-%d}"), "success")
    return redirect(url_for("duty.holiday_calendar"))
