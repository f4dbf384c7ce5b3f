"""Seated GA (issue 12 item 1): standing areas and whole tables of a seated event, places held per hold item

``event_area`` (one row per standing area / table sold whole of the attached version), ``holditem.area_id`` and
``orderitem.area_id`` (the event_area a standing-area line takes its places from).

Revision ID: seatga_0005
Revises: ops13_0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'seatga_0005'
down_revision: str | None = 'ops13_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'event_area',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('event_id', sa.Uuid(), nullable=False),
        sa.Column('area_key', S(length=64), nullable=False),
        sa.Column('kind', S(length=16), nullable=False),
        sa.Column('label', S(length=40), nullable=False),
        sa.Column('category_key', S(length=64), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=False),
        sa.Column('sold_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'area_key'),
    )
    op.create_index('ix_event_area_organization_id', 'event_area', ['organization_id'])
    op.create_index('ix_event_area_event_id', 'event_area', ['event_id'])
    # batch mode: SQLite (the demo CLI) cannot ALTER in place
    with op.batch_alter_table('holditem') as batch:
        batch.add_column(sa.Column('area_id', sa.Uuid(), nullable=True))
        batch.create_index('ix_holditem_area_id', ['area_id'])
    with op.batch_alter_table('orderitem') as batch:
        batch.add_column(sa.Column('area_id', sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('orderitem') as batch:
        batch.drop_column('area_id')
    with op.batch_alter_table('holditem') as batch:
        batch.drop_index('ix_holditem_area_id')
        batch.drop_column('area_id')
    op.drop_index('ix_event_area_event_id', table_name='event_area')
    op.drop_index('ix_event_area_organization_id', table_name='event_area')
    op.drop_table('event_area')
