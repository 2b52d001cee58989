"""ipr_apps: recording intellectual-property rights with customs."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, CLI."""
    instance_path = os.environ.get("IPR_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    from ipr_apps.config import load_config
    from ipr_apps.web import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added

    load_config(app, test_config)
    _init_extensions(app)
    _register_blueprints(app)
    from ipr_apps import cli, tasks, web

    web.init_app(app)
    cli.init_app(app)
    tasks.init_app(app)
    if app.config["PROXY_FIX_X_FOR"]:
        count = int(app.config["PROXY_FIX_X_FOR"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def _init_extensions(app: Flask) -> None:
    from ipr_apps import models  # noqa: F401  (every table registered before migrate)
    from ipr_apps.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
    from ipr_apps.services import (
        page_version,  # noqa: F401  (its commit event versions the queue)
        stats_summary,  # noqa: F401  (its flush events keep the summary)
    )

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True,
        compare_type=True,
    )  # fmt: skip
    login_manager.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    from ipr_apps import i18n

    i18n.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from ipr_apps.admin.views import bp as admin_bp
    from ipr_apps.auth.views import bp as auth_bp
    from ipr_apps.cases.views import bp as cases_bp
    from ipr_apps.documents.views import bp as documents_bp
    from ipr_apps.filing.views import bp as filing_bp
    from ipr_apps.main.views import bp as main_bp
    from ipr_apps.notifications.views import bp as notifications_bp
    from ipr_apps.recordations.views import bp as recordations_bp
    from ipr_apps.review.views import bp as review_bp
    from ipr_apps.stats.views import bp as stats_bp

    for blueprint in (
        main_bp,
        auth_bp,
        filing_bp,
        documents_bp,
        review_bp,
        admin_bp,
        notifications_bp,
        stats_bp,
        recordations_bp,
        cases_bp,
    ):
        app.register_blueprint(blueprint)
    from ipr_apps.auth.account_views import bp as account_bp  # e-mail confirmation, reset

    app.register_blueprint(account_bp)
    from ipr_apps.register.views import bp as register_bp  # the public register (no sign-in)

    app.register_blueprint(register_bp)
    from ipr_apps.detention_requests.views import bp as detention_requests_bp  # issue 13

    app.register_blueprint(detention_requests_bp)
    from ipr_apps.screenings.views import bp as screenings_bp  # issue 14

    app.register_blueprint(screenings_bp)
    from ipr_apps import api

    api.init_app(app)
