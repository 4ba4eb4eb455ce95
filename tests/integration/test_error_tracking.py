"""Sentry, scrubbed: a process with SENTRY_DSN pointing at a local receiver (standing in for
Sentry) reports an error that carries a planted NIK, passport, phone number, API token and session
cookie; the receiver gets the error, and none of them."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import brotli
import pytest

from pipeline_core.domain.privacy import scrub

ROOT = Path(__file__).resolve().parents[2]
PLANTED = ("3201234567890001", "B9876543", "081234567890", "upt_plantedtokenvalue123", "cookie-secret-value")

REPORTING = f"""
import logging
from pipeline_core.store.config import load_settings
from pipeline_core.store.error_tracking import init_error_tracking
import sentry_sdk

assert init_error_tracking(load_settings(), release="umrah-pipeline@test")
sentry_sdk.set_context("request", {{"headers": {{"Cookie": "umrah_session={PLANTED[4]}",
    "Authorization": "Bearer {PLANTED[3]}"}}, "url": "/api/v1/jamaah?q={PLANTED[0]}"}})
try:
    raise ValueError("enrolment failed for NIK {PLANTED[0]}, passport {PLANTED[1]}, phone {PLANTED[2]}")
except ValueError:
    logging.getLogger("pipeline_core.test").exception("import row failed with token {PLANTED[3]}")
sentry_sdk.flush(timeout=10)
"""


class Receiver(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "br":  # sentry-sdk's choice when brotli is installed (it is: static files)
            raw = brotli.decompress(raw)
        elif encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
        Receiver.bodies.append(raw)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sentry() -> Iterator[str]:
    Receiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://publickey@127.0.0.1:{server.server_address[1]}/42"
    server.shutdown()


def test_an_error_reaches_sentry_without_any_personal_data_or_secret(sentry: str) -> None:
    env = {
        **os.environ,
        "SENTRY_DSN": sentry,
        "SENTRY_ENVIRONMENT": "ci",
        "SENTRY_RELEASE": "umrah-pipeline@test",
    }
    done = subprocess.run(
        [sys.executable, "-c", REPORTING],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sent = b"\n".join(Receiver.bodies).decode("utf-8", "replace")
    assert "enrolment failed for NIK" in sent and "ValueError" in sent  # the error arrived
    assert '"environment":"ci"' in sent.replace(" ", "") and "umrah-pipeline@test" in sent
    for secret in PLANTED:
        assert secret not in sent, f"{secret} reached Sentry"


def test_scrub_masks_numbers_and_drops_credentials() -> None:
    event = {
        "message": "NIK 3201234567890001 phone +62 812-3456-7890 token upt_abcdefghijkl",
        "request": {
            "headers": {"Cookie": "umrah_session=abc", "User-Agent": "Firefox"},
            "cookies": {"a": "b"},
        },
        "extra": [{"password": "kurma-ajwa-2026"}],
    }
    assert scrub(event) == {
        "message": "NIK 3201 •••• •••• 0001 phone [phone] token [token]",
        "request": {"headers": {"Cookie": "[removed]", "User-Agent": "Firefox"}, "cookies": "[removed]"},
        "extra": [{"password": "[removed]"}],
    }
