"""Daftarkan jamaah and Rombongan in AppTest: the form's messages, a duplicate, the groups page."""

from __future__ import annotations

from datetime import date, timedelta

from streamlit.testing.v1 import AppTest

from pipeline_core.app import intake
from pipeline_core.domain.model import Role, Workspace
from tests.ui.conftest import open_page, viewer

KEY = "jf-"


def a_group(ws: Workspace, quota: int = 45) -> intake.GroupRecord:
    departure = date.today() + timedelta(days=120)
    return intake.create_departure_group(
        viewer(ws, Role.MANAGER),
        {"name": "Umroh Test Form", "departure_date": departure, "return_date": departure + timedelta(days=8),
         "airline": "Saudia", "quota": quota},
    )  # fmt: skip


def fill(at: AppTest, group_id: int, **overrides: object) -> AppTest:
    values: dict[str, object] = {
        "full_name": "Siti Aminah", "gender": "P", "birth_date": date(1972, 8, 17), "nik": "3273015708720001",
        "phone": "0812 7777 1234", "passport_name": "SITI AMINAH",
    } | overrides  # fmt: skip
    at.selectbox(key=KEY + "group").set_value(group_id)
    for name, value in values.items():
        if name == "gender":
            at.radio(key=KEY + name).set_value(value)
        elif name == "birth_date":
            assert isinstance(value, date)
            at.date_input(key=KEY + name).set_value(value)
        else:
            at.text_input(key=KEY + name).input(str(value))
    return _submit(at)


def _submit(at: AppTest) -> AppTest:
    submit = next(b for b in at.button if b.label in ("Daftarkan", "Enrol"))
    return submit.click().run()


def test_the_form_names_every_field_to_fix_and_saves_nothing(fresh_demo13: Workspace) -> None:
    group = a_group(fresh_demo13)
    at = fill(
        open_page("enrol", user="document-admin"), group.id, nik="3273011708720001", passport_name="SITI"
    )
    assert not at.exception
    [error] = at.error
    assert "NIK" in error.value and "+ 40" in error.value
    assert "Nama di paspor" in error.value
    assert intake.departure_group(viewer(fresh_demo13), group.id).seats_used == 0
    assert at.text_input(key=KEY + "full_name").value == "Siti Aminah", "the form keeps what was typed"


def test_a_good_enrolment_then_the_same_nik_links_to_the_jamaah(fresh_demo13: Workspace) -> None:
    group = a_group(fresh_demo13)
    at = fill(open_page("enrol", user="document-admin"), group.id)
    assert not at.error, [e.value for e in at.error]
    assert [toast.value for toast in at.toast] == [
        "Siti Aminah terdaftar; tugas pertamanya sudah di antrean."
    ]
    assert intake.departure_group(viewer(fresh_demo13), group.id).seats_used == 1

    again = fill(open_page("enrol", user="document-admin"), group.id, full_name="Siti Lain")
    [error] = again.error
    assert "sudah terdaftar atas nama Siti Aminah" in error.value
    links = [getattr(link, "label", None) for link in again.get("page_link")]
    assert "Buka jamaah Siti Aminah" in links


def test_other_roles_are_not_offered_the_form(demo13: Workspace) -> None:
    at = open_page("enrol", user="visa-admin")  # the router does not offer the page
    assert at.title[0].value != "Daftarkan jamaah"
    assert KEY + "full_name" not in [box.key for box in at.text_input]


def test_groups_page_lists_seats_and_only_managers_edit(demo13: Workspace) -> None:
    manager = open_page("departure_groups", user="manager")
    table = manager.dataframe[0].value
    assert {"Kode", "Terisi", "Sisa"} <= set(table.columns)
    assert any(b.label == "Buat rombongan" for b in manager.button)
    visa = open_page("departure_groups", user="visa-admin")
    assert len(visa.dataframe[0].value) == len(table)
    assert not any(b.label == "Buat rombongan" for b in visa.button)


def test_a_manager_creates_a_group_through_the_form(fresh_demo13: Workspace) -> None:
    at = open_page("departure_groups", user="travel-admin")
    departure = date.today() + timedelta(days=100)
    at.text_input(key="ng-name").input("Umroh Plus Turki")
    at.date_input(key="ng-dep").set_value(departure)
    at.date_input(key="ng-ret").set_value(departure + timedelta(days=11))
    at.text_input(key="ng-air").input("Turkish Airlines")
    at = next(b for b in at.button if b.label == "Buat rombongan").click().run()
    assert not at.error, [e.value for e in at.error]
    assert [toast.value for toast in at.toast] == ["Rombongan Umroh Plus Turki dibuat."]
    assert "Umroh Plus Turki" in at.dataframe[0].value["Nama rombongan"].tolist()


def test_editing_uses_the_same_form_with_numbers_masked(fresh_demo13: Workspace) -> None:
    group = a_group(fresh_demo13)
    enrolled = intake.enrol_jamaah(
        viewer(fresh_demo13),
        {"full_name": "Siti Aminah", "gender": "P", "birth_date": date(1972, 8, 17),
         "nik": "3273015708720001", "phone": "081277771234", "passport_number": "E1234567"},
        group.id,
    )  # fmt: skip
    detail = open_page("jamaah", user="document-admin", jamaah=str(enrolled.jamaah.id))
    assert "Ubah data jamaah" in [getattr(link, "label", None) for link in detail.get("page_link")]

    at = open_page("enrol", user="document-admin", jamaah=str(enrolled.jamaah.id))
    assert at.title[0].value == "Ubah data jamaah"
    assert at.text_input(key=KEY + "nik").value == "", "the full NIK never reaches the page"
    assert "3273 •••• •••• 0001" in (at.text_input(key=KEY + "nik").help or "")
    at.selectbox(key=KEY + "occupation").set_value("WIRAUSAHA")
    at = next(b for b in at.button if b.label == "Simpan perubahan").click().run()
    assert not at.error, [e.value for e in at.error]
    assert [toast.value for toast in at.toast] == ["Perubahan data Siti Aminah disimpan (1 kolom)."]
