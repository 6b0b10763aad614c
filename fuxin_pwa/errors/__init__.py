"""Error pages for people, JSON for API callers: never an HTML page to the sync client."""
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from ..domain import NotFound
from ..web import render

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: _l("请求无效"),
    403: _l("您没有权限查看此页面"),
    404: _l("页面不存在"),
    413: _l("提交的内容太大"),
    429: _l("操作太频繁，请稍后再试"),
    500: _l("服务器出错了，请稍后再试"),
}
API_CODES = {400: "bad_request", 401: "auth_required", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type",
             429: "rate_limited", 500: "server_error"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def _answer(code: int, error=None):
    if wants_json():
        response = jsonify(error=API_CODES.get(code, "error"))
        response.status_code = code
    else:
        response = render("errors/error.html", code=code, message=MESSAGES.get(code) or _("出错了"), status=code)
    # Keep Retry-After and the like (Flask-Limiter puts them on the exception's response).
    original = getattr(error, "response", None)
    if original is not None and hasattr(original, "headers"):
        for key in ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
            if key in original.headers:
                response.headers[key] = original.headers[key]
    return response


@bp.app_errorhandler(NotFound)
def not_found(error):
    """A service or access helper found nothing this person may see: the 404 page, or JSON."""
    return _answer(404, error)


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    if wants_json():
        return jsonify(error="csrf", detail=error.description), 403
    return render("errors/error.html", code=400, message=_("页面已过期或来源无效，请刷新后重试"), status=400)


@bp.before_app_request
def refuse_what_no_database_holds():
    """A NUL character in a form field or the address: no text column can hold one
    (PostgreSQL refuses it), and no one types it. Said plainly, before any view tries to
    store or search it. The sync API judges its records one by one instead (sync/services)."""
    sent = (value for values in (request.args, request.form) for each in values.listvalues() for value in each)
    if any("\x00" in value for value in sent):  # every value of a field sent twice, not only its first
        if wants_json():
            return jsonify(error="bad_request", detail="NUL character"), 400
        return render("errors/error.html", code=400, status=400,
                      message=_("提交的内容含有无法保存的字符（多为复制粘贴带来的控制字符），请删除后重试"))
    return None


for _code in (400, 403, 404, 405, 413, 415, 429, 500):
    bp.app_errorhandler(_code)(lambda error, _c=_code: _answer(_c, error))
