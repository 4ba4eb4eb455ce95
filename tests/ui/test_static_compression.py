"""Streamlit's own static files, compressed by the real app (api/precompressed.py, issue 21): a
phone's first visit downloads them once, so every byte on the wire counts."""

from __future__ import annotations

import gzip
import http.client
from pathlib import Path

import brotli
import httpx
import pytest
from streamlit import file_util

from api.precompressed import choose_coding

STATIC = Path(file_util.get_static_dir())
PROTOBUF = next((STATIC / "static" / "js").glob("protobuf.*.js"))  # 861 KB, the largest on a first visit
PROTOBUF_PATH = f"/static/js/{PROTOBUF.name}"


def raw_get(
    app_server: str, path: str, headers: dict[str, str], method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    """The answer as it came over the wire (no decoding, no header of the client's own)."""
    host, port = app_server.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(method, path, headers=headers)
        answer = connection.getresponse()
        return answer.status, {name.lower(): value for name, value in answer.getheaders()}, answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("accept", "coding", "decompress"),
    [("gzip, br", "br", brotli.decompress), ("gzip, deflate", "gzip", gzip.decompress)],
)
def test_the_protobuf_bundle_comes_compressed_and_unpacks_to_the_very_file(
    app_server: str, accept: str, coding: str, decompress: object
) -> None:
    status, headers, body = raw_get(app_server, PROTOBUF_PATH, {"Accept-Encoding": accept})
    assert status == 200
    assert headers["content-encoding"] == coding
    assert int(headers["content-length"]) == len(body) < PROTOBUF.stat().st_size / 5  # 861 KB → ~100 KB
    assert decompress(body) == PROTOBUF.read_bytes()  # type: ignore[operator]
    assert headers["vary"] == "Accept-Encoding"
    assert headers["content-type"].startswith(("application/javascript", "text/javascript"))
    # Streamlit's caching of its hashed bundles stands, and so do our security headers.
    assert headers["cache-control"] == "public, immutable, max-age=31536000"
    assert headers["etag"].endswith(f'-{coding}"')
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_without_accept_encoding_the_file_comes_as_it_is(app_server: str) -> None:
    status, headers, body = raw_get(app_server, PROTOBUF_PATH, {})
    assert status == 200
    assert "content-encoding" not in headers
    assert body == PROTOBUF.read_bytes()
    assert int(headers["content-length"]) == PROTOBUF.stat().st_size
    assert headers["vary"] == "Accept-Encoding"
    assert headers["cache-control"] == "public, immutable, max-age=31536000"


def test_head_says_what_get_would_send_and_sends_nothing(app_server: str) -> None:
    _, sent, body = raw_get(app_server, PROTOBUF_PATH, {"Accept-Encoding": "br"})
    status, headers, nothing = raw_get(app_server, PROTOBUF_PATH, {"Accept-Encoding": "br"}, method="HEAD")
    assert status == 200
    assert nothing == b""
    assert headers["content-encoding"] == "br"
    assert int(headers["content-length"]) == len(body)
    assert headers["etag"] == sent["etag"]


def test_a_range_request_gets_those_bytes_of_the_file(app_server: str) -> None:
    status, headers, body = raw_get(
        app_server, PROTOBUF_PATH, {"Accept-Encoding": "gzip, br", "Range": "bytes=100-199"}
    )
    assert status == 206
    assert "content-encoding" not in headers
    assert body == PROTOBUF.read_bytes()[100:200]
    assert headers["content-range"] == f"bytes 100-199/{PROTOBUF.stat().st_size}"


def test_a_revalidation_with_the_compressed_tag_is_not_modified(app_server: str) -> None:
    _, first, _ = raw_get(app_server, PROTOBUF_PATH, {"Accept-Encoding": "br"})
    status, headers, body = raw_get(
        app_server, PROTOBUF_PATH, {"Accept-Encoding": "br", "If-None-Match": first["etag"]}
    )
    assert (status, body) == (304, b"")
    assert headers["etag"] == first["etag"]
    # The gzip copy is another representation: its tag does not revalidate the brotli one.
    status, _, body = raw_get(
        app_server, PROTOBUF_PATH, {"Accept-Encoding": "br", "If-None-Match": first["etag"][:-4] + '-gzip"'}
    )
    assert status == 200
    assert brotli.decompress(body) == PROTOBUF.read_bytes()


def test_the_page_is_compressed_and_still_revalidated(app_server: str) -> None:
    status, headers, body = raw_get(app_server, "/", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["cache-control"] == "no-cache"
    assert gzip.decompress(body) == (STATIC / "index.html").read_bytes()
    assert "default-src 'self'" in headers["content-security-policy"]


def test_fonts_and_images_are_not_compressed_again(app_server: str) -> None:
    font = next((STATIC / "static" / "media").glob("*.woff2"))
    answer = httpx.get(f"{app_server}/static/media/{font.name}", headers={"Accept-Encoding": "gzip, br"})
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers
    assert answer.content == font.read_bytes()


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0.5, gzip;q=1.0", "br"),  # both are fine for the browser: the smaller one
        ("gzip", "gzip"),
        ("GZIP", "gzip"),
        ("gzip, br;q=0", "gzip"),
        ("br;q=0, gzip;q=0", None),
        ("gzip;q=nonsense", None),
        ("identity", None),
        ("deflate, zstd", None),
        ("", None),
    ],
)
def test_the_coding_is_brotli_then_gzip_among_those_the_browser_accepts(
    accept: str, coding: str | None
) -> None:
    assert choose_coding(accept) == coding
