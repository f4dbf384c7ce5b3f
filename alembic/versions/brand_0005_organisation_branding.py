"""Organisation branding (issue 15 item 6): colours, e-mail sender name, logo (its own table)

Revision ID: brand_0005
Revises: mkt_0004
Create Date: 2026-12-02 03:50:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'brand_0005'
down_revision: str | None = 'mkt_0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('brand_primary', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True))
        batch_op.add_column(sa.Column('brand_accent', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True))
        batch_op.add_column(sa.Column('email_sender_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.add_column(sa.Column('logo_sha', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_table('organizationlogo',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('organization_id')
    )


def downgrade() -> None:
    op.drop_table('organizationlogo')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('logo_sha')
        batch_op.drop_column('email_sender_name')
        batch_op.drop_column('brand_accent')
        batch_op.drop_column('brand_primary')
