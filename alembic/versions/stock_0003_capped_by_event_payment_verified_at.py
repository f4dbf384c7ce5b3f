"""tickettype.capped_by_event (the GA fast path's capacity guard) and payment.verified_at (reconciliation)

Revision ID: stock_0003
Revises: gate_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "stock_0003"
down_revision: str | None = "gate_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickettype", schema=None) as batch_op:
        batch_op.add_column(sa.Column("capped_by_event", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE tickettype SET capped_by_event = true"
               " WHERE event_id IN (SELECT id FROM event WHERE capacity IS NOT NULL)")
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_column("verified_at")
    with op.batch_alter_table("tickettype", schema=None) as batch_op:
        batch_op.drop_column("capped_by_event")
