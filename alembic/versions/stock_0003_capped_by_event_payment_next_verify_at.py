"""tickettype.capped_by_event (the GA fast path's capacity guard) and payment.next_verify_at (reconciliation)

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
        batch_op.add_column(sa.Column("next_verify_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_payment_status_created_at", ["status", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_index("ix_payment_status_created_at")
        batch_op.drop_column("next_verify_at")
    with op.batch_alter_table("tickettype", schema=None) as batch_op:
        batch_op.drop_column("capped_by_event")
