"""Allocated event seats (issues 11/12, organiser seat views): ``event_seat.allocation``

Revision ID: seatops_0005
Revises: brand_0005
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'seatops_0005'
down_revision: str | None = 'brand_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite (the demo CLI) cannot ALTER in place
    with op.batch_alter_table('event_seat') as batch:
        batch.add_column(sa.Column('allocation', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('event_seat') as batch:
        batch.drop_column('allocation')
