"""Seated sales (issue 12): event seats and the event's seating settings

``event.seating_plan_version_id`` itself comes from builder2_0004 (the builder's "attach to an event").

Revision ID: seated_0004
Revises: builder2_0004
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'seated_0004'
down_revision: str | None = 'builder2_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'event_seating',
        sa.Column('event_id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('version_id', sa.Uuid(), nullable=False),
        sa.Column('category_types', sa.JSON(), nullable=False),
        sa.Column('isolated_rule', S(length=10), nullable=False),
        sa.Column('max_per_order', sa.Integer(), nullable=False),
        sa.Column('max_per_buyer', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['version_id'], ['seating_plan_version.id']),
        sa.PrimaryKeyConstraint('event_id'),
    )
    op.create_index('ix_event_seating_organization_id', 'event_seating', ['organization_id'])
    op.create_index('ix_event_seating_version_id', 'event_seating', ['version_id'])
    op.create_table(
        'event_seat',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('event_id', sa.Uuid(), nullable=False),
        sa.Column('seat_key', S(length=64), nullable=False),
        sa.Column('category_key', S(length=64), nullable=False),
        sa.Column('section_label', S(length=40), nullable=False),
        sa.Column('row_label', S(length=40), nullable=False),
        sa.Column('seat_label', S(length=40), nullable=False),
        sa.Column('table_key', S(length=64), nullable=True),
        sa.Column('wheelchair', sa.Boolean(), nullable=False),
        sa.Column('companion', sa.Boolean(), nullable=False),
        sa.Column('restricted_view', sa.Boolean(), nullable=False),
        sa.Column('x', sa.Float(), nullable=False),
        sa.Column('y', sa.Float(), nullable=False),
        sa.Column('status', S(length=10), nullable=False),
        sa.Column('hold_id', sa.Uuid(), nullable=True),
        sa.Column('hold_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('order_id', sa.Uuid(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('event_id', 'seat_key'),
    )
    op.create_index('ix_event_seat_organization_id', 'event_seat', ['organization_id'])
    op.create_index('ix_event_seat_event_id', 'event_seat', ['event_id'])
    op.create_index('ix_event_seat_hold_id', 'event_seat', ['hold_id'])
    op.create_index('ix_event_seat_event_seq', 'event_seat', ['event_id', 'seq'])


def downgrade() -> None:
    op.drop_table('event_seat')
    op.drop_table('event_seating')
