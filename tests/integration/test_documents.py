"""The document checklist on real PostgreSQL: rows at enrolment, the stage gates, changes, permissions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from pipeline_core.commands.documents import DocumentChange, update_documents
from pipeline_core.commands.tasks import TaskCompletion, complete_task
from pipeline_core.domain.documents import DocStatus, DocumentKind, required_kinds
from pipeline_core.domain.errors import InvalidInput, PermissionDenied
from pipeline_core.domain.model import Actor, Gender, Role, Workspace, WorkspaceKind
from pipeline_core.store import documents as store
from pipeline_core.store import migrate
from pipeline_core.store import schema as t
from pipeline_core.store.workspaces import create_workspace, get_workspace
from tests.builders import MANAGER, NOW, activity_entries, make_jamaah, make_package
from tests.integration.test_schema import scratch_engine  # noqa: F401  (the fixture)

DOC_ADMIN = Actor(user_id=None, name="Dewi Dokumen", role=Role.DOCUMENT_ADMIN)
VISA_ADMIN = Actor(user_id=None, name="Vina Visa", role=Role.VISA_ADMIN)
BASIC = ("passport", "ktp", "kk", "passport_photo", "meningitis_certificate")


def _statuses(session: Session, workspace: Workspace, jamaah_id: int) -> dict[str, str]:
    rows = store.load_checklists(session, workspace.id, [jamaah_id])[jamaah_id]
    return {r.kind.value: r.status.value for r in rows if r.required}


def _set(
    session: Session, workspace: Workspace, jamaah_id: int, status: str, *kinds: str, actor: Actor = DOC_ADMIN
) -> list[DocumentChange]:
    changes = [
        DocumentChange(jamaah_id, kind, status, "blurred" if status == "rejected" else None) for kind in kinds
    ]
    return update_documents(session=session, workspace=workspace, actor=actor, changes=changes, now=NOW)


def _complete(session: Session, workspace: Workspace, task_id: int, version: int) -> TaskCompletion:
    return complete_task(
        session=session,
        workspace=workspace,
        actor=DOC_ADMIN,
        task_id=task_id,
        version=version,
        now=NOW + timedelta(hours=1),
    )


def test_enrolment_writes_the_checklist_all_missing(session: Session, workspace: Workspace) -> None:
    man = make_jamaah(session, workspace, documents=None).jamaah
    assert _statuses(session, workspace, man.id) == dict.fromkeys(BASIC, "missing")


def test_a_young_woman_without_companion_needs_the_mahram_letter(
    session: Session, workspace: Workspace
) -> None:
    package = make_package(session, workspace)
    young = make_jamaah(session, workspace, package_id=package, documents=None, gender=Gender.FEMALE,
                        birth_date=date(1990, 3, 1), full_name="Siti Aminah").jamaah  # fmt: skip
    older = make_jamaah(session, workspace, package_id=package, documents=None, gender=Gender.FEMALE,
                        birth_date=date(1960, 3, 1), full_name="Siti Khadijah").jamaah  # fmt: skip
    assert "mahram_letter" in _statuses(session, workspace, young.id)
    assert "mahram_letter" not in _statuses(session, workspace, older.id)


def test_the_mahram_rule_at_its_boundary() -> None:
    departure = date(2027, 3, 1)
    born_45_years_before = date(1982, 3, 1)
    assert DocumentKind.MAHRAM not in required_kinds(
        gender="P", birth_date=born_45_years_before, departure_date=departure, has_companion=False
    )
    assert DocumentKind.MAHRAM in required_kinds(
        gender="P",
        birth_date=born_45_years_before + timedelta(days=1),
        departure_date=departure,
        has_companion=False,
    )
    assert DocumentKind.MAHRAM not in required_kinds(
        gender="P", birth_date=date(1995, 1, 1), departure_date=departure, has_companion=True
    )
    assert DocumentKind.MAHRAM not in required_kinds(
        gender="L", birth_date=date(1995, 1, 1), departure_date=departure, has_companion=False
    )


def test_collection_with_one_missing_is_refused_naming_it(session: Session, workspace: Workspace) -> None:
    enrolment = make_jamaah(session, workspace, documents=None)
    jamaah_id, task = enrolment.jamaah.id, enrolment.task
    assert task is not None
    _set(session, workspace, jamaah_id, "received", *BASIC[:-1])
    with pytest.raises(InvalidInput, match="meningitis vaccination certificate") as refused:
        _complete(session, workspace, task.id, task.version)
    assert refused.value.field == "documents"
    assert "passport," not in str(refused.value)  # names only what is missing
    _set(session, workspace, jamaah_id, "rejected", "meningitis_certificate")
    with pytest.raises(InvalidInput, match="meningitis"):  # rejected must be brought again
        _complete(session, workspace, task.id, task.version)
    _set(session, workspace, jamaah_id, "received", "meningitis_certificate")
    done = _complete(session, workspace, task.id, task.version)
    assert done.next_task is not None and done.next_task.task_type == "document-verification"


def test_verification_with_one_unverified_is_refused(session: Session, workspace: Workspace) -> None:
    enrolment = make_jamaah(session, workspace, documents="received")
    task = enrolment.task
    assert task is not None
    verification = _complete(session, workspace, task.id, task.version).next_task
    _set(session, workspace, enrolment.jamaah.id, "verified", *BASIC[1:])
    with pytest.raises(InvalidInput, match=r"not yet verified: passport\.$"):
        _complete(session, workspace, verification.id, verification.version)  # type: ignore[union-attr]
    _set(session, workspace, enrolment.jamaah.id, "verified", "passport")
    assert (
        _complete(session, workspace, verification.id, verification.version).next_task.task_type  # type: ignore[union-attr]
        == "siskopatuh-submission"
    )


def test_rejected_needs_a_reason_and_unknown_values_name_the_field(
    session: Session, workspace: Workspace
) -> None:
    jamaah_id = make_jamaah(session, workspace, documents=None).jamaah.id
    for change, field in [
        (DocumentChange(jamaah_id, "passport", "rejected", "  "), "reason"),
        (DocumentChange(jamaah_id, "visa", "received"), "kind"),
        (DocumentChange(jamaah_id, "passport", "lost"), "status"),
        (DocumentChange(jamaah_id, "mahram_letter", "received"), "kind"),  # not on a man's checklist
    ]:
        with pytest.raises(InvalidInput) as refused:
            update_documents(session=session, workspace=workspace, actor=DOC_ADMIN, changes=[change], now=NOW)
        assert refused.value.field == field
    assert _statuses(session, workspace, jamaah_id) == dict.fromkeys(BASIC, "missing")


def test_a_save_is_one_transaction_logged_per_change(session: Session, workspace: Workspace) -> None:
    package = make_package(session, workspace)
    a = make_jamaah(session, workspace, package_id=package, documents=None).jamaah.id
    b = make_jamaah(session, workspace, package_id=package, documents=None).jamaah.id
    before = len(activity_entries(session, workspace))
    with pytest.raises(InvalidInput):  # the second change is bad: the first is not written either
        update_documents(session=session, workspace=workspace, actor=DOC_ADMIN, now=NOW, changes=[
            DocumentChange(a, "passport", "received"), DocumentChange(b, "ktp", "rejected")])  # fmt: skip
    assert _statuses(session, workspace, a)["passport"] == "missing"
    applied = update_documents(session=session, workspace=workspace, actor=DOC_ADMIN, now=NOW, changes=[
        DocumentChange(a, "passport", "received"), DocumentChange(b, "ktp", "rejected", "copy unreadable"),
        DocumentChange(b, "kk", "missing")])  # fmt: skip
    assert [(c.jamaah_id, c.kind) for c in applied] == [(a, "passport"), (b, "ktp")]  # kk unchanged
    entries = activity_entries(session, workspace)[before:]
    assert [(e.action, e.jamaah_id, e.actor) for e in entries] == [
        ("document.updated", a, DOC_ADMIN.name), ("document.updated", b, DOC_ADMIN.name)]  # fmt: skip
    assert entries[1].changes["status"] == {"old": "missing", "new": "rejected"}
    assert entries[1].changes["reason"] == {"old": None, "new": "copy unreadable"}
    row = session.scalars(
        select(t.JamaahDocument).where(t.JamaahDocument.jamaah_id == b, t.JamaahDocument.kind == "ktp")
    ).one()
    assert (row.status, row.reason, row.updated_by, row.updated_at) == (
        "rejected",
        "copy unreadable",
        DOC_ADMIN.name,
        NOW,
    )


def test_only_the_document_desk_and_managers_change_the_checklist(
    session: Session, workspace: Workspace
) -> None:
    jamaah_id = make_jamaah(session, workspace, documents=None).jamaah.id
    with pytest.raises(PermissionDenied):
        _set(session, workspace, jamaah_id, "received", "passport", actor=VISA_ADMIN)
    assert _statuses(session, workspace, jamaah_id)["passport"] == "missing"
    denied = activity_entries(session, workspace)[-1]
    assert denied.action == "permission.denied"


def test_a_kind_no_longer_required_blocks_nothing(session: Session, workspace: Workspace) -> None:
    statuses = {DocumentKind.PASSPORT: DocStatus.VERIFIED}
    from pipeline_core.domain.documents import not_ready

    assert not_ready("document-verification", statuses, [DocumentKind.PASSPORT]) == []
    assert not_ready("visa-application", {}, list(DocumentKind)) == []


def test_the_migration_backfills_by_stage_and_downgrades(scratch_engine: Engine) -> None:  # noqa: F811
    migrate.upgrade(scratch_engine)
    with Session(scratch_engine, expire_on_commit=False) as s:
        create_workspace(s, slug="old-agency", name="Old", kind=WorkspaceKind.AGENCY)
        ws = get_workspace(s, "old-agency")
        s.commit()
        package = make_package(s, ws)
        collecting = make_jamaah(s, ws, package_id=package, gender=Gender.FEMALE, birth_date=date(1995, 1, 1),
                                 full_name="Nur Aini").jamaah.id  # fmt: skip
        verifying = make_jamaah(s, ws, package_id=package)
        done = make_jamaah(s, ws, package_id=package)
        _complete(s, ws, verifying.task.id, verifying.task.version)  # type: ignore[union-attr]
        second = _complete(s, ws, done.task.id, done.task.version).next_task  # type: ignore[union-attr]
        _complete(s, ws, second.id, second.version)  # type: ignore[union-attr]
    migrate.downgrade(scratch_engine, "0008_intake")
    with scratch_engine.connect() as c:
        assert c.execute(text("SELECT to_regclass('jamaah_documents')")).scalar_one() is None
    migrate.upgrade(scratch_engine)  # the backfill, from each jamaah's history
    with scratch_engine.connect() as c:
        rows = c.execute(text("SELECT jamaah_id, kind, status FROM jamaah_documents")).all()
    by_jamaah: dict[int, dict[str, str]] = {}
    for jamaah_id, kind, status in rows:
        by_jamaah.setdefault(jamaah_id, {})[kind] = status
    assert by_jamaah[collecting] == dict.fromkeys((*BASIC, "mahram_letter"), "missing")
    assert by_jamaah[verifying.jamaah.id] == dict.fromkeys(BASIC, "received")
    assert by_jamaah[done.jamaah.id] == dict.fromkeys(BASIC, "verified")


def test_the_agency_chooses_the_required_documents(session: Session, workspace: Workspace) -> None:
    from pipeline_core.commands.documents import required_documents, set_required_documents

    before = make_jamaah(session, workspace, documents=None)
    with pytest.raises(PermissionDenied):  # the document desk keeps the checklist, managers set it
        set_required_documents(
            session=session, workspace=workspace, actor=DOC_ADMIN, kinds=["passport"], now=NOW
        )
    with pytest.raises(InvalidInput) as unknown:
        set_required_documents(session=session, workspace=workspace, actor=MANAGER, kinds=["visa"], now=NOW)
    assert unknown.value.field == "required_documents"
    chosen = set_required_documents(
        session=session, workspace=workspace, actor=MANAGER, kinds=["ktp", "passport"], now=NOW
    )
    assert chosen == (DocumentKind.PASSPORT, DocumentKind.KTP)
    assert required_documents(session, workspace.id) == chosen
    after = make_jamaah(session, workspace, documents=None)
    stored = session.scalars(
        select(t.JamaahDocument.kind).where(t.JamaahDocument.jamaah_id == after.jamaah.id)
    ).all()
    assert sorted(stored) == ["ktp", "passport"]
    assert _statuses(session, workspace, before.jamaah.id) == {"passport": "missing", "ktp": "missing"}
    _set(session, workspace, before.jamaah.id, "received", "passport", "ktp")  # KK etc. no longer hold it
    task = before.task
    assert task is not None
    assert _complete(session, workspace, task.id, task.version).next_task is not None
    (entry,) = [e for e in activity_entries(session, workspace) if e.action == "workspace.documents_changed"]
    assert entry.changes["required_documents"]["new"] == ["passport", "ktp"]


def test_an_import_writes_the_same_checklist_as_the_form(session: Session, workspace: Workspace) -> None:
    from tests.integration.test_intake_import import jamaah_of, person, run, xlsx

    group = make_package(session, workspace)
    young, older = date(1995, 4, 2), date(1960, 4, 2)
    rows = [person("Nur Aini", female=True, born=young), person("Siti Khadijah", female=True, born=older)]
    run(session, workspace, group, xlsx(rows), dry_run=False)
    by_name = {j.full_name: j.id for j in jamaah_of(session, group)}
    assert _statuses(session, workspace, by_name["Nur Aini"]) == dict.fromkeys(
        (*BASIC, "mahram_letter"), "missing"
    )
    assert _statuses(session, workspace, by_name["Siti Khadijah"]) == dict.fromkeys(BASIC, "missing")
    stored = session.scalars(
        select(t.JamaahDocument.kind).where(t.JamaahDocument.jamaah_id == by_name["Siti Khadijah"])
    ).all()
    assert sorted(stored) == sorted(BASIC)  # rows written, not only read as missing
