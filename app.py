"""Entry point: `flask --app app run` and `gunicorn app:app` both find `app` here."""

from ipr_apps import create_app

app = create_app()
