"""The words a live change puts on screen: who changed what (the toast of `listen`), and a
bottleneck that turned critical (`cards.warn_of_new_critical`), for managers only."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from ui_kit.live import LiveEvent


def critical_page(severities: list[str], *, live: bool, managing: bool = True) -> str:
    """A script drawing the alerts twice: first as the page last drew them, then after a change."""
    return f"""
from ui_kit.cards import warn_of_new_critical
from pipeline_core.domain.model import Severity
from pipeline_core.reads.queries import Bottleneck

def alert(code, severity):
    return Bottleneck(code=code, name_id="Persetujuan Visa", name_en="Visa Approval",
                      responsible_role="visa-admin", stuck=6, avg_delay_days=3.0,
                      severity=Severity(severity), top_reason=None, departure_impact=2,
                      stuck_7_days_ago=None)

warn_of_new_critical([alert("visa-approval", "moderate")], live=False, managing={managing})
warn_of_new_critical([alert("visa-approval", s) for s in {severities!r}], live={live}, managing={managing})
"""


def toasts(script: str) -> list[str]:
    at = AppTest.from_string(script, default_timeout=30).run()
    assert not at.exception, at.exception
    return [toast.value for toast in at.toast]


def test_a_bottleneck_turning_critical_warns_a_manager_once() -> None:
    assert toasts(critical_page(["critical"], live=True)) == ["Hambatan kini kritis: Persetujuan Visa"]
    assert toasts(critical_page(["moderate"], live=True)) == []  # no change of severity
    assert toasts(critical_page(["critical"], live=False)) == []  # a first look, not a change
    assert toasts(critical_page(["critical"], live=True, managing=False)) == []  # admins: no toast


def test_the_change_toast_names_who_what_and_whom() -> None:
    change = LiveEvent.from_trigger(
        {
            "kind": "change",
            "count": 3,
            "event": {
                "type": "task.completed",
                "sequence": 41,
                "actor": "Rina Wulandari",
                "actor_id": 7,
                "jamaah_id": 12,
                "task_id": 99,
                "jamaah_name": "Ahmad Hidayat",
                "task_title": "Pengajuan Visa",
                "views": ["queue"],
                "roles": ["visa-admin", "manager"],
            },
        }
    )
    assert change.summary("id") == "Rina Wulandari menyelesaikan Pengajuan Visa — Ahmad Hidayat (+2)"
    assert change.summary("en") == "Rina Wulandari completed Pengajuan Visa — Ahmad Hidayat (+2)"
