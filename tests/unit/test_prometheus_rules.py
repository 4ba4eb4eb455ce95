"""ops/prometheus/alerts.yml: the System page's five alerts as Prometheus rules, each tested at its
threshold by promtool (Debian's prometheus package, installed by .ci/install-system-packages)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "ops" / "prometheus"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    assert tool is not None, "promtool is missing: run .ci/install-system-packages (Debian's prometheus)"
    return subprocess.run([tool, *args], cwd=RULES, capture_output=True, text=True, timeout=120, check=False)


def test_the_rules_are_valid_and_name_the_five_alerts() -> None:
    checked = promtool("check", "rules", "alerts.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 5 rules found" in checked.stdout


def test_each_alert_fires_at_its_threshold_and_not_below() -> None:
    tested = promtool("test", "rules", "alerts_test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
