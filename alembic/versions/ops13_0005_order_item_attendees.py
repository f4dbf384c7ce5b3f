"""order item attendees (issue 13 item 4: attendee name and e-mail per ticket, collected at checkout)

Revision ID: ops13_0005
Revises: seatops_0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'ops13_0005'
down_revision: str | None = 'seatops_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('orderitem', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendees', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orderitem', schema=None) as batch_op:
        batch_op.drop_column('attendees')
