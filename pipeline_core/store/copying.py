"""Writing many rows in one statement inside the caller's transaction: binary COPY and id ranges.

Used by the dataset loader (`seed.datasets.bulk`) and by an import's commit (`commands.intake`):
at 10,000 rows, SQLAlchemy's multi-row INSERT … VALUES spent most of its time in psycopg building
and splitting statements of 300,000 placeholders; COPY sends the rows as data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql

__all__ = ["Jsonb", "allocate_ids", "copy_rows"]

_DIALECT = postgresql.dialect()


def allocate_ids(cursor: Any, table: str, count: int) -> Sequence[int]:
    """`count` fresh ids from the table's identity sequence, drawn in one statement.

    When no other session drew in between (the usual case) they form one range and only min/max
    travel back; otherwise the exact ids are drawn again and fetched.
    """
    if count == 0:
        return []
    draw = f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, %s)"
    cursor.execute(f"SELECT min(id), max(id) FROM ({draw}) ids", (count,))
    low, high = cursor.fetchone()
    if high - low + 1 == count:
        return range(low, high + 1)
    cursor.execute(draw, (count,))
    return [row[0] for row in cursor.fetchall()]


def copy_rows(cursor: Any, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Binary COPY of `rows` into `columns`; the wire types come from the table definition.

    Binary saves the server parsing text (timestamps above all): 27 s against 37 s in text for
    the same 1.3 million rows.
    """
    types = [table.c[name].type.compile(dialect=_DIALECT).split("(")[0].lower() for name in columns]
    count = 0
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
