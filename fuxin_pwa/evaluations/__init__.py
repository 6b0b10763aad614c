from flask import Blueprint

bp = Blueprint("evaluations", __name__, url_prefix="/evaluations")
# Residents' votes: the one public page of the app, outside the login (see votes.py).
votes_bp = Blueprint("votes", __name__, url_prefix="/vote")

from . import routes, votes  # noqa: E402,F401
