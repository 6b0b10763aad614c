"""福新外勤 Fuxin Field: the application factory."""
import os
import secrets

from flask import Flask
from werkzeug.routing import IntegerConverter

from .config import Config
from .domain import ID_MAX
from .extensions import babel, csrf, db, limiter, login, migrate
from .i18n import init_i18n, select_locale


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "fuxin.sqlite")

    if app.config["PROXY_FIX_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    # An id in a URL that no id column can hold (/cases/99999999999999999999) is a 404 like any
    # other unknown id, never a query the database refuses.
    app.url_map.converters["int"] = BoundedIntConverter

    from .connections import check_idle_connections, uses_idle_check

    idle_check = uses_idle_check(app)
    db.init_app(app)
    if idle_check:
        with app.app_context():
            check_idle_connections(db.engine)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_i18n(app)
    limiter.init_app(app)
    _sqlite_pragmas(app)

    from .field.models import TaskKind
    from .memo import init_memo
    from .places.models import Assignment, Place

    init_memo(app, watched=(Place, Assignment, TaskKind))
    from .versions import init_versions

    init_versions(app)

    from . import models  # noqa: F401  (every table registered before migrations look)
    from .admin import bp as admin_bp
    from .audit import bp as audit_bp
    from .audit import init_audit
    from .auth import bp as auth_bp
    from .care import bp as care_bp
    from .cases import bp as cases_bp
    from .coverage import bp as coverage_bp
    from .directives import bp as directives_bp
    from .duty import bp as duty_bp
    from .dispatch import bp as dispatch_bp
    from .errors import bp as errors_bp
    from .evaluations import bp as evaluations_bp
    from .evaluations import votes_bp
    from .field import bp as field_bp
    from .grades import bp as grades_bp
    from .honours import bp as honours_bp
    from .oversight import bp as oversight_bp
    from .people import bp as people_bp
    from .photos import bp as photos_bp
    from .privacy import bp as privacy_bp
    from .pwa import bp as pwa_bp
    from .requests import bp as requests_bp
    from .reserve import bp as reserve_bp
    from .rounds import bp as rounds_bp
    from .service_days import bp as service_days_bp
    from .stats import bp as stats_bp
    from .sync import bp as sync_bp
    from .training import bp as training_bp

    for bp in (errors_bp, auth_bp, field_bp, cases_bp, admin_bp, oversight_bp, photos_bp, sync_bp, pwa_bp,
               coverage_bp, requests_bp, dispatch_bp, stats_bp, audit_bp,
               privacy_bp, directives_bp, rounds_bp, duty_bp, people_bp, care_bp, training_bp, honours_bp,
               evaluations_bp, votes_bp, service_days_bp, grades_bp, reserve_bp):
        app.register_blueprint(bp)
    init_audit(app)

    from .cli import register_cli
    from .security import init_security
    from .web import register_template_helpers

    register_cli(app)
    init_security(app)
    register_template_helpers(app)

    @app.get("/healthz")
    def healthz():
        """200 once the database answers; 503 otherwise."""
        try:
            db.session.execute(db.text("SELECT 1"))
        except Exception:  # any failure to reach the database is "not ready"
            db.session.rollback()
            return {"status": "unavailable"}, 503
        return {"status": "ok"}

    return app


class BoundedIntConverter(IntegerConverter):
    """<int:…> ids no larger than the largest an INTEGER column holds; a larger one matches
    no route (404) instead of reaching a query."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def _instance_secret(instance_path: str) -> str:
    """A random key made once and kept in instance/, so sessions and 30-day remember-me
    cookies survive a restart without anyone having to set SECRET_KEY on a laptop."""
    path = os.path.join(instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made earlier, or by another worker just now
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        return handle.read().strip()


def _sqlite_pragmas(app: Flask) -> None:
    """WAL and a busy timeout let concurrent syncs wait for each other instead of failing."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=10000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
