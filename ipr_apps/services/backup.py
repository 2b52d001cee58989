"""Online backups: a consistent database snapshot, then exactly the uploads its rows refer to.

A backup folder holds the snapshot (database.sqlite3 or database.pgdump), uploads/ (the same
<2 chars>/<stored name> layout as the upload folder) and manifest.json, written last: a folder
without a manifest is an incomplete backup and is never restored.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app

from ipr_apps.db import db
from ipr_apps.services.documents import STORED_NAME
from ipr_apps.services.snapshots import BackupError, for_engine

FORMAT = "ipr_apps-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
CHUNK = 1 << 20
# Tables whose rows name a file in the upload folder: (table, name, size, sha256 columns).
FILE_TABLES = (
    ("documents", "stored_name", "size_bytes", "sha256"),
    ("request_documents", "stored_name", "size_bytes", "sha256"),  # detention-request evidence
)
COUNTED_TABLES = ("users", "applications", "documents", "recordations", "decisions", "counters")


@dataclass(frozen=True)
class FileRef:
    """A file a row refers to: where it lives under uploads/, and what it must contain."""

    table: str
    row_id: str | None
    name: str
    size: int | None
    sha256: str | None

    @property
    def relative(self) -> str:
        if not STORED_NAME.match(self.name):  # never build a path from anything else
            raise BackupError(f"{self.table} row {self.row_id} has an invalid file name.")
        return f"{self.name[:2]}/{self.name}"

    def describe(self) -> str:
        return f"{self.table} row {self.row_id} (file {self.relative})"


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def digest(path: Path) -> tuple[int, str]:
    """Size and sha256 of a file, read in chunks."""
    sha, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return size, sha.hexdigest()


def mismatch(ref: FileRef, size: int, sha256: str) -> str | None:
    """Why a file is not the one its row describes, or None."""
    if ref.size is not None and size != ref.size:
        return f"{ref.describe()} has {size} bytes, its row says {ref.size}."
    if ref.sha256 and sha256 != ref.sha256:
        return f"{ref.describe()} does not match the SHA-256 its row records."
    return None


def take(target: Path) -> dict:
    """Write a backup into `target` (new or empty); return the manifest."""
    target = _prepare(target)
    snapshot = for_engine(db.engine)
    database_file = target / snapshot.file_name
    started = now()
    details = snapshot.take(db.engine, database_file)
    refs = list(_file_refs(snapshot, database_file))
    files = _copy_files(refs, target / UPLOADS)
    size, sha256 = digest(database_file)
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "snapshot_started_at": started, "finished_at": now(),
        "database": {
            "kind": snapshot.kind, "file": snapshot.file_name, "size": size, "sha256": sha256,
            "alembic_revision": _alembic_revision(snapshot, database_file), **details,
        },
        "counts": _counts(snapshot, database_file),
        "files": files,
    }  # fmt: skip
    _write_json(target / MANIFEST, manifest)
    return manifest


def _prepare(target: Path) -> Path:
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not an empty folder: back up into a new one.")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    return target


def _file_refs(snapshot, database_file: Path) -> Iterator[FileRef]:
    for table, name, size, sha256 in FILE_TABLES:
        for row in snapshot.rows(database_file, table):
            raw_size = row.get(size)
            yield FileRef(
                table, row.get("id"), row[name] or "",
                int(raw_size) if raw_size is not None else None, row.get(sha256),
            )  # fmt: skip


def _copy_files(refs: list[FileRef], destination: Path) -> list[dict]:
    """Copy every referenced file, checking it against its row; all problems in one error."""
    problems, files = [], []
    for ref in refs:
        source = upload_folder() / ref.relative
        try:
            size, sha256 = _copy(source, destination / ref.relative)
        except FileNotFoundError:
            problems.append(f"{ref.describe()} is missing from the upload folder.")
            continue
        problem = mismatch(ref, size, sha256)
        if problem:
            problems.append(problem)
        files.append({"table": ref.table, "id": ref.row_id, "path": ref.relative,
                      "size": size, "sha256": sha256})  # fmt: skip
    if problems:
        raise BackupError(
            "The backup is incomplete (no manifest was written):\n" + "\n".join(problems)
        )
    return files


def _copy(source: Path, dest: Path) -> tuple[int, str]:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, dest.open("xb") as out:
        shutil.copyfileobj(src, out, CHUNK)
    os.utime(dest, (source.stat().st_atime, source.stat().st_mtime))
    return digest(dest)


def _alembic_revision(snapshot, database_file: Path) -> str | None:
    rows = list(snapshot.rows(database_file, "alembic_version"))
    return ",".join(sorted(str(row["version_num"]) for row in rows)) or None


def _counts(snapshot, database_file: Path) -> dict[str, int]:
    return {table: sum(1 for _ in snapshot.rows(database_file, table)) for table in COUNTED_TABLES}


def _write_json(path: Path, data: dict) -> None:
    """Write to a temporary name, then rename: the manifest appears whole or not at all."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} holds no complete backup ({MANIFEST} is missing).") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} cannot be read: {error}") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is not a backup of this application (format {FORMAT} 1).")
    return manifest
