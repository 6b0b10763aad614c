from flask_login import login_required

from ..web import render
from . import bp


@bp.get("/")
@login_required
def index():
    return render("cases/index.html")


@bp.get("/<int:case_id>")
@login_required
def show(case_id):
    return render("cases/index.html")
