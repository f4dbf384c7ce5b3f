"""read API: scan.updated_at, and (organization_id, updated_at, id) indexes for cursor pagination (issue 14, item 3)

Revision ID: readapi_0003
Revises: hooks_0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "readapi_0003"
down_revision: str | None = 'hooks_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {"event": "ix_event_org_updated", "order": "ix_order_org_updated",
            "ticket": "ix_ticket_org_updated", "scan": "ix_scan_org_updated"}


def upgrade() -> None:
    with op.batch_alter_table("scan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE scan SET updated_at = received_at")  # existing scans: last changed when received
    with op.batch_alter_table("scan", schema=None) as batch_op:
        batch_op.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    for table, name in _INDEXES.items():
        op.create_index(name, table, ["organization_id", "updated_at", "id"], unique=False)


def downgrade() -> None:
    for table, name in _INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("scan", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
