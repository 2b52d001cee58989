"""Restoring a backup (services/backup.py) into an empty database and the upload folder.

Everything is verified against the manifest before anything is written; the files go back
first, then the database (pg_restore in one transaction; SQLite's backup API), so a failed
restore leaves at worst files that no row refers to.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ipr_apps.db import db
from ipr_apps.services.backup import (
    UPLOADS,
    FileRef,
    digest,
    mismatch,
    read_manifest,
    upload_folder,
)
from ipr_apps.services.snapshots import BackupError, for_engine, table_names


@dataclass(frozen=True)
class Restored:
    manifest: dict
    files: int
    already_present: int


def restore(source: Path) -> Restored:
    source = Path(source)
    manifest = read_manifest(source)
    snapshot = for_engine(db.engine)
    database_file = _verified_database(source, manifest)
    refs = [_verified_file(source, entry) for entry in manifest["files"]]
    _check_target(manifest, snapshot.kind)
    present = _check_upload_folder(refs)
    for ref in refs:
        if ref.relative not in present:
            _put_back(source / UPLOADS / ref.relative, upload_folder() / ref.relative)
    snapshot.restore(db.engine, database_file)
    return Restored(manifest, len(refs) - len(present), len(present))


def _check_target(manifest: dict, kind: str) -> None:
    saved = manifest["database"]["kind"]
    if saved != kind:
        raise BackupError(f"This is a backup of a {saved} database; the app is set up for {kind}.")
    tables = table_names(db.engine)
    db.session.remove()
    if tables:
        shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise BackupError(
            f"The database is not empty ({len(tables)} tables: {shown}). Restore only into a new, "
            "empty database: create one and point DATABASE_URL at it."
        )


def _verified_database(source: Path, manifest: dict) -> Path:
    entry = manifest["database"]
    path = source / Path(entry["file"]).name
    if not path.is_file():
        raise BackupError(f"The database snapshot {path} is missing.")
    if digest(path) != (entry["size"], entry["sha256"]):
        raise BackupError(f"The database snapshot {path} is damaged (size or SHA-256 differs).")
    return path


def _verified_file(source: Path, entry: dict) -> FileRef:
    name = Path(str(entry["path"])).name
    ref = FileRef(entry["table"], entry["id"], name, entry["size"], entry["sha256"])
    if ref.relative != entry["path"]:
        raise BackupError(f"The manifest lists an unexpected path: {entry['path']}.")
    path = source / UPLOADS / ref.relative
    if not path.is_file():
        raise BackupError(f"The backup lacks {ref.describe()}.")
    problem = mismatch(ref, *digest(path))
    if problem:
        raise BackupError(f"The backup is damaged: {problem}")
    return ref


def _check_upload_folder(refs: list[FileRef]) -> set[str]:
    """Files already in the upload folder must be the same; return those that are."""
    present = set()
    for ref in refs:
        path = upload_folder() / ref.relative
        if not path.exists():
            continue
        if mismatch(ref, *digest(path)):
            raise BackupError(
                f"The upload folder already holds a different {path}: restore into an empty "
                "upload folder."
            )
        present.add(ref.relative)
    return present


def _put_back(source: Path, dest: Path) -> None:
    """Copy under a temporary name, then rename: no half-written file under a real name."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".restoring")
    shutil.copy2(source, partial)
    os.replace(partial, dest)
