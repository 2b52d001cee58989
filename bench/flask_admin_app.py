"""The Flask-Admin baseline: a plain `ModelView` of the applications table, on the same database.

Served by bench/run.py with the same gunicorn settings as the app (DATABASE_URL as for the app).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask
from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_babel import Babel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ipr_apps.config import normalise_database_url
from ipr_apps.db import db
from ipr_apps.models import Application


class ApplicationView(ModelView):
    page_size = 25  # the queue's page size
    can_create = can_edit = can_delete = False


def create() -> Flask:
    flask_app = Flask(__name__)
    flask_app.config.update(
        SQLALCHEMY_DATABASE_URI=normalise_database_url(os.environ["DATABASE_URL"]),
        SECRET_KEY="bench-flask-admin",  # noqa: S106 (flash messages of a bench-only app)
    )
    db.init_app(flask_app)
    Babel(flask_app)  # Flask-Admin translates its labels when Flask-Babel is installed
    admin = Admin(flask_app, name="bench")
    admin.add_view(ApplicationView(Application, db.session))
    return flask_app


app = create()
