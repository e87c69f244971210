"""Application factory: configuration, extensions, blueprints, CLI and error handlers."""

from flask import Flask

from config import Config, config_from_env


def create_app(config_class: type[Config] | None = None, migrations: bool = True) -> Flask:
    """Build the application for a configuration class (FLASK_CONFIG's by default); web workers, which never migrate,
    pass migrations=False and leave Alembic unloaded."""
    config_class = config_class or config_from_env()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config_class)
    config_class.init_app(app)
    register_extensions(app, migrations)
    register_input_guards(app)
    register_blueprints(app)
    register_errors(app)
    register_hooks(app)
    register_commands(app)
    return app


def register_extensions(app: Flask, migrations: bool = True) -> None:
    """Bind the extension instances to this app (Flask-Migrate's `flask db` only when `migrations`)."""
    from app.auth_session import load_user
    from app.data_stamp import register_data_stamp
    from app.extensions import csrf, db, limiter, login_manager
    from app.sqlite import register_sqlite_events

    register_sqlite_events()
    register_data_stamp()
    db.init_app(app)
    register_xapi(app)
    register_audit(app)
    register_mail(app)
    if migrations:
        from flask_migrate import Migrate

        Migrate(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


def register_xapi(app: Flask) -> None:
    """Check the Learning Record Store settings; post queued statements after each commit that made some."""
    from sqlalchemy import event

    from app.extensions import db
    from app.services.xapi_delivery import forget_after_rollback, send_after_commit

    endpoint = app.config.get("XAPI_ENDPOINT")
    if endpoint and not endpoint.startswith(("http://", "https://")):
        raise RuntimeError("XAPI_ENDPOINT must be an http:// or https:// address.")
    for name, listener in (("after_commit", send_after_commit), ("after_rollback", forget_after_rollback)):
        if not event.contains(db.session, name, listener):  # one session for every app the process makes
            event.listen(db.session, name, listener)


def register_audit(app: Flask) -> None:
    """Refuse to run without an audit key; move the audit head file on after each commit that added events."""
    from sqlalchemy import event

    from app.extensions import db
    from app.services.audit_head import after_commit, after_rollback

    if not app.config.get("AUDIT_KEY"):
        raise RuntimeError("AUDIT_KEY must be set: it keys the audit trail's hash chain.")
    for name, listener in (("after_commit", after_commit), ("after_rollback", after_rollback)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def register_input_guards(app: Flask) -> None:
    """Bounded ids in routes, no NUL characters, numbers out of range answered with a 400 (before any route exists)."""
    from app.input import register_input_guards as register

    register(app)


def register_mail(app: Flask) -> None:
    """The background mail sender: started by the first request the process serves, woken by commits that queue mail."""
    from app.services import mail_sender

    mail_sender.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per area."""
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp
    from app.auth.account import bp as account_bp
    from app.codes import bp as codes_bp
    from app.employer import bp as employer_bp
    from app.health import bp as health_bp
    from app.health import version_static_urls
    from app.learn import bp as learn_bp
    from app.teach import bp as teach_bp

    for blueprint in (auth_bp, account_bp, learn_bp, codes_bp, teach_bp, admin_bp, employer_bp, health_bp):
        app.register_blueprint(blueprint)
    version_static_urls(app)


def register_errors(app: Flask) -> None:
    """Plain error pages; no stack trace ever reaches a user."""
    from app.errors import register_error_handlers

    register_error_handlers(app)


def register_hooks(app: Flask) -> None:
    """A request id, session time limits, security headers on every response, and the request's one commit."""
    from app.auth_session import enforce_session_limits
    from app.headers import add_security_headers, assign_request_id
    from app.unit_of_work import register_unit_of_work

    app.before_request(assign_request_id)
    app.before_request(enforce_session_limits)
    app.after_request(add_security_headers)
    register_unit_of_work(app)


def register_commands(app: Flask) -> None:
    """flask content / users / demo commands."""
    from app.cli import register_cli

    register_cli(app)
