"""The document checklist (issue 19): which documents a jamaah needs, and what a stage requires of them.

Every jamaah has one checklist row per document kind the agency requires of them; each row is
`missing → received → verified`, or `rejected` with a reason (and who changed it, when).

Choices where DOMAIN.md and the issue are silent (written down in docs/user-guide.en.md too):
- The agency chooses the kinds it requires (`workspaces.required_documents`, managers on the
  Jamaah documents page); without a choice every kind below is required. A kind dropped later
  stays on existing checklists as "not required" and holds nothing; a kind added later reads as
  `missing` for every jamaah until a row is saved (rows are written lazily, on the first change).
- The default kinds: passport, KTP, KK (family card), passport photo and the meningitis vaccination
  certificate (the ICV booklet Saudi Arabia and the Ministry of Health ask of every Umrah pilgrim —
  so "where required" is every jamaah by default), plus the marriage book or mahram letter when
  the mahram rule applies.
- The mahram rule, kept simple: a **woman under 45 on the departure date travelling without a
  companion** (no `companion_id`) needs a marriage book or a mahram letter. A woman with a
  companion recorded, a woman of 45 or more and every man do not.
- Collection is complete when no required document is `missing` or `rejected` (a rejected document
  must be brought again). Verification is complete when every required document is `verified`.
- A row of a kind no longer required (a companion was recorded since) stays on the checklist but
  is shown as not required and blocks nothing.
- Rejecting needs a reason (≤ 500 characters); the other statuses clear it.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from pipeline_core.domain.errors import InvalidInput

__all__ = [
    "COLLECTION_STAGE",
    "DEFAULT_KINDS",
    "MAHRAM_AGE",
    "REASON_MAX",
    "VERIFICATION_STAGE",
    "DocStatus",
    "DocumentKind",
    "DocumentRow",
    "DocumentsNotReady",
    "age_on",
    "agency_kinds",
    "check_change",
    "not_ready",
    "required_kinds",
    "stage_refusal",
]

COLLECTION_STAGE = "document-collection"
VERIFICATION_STAGE = "document-verification"
MAHRAM_AGE = 45
REASON_MAX = 500


class DocumentKind(enum.StrEnum):
    PASSPORT = "passport"
    KTP = "ktp"
    KK = "kk"
    PASSPORT_PHOTO = "passport_photo"
    MENINGITIS = "meningitis_certificate"
    MAHRAM = "mahram_letter"


class DocStatus(enum.StrEnum):
    MISSING = "missing"
    RECEIVED = "received"
    VERIFIED = "verified"
    REJECTED = "rejected"


#: The kinds every jamaah needs (the mahram letter is added by the rule above).
DEFAULT_KINDS: tuple[DocumentKind, ...] = (
    DocumentKind.PASSPORT,
    DocumentKind.KTP,
    DocumentKind.KK,
    DocumentKind.PASSPORT_PHOTO,
    DocumentKind.MENINGITIS,
)

#: English names for messages (the pages translate through ui_kit/i18n).
LABELS: dict[DocumentKind, str] = {
    DocumentKind.PASSPORT: "passport",
    DocumentKind.KTP: "KTP",
    DocumentKind.KK: "KK (family card)",
    DocumentKind.PASSPORT_PHOTO: "passport photo",
    DocumentKind.MENINGITIS: "meningitis vaccination certificate",
    DocumentKind.MAHRAM: "marriage book or mahram letter",
}


@dataclass(frozen=True, slots=True)
class DocumentRow:
    jamaah_id: int
    kind: DocumentKind
    status: DocStatus
    reason: str | None
    required: bool
    updated_by: str | None
    updated_at: datetime | None


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def required_kinds(
    *,
    gender: str,
    birth_date: date,
    departure_date: date,
    has_companion: bool,
    enabled: Collection[DocumentKind] | None = None,
) -> tuple[DocumentKind, ...]:
    """The kinds this jamaah must bring: those the agency requires (`enabled`; None = every kind),
    the mahram letter only for a woman under 45 (on the departure date) travelling without a
    companion. `gender` is `L` or `P` (DOMAIN.md)."""
    wanted = set(DocumentKind) if enabled is None else set(enabled)
    kinds = tuple(k for k in DEFAULT_KINDS if k in wanted)
    female = str(getattr(gender, "value", gender)) == "P"
    alone = female and not has_companion and age_on(birth_date, departure_date) < MAHRAM_AGE
    return (*kinds, DocumentKind.MAHRAM) if alone and DocumentKind.MAHRAM in wanted else kinds


def agency_kinds(chosen: Iterable[str]) -> tuple[DocumentKind, ...]:
    """The agency's setting, checked: known kinds, in checklist order (`InvalidInput` otherwise)."""
    try:
        picked = {DocumentKind(k) for k in chosen}
    except ValueError:
        names = ", ".join(k.value for k in DocumentKind)
        raise InvalidInput("required_documents", f"Unknown document kind: one of {names}.") from None
    return tuple(k for k in DocumentKind if k in picked)


def not_ready(
    stage_code: str, statuses: Mapping[DocumentKind, DocStatus], required: Iterable[DocumentKind]
) -> list[DocumentKind]:
    """The required documents that keep `stage_code` from being completed (empty: it may be).

    A required kind without a row counts as missing. Stages other than the two document stages
    are never held by the checklist.
    """
    if stage_code == COLLECTION_STAGE:
        holding = {DocStatus.MISSING, DocStatus.REJECTED}
        return [k for k in required if statuses.get(k, DocStatus.MISSING) in holding]
    if stage_code == VERIFICATION_STAGE:
        return [k for k in required if statuses.get(k, DocStatus.MISSING) is not DocStatus.VERIFIED]
    return []


class DocumentsNotReady(InvalidInput):
    """A document stage refused: `kinds` are the documents holding it (the pages translate them)."""

    def __init__(self, stage_code: str, kinds: list[DocumentKind]) -> None:
        super().__init__("documents", stage_refusal(stage_code, kinds))
        self.stage_code = stage_code
        self.kinds = tuple(kinds)


def stage_refusal(stage_code: str, kinds: list[DocumentKind]) -> str:
    """The message of a refused completion, naming the documents."""
    names = ", ".join(LABELS[k] for k in kinds)
    if stage_code == COLLECTION_STAGE:
        return f"Document collection cannot be completed: still missing or rejected: {names}."
    return f"Document verification cannot be completed: not yet verified: {names}."


def check_change(kind: str, status: str, reason: str | None) -> tuple[DocumentKind, DocStatus, str | None]:
    """Validate one checklist change; `InvalidInput` naming the field otherwise."""
    try:
        valid_kind = DocumentKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in DocumentKind)
        raise InvalidInput("kind", f"Unknown document kind {kind!r}: one of {names}.") from None
    try:
        valid_status = DocStatus(status)
    except ValueError:
        names = ", ".join(s.value for s in DocStatus)
        raise InvalidInput("status", f"Unknown document status {status!r}: one of {names}.") from None
    cleaned = (reason or "").strip() or None
    if valid_status is DocStatus.REJECTED:
        if cleaned is None:
            raise InvalidInput(
                "reason", f"Say why the {LABELS[valid_kind]} is rejected, e.g. 'photo blurred'."
            )
        if len(cleaned) > REASON_MAX or any(ord(c) < 32 for c in cleaned):
            raise InvalidInput("reason", f"The reason is one line of at most {REASON_MAX} characters.")
        return valid_kind, valid_status, cleaned
    return valid_kind, valid_status, None
