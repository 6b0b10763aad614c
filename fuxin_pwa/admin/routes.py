from ..access import roles_required
from ..auth.models import ADMIN
from ..web import render
from . import bp


@bp.get("/")
@roles_required(ADMIN)
def index():
    return render("admin/index.html")
