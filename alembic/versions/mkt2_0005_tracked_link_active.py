"""tracked link is_active (issue 15: deactivating a tracked link — it still redirects, records no touch)

Revision ID: mkt2_0005
Revises: seatga_0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'mkt2_0005'
down_revision: str | None = 'seatga_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('trackedlink', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_active', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('trackedlink', schema=None) as batch_op:
        batch_op.drop_column('is_active')
