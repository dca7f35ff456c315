"""Imports: the ``imports`` table, and a kind and a fingerprint per message.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("kind", sa.String(8), nullable=False, server_default="text"))
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_messages_fingerprint", ["fingerprint"])
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("imported_at", sa.BigInteger(), nullable=False),
        sa.Column("stored", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("record_seq", sa.Integer(), sa.ForeignKey("record_entries.seq"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("imports")
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("uq_messages_fingerprint", type_="unique")
        batch.drop_column("fingerprint")
        batch.drop_column("kind")
