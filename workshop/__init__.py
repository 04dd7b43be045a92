"""Twinning Workshop: the application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import StrictUndefined

from workshop import (
    config,
    database,
    errors,
    gate,
    numbers,
    production,
    security,
    securitylog,
    templating,
)
from workshop.extensions import babel, csrf, db, login_manager, migrate
from workshop.paths import DEFAULT_INSTANCE_DIR, MIGRATIONS_DIR, STATIC_DIR, TEMPLATES_DIR


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build an app wired to the top-level templates/, static/ and instance/ folders."""
    instance_dir = Path(os.environ.get("WORKSHOP_INSTANCE_PATH", DEFAULT_INSTANCE_DIR)).resolve()
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
        instance_path=str(instance_dir),
        instance_relative_config=True,
    )
    app.config.from_object(config.Config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("WORKSHOP")
    else:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = config.database_url(app)
    production.refuse_unsafe(app)  # before a key is generated: production must configure one
    app.config["SECRET_KEY"] = config.secret_key(app)
    securitylog.configure()
    if app.debug or app.testing:
        app.jinja_env.undefined = StrictUndefined

    _check_methods()
    numbers.init_app(app)  # before the blueprints: their rules take the converter
    _init_extensions(app)
    _register_blueprints(app)
    errors.init_app(app)
    security.init_app(app)
    gate.init_app(app)
    templating.init_app(app)
    _register_commands(app)
    return app


def _check_methods() -> None:
    """Refuse to start when any method version or move mapping has a mistake (each listed)."""
    from workshop.method import move
    from workshop.method.definition import check_all

    check_all()
    for old, new in move.available_moves():
        move.load_mapping(old, new)


def _init_extensions(app: Flask) -> None:
    from workshop.auth import sessions
    from workshop.i18n import select_locale

    database.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    sessions.init_app(app, login_manager)


def _register_blueprints(app: Flask) -> None:
    from workshop import facilitation, groupwork, live  # noqa: F401 - live counts changes
    from workshop.accounts.views import bp as accounts_bp
    from workshop.auditlog.views import bp as auditlog_bp
    from workshop.auth.views import bp as auth_bp
    from workshop.documents.views import bp as documents_bp
    from workshop.exports.views import bp as exports_bp
    from workshop.imports.views import bp as imports_bp
    from workshop.institutions.views import bp as institutions_bp
    from workshop.jobs.views import bp as jobs_bp
    from workshop.main.views import bp as main_bp
    from workshop.overview.partnership.views import bp as partnership_view_bp
    from workshop.overview.programme.views import bp as programme_bp
    from workshop.partnerships.views import bp as partnerships_bp
    from workshop.prefs.views import bp as prefs_bp
    from workshop.seminars.views import bp as seminars_bp

    for bp in (
        main_bp,
        prefs_bp,
        auth_bp,
        partnerships_bp,
        *groupwork.blueprints(),
        institutions_bp,
        seminars_bp,
        imports_bp,
        accounts_bp,
        documents_bp,
        jobs_bp,
        *facilitation.blueprints(),
        partnership_view_bp,
        programme_bp,
        exports_bp,
        auditlog_bp,
    ):
        app.register_blueprint(bp)


def _register_commands(app: Flask) -> None:
    from workshop.cli import workshop_cli

    app.cli.add_command(workshop_cli)
