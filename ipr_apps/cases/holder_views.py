"""Detention-case pages: the holder side (routes added to cases.views.bp)."""

from ipr_apps.cases.views import bp  # noqa: F401
