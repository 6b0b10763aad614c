"""GET /api/v1/me and POST /api/v1/sync, exactly as the sync protocol says.

Every answer is JSON: 401 before anything else when there is no session (a device must
know to ask for a login, not to refresh a token), then the CSRF check (403), then size
(413) and shape (400)."""
import hashlib
import json

from flask import current_app, jsonify, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ..extensions import csrf, limiter
from ..directives.services import outstanding_for
from ..service_days.services import days_in_window
from ..field.services import active_task_kinds
from ..kept import kept_for_person
from ..places.services import selectable_places
from ..rounds.services import phone_plan
from ..timeutil import iso_local, utcnow
from . import bp
from .openapi import openapi_document
from .registry import RECORD_TYPES
from .services import BadRequest, apply_batch

csrf.exempt(bp)  # checked below, after the session, so a logged-out device hears 401


@bp.before_request
def require_session_then_csrf():
    if request.endpoint == "sync.openapi":  # the contract is public; nothing in it is anyone's
        return None
    if not current_user.is_authenticated:
        return jsonify(error="auth_required"), 401
    if request.method not in ("GET", "HEAD", "OPTIONS") and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else request.remote_addr


@bp.get("/openapi.json")
def openapi():
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _me_body() -> str:
    """What /me says of the person, as JSON; kept between requests (kept.py) while nothing
    under it has changed: a phone asks for it at every start and every sync."""
    body = {
        "user": {"username": current_user.username, "name": current_user.name, "role": current_user.role},
        "types": list(RECORD_TYPES),
        "task_kinds": [{"code": k.code, "label": k.display_label} for k in active_task_kinds()],
        "places": [{"id": p.id, "name": p.name, "kind": p.kind, "parent_id": p.parent_id}
                   for p in selectable_places(current_user)],
        # Hashed into the ETag with the rest: a relay made anywhere changes the answer.
        "directives": [{"id": d.id, "title": d.title, "due_on": d.due_on.isoformat(), "place_ids": d.place_ids}
                       for d in outstanding_for(current_user)],
        "service_days": [{"id": d.id, "title": d.title, "place_id": d.place_id, "on": d.held_on.isoformat(),
                          "starts_at": d.starts_at.strftime("%H:%M"), "ends_at": d.ends_at.strftime("%H:%M"),
                          "services": [{"code": k.code, "label": k.display_label} for k in d.services]}
                         for d in days_in_window(current_user)],
        # This month's planned visits (rounds/), so the home's 本月计划 is right offline.
        "plan": phone_plan(current_user),
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


@bp.get("/me")
def me():
    body = kept_for_person("api-me", current_user, _me_body)
    token = generate_csrf()
    # The ETag covers the session's CSRF secret too, so a new login never gets a 304
    # that would leave the device holding the old session's token.
    digest = hashlib.sha256(body.encode() + str(session.get("csrf_token")).encode()).hexdigest()[:32]
    etag = f'"{digest}"'
    # Weak comparison, as If-None-Match asks: a gzipped answer carries the tag weakened
    # (W/"…", assets.compress), and the phone sends back what it was given.
    if request.if_none_match.contains_weak(digest):
        response = make_response("", 304)
    else:
        response = make_response(body[:-1] + ', "csrf_token": ' + json.dumps(token) + "}")
        response.mimetype = "application/json"
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/sync")
@limiter.limit(lambda: current_app.config.get("SYNC_RATE_LIMIT", "120 per minute"), key_func=_user_key)
def sync():
    limit = current_app.config["SYNC_MAX_BYTES"]
    if (request.content_length or 0) > limit:
        return jsonify(error="too_large", detail=f"at most {limit} bytes"), 413
    raw = request.get_data()
    if len(raw) > limit:
        return jsonify(error="too_large", detail=f"at most {limit} bytes"), 413
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return jsonify(error="bad_request", detail="body is not JSON"), 400
    records = body.get("records") if isinstance(body, dict) else None
    if isinstance(records, list) and len(records) > current_app.config["SYNC_MAX_RECORDS"]:
        return jsonify(error="too_large", detail=f"at most {current_app.config['SYNC_MAX_RECORDS']} records"), 413
    try:
        results = apply_batch(current_user, body)
    except BadRequest as exc:
        return jsonify(error="bad_request", detail=str(exc)), 400
    return jsonify(results=results, server_time=iso_local(utcnow()))
