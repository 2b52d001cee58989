"""`ipr backup`, `ipr restore` and `ipr check`: consistent online backups of rows and their files.

The load test writes applications and documents in a thread while `flask ipr backup` runs in
another process, then restores into a fresh database (SQLite in WAL mode, or a sibling
PostgreSQL database with IPR_TEST_DATABASE_URL) and compares with what the writer was told.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import threading
import time
import zlib
from datetime import datetime

import pytest
from sqlalchemy import create_engine, func, select, text, update

from ipr_apps import create_app
from ipr_apps.db import db
from ipr_apps.models import Counter, DocType, Document, Role, User, today
from ipr_apps.services import documents, filing
from tests import factories
from tests.conftest import base_config
from tests.live import run_cli, server_env, temporary_database

WRITES_BEFORE = 10  # acknowledged writes before the backup starts
WRITES_AFTER = 6  # ... and after it has finished


def png(n: int) -> bytes:
    """A valid 1×1 PNG whose pixel depends on `n` (every upload is a different file)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, n % 256, n // 256 % 256, 7]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


def attach_photo(owner: User, application_id: int, n: int) -> Document:
    return documents.attach(
        owner, application_id, DocType.GOODS_PHOTO, io.BytesIO(png(n)), f"photo-{n}.png"
    )


class Writer(threading.Thread):
    """Files applications with a photo each, one commit at a time, noting each acknowledgement."""

    def __init__(self, config: dict) -> None:
        super().__init__(daemon=True)
        self.app = create_app(config)
        self.stop = threading.Event()
        self.acks: list[tuple[str, int, float]] = []  # (table, id, time the commit returned)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.app.app_context():
                owner = factories.make_user(Role.HOLDER)
                while not self.stop.is_set():
                    application = filing.create_draft(owner, "trademark")
                    self.acks.append(("applications", application.id, time.time()))
                    document = attach_photo(owner, application.id, len(self.acks))
                    self.acks.append(("documents", document.id, time.time()))
                db.session.remove()
                db.engine.dispose()
        except BaseException as error:  # reported by the test
            self.error = error

    def wait_for(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acks) < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, "the writer is stuck"
            time.sleep(0.05)


def restored_rows(url: str) -> tuple[set[tuple[str, int]], list]:
    """The (table, id) rows of the restored database, and its documents."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            ids = conn.execute(text("select id from applications")).scalars().all()
            docs = conn.execute(text("select id, stored_name, sha256 from documents")).all()
    finally:
        engine.dispose()
    return {("applications", i) for i in ids} | {("documents", d.id) for d in docs}, docs


def test_backup_under_write_load_restores_every_acknowledged_write(tmp_path) -> None:
    uploads, backup = tmp_path / "uploads", tmp_path / "backup"
    with temporary_database("backup_src", tmp_path) as source:
        env = server_env(source, tmp_path / "source", {"IPR_UPLOAD_FOLDER": str(uploads)})
        run_cli(["db", "upgrade"], env)
        writer = Writer({**base_config(tmp_path, source), "UPLOAD_FOLDER": str(uploads)})
        writer.start()
        try:
            writer.wait_for(WRITES_BEFORE)
            run_cli(["ipr", "backup", str(backup)], env)
            writer.wait_for(len(writer.acks) + WRITES_AFTER)
        finally:
            writer.stop.set()
            writer.join(60)
        assert writer.error is None, writer.error

    manifest = json.loads((backup / "manifest.json").read_text())
    started = datetime.fromisoformat(manifest["snapshot_started_at"]).timestamp()
    restored_uploads = tmp_path / "restored_uploads"
    with temporary_database("backup_dst", tmp_path) as target:
        env = server_env(target, tmp_path / "target", {"IPR_UPLOAD_FOLDER": str(restored_uploads)})
        result = run_cli(["ipr", "restore", str(backup)], env)
        assert "everything is in order" in result.stdout
        run_cli(["ipr", "check"], env)
        present, files = restored_rows(target)

    order = [(table, row_id) for table, row_id, _ in writer.acks]
    acknowledged = {(table, row_id) for table, row_id, at in writer.acks if at < started}
    assert len(acknowledged) >= WRITES_BEFORE
    assert acknowledged <= present  # every write acknowledged before the snapshot is there
    kept = [row in present for row in order]
    assert kept == sorted(kept, reverse=True)  # and a consistent cut: a prefix, no holes
    assert not all(kept)  # the writes after the snapshot are not
    assert manifest["counts"]["documents"] == len(files)
    for document in files:
        path = restored_uploads / document.stored_name[:2] / document.stored_name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == document.sha256


@pytest.fixture
def photo(make_user):
    owner = make_user(Role.HOLDER)
    application = filing.create_draft(owner, "trademark")
    return application, attach_photo(owner, application.id, 1)


def test_check_passes_on_a_consistent_database(runner, photo) -> None:
    result = runner.invoke(args=["ipr", "check"])
    assert result.exit_code == 0, result.output
    assert "Checked 1 files and 1 counters: everything is in order." in result.output


def test_check_reports_a_missing_file_and_a_counter_behind(app, runner, photo) -> None:
    _application, document = photo
    documents.stored_path(document).unlink()
    scope = f"reference-{today().year}"
    db.session.execute(update(Counter).where(Counter.scope == scope).values(value=0))
    db.session.commit()
    result = runner.invoke(args=["ipr", "check"])
    assert result.exit_code == 1
    assert f"documents row {document.id} (file " in result.output
    assert f"Counter {scope} is at 0 but number 1 is already in use" in result.output
    assert "2 problems" in result.output


def test_check_reports_a_changed_file(runner, photo) -> None:
    _application, document = photo
    documents.stored_path(document).write_bytes(png(99))
    result = runner.invoke(args=["ipr", "check"])
    assert result.exit_code == 1
    assert "does not match the SHA-256" in result.output


def test_backup_reports_a_missing_file_and_writes_no_manifest(runner, photo, tmp_path) -> None:
    _application, document = photo
    documents.stored_path(document).unlink()
    result = runner.invoke(args=["ipr", "backup", str(tmp_path / "backup")])
    assert result.exit_code == 1
    assert f"documents row {document.id}" in result.output
    assert "missing" in result.output
    assert not (tmp_path / "backup" / "manifest.json").exists()


def test_backup_refuses_a_folder_in_use(runner, photo, tmp_path) -> None:
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "other.txt").write_text("keep me")
    result = runner.invoke(args=["ipr", "backup", str(tmp_path / "backup")])
    assert result.exit_code == 1
    assert "not an empty folder" in result.output


def test_restore_refuses_a_non_empty_database(runner, photo, tmp_path) -> None:
    backup = tmp_path / "backup"
    assert runner.invoke(args=["ipr", "backup", str(backup)]).exit_code == 0
    users_before = db.session.execute(select(func.count()).select_from(User)).scalar_one()
    result = runner.invoke(args=["ipr", "restore", str(backup)])
    assert result.exit_code == 1
    assert "The database is not empty" in result.output
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == users_before


def test_restore_refuses_a_folder_without_manifest(runner, tmp_path) -> None:
    result = runner.invoke(args=["ipr", "restore", str(tmp_path)])
    assert result.exit_code == 1
    assert "holds no complete backup" in result.output


def test_restore_refuses_a_damaged_backup(runner, photo, tmp_path) -> None:
    _application, document = photo
    backup = tmp_path / "backup"
    assert runner.invoke(args=["ipr", "backup", str(backup)]).exit_code == 0
    name = document.stored_name
    (backup / "uploads" / name[:2] / name).write_bytes(png(99))
    result = runner.invoke(args=["ipr", "restore", str(backup)])
    assert result.exit_code == 1
    assert f"The backup is damaged: documents row {document.id}" in result.output
