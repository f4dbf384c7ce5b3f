"""An event's seating-plan version (issue 11: attach a published seating plan version to an event)

Revision ID: builder2_0004
Revises: hooks_0003
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'builder2_0004'
down_revision: str | None = 'hooks_0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('event', sa.Column('seating_plan_version_id', sa.Uuid(), nullable=True))
    op.create_index(op.f('ix_event_seating_plan_version_id'), 'event', ['seating_plan_version_id'], unique=False)
    op.create_foreign_key('fk_event_seating_plan_version_id', 'event', 'seating_plan_version',
                          ['seating_plan_version_id'], ['id'])


def downgrade() -> None:
    op.drop_constraint('fk_event_seating_plan_version_id', 'event', type_='foreignkey')
    op.drop_index(op.f('ix_event_seating_plan_version_id'), table_name='event')
    op.drop_column('event', 'seating_plan_version_id')
