"""NIK and passport numbers at rest (issue 15 item 8), on the real PostgreSQL: what a stolen dump
holds, who may look a number up, the rotation, a wrong key, and the migration both ways.

The module loads demo-13 (committed, as the app would) and enrols two more jamaah through the form's
command; the rotation test rotates every row to a new key and back again before it ends.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from pipeline_core.app import actions, dashboard, intake
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands import pii_rotation
from pipeline_core.domain.documents import DocumentKind
from pipeline_core.domain.errors import Conflict, IdentitySearchRefused, PersonalDataUnreadable
from pipeline_core.domain.model import Role, Workspace, WorkspaceKind
from pipeline_core.domain.scans import check_scan
from pipeline_core.seed.datasets import build_dataset, load_dataset
from pipeline_core.store import db, jamaah_identity, migrate, pii_crypto, scans
from pipeline_core.store import schema as t
from pipeline_core.store.pii_crypto import Keyring, PiiKey
from pipeline_core.store.workspaces import create_workspace, current_version_id, get_workspace
from tests.builders import NOW, make_jamaah, make_package, unique_nik

FORM_NIK = unique_nik(date(1981, 3, 4))
FORM_PASSPORT = "E7654321"


@pytest.fixture(scope="module")
def demo(servers: None) -> Workspace:
    load_dataset("demo-13", reset=True, now=NOW, demo_accounts=True)
    workspace = dashboard.workspace("demo-13")
    with Session(db.get_engine(), expire_on_commit=False) as session:
        group = make_package(session, workspace, code="PII-1")
        make_jamaah(session, workspace, package_id=group, nik=FORM_NIK, passport_number=FORM_PASSPORT,
                    birth_date=date(1981, 3, 4))  # fmt: skip
        enrolled = make_jamaah(session, workspace, package_id=group, full_name="Budi Santoso")
    intake.update_jamaah_data(
        system_viewer(workspace), enrolled.jamaah.id, {"passport_number": "E1112223"}, now=NOW
    )
    return workspace


def clear_numbers() -> list[str]:
    """Every NIK and passport number the module put in, as typed."""
    ds = build_dataset("demo-13", now=NOW)
    numbers = [j.nik for j in ds.jamaah] + [j.passport_number for j in ds.jamaah if j.passport_number]
    return [*numbers, FORM_NIK, FORM_PASSPORT, "E1112223"]


def dump(engine: Engine) -> bytes:
    """Every row of every table, as `COPY … TO STDOUT` writes it (what a pg_dump's data is)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        out = bytearray()
        for table in [*t.Base.metadata.sorted_tables, "alembic_version"]:
            with cursor.copy(f"COPY {getattr(table, 'name', table)} TO STDOUT") as copy:
                for chunk in copy:
                    out += bytes(chunk)
        return bytes(out)
    finally:
        raw.close()


def test_a_dump_of_a_seeded_workspace_holds_no_nik_or_passport_in_clear(
    demo: Workspace, engine: Engine
) -> None:
    data = dump(engine)
    assert len(data) > 10_000  # the dump is real: demo-13's rows are in it
    leaked = [number for number in clear_numbers() if number.encode() in data]
    assert leaked == []


def test_the_masked_lists_and_the_reveal_still_show_the_numbers(demo: Workspace) -> None:
    manager = system_viewer(demo)
    [line] = actions.find_jamaah(manager, FORM_NIK, now=NOW).items
    assert line.nik == f"{FORM_NIK[:4]} •••• •••• {FORM_NIK[-4:]}"
    revealed = actions.reveal_identity(manager, line.id, now=NOW)
    assert (revealed.nik, revealed.passport_number) == (FORM_NIK, FORM_PASSPORT)


GROUPED_NIK = f"{FORM_NIK[:4]} {FORM_NIK[4:8]} {FORM_NIK[8:12]} {FORM_NIK[12:]}"


@pytest.mark.parametrize("search", [FORM_NIK, GROUPED_NIK, FORM_PASSPORT, FORM_PASSPORT.lower()])
def test_a_manager_finds_a_jamaah_by_full_nik_or_passport(demo: Workspace, search: str) -> None:
    manager = system_viewer(demo)
    assert [j.full_name for j in actions.find_jamaah(manager, search, now=NOW).items] == ["Ahmad Hidayat"]
    assert dashboard.task_queue_page(manager, NOW, search=search).total == 1


@pytest.mark.parametrize("role", [Role.DOCUMENT_ADMIN, Role.VISA_ADMIN, Role.SUPER_ADMIN])
@pytest.mark.parametrize("search", [FORM_NIK, FORM_PASSPORT])
def test_a_role_that_may_not_reveal_cannot_look_a_number_up(demo: Workspace, role: Role, search: str) -> None:
    viewer = system_viewer(demo, role)
    with pytest.raises(IdentitySearchRefused, match="name or phone"):
        actions.find_jamaah(viewer, search, now=NOW)
    with pytest.raises(IdentitySearchRefused):
        dashboard.task_queue_page(viewer, NOW, search=search, role=role if role != Role.SUPER_ADMIN else None)
    with pytest.raises(IdentitySearchRefused):
        dashboard.check_search(search, viewer)
    assert actions.find_jamaah(viewer, "Ahmad Hidayat", now=NOW).total >= 1  # names stay open to all


def test_a_duplicate_nik_is_still_refused(demo: Workspace) -> None:
    with Session(db.get_engine()) as session, pytest.raises(Conflict, match="already registered"):
        group = make_package(session, demo, code="PII-2")
        make_jamaah(session, demo, package_id=group, nik=FORM_NIK, birth_date=date(1981, 3, 4))


@pytest.fixture
def new_key(demo: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Keyring]:
    """The process switched to a new current key (the old one still readable), and every row
    rotated back to the original key afterwards, so the rest of the run reads as before."""
    original = pii_crypto.get_keyring()
    rotated = Keyring(PiiKey(secrets.token_bytes(32)), old=(original.current,))
    monkeypatch.setattr(pii_crypto, "get_keyring", lambda: rotated)
    yield rotated
    back = Keyring(original.current, old=(rotated.current,))
    monkeypatch.setattr(pii_crypto, "get_keyring", lambda: back)
    assert pii_rotation.rotate_pii_key(keyring=back, batch=500).remaining == 0


def test_after_a_rotation_search_and_reveal_work_and_no_old_key_blob_is_left(
    demo: Workspace, new_key: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = system_viewer(demo)
    [line] = actions.find_jamaah(manager, FORM_PASSPORT, now=NOW).items
    pdf = b"%PDF-1.4\n% KTP scan of the jamaah\n%%EOF\n"
    monkeypatch.setattr(pii_crypto, "get_keyring", lambda: Keyring(new_key.old[0]))  # sealed before
    with db.transaction() as session:
        checked = check_scan(pdf, "ktp.pdf", DocumentKind.KTP, max_bytes=1 << 20)
        scans.save_scan(session, demo.id, line.id, DocumentKind.KTP, pdf, checked, actor="t", now=NOW)
    monkeypatch.setattr(pii_crypto, "get_keyring", lambda: new_key)

    seen: list[tuple[int, int]] = []
    report = pii_rotation.rotate_pii_key(keyring=new_key, batch=4, progress=lambda d, n: seen.append((d, n)))
    assert report.remaining == 0 and report.rotated == seen[-1][0] == seen[-1][1] >= 15
    assert report.scans >= 1  # the scan too (and any other test's, committed before)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # progress, batch by batch
    with db.read_session() as session:
        blobs = session.execute(select(t.Jamaah.nik_encrypted, t.Jamaah.passport_encrypted)).all()
    assert {pii_crypto.key_id_of(b) for row in blobs for b in row if b} == {new_key.current.key_id}

    only_new = Keyring(new_key.current)  # the old key forgotten: everything must still open
    monkeypatch.setattr(pii_crypto, "get_keyring", lambda: only_new)
    [line] = actions.find_jamaah(manager, FORM_PASSPORT, now=NOW).items
    assert actions.reveal_identity(manager, line.id, now=NOW).nik == FORM_NIK
    with db.transaction() as session:
        scan = scans.load_scan(session, demo.id, line.id, DocumentKind.KTP)
        assert scan is not None and scan.content == pdf
        scans.delete_scan(session, demo.id, line.id, DocumentKind.KTP)
    assert pii_rotation.rotate_pii_key(keyring=only_new).rotated == 0  # run again: nothing left to do
    monkeypatch.setattr(pii_crypto, "get_keyring", lambda: new_key)


def test_a_wrong_key_is_a_clear_error_not_a_traceback(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = Keyring(PiiKey(secrets.token_bytes(32)))
    monkeypatch.setattr(pii_crypto, "get_keyring", lambda: stranger)
    manager = system_viewer(demo)
    with db.read_session() as session:
        some_id = session.execute(
            select(t.Jamaah.id).where(t.Jamaah.workspace_id == demo.id).limit(1)
        ).scalar_one()
    with pytest.raises(PersonalDataUnreadable) as refused:
        actions.reveal_identity(manager, some_id, now=NOW)
    message = str(refused.value)
    assert "PII_KEY" in message and "Traceback" not in message and FORM_NIK not in message


def test_the_command_line_with_a_wrong_key_says_so_in_one_line_and_changes_nothing(demo: Workspace) -> None:
    env = os.environ | {"PII_KEY": pii_crypto.new_key_text(), "PII_OLD_KEYS": ""}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline_core", "rotate-pii-key"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "cannot be read" in line and "PII_KEY" in line and "Traceback" not in done.stderr
    manager = system_viewer(demo)
    [found] = actions.find_jamaah(manager, FORM_NIK, now=NOW).items  # the rows are as they were
    assert actions.reveal_identity(manager, found.id, now=NOW).passport_number == FORM_PASSPORT


# --- the migration, both ways, on a database of its own -----------------------------------------


@pytest.fixture
def pii_scratch(engine: Engine) -> Iterator[Engine]:
    name = "umrah_pii_migration"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    scratch = create_engine(engine.url.set(database=name))
    yield scratch
    scratch.dispose()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))


def test_the_migration_seals_existing_rows_and_the_downgrade_opens_them(pii_scratch: Engine) -> None:
    migrate.upgrade(pii_scratch, "0009_documents")
    with Session(pii_scratch) as session:  # workspaces and pipelines are the same at 0009 and 0010
        create_workspace(session, slug="old", name="Old", kind=WorkspaceKind.AGENCY)
        ws = get_workspace(session, "old")
        package_id = make_package(session, ws)
        version_id = current_version_id(session, ws.id)
        session.execute(
            text(
                "INSERT INTO jamaah (workspace_id, full_name, gender, birth_date, nik, phone,"
                " passport_number, package_id, pipeline_version_id, registered_at) VALUES (:ws,"
                " 'Ahmad Hidayat', 'L', '1970-05-01', '3174050105700001', '+6281234567890', 'C1234567',"
                " :p, :v, now())"
            ),
            {"ws": ws.id, "p": package_id, "v": version_id},
        )
        session.execute(
            text(
                "INSERT INTO activity_log (workspace_id, occurred_at, actor, action, entity_type, changes)"
                " VALUES (:ws, now(), 'x', 'jamaah.enrolled', 'jamaah', CAST(:changes AS jsonb))"
            ),
            {
                "ws": ws.id,
                "changes": '{"nik": {"old": null, "new": "3174050105700001"}, "full_name": {"new": "A B"}}',
            },
        )
        session.commit()
    migrate.upgrade(pii_scratch)
    with pii_scratch.connect() as connection:
        row = connection.execute(text("SELECT * FROM jamaah")).mappings().one()
        changes = connection.execute(text("SELECT changes FROM activity_log")).scalar_one()
    assert "nik" not in row and "passport_number" not in row
    assert jamaah_identity.unseal(row)["nik"] == "3174050105700001"
    assert jamaah_identity.unseal(row)["passport_number"] == "C1234567"
    assert row["nik_hash"] in jamaah_identity.nik_hashes("3174050105700001")
    assert changes["nik"]["new"] == "3174 •••• •••• 0001" and changes["full_name"] == {"new": "A B"}

    migrate.downgrade(pii_scratch, "0009_documents")
    with pii_scratch.connect() as connection:
        back = connection.execute(text("SELECT nik, passport_number FROM jamaah")).one()
    assert tuple(back) == ("3174050105700001", "C1234567")


def test_an_external_database_without_a_key_does_not_start() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PII_KEY", "PII_OLD_KEYS")}
    env["DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/none"
    done = subprocess.run(
        [sys.executable, "-m", "pipeline_core", "rotate-pii-key"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: PII_KEY is not set") and "Traceback" not in done.stderr


def test_new_pii_key_prints_a_usable_key() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline_core", "new-pii-key"], capture_output=True, text=True
    )
    assert done.returncode == 0 and len(base64.b64decode(done.stdout.strip())) == 32
