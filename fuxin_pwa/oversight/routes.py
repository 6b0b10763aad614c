from ..access import roles_required
from ..auth.models import OVERSIGHT_ROLES
from ..web import render
from . import bp


@bp.get("/")
@roles_required(*OVERSIGHT_ROLES)
def index():
    return render("oversight/index.html")


@bp.get("/records")
@roles_required(*OVERSIGHT_ROLES)
def records():
    return render("oversight/index.html")
