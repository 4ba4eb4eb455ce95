"""What may be stored as a document scan: the content decides, then size, then whether an image opens."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from pipeline_core.domain.documents import DocumentKind
from pipeline_core.domain.scans import ScanRefused, ScanType, check_scan, clean_file_name, size_words, sniff

MB = 1024 * 1024


def image(kind: str, size: tuple[int, int] = (30, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 128).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (b"%PDF-1.7\n", ScanType.PDF),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", ScanType.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00", ScanType.PNG),
        (b"MZ\x90\x00", None),  # a Windows program
        (b"PK\x03\x04", None),  # a zip, a .docx
        (b"GIF89a", None),
        (b"%PDF", None),  # the magic is five bytes
        (b" %PDF-1.7", None),  # not at the start
        (b"", None),
    ],
)
def test_the_first_bytes_decide_the_type(start: bytes, expected: ScanType | None) -> None:
    assert sniff(start) is expected


@pytest.mark.parametrize(
    ("data", "limit", "reason"),
    [
        (b"", MB, "empty"),
        (b"%PDF-1.4" + b"0" * MB, MB, "too_large"),  # size is checked before the type
        (b"MZ" + b"0" * 100, MB, "wrong_type"),
        (b"\xff\xd8\xff" + b"\x00" * 100, MB, "damaged"),
        (image("PNG")[:-20], MB, "damaged"),
        (image("PNG", (9000, 9000)), 5 * MB, "damaged"),  # 81 million pixels: a bomb, not a scan
    ],
)
def test_refusals_say_why(data: bytes, limit: int, reason: str) -> None:
    with pytest.raises(ScanRefused) as refused:
        check_scan(data, "x.pdf", DocumentKind.PASSPORT, max_bytes=limit)
    assert refused.value.reason == reason


def test_exactly_the_limit_is_accepted_and_one_byte_more_is_said_in_bytes() -> None:
    data = b"%PDF-1.4\n" + b"0" * (MB - 9)
    assert check_scan(data, "paspor.pdf", DocumentKind.PASSPORT, max_bytes=MB).size_bytes == MB
    with pytest.raises(ScanRefused, match="1,048,577 bytes; a scan may be at most 1,048,576 bytes"):
        check_scan(data + b"0", "paspor.pdf", DocumentKind.PASSPORT, max_bytes=MB)


@pytest.mark.parametrize(
    ("raw", "scan_type", "expected"),
    [
        ("paspor.pdf", ScanType.PDF, "paspor.pdf"),
        ("ktp.pdf", ScanType.PNG, "ktp.png"),  # the extension follows the content
        ("C:\\Users\\admin\\Desktop\\KK Budi.JPEG", ScanType.JPEG, "KK Budi.jpg"),
        ("../../etc/passwd", ScanType.PDF, "passwd.pdf"),
        ('a"b;c\r\n.pdf', ScanType.PDF, "a_b_c.pdf"),
        ("\u202egpj.exe", ScanType.PDF, "gpj.pdf"),  # a direction override dropped
        ("", ScanType.PNG, "passport.png"),
        ("x" * 300 + ".pdf", ScanType.PDF, "x" * 116 + ".pdf"),
    ],
)
def test_the_download_name_is_cleaned(raw: str, scan_type: ScanType, expected: str) -> None:
    assert clean_file_name(raw, DocumentKind.PASSPORT, scan_type) == expected


@pytest.mark.parametrize(
    ("size", "words"), [(1, "1 KB"), (834 * 1024, "834 KB"), (MB, "1.0 MB"), (int(1.25 * MB), "1.2 MB")]
)
def test_sizes_as_staff_read_them(size: int, words: str) -> None:
    assert size_words(size) == words
