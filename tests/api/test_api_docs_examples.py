"""The curl examples of docs/http-api.md run as written against the real app (`streamlit run
app.py`), with a real token made by the documented command, and every call answers 2xx.

The ```sh blocks of the `/api/v1` section are joined into one bash script, run with `set -euo
pipefail` from the repository folder. Two substitutions, both of the machine and not of the
examples: the app's address (`http://localhost:8501` → the test app's port) and the virtualenv's
Python (`.venv/bin/python` → this test's interpreter). `curl` is the system's, behind a wrapper on
PATH that only adds `-w` to report each call's status on stderr; the output the examples pipe
stays the same (so the examples themselves use no `-w`). A conditional GET (`If-None-Match`) may
answer 304: the example says so.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline_core.seed.datasets import load_dataset
from tests.builders import NOW

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "http-api.md"
BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
CALL = re.compile(r"^HTTP (\d{3}) (\S+) (\S+) (conditional|plain)$", re.MULTILINE)
WRAPPER = """#!/bin/bash
conditional=plain
for arg in "$@"; do case "$arg" in [Ii]f-[Nn]one-[Mm]atch:*) conditional=conditional;; esac; done
exec {curl} -w "%{{stderr}}HTTP %{{http_code}} %{{method}} %{{url_effective}} $conditional\\n" "$@"
"""


def examples() -> str:
    section = DOC.read_text(encoding="utf-8").split("## The JSON API: `/api/v1`", 1)[1]
    return "\n".join(block.group(1) for block in BLOCK.finditer(section))


def test_the_doc_has_examples_of_every_read_and_action() -> None:
    script = examples()
    for path in ("/pipeline/health", "/pipeline/stages", "/pipeline/bottlenecks", "/pipeline/departures",
                 "/pipeline/tasks", "/jamaah/", "/activity", "/block", "/unblock", "/complete", "cursor=",
                 "-X PATCH", "api-token create", "Idempotency-Key", "If-Match"):  # fmt: skip
        assert path in script, f"docs/http-api.md has no example with {path}"


@pytest.mark.slow
def test_the_curl_examples_run_verbatim(app_server: str, tmp_path: Path) -> None:
    assert shutil.which("curl"), "the examples are curl commands: install curl (apt-get install curl)"
    load_dataset("demo-13", reset=True, now=NOW, demo_accounts=True)
    script = examples()
    assert "http://localhost:8501/api/v1" in script and ".venv/bin/python" in script
    assert " -w " not in script, "the wrapper's -w reports each call: examples print statuses otherwise"
    script = script.replace("http://localhost:8501", app_server).replace(".venv/bin/python", sys.executable)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "curl"
    wrapper.write_text(WRAPPER.format(curl=shutil.which("curl")))
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)

    ran = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=ROOT,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    calls = CALL.findall(ran.stderr)
    assert ran.returncode == 0, f"the examples stopped: {ran.stderr[-3000:]}\n{ran.stdout[-2000:]}"
    assert len(calls) >= script.count("curl -s"), "every example's call was made"
    refused = [c for c in calls if not (c[0].startswith("2") or (c[0] == "304" and c[3] == "conditional"))]
    assert refused == [], f"calls not answered 2xx: {refused}"
    assert any(c[0] == "304" for c in calls), "the conditional GET answered 304"
    assert "upt_" in ran.stdout, "the token was made and shown"
    assert re.search(r"(?i)idempotent-replayed: true", ran.stdout), "the retried POST was replayed"
    assert re.search(r"(?i)ratelimit-remaining: \d+", ran.stdout), "the rate-limit standing is shown"
