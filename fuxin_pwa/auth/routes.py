"""Log in and out. Unauthenticated requests are answered in the way the caller understands:
JSON 401 for the API, an HX-Redirect for htmx, a redirect to the login page otherwise."""
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, flash, g, jsonify, make_response, redirect, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, login
from ..web import render
from . import bp, throttle
from .forms import LoginForm
from .models import User, password_matches


@login.user_loader
def load_user(user_id: str):
    user = db.session.get(User, int(user_id))
    # A person deactivated by the admin is logged out everywhere, remember-me included.
    return user if user is not None and user.active else None


@login.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        return jsonify(error="auth_required"), 401
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        # A login form swapped into a fragment would be nonsense: send the whole page there.
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths: `next` must never send a person to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"], endpoint="login")
def login_view():
    if current_user.is_authenticated:
        return redirect(url_for("field.home"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        held = throttle.held_until(username)
        if held is not None:
            form.password.errors.append(_("登录失败次数过多，请在 %(time)s 后再试", time=format_time(held, "HH:mm")))
            response = make_response(render("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(throttle.seconds_until(held))
            return response
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if not password_matches(user, form.password.data):
            throttle.note_failure(username)
            form.password.errors.append(_("用户名或密码不正确"))
        elif not user.active:
            form.username.errors.append(_("该账号已停用，请联系管理员"))
        else:
            throttle.note_success(username)
            _fresh_session()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("field.home"))
    return render("auth/login.html", form=form)



def _fresh_session() -> None:
    """A new session, and with it a new CSRF secret, for the person logging in: nothing a
    page or a script saw before the login (a token on a shared tablet, say) is good after
    it. Only the language chosen stays."""
    lang = session.get("lang")
    session.clear()
    # Flask-WTF keeps the token it signed in `g` for the rest of the request: drop it too,
    # or a page drawn later in this request would carry a token of the old secret.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    if lang:
        session["lang"] = lang


@bp.post("/logout")
def logout():
    # A fresh session (and CSRF secret) for whoever logs in next on this device. Cleared
    # before logout_user(), which leaves the mark that makes Flask-Login drop the 30-day
    # remember-me cookie too; cleared after, that mark would be lost and the cookie would
    # log the person straight back in.
    _fresh_session()
    logout_user()
    flash(_("已退出登录"))
    return redirect(url_for("auth.login"))
