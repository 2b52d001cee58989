"""Large files of declaration lines screened on the job queue: progress and result files."""

from __future__ import annotations

from ipr_apps.screenings.views import bp  # noqa: F401
