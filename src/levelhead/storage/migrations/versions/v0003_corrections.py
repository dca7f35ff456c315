"""Corrections and deletions: messages and journal notes can be superseded, never edited in place.

A row that was corrected or deleted keeps its text and its record entry; it gets ``superseded`` set, with
when, why (sealed like other free text) and the record entry that superseded it. A correction is a new
``messages`` row whose ``corrects`` names the row it replaces. Readers of the conversation skip
``superseded`` rows.

Every column is added with a plain ``ALTER TABLE ... ADD COLUMN`` (batch mode would copy the whole table on
SQLite to add a foreign key), so the upgrade is instant for any number of messages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_CORRECTIONS = "corrects IS NOT NULL"


def _add_reference(table: str, column: str, target: str) -> None:
    """A nullable INTEGER column with a named foreign key, in the syntax SQLite and PostgreSQL share."""
    op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER CONSTRAINT fk_{table}_{column} REFERENCES {target}")


def _add_superseded(table: str) -> None:
    # A plain-string default, which SQLite can add in place (a SQL expression would need a table copy).
    op.add_column(table, sa.Column("superseded", sa.Boolean(), nullable=False, server_default="0"))
    op.add_column(table, sa.Column("superseded_at", sa.BigInteger(), nullable=True))
    op.add_column(table, sa.Column("superseded_reason", sa.LargeBinary(), nullable=True))
    _add_reference(table, "superseded_record_seq", "record_entries (seq)")


def upgrade() -> None:
    _add_superseded("messages")
    _add_reference("messages", "corrects", "messages (id)")
    op.create_index("ix_messages_corrects", "messages", ["corrects"], sqlite_where=sa.text(_CORRECTIONS),
                    postgresql_where=sa.text(_CORRECTIONS))  # fmt: skip
    _add_superseded("journal")


def downgrade() -> None:
    op.drop_index("ix_messages_corrects", table_name="messages")
    for table, extra in (("journal", ()), ("messages", ("corrects",))):
        with op.batch_alter_table(table) as batch:
            for name in (*extra, "superseded_record_seq", "superseded_reason", "superseded_at", "superseded"):
                batch.drop_column(name)
