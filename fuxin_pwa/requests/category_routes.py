"""The admin's request categories (设施维修, 邻里纠纷, …), each with its deadline in days.
Shaped like the task-kind pages of the admin area."""
import sqlalchemy as sa
from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from ..access import roles_required
from ..auth.models import ADMIN
from ..extensions import db
from ..web import form_status, page_args, paginate, render
from . import bp
from .forms import RequestCategoryForm
from .models import RequestCategory
from .services import save_category


@bp.route("/categories", methods=["GET", "POST"])
@roles_required(ADMIN)
def categories():
    """The categories, and a form to add one."""
    form = RequestCategoryForm()
    if form.validate_on_submit():
        category = save_category(form)
        flash(_("已添加诉求类别：%(label)s", label=category.display_label), "success")
        return redirect(url_for("requests.categories"))
    page = paginate(db.session, sa.select(RequestCategory).order_by(RequestCategory.sort, RequestCategory.id),
                    sa.select(sa.func.count()).select_from(RequestCategory), *page_args())
    return render("requests/categories.html", form=form, page=page, status=form_status(form))


@bp.route("/categories/<int:category_id>/edit", methods=["GET", "POST"])
@roles_required(ADMIN)
def edit_category(category_id: int):
    """A new deadline counts for requests raised from now on; old ones keep their due time."""
    category = db.session.get(RequestCategory, category_id) or abort(404)
    form = RequestCategoryForm(obj=category, category=category)
    if form.validate_on_submit():
        save_category(form, category)
        flash(_("已保存诉求类别：%(label)s", label=category.display_label), "success")
        return redirect(url_for("requests.categories"))
    return render("requests/category_form.html", form=form, category=category, status=form_status(form))
