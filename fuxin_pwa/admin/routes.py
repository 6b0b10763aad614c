"""Admin views for places, households, task kinds and services: parse → check access → service → render.
People live in people_routes.py, imports in import_routes.py."""
from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import roles_required
from ..auth.models import ADMIN
from ..domain import an_id
from ..places.models import COMMUNITY, ESTATE, GRID, SUBDISTRICT, VILLAGE, Household, Place
from ..privacy.services import log_admin_edit_view
from ..web import form_status, page_args, render
from . import bp, queries, services
from .forms import HouseholdForm, PlaceForm
from .kind_lists import SERVICE_KINDS, TASK_KINDS, edit_view, list_view

# A new place under a village is most likely a grid, and so on.
CHILD_KIND = {None: SUBDISTRICT, SUBDISTRICT: COMMUNITY, COMMUNITY: GRID, VILLAGE: GRID, GRID: ESTATE}


@bp.get("/")
@roles_required(ADMIN)
def index():
    """The admin's start page: what there is, and where to manage it."""
    return render("admin/index.html", counts=queries.admin_counts())


# --- Places ------------------------------------------------------------------------------

@bp.get("/places")
@roles_required(ADMIN)
def places():
    """The place tree, a page of communities/villages at a time; or search results by name/code."""
    q = request.args.get("q", "").strip()
    if q:
        subdistricts, page = [], queries.place_search(q, *page_args())
    else:
        subdistricts, page = queries.place_tree(*page_args())
    return render("admin/places.html", "admin/_place_list.html", q=q, page=page, subdistricts=subdistricts)


@bp.route("/places/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_place():
    parent = None
    if request.args.get("parent_id", type=an_id):
        parent = services.get_record(Place, request.args.get("parent_id", type=an_id))
    form = PlaceForm(parent_id=parent.id if parent else None,
                     kind=CHILD_KIND.get(parent.kind if parent else None, GRID))
    form.parent_id.choices = queries.parent_choices()
    if form.validate_on_submit():
        place = services.save_place(form)
        flash(_("已添加%(kind)s：%(name)s", kind=place.kind_label, name=place.name), "success")
        return redirect(url_for("admin.places"))
    return render("admin/place_form.html", form=form, place=None, status=form_status(form))


@bp.route("/places/<int:place_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_place(place_id: int):
    place = services.get_record(Place, place_id)
    form = PlaceForm(obj=place, place=place)
    form.parent_id.choices = queries.parent_choices(exclude_id=place.id)
    if form.validate_on_submit():
        services.save_place(form, place)
        flash(_("已保存%(kind)s：%(name)s", kind=place.kind_label, name=place.name), "success")
        return redirect(url_for("admin.places"))
    return render("admin/place_form.html", form=form, place=place, status=form_status(form))


# --- Households ----------------------------------------------------------------------------

@bp.get("/places/<int:place_id>/households")
@roles_required(ADMIN)
def households(place_id: int):
    """A place's households, searchable; phones and ID numbers masked."""
    place = services.household_place(place_id)
    q = request.args.get("q", "").strip()
    return render("admin/households.html", "admin/_household_list.html", place=place, q=q,
                  page=queries.household_page(place, q, *page_args()))


@bp.route("/places/<int:place_id>/households/new", methods=["GET", "POST"])
@roles_required(ADMIN)
def new_household(place_id: int):
    place = services.household_place(place_id)
    form = HouseholdForm(place_id=place.id)
    if form.validate_on_submit():
        household = services.save_household(form, place)
        flash(_("已添加户：%(address)s", address=household.address), "success")
        return redirect(url_for("admin.households", place_id=place.id))
    return render("admin/household_form.html", form=form, place=place, household=None,
                  status=form_status(form))


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_household(household_id: int):
    """The one place phone and ID number show in full: the admin keeps them right."""
    household = services.get_record(Household, household_id)
    form = HouseholdForm(obj=household, place_id=household.place_id, household=household)
    if request.method == "GET":
        # The form keeps the full numbers (an admin correcting one must see it); opening it is
        # therefore a reveal like any other, in the access log with its own reason.
        log_admin_edit_view(current_user, household)
    if form.validate_on_submit():
        services.save_household(form, household.place, household)
        flash(_("已保存户：%(address)s", address=household.address), "success")
        return redirect(url_for("admin.households", place_id=household.place_id))
    return render("admin/household_form.html", form=form, place=household.place, household=household,
                  status=form_status(form))


# --- Task kinds and services (kind_lists.py) ----------------------------------------------

@bp.route("/task-kinds", methods=["GET", "POST"])
@roles_required(ADMIN)
def task_kinds():
    """The kinds of field work, and a form to add one."""
    return list_view(TASK_KINDS)


@bp.route("/task-kinds/<int:kind_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_task_kind(kind_id: int):
    return edit_view(TASK_KINDS, kind_id)


@bp.route("/services", methods=["GET", "POST"])
@roles_required(ADMIN)
def service_kinds():
    """The services offered at service days (理发, 义诊 …), and a form to add one."""
    return list_view(SERVICE_KINDS)


@bp.route("/services/<int:kind_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_service_kind(kind_id: int):
    return edit_view(SERVICE_KINDS, kind_id)
