"""Admin views for people and the places they cover (assignments)."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..auth.models import ADMIN, ROLE_LABELS, TEAM_LABELS, User
from ..web import form_status, is_htmx, page_args, render
from . import bp, queries, services
from .forms import AssignmentForm, PersonForm


@bp.get("/people")
@roles_required(ADMIN)
def people():
    """Everyone who logs in, filtered by team, role and whether the account is active."""
    f = queries.PeopleFilter(q=request.args.get("q", "").strip(), role=request.args.get("role", ""),
                             team=request.args.get("team", ""), active=request.args.get("active", ""))
    return render("admin/people.html", "admin/_people_list.html", f=f, page=queries.people_page(f, *page_args()),
                  role_labels=ROLE_LABELS, team_labels=TEAM_LABELS)


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_person():
    form = PersonForm(acting_user=current_user)
    if form.validate_on_submit():
        person = services.save_person(form)
        flash(_("已添加人员：%(name)s，可在下方分配包片地点", name=person.name), "success")
        return redirect(url_for("admin.person", user_id=person.id))
    return render("admin/person.html", form=form, person=None, status=form_status(form))


def _person_page(person: User, form: PersonForm, assignment_form: AssignmentForm, status: int = 200):
    """The person page; htmx asking about assignments gets only that section back."""
    assigned, addable = queries.assignments_of(person)
    assignment_form.place_id.choices = [("", _("请选择地点"))] + [(p.id, p.option_label) for p in addable]
    return render("admin/person.html", "admin/_assignments.html", form=form, person=person,
                  assigned=assigned, assignment_form=assignment_form, status=status)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@roles_required(ADMIN)
def person(user_id: int):
    """Edit a person (a blank password keeps the old one) and see the places they cover."""
    person = services.get_record(User, user_id)
    form = PersonForm(obj=person, person=person, acting_user=current_user)
    if form.validate_on_submit():
        services.save_person(form, person)
        flash(_("已保存人员：%(name)s", name=person.name), "success")
        return redirect(url_for("admin.person", user_id=person.id))
    return _person_page(person, form, AssignmentForm(formdata=None), status=form_status(form))


@bp.post("/people/<int:user_id>/assignments")
@roles_required(ADMIN)
def add_assignment(user_id: int):
    person = services.get_record(User, user_id)
    assignment_form = AssignmentForm()
    if assignment_form.validate():
        services.add_assignment(person, assignment_form.place_id.data)
        if not is_htmx():
            flash(_("已分配包片地点"), "success")
            return redirect(url_for("admin.person", user_id=person.id))
        assignment_form = AssignmentForm(formdata=None)
    return _person_page(person, PersonForm(obj=person, person=person, formdata=None), assignment_form,
                        status=form_status(assignment_form))


@bp.post("/people/<int:user_id>/assignments/<int:place_id>/remove")
@roles_required(ADMIN)
def remove_assignment(user_id: int, place_id: int):
    person = services.get_record(User, user_id)
    services.remove_assignment(person, place_id)
    if not is_htmx():
        flash(_("已取消包片地点"), "success")
        return redirect(url_for("admin.person", user_id=person.id))
    return _person_page(person, PersonForm(obj=person, person=person, formdata=None),
                        AssignmentForm(formdata=None))
