"""Large files of declaration lines screened on the job queue (a ScreeningRun with a Job)."""

from __future__ import annotations

from typing import BinaryIO

from ipr_apps.models import ScreeningRun, User


def start_batch(
    actor: User, stream: BinaryIO, filename: str, threshold: int | None = None
) -> ScreeningRun:
    """Keep the uploaded CSV/XLSX file and queue its screening; the run (unfinished, with its
    job) is returned at once and its page shows the progress."""
    raise NotImplementedError("filled in by the batch work of issue 14")
