"""The import in a real browser (issue 19): a document-admin uploads a 50-row file with 3 bad rows,
sees the dry run, imports the valid rows; a manager's overview, open on another app process, shows
the new totals without a gesture (one live event for the whole import)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from playwright import sync_api as playwright
from playwright.sync_api import FilePayload

from pipeline_core.app import dashboard, intake
from pipeline_core.app.viewer import system_viewer
from pipeline_core.domain.model import Role, Workspace
from tests.ui.browser import Walk, text
from tests.ui.test_live_browser import WAIT, eventually, expected_kpis, kpis, tab

pytestmark = [pytest.mark.browser]


def fifty_rows() -> bytes:
    """47 good jamaah and 3 bad rows (one-word name, landline, NIK not matching the birth date)."""
    book = openpyxl.Workbook()
    book.active.append(["Nama", "Jenis Kelamin", "Tanggal Lahir", "NIK", "No HP"])
    for i in range(50):
        born = date(1960, 1, 1) + timedelta(days=131 * i)
        nik = f"317501{born.day:02d}{born.month:02d}{born.year % 100:02d}{8000 + i:04d}"
        row = [
            f"Jamaah Impor {chr(65 + i % 26)}{chr(65 + i // 26)}",
            "L",
            born,
            nik,
            f"0813{5000000 + i:08d}",
        ]
        if i == 10:
            row[0] = "Tunggal"
        if i == 20:
            row[4] = "021-5550123"
        if i == 30:
            row[3] = "3175010101609999"
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def a_group_and_the_managers_overview(
    browser: playwright.Browser, base: str, name: str, *, quota: int
) -> tuple[Workspace, Any, Walk, list[tuple[str, str]]]:
    """A new departure group of demo-13 (four months ahead), and a manager's overview open on the
    app process at `base`, live and showing the core's KPIs: (workspace, group, tab, KPIs)."""
    ws = dashboard.workspace("demo-13")
    departure = date.today() + timedelta(days=120)
    group = intake.create_departure_group(
        system_viewer(ws, Role.MANAGER),
        {"name": name, "departure_date": departure, "return_date": departure + timedelta(days=8),
         "airline": "Saudia", "quota": quota},
    )  # fmt: skip
    manager = Walk(tab(browser, base, "manager@demo-13").page, base)
    manager.open("/")
    manager.page.locator(".live[data-status=live]").first.wait_for(timeout=WAIT * 1000)
    before = expected_kpis(ws)
    assert kpis(manager) == before
    return ws, group, manager, before


@pytest.mark.usefixtures("demo13_restored")
def test_a_document_admin_imports_and_the_managers_overview_follows(
    app_server: str, second_app_server: str, demo: dict[str, Workspace], browser: playwright.Browser
) -> None:
    ws, group, manager, before = a_group_and_the_managers_overview(
        browser, second_app_server, "Umroh Impor Browser", quota=60
    )

    admin = tab(browser, app_server, "document-admin@demo-13")
    admin.open("/import_export")
    admin.page.locator("[data-testid=stMain] [data-testid=stSelectbox]").first.click()
    admin.act(admin.page.get_by_role("option").filter(has_text=group.code).first.click)
    upload: FilePayload = {
        "name": "jamaah-50.xlsx",
        "mimeType": "application/octet-stream",
        "buffer": fifty_rows(),
    }
    admin.act(
        lambda: admin.page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(files=upload)
    )
    admin.page.locator("[data-testid=stMetric]").first.wait_for(timeout=WAIT * 1000)
    admin.rendered()
    assert admin.metrics()[:4] == [
        (text("files.new"), "47"), (text("files.updated"), "0"), (text("files.unchanged"), "0"),
        (text("files.errors"), "3"),
    ]  # fmt: skip
    admin.act(admin.page.get_by_text(text("files.valid_only")).click)
    admin.act(admin.page.get_by_role("button", name=text("files.commit")).click)

    assert expected_kpis(ws) != before, "47 new jamaah change the totals"
    eventually(lambda: kpis(manager), lambda: expected_kpis(ws), "the manager's KPIs after the import")


def fill(walk: Walk, label_key: str, value: str) -> None:
    walk.page.get_by_label(text(label_key), exact=True).fill(value)


@pytest.mark.usefixtures("demo13_restored")
def test_a_document_admin_enrols_through_the_form_and_the_managers_overview_follows(
    app_server: str, second_app_server: str, demo: dict[str, Workspace], browser: playwright.Browser
) -> None:
    """The form, as a document-admin fills it in: one field wrong first (a NIK whose birth date is
    not the one typed), the message names it and nothing is saved; corrected, the jamaah is enrolled,
    queued, and the manager's overview on the other process counts them without a gesture."""
    ws, group, manager, before = a_group_and_the_managers_overview(
        browser, second_app_server, "Umroh Formulir Browser", quota=5
    )

    admin = tab(browser, app_server, "document-admin@demo-13")
    admin.open("/enrol")
    form = admin.page.locator("[data-testid=stForm]")
    form.locator("[data-testid=stSelectbox]").first.click()
    admin.page.get_by_role("option").filter(has_text=group.name).first.click()  # in a form: no run
    fill(admin, "form.full_name", "Siti Rahmawati Hasanah")
    admin.page.get_by_text(text("gender.P"), exact=True).click()
    birth = admin.page.get_by_label(text("form.birth_date"), exact=True)
    birth.locator("[role=spinbutton]").first.click()  # a date field of segments: day, month, year
    admin.page.keyboard.type("14031975")
    fill(admin, "form.nik", "3175011403750042")  # a man's day: a woman's is 14 + 40 = 54
    fill(admin, "form.phone", "0812 3456 7890")
    admin.act(admin.page.get_by_role("button", name=text("enrol.submit")).click)

    problem = admin.page.locator("[data-testid=stAlertContentError]")
    problem.wait_for(timeout=WAIT * 1000)
    said = problem.inner_text()
    assert text("form.nik") in said and "54" in said and "14" in said, said  # the woman's day: 14 + 40
    assert expected_kpis(ws) == before, "a refused form saves nothing"

    fill(admin, "form.nik", "3175015403750042")
    admin.act(admin.page.get_by_role("button", name=text("enrol.submit")).click)
    done = text("enrol.done").format(name="Siti Rahmawati Hasanah")
    admin.page.get_by_text(done).wait_for(timeout=WAIT * 1000)

    roster = intake.departure_groups(system_viewer(ws, Role.MANAGER), include_closed=False)
    assert [g.seats_left for g in roster if g.id == group.id] == [4]
    assert expected_kpis(ws) != before, "the new jamaah is counted"
    eventually(lambda: kpis(manager), lambda: expected_kpis(ws), "the manager's KPIs after the enrolment")
