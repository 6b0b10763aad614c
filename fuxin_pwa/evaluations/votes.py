"""The residents' vote, /vote/<token>: the app's one page outside the login. A resident scans
the community's poster (or the centre's tablet) with their own phone and rates the workers who
serve the community. Everything else stays as on every page: CSRF on the form, the CSP and
security headers, rate limits. The page shows names, photos (initials for a worker without
one) and duties, nothing else, and stays small (no htmx, no app stylesheet, each photo a
separate lazy request) for any phone and WeChat. A photo is served under the link's token,
only for a worker on that link's page and only while the vote is open.

"One vote per phone": the phone gets a long-lived random cookie for the round on its first
visit, and a ballot is kept against the cookie's hash, never against the resident. A web page
cannot do better: browsers give a page no hardware id (IMEI, MAC) on purpose, and WeChat's
browser and private tabs keep their own cookies, so a determined person can clear them and
vote again. A per-IP limit bounds that; it is generous because a centre's Wi-Fi puts many
residents behind one address. The vote minimum and the leaders' reading of the counts do
the rest."""
import secrets

from flask import abort, current_app, make_response, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import limiter
from ..people.photos import photo_file, photos_of
from ..web import form_status
from . import votes_bp as bp
from .forms import ballot_errors, ballot_form, ratings_from
from .services import VoteRefused, cast_ballot, has_voted, link_by_token, people_of_link

COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie; past any round's vote
REFUSALS = {"voted": _l("这部手机已经投过票了，每部手机在本轮考核中只能投一次。"),
            "closed": _l("本社区的投票已经结束，谢谢您的关心。")}


def _cookie_name(link) -> str:
    return f"fx_vote_{link.round_id}"


def _page(link, form, cookie, status=200, message=None, done=False):
    people = form.people_ if form is not None else []
    response = make_response(render_template(
        "votes/ballot.html", link=link, form=form, people=people, message=message, done=done,
        duties=_duties(people, link), photos=photos_of(p.id for p in people)), status)
    if cookie and request.cookies.get(_cookie_name(link)) != cookie:
        response.set_cookie(_cookie_name(link), cookie, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False), path="/vote/")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token stays out of other sites' logs
    return response


def _duties(people, link) -> dict[int, str]:
    return {p.id: f"{p.role_label} · {link.place.name}" for p in people}


def _link(token):
    link = link_by_token(token)
    if link is None:
        abort(404)
    return link


@bp.get("/<token>")
@limiter.limit(lambda: current_app.config.get("VOTE_PAGE_RATE_LIMIT", "60 per minute"))
def ballot(token):
    link = _link(token)
    cookie = request.cookies.get(_cookie_name(link)) or secrets.token_urlsafe(32)
    if link.closed_at is not None:
        return _page(link, None, cookie, message=str(REFUSALS["closed"]))
    if has_voted(link, cookie):
        return _page(link, None, cookie, message=str(REFUSALS["voted"]))
    return _page(link, ballot_form(people_of_link(link)), cookie)


@bp.post("/<token>")
@limiter.limit(lambda: current_app.config.get("VOTE_RATE_LIMIT", "30 per hour"))
def cast(token):
    link = _link(token)
    cookie = request.cookies.get(_cookie_name(link))
    form = ballot_form(people_of_link(link), request.form)
    if not cookie:  # a phone that keeps no cookie cannot be held to one vote
        return _page(link, form, secrets.token_urlsafe(32), status=422,
                     message=_("请允许浏览器保存 Cookie 后重新打开本页再投票。"))
    valid = form.validate_on_submit()
    if ballot_errors(form) or not valid:  # the ballot's own rules are said too, not only the fields'
        return _page(link, form, cookie, status=form_status(form) if form.errors or form.form_errors else 400)
    try:
        cast_ballot(link, cookie, ratings_from(form))
    except VoteRefused as refused:
        return _page(link, None, cookie, status=409, message=str(REFUSALS[refused.message]))
    return _page(link, None, cookie, message=_("投票成功，感谢您的评议！"), done=True)


@bp.get("/<token>/photos/<int:user_id>.jpg")
@limiter.limit(lambda: current_app.config.get("VOTE_PHOTO_RATE_LIMIT", "600 per minute"))
def photo(token, user_id):
    """A worker's photo for the vote page: the token stands for the login, so it answers
    only for the people that link's page lists, and only while its vote is open."""
    link = _link(token)
    if link.closed_at is not None or user_id not in {p.id for p in people_of_link(link)}:
        abort(404)
    path = photo_file(photos_of([user_id]).get(user_id))
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
