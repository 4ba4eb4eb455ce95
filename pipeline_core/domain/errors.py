"""The product's errors: one tree, so callers catch what they mean.

    PipelineError                 anything the product refuses or cannot do
    ├── ConfigError               the environment is wrong (start-up stops with one sentence)
    ├── ServerUnavailable         PostgreSQL or Redis cannot be reached or started
    ├── SchemaOutOfDate           external database behind the code's migrations
    ├── NotFound                  no such record in this workspace
    ├── Conflict                  someone changed it first; carries the current state
    ├── PermissionDenied          the acting user may not do this
    │   └── IdentitySearchRefused a search by full NIK/passport number from a role that may not reveal
    ├── InvalidInput              a value fails validation; names the field
    └── PersonalDataUnreadable    encrypted personal data does not open with the configured keys

Database driver errors are translated into these once, at the edge (`db.translate_errors`), so
pages and the API never see SQLAlchemy or psycopg exceptions.
"""

from __future__ import annotations

from typing import Any


class PipelineError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(PipelineError):
    """An environment variable has an invalid value."""


class ServerUnavailable(PipelineError):
    """PostgreSQL or Redis is unreachable, or an embedded server failed to start."""


class SchemaOutOfDate(PipelineError):
    """The database schema is behind the code; the message says how to upgrade."""


class NotFound(PipelineError):
    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} was not found in this workspace.")
        self.what = what
        self.ident = ident


class Conflict(PipelineError):
    """A stale version: the record changed since the user saw it. `current` is its state now."""

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


class PermissionDenied(PipelineError):
    pass


class IdentitySearchRefused(PermissionDenied):
    """A full NIK or passport number was searched by a role that may not reveal personal data."""

    def __init__(self, role: str) -> None:
        super().__init__(
            f"The role '{role}' may not search by a full NIK or passport number (only roles that may"
            " reveal personal data can): search by name or phone number instead."
        )
        self.role = role


class InvalidInput(PipelineError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class PersonalDataUnreadable(PipelineError):
    """An encrypted NIK/passport number does not open: the key it was sealed with is not among
    `PII_KEY` / `PII_OLD_KEYS` (a wrong or lost key), or the stored bytes were altered. Says which
    field and what to check; never carries the value or the key."""

    def __init__(self, context: str, *, unknown_key: bool = False) -> None:
        cause = (
            "it was encrypted with a key that is neither PII_KEY nor one of PII_OLD_KEYS"
            if unknown_key
            else "the key does not match or the stored value was altered"
        )
        super().__init__(f"Encrypted personal data ({context}) cannot be read: {cause}.")
        self.context = context
        self.unknown_key = unknown_key
