"""Schema migrations: run Alembic from code and tell whether a database is current.

Embedded mode upgrades on start-up; external mode refuses to run on an out-of-date schema and names
the command that upgrades it (`python -m pipeline_core migrate`), since a production schema change
is an operator's decision.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from pipeline_core.domain.errors import SchemaOutOfDate

log = logging.getLogger(__name__)
# Alembic logs its context on every revision check (each /readyz); keep only warnings.
logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)

UPGRADE_COMMAND = "python -m pipeline_core migrate"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def revisions() -> list[str]:
    """Every revision this release knows, oldest first."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


#: Any constant works: it only keeps two processes from migrating the same database at once.
_MIGRATION_LOCK = 7_205_2026


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        before = MigrationContext.configure(connection).get_current_revision()
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        after = MigrationContext.configure(connection).get_current_revision()
    if before != after:
        log.info("schema upgraded from %s to %s", before or "an empty database", after)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def schema_is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def require_current_schema(engine: Engine) -> None:
    current = current_revision(engine)
    if current != head_revision():
        raise SchemaOutOfDate(
            f"The database schema is at {current or 'no revision'}, the code needs {head_revision()}: "
            f"run `{UPGRADE_COMMAND}` (with the same DATABASE_URL) to upgrade it."
        )
