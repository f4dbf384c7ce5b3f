"""device.registered_by_user_id: the door-staff member who registered a phone (issue 9, item 8)

Revision ID: gate_0002
Revises: wroom_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "gate_0002"
down_revision: str | None = "wroom_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registered_by_user_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_device_registered_by_user_id"), ["registered_by_user_id"], unique=False)
        batch_op.create_foreign_key("fk_device_registered_by_user_id_user", "user", ["registered_by_user_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_constraint("fk_device_registered_by_user_id_user", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_device_registered_by_user_id"))
        batch_op.drop_column("registered_by_user_id")
