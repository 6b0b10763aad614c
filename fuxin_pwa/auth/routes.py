"""Log in and out. Unauthenticated requests are answered in the way the caller understands:
JSON 401 for the API, an HX-Redirect for htmx, a redirect to the login page otherwise."""
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, flash, g, jsonify, make_response, redirect, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, login
from ..web import form_status, render
from . import bp, known, throttle
from .forms import LoginForm, PasswordForm
from .models import User, password_matches


@login.user_loader
def load_user(session_id: str):
    """The person a session or remember-me cookie names ("<id>.<token>", User.get_id), while
    that token is still theirs and they are active: logout, a new password and deactivation
    change the token, which ends every session and cookie made before."""
    user_id, _dot, token = session_id.partition(".")
    if not user_id.isdigit() or not token:
        return None
    user = known.person(int(user_id))
    return user if user is not None and user.active and user.holds(token) else None


@login.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        return jsonify(error="auth_required"), 401
    return _whole_page_to("auth.login", 401)


def _whole_page_to(endpoint: str, htmx_status: int):
    """A redirect to a page that comes back here after (`next`). For htmx, the whole page
    goes there: a login or password form swapped into a fragment would be nonsense."""
    target = url_for(endpoint, next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        response = make_response("", htmx_status)
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
        refused = _too_many_tries(username, form.password, "auth/login.html", form=form)
        if refused is not None:
            return refused
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


def _too_many_tries(username: str, password_field, template: str, **context):
    """While the account (or this address) is held for failed passwords: the form again, 429,
    with when to try again beside the password field; None otherwise. The login's hold, for
    the login and for the form that asks for the password again."""
    held = throttle.held_until(username)
    if held is None:
        return None
    password_field.errors.append(_("登录失败次数过多，请在 %(time)s 后再试", time=format_time(held, "HH:mm")))
    response = make_response(render(template, **context), 429)
    response.headers["Retry-After"] = str(throttle.seconds_until(held))
    return response


@bp.route("/password", methods=["GET", "POST"], endpoint="password")
@login_required
def change_password():
    """The person's own password. A new one ends every other session and remember-me
    cookie of theirs (a lost phone, a tablet someone forgot to log out of); this one goes
    on. An account whose password an admin chose is sent here first (password_first)."""
    user = current_user._get_current_object()
    form = PasswordForm(user)
    if form.validate_on_submit():
        refused = _too_many_tries(user.username, form.current, "auth/password.html", form=form,
                                  forced=user.must_change_password)
        if refused is not None:
            return refused
        if not user.check_password(form.current.data):
            throttle.note_failure(user.username)
            form.current.errors.append(_("当前密码不正确"))
        else:
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            user.set_password(form.new.data)
            user.must_change_password = False
            db.session.commit()
            login_user(user, remember=remembered)  # under the new token
            flash(_("密码已修改，其他设备上的登录已退出"), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("field.home"))
    return render("auth/password.html", form=form, forced=user.must_change_password, status=form_status(form))


# What a person whose password an admin chose may still open before choosing their own:
# the form itself, logging out, and what the shell needs to load. The API stays open so a
# phone's outbox is never held hostage; the pages are not.
_OPEN_BEFORE_PASSWORD = frozenset({"auth.password", "auth.logout", "auth.login", "static", "pwa.manifest",
                                   "pwa.service_worker", "pwa.offline", "healthz"})


@bp.before_app_request
def password_first():
    if request.endpoint in _OPEN_BEFORE_PASSWORD or request.path.startswith("/api/"):
        return None  # before current_user: a static file costs no user lookup
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    return _whole_page_to("auth.password", 204)


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
    # Logging out here logs the person out everywhere: every session and remember-me cookie
    # made before (another phone, a tablet left logged in) stops opening anything.
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    # A fresh session (and CSRF secret) for whoever logs in next on this device. Cleared
    # before logout_user(), which leaves the mark that makes Flask-Login drop the 30-day
    # remember-me cookie too; cleared after, that mark would be lost and the cookie would
    # log the person straight back in.
    _fresh_session()
    logout_user()
    flash(_("已退出登录"))
    return redirect(url_for("auth.login"))
