"""Contests, honours and interest teams: thin views. Organising them is for leaders and admins;
a person's honours and teams are personnel data, shown on their profile (the person, leaders
and admins), never to a peer."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..extensions import db
from ..people.sections import profile_section
from ..web import form_status, render
from . import bp
from .forms import ContestForm, EntryForm, EventForm, HonourForm, MembersForm, ResultForm, TeamForm
from .models import Contest, ContestEntry, InterestTeam
from .queries import (contest_entries, contests, grid_homes, honours_of_person, honours_of_team, people,
                      team_members, teams, teams_of_person)
from .services import (add_entry, add_event, add_honour, add_members, create_contest, create_team, name_taken,
                       record_result)

leaders_only = roles_required(*OVERSIGHT_ROLES)


@profile_section("honours", order=40)
def honours_section(viewer, person):
    honours, member_of = honours_of_person(person.id), teams_of_person(person.id)
    return Markup(render_template("honours/_profile.html", honours=honours, teams=member_of, viewer=viewer,
                                  person=person))


def _people_choices():
    return [(None, _("请选择"))] + [(p.id, f"{p.name}（{p.team_label or p.role_label}）") for p in people()]


@bp.get("/")
@leaders_only
def index():
    return render("honours/index.html", contests=contests(), teams=teams())


@bp.route("/contests/new", methods=["GET", "POST"])
@leaders_only
def new_contest():
    form = ContestForm()
    if form.validate_on_submit():
        contest = create_contest(current_user, form.kind.data, form.title.data, form.held_on.data)
        return redirect(url_for("honours.contest", contest_id=contest.id))
    return render("honours/new_contest.html", form=form, status=form_status(form))


def _entry_form(formdata=None, form_class=EntryForm):
    form = form_class(formdata=formdata) if formdata is not None else form_class()
    form.user_id.choices = _people_choices()
    form.team_id.choices = [(None, _("请选择"))] + [(t.id, t.name) for t, _n in teams()]
    return form


def _contest_page(contest, entry_form=None, status=200):
    return render("honours/contest.html", contest=contest, entries=contest_entries(contest.id),
                  entry_form=entry_form or _entry_form(), result_form=ResultForm(formdata=None), status=status)


@bp.route("/new", methods=["GET", "POST"])
@leaders_only
def new_honour():
    """An honour won elsewhere (a district's 优秀网格员), for a person or an interest team."""
    form = _entry_form(form_class=HonourForm)
    if request.method == "GET":
        form.user_id.data = request.args.get("person_id", type=int)
    if form.validate_on_submit():
        honour = add_honour(current_user, form.title.data, form.awarded_on.data, form.user_id.data, form.team_id.data)
        flash(_("已记录荣誉“%(title)s”", title=honour.title), "success")
        if honour.user_id:
            return redirect(url_for("people.show", person_id=honour.user_id))
        return redirect(url_for("honours.team", team_id=honour.team_id))
    return render("honours/new_honour.html", form=form, status=form_status(form))


@bp.get("/contests/<int:contest_id>")
@leaders_only
def contest(contest_id):
    return _contest_page(db.get_or_404(Contest, contest_id))


@bp.post("/contests/<int:contest_id>/entries")
@leaders_only
def add_contest_entry(contest_id):
    contest = db.get_or_404(Contest, contest_id)
    form = _entry_form()
    if form.validate_on_submit():
        add_entry(contest, form.user_id.data, form.team_id.data)
        return redirect(url_for("honours.contest", contest_id=contest.id))
    return _contest_page(contest, form, form_status(form) if form.errors else 400)


@bp.post("/contests/<int:contest_id>/entries/<int:entry_id>/result")
@leaders_only
def set_result(contest_id, entry_id):
    contest = db.get_or_404(Contest, contest_id)
    entry = db.get_or_404(ContestEntry, entry_id)
    if entry.contest_id != contest.id:
        abort(404)
    form = ResultForm()
    if form.validate_on_submit():
        honour = record_result(current_user, entry, form.result.data)
        flash(_("已记录结果，荣誉“%(title)s”已记入%(name)s的档案", title=honour.title, name=entry.entrant_name), "success")
        return redirect(url_for("honours.contest", contest_id=contest.id))
    flash(form.result.errors[0] if form.result.errors else _("请刷新页面后重试"), "error")
    return _contest_page(contest, status=form_status(form) if form.errors else 400)


@bp.route("/teams/new", methods=["GET", "POST"])
@leaders_only
def new_team():
    form = TeamForm()
    if form.validate_on_submit():
        if name_taken(form.name.data):
            form.name.errors = [_("已有同名的队伍")]
        else:
            team = create_team(form.name.data, form.note.data)
            return redirect(url_for("honours.team", team_id=team.id))
    return render("honours/new_team.html", form=form, status=form_status(form))


def _team_forms(members_data=None, event_data=None):
    members = MembersForm(formdata=members_data, prefix="m")
    members.user_ids.choices = [(p.id, f"{p.name}（{p.team_label or p.role_label}）") for p in people()]
    event = EventForm(formdata=event_data, prefix="e")
    event.place_id.choices = [(None, _("不选"))] + [(p.id, p.name) for p in grid_homes()]
    return members, event


def _team_page(team, members_form, event_form, status=200):
    return render("honours/team.html", team=team, members=team_members(team.id), honours=honours_of_team(team.id),
                  members_form=members_form, event_form=event_form, status=status)


@bp.get("/teams/<int:team_id>")
@leaders_only
def team(team_id):
    return _team_page(db.get_or_404(InterestTeam, team_id), *_team_forms())


@bp.post("/teams/<int:team_id>/members")
@leaders_only
def add_team_members(team_id):
    team = db.get_or_404(InterestTeam, team_id)
    members_form, event_form = _team_forms(members_data=request.form)
    if members_form.validate_on_submit():
        flash(_("已加入 %(n)s 人", n=add_members(team, members_form.user_ids.data)), "success")
        return redirect(url_for("honours.team", team_id=team.id))
    return _team_page(team, members_form, event_form, form_status(members_form) if members_form.errors else 400)


@bp.post("/teams/<int:team_id>/events")
@leaders_only
def add_team_event(team_id):
    team = db.get_or_404(InterestTeam, team_id)
    members_form, event_form = _team_forms(event_data=request.form)
    if event_form.validate_on_submit():
        add_event(team, event_form.title.data, event_form.held_on.data, event_form.place_id.data)
        flash(_("已记录活动"), "success")
        return redirect(url_for("honours.team", team_id=team.id))
    return _team_page(team, members_form, event_form, form_status(event_form) if event_form.errors else 400)
