"""APK features by SHA-256 (``apks``), and the signature-pack version on every finding.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "apks",
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("package", sa.String(), nullable=True),
        sa.Column("features_version", sa.Integer(), nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_index("ix_apks_package", "apks", ["package"], unique=False)
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("signature_pack_version", sa.String(), nullable=True))
    # Findings recorded before this revision were produced by their scan's signature pack.
    op.execute(
        "UPDATE findings SET signature_pack_version = "
        "(SELECT scans.signature_pack_version FROM scans WHERE scans.id = findings.scan_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("signature_pack_version")
    op.drop_index("ix_apks_package", table_name="apks")
    op.drop_table("apks")
