"""Document scans on real PostgreSQL: checked by content, sealed at rest, opened only by roles that
may reveal personal data, every upload, replacement, removal and view on the jamaah's timeline."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline_core.commands.scans import remove_scan, upload_scan, view_scan
from pipeline_core.domain.errors import InvalidInput, NotFound, PermissionDenied
from pipeline_core.domain.model import Actor, Role, Workspace
from pipeline_core.domain.scans import ENCRYPTION_CONTEXT, ScanFacts, ScanFile, ScanRefused, ScanType
from pipeline_core.store import pii_crypto
from pipeline_core.store import schema as t
from pipeline_core.store.scans import reencrypt_scans, scan_facts
from tests.builders import MANAGER, NOW, activity_entries, make_jamaah

DOC_ADMIN = Actor(user_id=None, name="Dewi Dokumen", role=Role.DOCUMENT_ADMIN)
VISA_ADMIN = Actor(user_id=None, name="Vina Visa", role=Role.VISA_ADMIN)
SUPER_ADMIN = Actor(user_id=None, name="Sari Super", role=Role.SUPER_ADMIN)
LIMIT = 5 * 1024 * 1024
SECRET_TEXT = b"PASPOR REPUBLIK INDONESIA BUDI SANTOSO"


def image(kind: str, size: tuple[int, int] = (64, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, kind)
    return out.getvalue()


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"% " + SECRET_TEXT + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def upload(
    session: Session,
    workspace: Workspace,
    jamaah_id: int,
    content: bytes,
    *,
    kind: str = "passport",
    name: str = "paspor.pdf",
    actor: Actor = DOC_ADMIN,
    max_bytes: int = LIMIT,
    minutes: int = 0,
) -> ScanFacts:
    return upload_scan(
        session=session, workspace=workspace, actor=actor, jamaah_id=jamaah_id, kind=kind, content=content,
        file_name=name, max_bytes=max_bytes, now=NOW + timedelta(minutes=minutes),
    )  # fmt: skip


def view(
    session: Session, workspace: Workspace, jamaah_id: int, kind: str = "passport", actor: Actor = MANAGER
) -> ScanFile:
    return view_scan(
        session=session, workspace=workspace, actor=actor, jamaah_id=jamaah_id, kind=kind, now=NOW
    )


def scan_actions(session: Session, workspace: Workspace) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (e.action, e.actor, e.changes)
        for e in activity_entries(session, workspace)
        if e.action.startswith("document.scan") or e.action == "permission.denied"
    ]


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (image("PNG"), "ktp.png", ScanType.PNG),
        (image("JPEG"), "ktp.jpeg", ScanType.JPEG),
        (pdf(), "paspor.pdf", ScanType.PDF),
        (image("PNG"), "named-wrong.pdf", ScanType.PNG),  # the content decides
    ],
)
def test_a_manager_reads_back_exactly_what_was_uploaded(
    session: Session, workspace: Workspace, content: bytes, name: str, expected: ScanType
) -> None:
    jamaah = make_jamaah(session, workspace).jamaah
    upload(session, workspace, jamaah.id, content, name=name)
    opened = view(session, workspace, jamaah.id)
    assert opened.content == content
    assert opened.scan_type is expected
    assert opened.file_name.endswith("." + expected.extension)


def test_the_stored_bytes_are_not_the_file(session: Session, workspace: Workspace) -> None:
    jamaah = make_jamaah(session, workspace).jamaah
    upload(session, workspace, jamaah.id, pdf(), kind="passport")
    upload(session, workspace, jamaah.id, image("PNG"), kind="ktp", name="ktp.png")
    sealed = dict(
        session.execute(
            select(t.DocumentScan.kind, t.DocumentScan.sealed).where(t.DocumentScan.jamaah_id == jamaah.id)
        ).all()
    )
    for blob in sealed.values():
        assert not bytes(blob).startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff"))
        assert SECRET_TEXT not in bytes(blob) and b"PDF" not in bytes(blob)[:64]
    assert pii_crypto.decrypt(sealed["passport"], context=ENCRYPTION_CONTEXT) == pdf()
    with pytest.raises(Exception, match="cannot be read"):  # sealed for scans only
        pii_crypto.decrypt(sealed["passport"], context="jamaah.nik")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode",
            "wrong_type",
        ),
        (b"", "empty"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "damaged"),  # starts like a JPEG, is not one
        (image("PNG")[:60], "damaged"),  # a PNG cut short
    ],
    ids=["exe-renamed-pdf", "empty", "jpeg-header-only", "png-cut-short"],
)
def test_a_file_that_is_not_a_scan_is_refused_and_nothing_is_stored(
    session: Session, workspace: Workspace, content: bytes, reason: str
) -> None:
    jamaah = make_jamaah(session, workspace).jamaah
    with pytest.raises(ScanRefused) as refused:
        upload(session, workspace, jamaah.id, content, name="paspor.pdf")  # an .exe renamed .pdf
    assert refused.value.reason == reason and refused.value.field == "file"
    assert scan_facts(session, workspace.id, [jamaah.id]) == {}
    assert scan_actions(session, workspace) == []


def test_an_oversize_file_is_refused_with_the_limit_in_the_message(
    session: Session, workspace: Workspace
) -> None:
    jamaah = make_jamaah(session, workspace).jamaah
    big = pdf() + b"0" * (2 * 1024 * 1024)
    with pytest.raises(ScanRefused, match=r"2\.0 MB; a scan may be at most 1\.0 MB") as refused:
        upload(session, workspace, jamaah.id, big, max_bytes=1024 * 1024)
    assert refused.value.reason == "too_large"
    assert upload(session, workspace, jamaah.id, big, max_bytes=3 * 1024 * 1024)


def test_a_role_without_reveal_cannot_open_a_scan_and_the_refusal_is_logged(
    session: Session, workspace: Workspace
) -> None:
    jamaah = make_jamaah(session, workspace).jamaah
    upload(session, workspace, jamaah.id, pdf())
    for actor in (DOC_ADMIN, VISA_ADMIN, SUPER_ADMIN):  # the uploader and the system's admin too
        with pytest.raises(PermissionDenied):
            view(session, workspace, jamaah.id, actor=actor)
    with pytest.raises(PermissionDenied):
        upload(session, workspace, jamaah.id, pdf(), actor=VISA_ADMIN)
    actions = [action for action, *_ in scan_actions(session, workspace)]
    assert actions == ["document.scan_uploaded", *["permission.denied"] * 4]


def test_every_upload_replacement_view_and_removal_is_on_the_timeline(
    session: Session, workspace: Workspace
) -> None:
    jamaah = make_jamaah(session, workspace).jamaah
    upload(session, workspace, jamaah.id, pdf(), name="3174012345678901 paspor.pdf")
    upload(session, workspace, jamaah.id, image("JPEG"), name="paspor.jpg", actor=MANAGER, minutes=5)
    view(session, workspace, jamaah.id)
    view(session, workspace, jamaah.id)
    remove_scan(
        session=session, workspace=workspace, actor=DOC_ADMIN, jamaah_id=jamaah.id, kind="passport", now=NOW
    )
    entries = scan_actions(session, workspace)
    assert [(action, actor) for action, actor, _ in entries] == [
        ("document.scan_uploaded", "Dewi Dokumen"),
        ("document.scan_replaced", "Rina Manajer"),
        ("document.scan_viewed", "Rina Manajer"),
        ("document.scan_viewed", "Rina Manajer"),
        ("document.scan_removed", "Dewi Dokumen"),
    ]
    assert entries[1][2]["file_type"] == {"old": "PDF", "new": "JPEG"}
    assert all(changes["document"]["new"] == "passport" for *_, changes in entries)
    assert "3174012345678901" not in str(entries) and "paspor" not in str(entries)  # no file name
    with pytest.raises(NotFound):
        view(session, workspace, jamaah.id)
    with pytest.raises(NotFound):
        remove_scan(
            session=session, workspace=workspace, actor=DOC_ADMIN, jamaah_id=jamaah.id, kind="passport"
        )


def test_one_scan_per_document_a_replacement_replaces_it(session: Session, workspace: Workspace) -> None:
    jamaah = make_jamaah(session, workspace).jamaah
    upload(session, workspace, jamaah.id, pdf())
    upload(session, workspace, jamaah.id, image("PNG"), name="new.png", minutes=1)
    upload(session, workspace, jamaah.id, image("PNG"), kind="ktp", name="ktp.png")
    facts = scan_facts(session, workspace.id, [jamaah.id])
    assert {kind.value: f.scan_type for (_, kind), f in facts.items()} == {
        "passport": ScanType.PNG,
        "ktp": ScanType.PNG,
    }
    assert view(session, workspace, jamaah.id).content == image("PNG")


def test_only_documents_on_the_checklist_of_a_jamaah_of_this_workspace(
    session: Session, workspace: Workspace
) -> None:
    man = make_jamaah(session, workspace).jamaah  # a man needs no mahram letter
    with pytest.raises(InvalidInput, match="not on this jamaah's checklist"):
        upload(session, workspace, man.id, pdf(), kind="mahram_letter")
    with pytest.raises(InvalidInput, match="Unknown document kind"):
        upload(session, workspace, man.id, pdf(), kind="visa")
    with pytest.raises(NotFound):
        upload(session, workspace, man.id + 10_000, pdf())


def test_rotation_reseals_every_scan_under_the_new_key(session: Session, workspace: Workspace) -> None:
    old = pii_crypto.get_keyring()
    jamaah = make_jamaah(session, workspace).jamaah
    upload(session, workspace, jamaah.id, pdf())
    upload(session, workspace, jamaah.id, image("PNG"), kind="ktp", name="ktp.png")
    rotated = pii_crypto.Keyring(pii_crypto.parse_key(pii_crypto.new_key_text()), (old.current,))
    assert reencrypt_scans(session, rotated, batch=1) == 1
    while reencrypt_scans(session, rotated, batch=10):  # other tests' committed scans too
        pass
    assert reencrypt_scans(session, rotated, batch=10) == 0
    for blob in session.scalars(select(t.DocumentScan.sealed).where(t.DocumentScan.jamaah_id == jamaah.id)):
        assert pii_crypto.key_id_of(blob) == rotated.current.key_id
        assert pii_crypto.decrypt(
            blob, context=ENCRYPTION_CONTEXT, keyring=pii_crypto.Keyring(rotated.current)
        )
