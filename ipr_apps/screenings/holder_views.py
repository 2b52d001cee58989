"""Holders' page: how often each of their recordations was hit, and what came of the cases."""

from __future__ import annotations

from ipr_apps.screenings.views import bp  # noqa: F401
