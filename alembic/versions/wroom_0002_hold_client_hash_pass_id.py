"""holds record a keyed hash of the client address and the waiting-room pass (hold caps, issue 9 item 5)

Revision ID: wroom_0002
Revises: outbox_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "wroom_0002"
down_revision: str | None = "outbox_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("pass_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_hold_client_hash"), ["client_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_hold_pass_id"), ["pass_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hold_pass_id"))
        batch_op.drop_index(batch_op.f("ix_hold_client_hash"))
        batch_op.drop_column("pass_id")
        batch_op.drop_column("client_hash")
