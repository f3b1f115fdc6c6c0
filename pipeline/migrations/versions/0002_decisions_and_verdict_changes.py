"""Re-verification: the marketplace's decision on each bundle, and the history of verdict changes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bundles") as batch:
        batch.add_column(sa.Column("decision", sa.String(16), nullable=False, server_default="pending"))
    op.create_table(
        "verdict_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("bundle_sha256", sa.String(64), sa.ForeignKey("bundles.sha256", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("market", sa.String(32), nullable=False),
        sa.Column("verification_id", sa.Integer, sa.ForeignKey("verifications.id", ondelete="CASCADE"), nullable=False),
        sa.Column("from_verdict", sa.String(16), nullable=False),
        sa.Column("to_verdict", sa.String(16), nullable=False),
        sa.Column("from_as_of", sa.Date, nullable=False),
        sa.Column("to_as_of", sa.Date, nullable=False),
        sa.Column("changed", sa.JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("verdict_changes")
    with op.batch_alter_table("bundles") as batch:
        batch.drop_column("decision")
