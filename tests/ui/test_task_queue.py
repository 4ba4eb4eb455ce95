"""Antrean tugas: columns and counts from the core, role tabs, paging, URL state, search, the card
actions (complete, block), the editable table and its conflict path."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from pipeline_core.app import dashboard
from pipeline_core.app.actions import active_users
from pipeline_core.app.viewer import system_viewer
from pipeline_core.commands import tasks as services
from pipeline_core.domain import rules
from pipeline_core.domain.formatting import tel_link, whatsapp_link
from pipeline_core.domain.model import KanbanColumn, Role, Workspace, WorkStatus
from pipeline_core.reads.task_queue import ColumnCounts, TaskCard
from pipeline_core.store import db
from pipeline_core.store.repository import Task, find_task
from tests.ui.conftest import (
    act_on_card,
    components,
    identity,
    kanban_board,
    open_page,
    task_cards,
    turn_page,
)
from ui_kit.cards import task_title
from ui_kit.i18n import priority_label

COLUMNS = (KanbanColumn.URGENT, KanbanColumn.TODAY, KanbanColumn.UPCOMING, KanbanColumn.BLOCKED)


def headers(at: AppTest) -> dict[str, int]:
    """Column title → count, as the kanban headers show them."""
    return {c["label"]: int(re.sub(r"[.,]", "", c["count"])) for c in kanban_board(at)["columns"]}


def shown(
    counts: ColumnCounts, labels: tuple[str, ...] = ("Urgent", "Hari ini", "Mendatang", "Diblokir")
) -> dict:
    return dict(zip(labels, (counts.of(c) for c in COLUMNS), strict=True))


def card_ids(at: AppTest) -> list[int]:
    """Task ids of the cards, in drawing order (column by column, top to bottom)."""
    return [card["id"] for card in task_cards(at)]


def first_page_ids(ws: Workspace, **filters: object) -> list[int]:
    return [
        task.id
        for column in COLUMNS
        for task in dashboard.task_queue_page(system_viewer(ws), column=column, **filters).items  # type: ignore[arg-type]
    ]


def task(ws: Workspace, task_id: int) -> Task:
    with db.read_session() as session:
        return find_task(session, ws.id, task_id)


def notes_by_someone_else(ws: Workspace, shown: TaskCard, notes: str) -> None:
    """Another manager (Siti) changes the task's notes, from the version the page showed."""
    siti = next(m for m in active_users(system_viewer(ws)) if m.role is Role.MANAGER).as_actor()
    with db.transaction() as session:
        services.update_task(
            session=session, workspace=ws, actor=siti, task_id=shown.id, version=shown.version, notes=notes
        )


def submit_block(at: AppTest, reason: str) -> None:
    """Type the reason into the open Blokir dialog and submit it."""
    at.text_input(key="block-reason").input(reason)
    next(b for b in at.button if (b.key or "").startswith("FormSubmitter:block-form-")).click().run()


# --- what the queue shows ---------------------------------------------------------------------


def test_four_columns_with_counts_from_one_core_call(demo13: Workspace) -> None:
    at = open_page("task_queue")
    page = dashboard.task_queue_page(system_viewer(demo13))
    assert headers(at) == shown(page.counts)
    assert list(headers(at)) == ["Urgent", "Hari ini", "Mendatang", "Diblokir"]  # DOMAIN order
    assert card_ids(at) == first_page_ids(demo13)


def test_role_tabs_filter(demo13: Workspace) -> None:
    at = open_page("task_queue")
    at.segmented_control(key="role").set_value(Role.DOCUMENT_ADMIN.value).run()
    role = Role.DOCUMENT_ADMIN
    assert headers(at) == shown(dashboard.task_queue_page(system_viewer(demo13), role=role).counts)
    assert card_ids(at) == first_page_ids(demo13, role=role)


def test_an_admin_lands_on_their_own_role(demo13: Workspace) -> None:
    at = open_page("task_queue")
    assert at.segmented_control(key="role").value == "all"  # the manager sees every role
    at = open_page("task_queue", user="visa-admin")
    assert at.segmented_control(key="role").value == Role.VISA_ADMIN.value
    assert headers(at) == shown(dashboard.task_queue_page(system_viewer(demo13), role=Role.VISA_ADMIN).counts)


def test_paging_shows_the_next_twenty(demo2000: Workspace) -> None:
    urgent = dashboard.task_queue_page(system_viewer(demo2000), column=KanbanColumn.URGENT, page=2)
    assert urgent.pages >= 2, "demo-2000 has more than 20 urgent tasks"
    at = open_page("task_queue", dataset="demo-2000")
    turn_page(at, "urgent", 2)
    ids = card_ids(at)
    assert ids[:20] == [t.id for t in urgent.items]
    assert (at.query_params["col"], at.query_params["page"]) == ("Urgent", "2")
    pager = kanban_board(at)["columns"][0]["pager"]
    assert pager["status"] == f"Hal. 2/{urgent.pages} · {urgent.total:,} total".replace(",", ".")
    assert (pager["page"], pager["pages"]) == (2, urgent.pages)


def test_url_state_is_restored(demo2000: Workspace) -> None:
    at = open_page(
        "task_queue", dataset="demo-2000", lang="English", role="Document admin", col="Urgent", page="2"
    )
    assert at.title[0].value == "Task queue"
    assert at.segmented_control(key="role").value == Role.DOCUMENT_ADMIN.value
    assert at.number_input(key="page").value == 2
    role, column = Role.DOCUMENT_ADMIN, KanbanColumn.URGENT
    expected = dashboard.task_queue_page(system_viewer(demo2000), role=role, column=column, page=2)
    assert card_ids(at)[: len(expected.items)] == [t.id for t in expected.items]
    counts = dashboard.task_queue_page(system_viewer(demo2000), role=role).counts
    assert headers(at) == shown(counts, ("Urgent", "Today", "Upcoming", "Blocked"))


def test_search_by_name(demo13: Workspace) -> None:
    name = dashboard.task_queue_page(system_viewer(demo13)).items[0].jamaah_name
    at = open_page("task_queue", q=name)
    assert headers(at) == shown(dashboard.task_queue_page(system_viewer(demo13), search=name).counts)
    assert card_ids(at) == first_page_ids(demo13, search=name)


def test_a_nik_search_finds_the_jamaah_but_stays_out_of_the_url(demo13: Workspace) -> None:
    first = dashboard.task_queue_page(system_viewer(demo13)).items[0]
    nik, _ = identity(demo13, first.jamaah_id)
    at = open_page("task_queue")
    at.text_input(key="q").input(nik).run()
    assert first.id in card_ids(at)
    assert "q" not in at.query_params  # a NIK never goes into a URL
    at.text_input(key="q").input(first.jamaah_name).run()
    assert at.query_params["q"] == first.jamaah_name  # a name does: the link shows the same view


def test_an_admin_who_may_not_reveal_is_told_to_search_by_name(demo13: Workspace) -> None:
    first = dashboard.task_queue_page(
        system_viewer(demo13, Role.DOCUMENT_ADMIN), role=Role.DOCUMENT_ADMIN
    ).items[0]
    nik, _ = identity(demo13, first.jamaah_id)
    at = open_page("task_queue", user="document-admin")
    at.text_input(key="q").input(nik).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "Pencarian dengan NIK atau nomor paspor lengkap hanya untuk peran yang boleh membuka data"
        " pribadi (Manajer Operasional). Cari dengan nama atau nomor telepon."
    ]
    assert components(at, "umrah.task_board") == []  # no board, no card of anyone


def test_a_search_the_core_cannot_read_says_what_to_type(demo13: Workspace) -> None:
    at = open_page("task_queue", q="!!!")
    assert [w.value for w in at.warning] == ["Ketik nama, NIK (16 angka), nomor paspor atau nomor telepon."]


def test_english_labels(demo13: Workspace) -> None:
    at = open_page("task_queue", lang="English")
    assert list(headers(at)) == ["Urgent", "Today", "Upcoming", "Blocked"]
    labels = kanban_board(at)["labels"]
    assert (labels["complete"], labels["block"], labels["open"]) == ("Done", "Block", "Open jamaah")


# --- actions ----------------------------------------------------------------------------------


def test_completing_a_task(fresh_demo13: Workspace) -> None:
    ws = fresh_demo13
    before = dashboard.task_queue_page(system_viewer(ws))
    target = before.items[0]
    at = open_page("task_queue")
    act_on_card(at, target.id, "complete")
    assert not at.exception
    assert task(ws, target.id).status is WorkStatus.COMPLETED
    assert target.id not in card_ids(at)
    assert headers(at) == shown(dashboard.task_queue_page(system_viewer(ws)).counts)
    title = task_title(target.title, target.jamaah_name)
    assert [toast.value for toast in at.toast] == [f"Tugas selesai: {title} — {target.jamaah_name}"]


def test_a_card_shows_the_task_as_the_core_reads_it(demo13: Workspace) -> None:
    first = dashboard.task_queue_page(system_viewer(demo13)).items[0]
    card = task_cards(open_page("task_queue"))[0]
    assert (card["id"], card["name"]) == (first.id, first.jamaah_name)
    assert card["priority"]["label"] == priority_label(first.priority)
    due = rules.due_in_words(due_at=first.due_at, now=datetime.now(UTC), tz=demo13.timezone, lang="id")
    assert card["due"] == {"text": due, "late": first.due_at < datetime.now(UTC)}
    assert card["call"] == tel_link(first.phone)
    assert card["whatsapp"] == whatsapp_link(first.phone)
    assert card["jamaah"] == f"jamaah?jamaah={first.jamaah_id}"
    assert card["actions"] == ["complete", "block"]


def test_a_card_changed_by_someone_else_is_not_overwritten(fresh_demo13: Workspace) -> None:
    ws = fresh_demo13
    first = dashboard.task_queue_page(system_viewer(ws)).items[0]
    at = open_page("task_queue")
    notes_by_someone_else(ws, first, "Versi Siti")  # between render and click
    act_on_card(at, first.id, "complete")
    assert task(ws, first.id).status is first.status  # not completed over Siti's change
    card = next(card for card in task_cards(at) if card["id"] == first.id)
    assert (
        card["problem"] == "Tugas ini baru saja diubah orang lain. Muat ulang untuk melihat keadaan terbaru."
    )
    assert card["note"] == {"kind": "note", "text": "Versi Siti"}  # drawn as it is now


def test_a_manager_lifts_a_block(fresh_demo13: Workspace) -> None:
    ws = fresh_demo13
    blocked = dashboard.task_queue_page(system_viewer(ws), column=KanbanColumn.BLOCKED).items[0]
    at = open_page("task_queue")
    act_on_card(at, blocked.id, "unblock")
    assert task(ws, blocked.id).status is not WorkStatus.BLOCKED
    title = task_title(blocked.title, blocked.jamaah_name)
    assert [toast.value for toast in at.toast] == [f"Tugas dilanjutkan: {title} — {blocked.jamaah_name}"]


def test_blocking_needs_a_reason_and_grows_the_blocked_column(fresh_demo13: Workspace) -> None:
    ws = fresh_demo13
    target = next(
        t for t in dashboard.task_queue_page(system_viewer(ws)).items if t.status is not WorkStatus.BLOCKED
    )
    at = open_page("task_queue")
    blocked = headers(at)["Diblokir"]
    act_on_card(at, target.id, "block")

    submit_block(at, "   ")
    assert "Tulis alasan tugas diblokir" in " ".join(e.value for e in at.error)
    assert task(ws, target.id).status is not WorkStatus.BLOCKED

    submit_block(at, "Menunggu scan paspor")
    assert task(ws, target.id).block_reason == "Menunggu scan paspor"
    assert headers(at)["Diblokir"] == blocked + 1
    assert next(card for card in task_cards(at) if card["id"] == target.id)["actions"] == ["unblock"]


def test_an_admin_sees_only_their_queue_and_what_their_role_may_do(fresh_demo13: Workspace) -> None:
    ws = fresh_demo13
    at = open_page("task_queue", user="siskopatuh-admin")
    assert at.segmented_control(key="role").options == ["Admin SISKOPATUH"]
    assert not [card for card in task_cards(at) if "unblock" in card["actions"]]  # managers lift blocks

    at.segmented_control(key="view").set_value("table").run()
    first = dashboard.task_queue_page(system_viewer(ws), role=Role.SISKOPATUH_ADMIN).items[0]
    edit_first_row(at, priority="low")  # the column is locked; a forged edit is refused by the core
    at.button(key="table-save").click().run()
    assert any("Peran Anda tidak boleh mengubah tugas ini." in e.value for e in at.error)
    assert task(ws, first.id).priority is first.priority


# --- the editable table -------------------------------------------------------------------------


def edit_first_row(at: AppTest, **cells: object) -> None:
    at.session_state["task-editor-0"] = {"edited_rows": {0: cells}, "added_rows": [], "deleted_rows": []}
    at.run()


def test_an_edit_is_saved_through_the_table(fresh_demo13: Workspace) -> None:
    ws = fresh_demo13
    first = dashboard.task_queue_page(system_viewer(ws)).items[0]
    at = open_page("task_queue", view="Tabel")
    edit_first_row(at, notes="Sudah ditelepon, menunggu fotokopi KTP", priority="high")
    at.button(key="table-save").click().run()
    assert not at.exception
    saved = task(ws, first.id)
    assert (saved.notes, saved.priority.value) == ("Sudah ditelepon, menunggu fotokopi KTP", "high")
    assert saved.version == first.version + 1
    assert [toast.value for toast in at.toast] == ["1 tugas tersimpan."]


def test_a_conflicting_edit_keeps_both_values_until_the_user_chooses(fresh_demo13: Workspace) -> None:
    ws = fresh_demo13
    first = dashboard.task_queue_page(system_viewer(ws)).items[0]
    at = open_page("task_queue", view="Tabel")
    notes_by_someone_else(ws, first, "Versi Siti")  # between render and save
    edit_first_row(at, notes="Versi saya")
    at.button(key="table-save").click().run()

    assert task(ws, first.id).notes == "Versi Siti"  # not overwritten
    panel = at.get_by_key(f"conflict-{first.id}")
    table = panel.table[0].value
    assert list(table.iloc[0]) == ["Catatan", "Versi Siti", "Versi saya"]

    at.button(key=f"mine-{first.id}").click().run()
    assert task(ws, first.id).notes == "Versi saya"
    assert f"conflict-{first.id}" not in str(at.session_state["queue_conflicts"])


def test_the_board_shows_each_columns_cards_with_jamaah_stage_and_due(demo2000: Workspace) -> None:
    """One element draws the four columns: each column's count and first page as the core reads
    them, and on every card its jamaah, stage and how due it is."""
    at = open_page("task_queue", dataset="demo-2000")
    now = datetime.now(UTC)
    board = kanban_board(at)
    assert [c["key"] for c in board["columns"]] == [c.value for c in COLUMNS]
    for drawn, column in zip(board["columns"], COLUMNS, strict=True):
        page = dashboard.task_queue_page(system_viewer(demo2000), column=column)
        assert int(re.sub(r"[.,]", "", drawn["count"])) == page.total
        assert [card["id"] for card in drawn["cards"]] == [task.id for task in page.items]
        for card, task in zip(drawn["cards"], page.items, strict=True):
            assert card["name"] == task.jamaah_name
            assert card["what"].endswith(task.stage_name_id)
            due = rules.due_in_words(due_at=task.due_at, now=now, tz=demo2000.timezone, lang="id")
            assert card["due"] == {"text": due, "late": task.due_at < now}
        assert (drawn["pager"] is None) == (page.pages <= 1)


def test_acting_on_a_card_changes_that_task_only(fresh_demo13: Workspace) -> None:
    ws = fresh_demo13
    first, second, *_ = [
        t for t in dashboard.task_queue_page(system_viewer(ws)).items if t.status is not WorkStatus.BLOCKED
    ]
    at = open_page("task_queue")
    act_on_card(at, second.id, "complete")
    assert task(ws, second.id).status is WorkStatus.COMPLETED
    assert task(ws, first.id).status is first.status  # the card beside it is untouched
    assert first.id in card_ids(at) and second.id not in card_ids(at)
