"""An event's seating-plan version (issue 11: attach a published seating plan version to an event)

Revision ID: builder2_0004
Revises: ops2_0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'builder2_0004'
down_revision: str | None = 'ops2_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite (the demo CLI) cannot ALTER constraints in place
    with op.batch_alter_table('event') as batch:
        batch.add_column(sa.Column('seating_plan_version_id', sa.Uuid(), nullable=True))
        batch.create_index(batch.f('ix_event_seating_plan_version_id'), ['seating_plan_version_id'], unique=False)
        batch.create_foreign_key('fk_event_seating_plan_version_id', 'seating_plan_version',
                                 ['seating_plan_version_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('event') as batch:
        batch.drop_constraint('fk_event_seating_plan_version_id', type_='foreignkey')
        batch.drop_index(batch.f('ix_event_seating_plan_version_id'))
        batch.drop_column('seating_plan_version_id')
