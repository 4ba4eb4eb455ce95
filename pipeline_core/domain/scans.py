"""A scan of one checklist document (issue 19): what may be stored, decided by the file's content.

Choices where the issue is silent (docs/decisions.md, "Document scans"):
- **The content decides, never the name or the browser's type.** A scan is a PDF (`%PDF-`), a
  JPEG (`FF D8 FF`) or a PNG (`89 50 4E 47 0D 0A 1A 0A`), recognised by its first bytes; an
  `.exe` renamed `.pdf` is refused, a PNG named `.jpg` is stored as the PNG it is. A JPEG or PNG
  must also open as an image (Pillow reads its header and checks its structure, without decoding
  every pixel) and hold at most `MAX_PIXELS` pixels (a 600 dpi A4 page is ~35 million): a damaged
  upload or a decompression bomb is refused before anything is stored.
- **A size limit** (`PIPELINE_SCAN_MAX_MB`, default 5 MB) and no empty file. One message per case,
  each `ScanRefused` carrying a `reason` the pages translate: `empty`, `too_large`, `wrong_type`,
  `damaged`.
- **The file name is kept only to name the download**, cleaned at this boundary: the last path
  part, control and direction characters dropped, at most 120 characters, its extension replaced
  by the one of the type found (a PNG uploaded as `ktp.pdf` downloads as `ktp.png`). It is never
  written to the activity log (it often holds the jamaah's name or NIK).
"""

from __future__ import annotations

import enum
import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import datetime

from pipeline_core.domain.documents import LABELS, DocumentKind
from pipeline_core.domain.errors import InvalidInput

__all__ = [
    "DEFAULT_MAX_MB",
    "ENCRYPTION_CONTEXT",
    "MAX_PIXELS",
    "CheckedScan",
    "ScanFacts",
    "ScanFile",
    "ScanRefused",
    "ScanType",
    "check_scan",
    "clean_file_name",
    "size_words",
    "sniff",
]

DEFAULT_MAX_MB = 5
MAX_PIXELS = 60_000_000
NAME_MAX = 120
#: The associated data of every sealed scan (`store.pii_crypto`): a blob copied elsewhere won't open.
ENCRYPTION_CONTEXT = "document.scan"


class ScanType(enum.StrEnum):
    """What a scan may be: the value is its media type."""

    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"

    @property
    def extension(self) -> str:
        return {ScanType.PDF: "pdf", ScanType.JPEG: "jpg", ScanType.PNG: "png"}[self]

    @property
    def label(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self is not ScanType.PDF


_MAGIC: tuple[tuple[bytes, ScanType], ...] = (
    (b"%PDF-", ScanType.PDF),
    (b"\xff\xd8\xff", ScanType.JPEG),
    (b"\x89PNG\r\n\x1a\n", ScanType.PNG),
)


class ScanRefused(InvalidInput):
    """A file that may not be stored as a scan; `reason` is one of `empty`, `too_large`,
    `wrong_type`, `damaged` (the pages and the API choose their words and status by it)."""

    def __init__(self, reason: str, message: str, *, limit_bytes: int = 0, size_bytes: int = 0) -> None:
        super().__init__("file", message)
        self.reason = reason
        self.limit_bytes = limit_bytes
        self.size_bytes = size_bytes


@dataclass(frozen=True, slots=True)
class CheckedScan:
    """A file that passed: its type (from the content), size and the cleaned download name."""

    scan_type: ScanType
    size_bytes: int
    file_name: str


@dataclass(frozen=True, slots=True)
class ScanFacts:
    """What anyone who reads the checklist may know of a stored scan: never its name or content."""

    jamaah_id: int
    kind: DocumentKind
    scan_type: ScanType
    size_bytes: int
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class ScanFile:
    """A scan opened for a role that may see it (after the view was logged)."""

    jamaah_id: int
    kind: DocumentKind
    scan_type: ScanType
    file_name: str
    content: bytes = b""


def sniff(data: bytes) -> ScanType | None:
    """The type the first bytes announce, or None."""
    for magic, scan_type in _MAGIC:
        if data.startswith(magic):
            return scan_type
    return None


def size_words(size_bytes: int) -> str:
    """`834 KB`, `1.2 MB`: sizes as staff read them (1 MB = 1024 × 1024 bytes, as the limit)."""
    if size_bytes < 1024 * 1024:
        return f"{max(1, round(size_bytes / 1024))} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def _image_opens(data: bytes) -> bool:
    """Pillow recognises the image, its size is sane and its structure verifies (no full decode)."""
    from PIL import Image  # only here: the rest of the domain has no use for it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    return False
                image.verify()
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError, bomb errors)
        return False
    return True


def check_scan(data: bytes, file_name: str, kind: DocumentKind, *, max_bytes: int) -> CheckedScan:
    """The file as it may be stored, or `ScanRefused` saying why, in this order: empty, too large,
    not a PDF/JPEG/PNG by content, an image that does not open."""
    size = len(data)
    if size == 0:
        raise ScanRefused("empty", "The file is empty.")
    if size > max_bytes:
        said, limit = size_words(size), size_words(max_bytes)
        if said == limit:  # just over: say it in bytes rather than "5.0 MB; at most 5.0 MB"
            said, limit = f"{size:,} bytes", f"{max_bytes:,} bytes"
        raise ScanRefused(
            "too_large",
            f"The file is {said}; a scan may be at most {limit}. "
            "Scan at a lower resolution (150–300 dpi) or save it as JPEG.",
            limit_bytes=max_bytes,
            size_bytes=size,
        )
    scan_type = sniff(data)
    if scan_type is None:
        raise ScanRefused(
            "wrong_type",
            "The file is not a PDF, JPEG or PNG (its content decides, not its name). "
            "Save or export the scan in one of these formats.",
        )
    if scan_type.is_image and not _image_opens(data):
        raise ScanRefused(
            "damaged",
            f"The file starts like a {scan_type.label} but does not open as an image (damaged, "
            "incomplete or too many pixels). Scan it again.",
        )
    return CheckedScan(scan_type, size, clean_file_name(file_name, kind, scan_type))


_PATH_PART = re.compile(r"[\\/]")
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_QUOTES = re.compile(r"[\"';<>|*?:]")


def clean_file_name(raw: str, kind: DocumentKind, scan_type: ScanType) -> str:
    """The download name: the last path part of `raw` without hidden characters, quotes or
    reserved marks, at most `NAME_MAX` characters, with the extension of `scan_type`; the
    document's name when nothing usable is left."""
    last = _PATH_PART.split(unicodedata.normalize("NFC", raw or ""))[-1]
    cleaned = _QUOTES.sub("_", _HIDDEN.sub("", last)).strip(" .")
    stem = cleaned.rsplit(".", 1)[0].strip(" .") if "." in cleaned else cleaned
    if not stem:
        stem = LABELS[kind].replace(" ", "-")
    stem = stem[: NAME_MAX - len(scan_type.extension) - 1].rstrip(" .")
    return f"{stem}.{scan_type.extension}"
