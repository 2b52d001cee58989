"""The files of jobs: uploaded inputs and results under JOBS_FOLDER (default instance/jobs/),
stored under random names; the names are kept on the job rows (services/jobs.py)."""

from __future__ import annotations

import logging
import secrets
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from flask import current_app

log = logging.getLogger(__name__)

ORPHAN_AGE = timedelta(days=1)  # files no job refers to are removed once this old
CHUNK_BYTES = 1024 * 1024


def folder() -> Path:
    configured = current_app.config.get("JOBS_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "jobs"


def file_path(name: str) -> Path:
    return folder() / name


def new_file_name(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def save(stream: BinaryIO, extension: str) -> tuple[str, int]:
    """Copy `stream` into a new file; (its name, its size in bytes)."""
    name = new_file_name(extension)
    path = file_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("wb") as target:
            shutil.copyfileobj(stream, target, CHUNK_BYTES)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name, path.stat().st_size


def remove(names: list[str]) -> None:
    for name in names:
        file_path(name).unlink(missing_ok=True)


def remove_orphans(referenced: set[str], now: datetime) -> int:
    """Files no job refers to, once ORPHAN_AGE old (younger ones may belong to a job being
    created). `now` is naive UTC."""
    base = folder()
    if not base.is_dir():
        return 0
    cutoff = (now - ORPHAN_AGE).replace(tzinfo=UTC).timestamp()
    removed = 0
    for path in base.iterdir():
        if path.is_file() and path.name not in referenced and path.stat().st_mtime < cutoff:
            log.info("Removing %s: no job refers to it", path.name)
            path.unlink(missing_ok=True)
            removed += 1
    return removed
