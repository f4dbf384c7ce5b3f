"""event_seat (event_id, section_label, row_label) index (issue 12: the isolated-seat check of a seat hold reads
the touched rows; without it every hold scanned the event's 18,000 seats)

Revision ID: holds_0006
Revises: mkt2_0005
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'holds_0006'
down_revision: str | None = 'mkt2_0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_event_seat_event_row', 'event_seat', ['event_id', 'section_label', 'row_label'])


def downgrade() -> None:
    op.drop_index('ix_event_seat_event_row', table_name='event_seat')
