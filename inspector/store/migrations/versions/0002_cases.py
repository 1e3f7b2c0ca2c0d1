"""Cases: a helpdesk's cases, the case of each acquisition, and the owner's consent note.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cases_name", "cases", ["name"], unique=True)
    # Batch: on SQLite the table is copied with the new columns and constraint (SQLite cannot add a
    # named foreign key with ALTER TABLE); elsewhere these are plain ALTER TABLE statements.
    with op.batch_alter_table("acquisitions") as batch:
        batch.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("consent_note", sa.Text(), nullable=True))
        batch.create_foreign_key("fk_acquisitions_case_id_cases", "cases", ["case_id"], ["id"])
        batch.create_index("ix_acquisitions_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("acquisitions") as batch:
        batch.drop_index("ix_acquisitions_case_id")
        batch.drop_constraint("fk_acquisitions_case_id_cases", type_="foreignkey")
        batch.drop_column("consent_note")
        batch.drop_column("case_id")
    op.drop_index("ix_cases_name", table_name="cases")
    op.drop_table("cases")
