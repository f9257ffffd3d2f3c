"""server-side admin sessions, shared rate limits, TOTP secrets

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('admins') as batch:
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.create_table('admin_sessions',
    sa.Column('sid_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sid_hash')
    )
    op.create_index('ix_admin_sessions_username', 'admin_sessions', ['username'])
    op.create_table('rate_limits',
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('purpose', 'subject')
    )


def downgrade() -> None:
    op.drop_table('rate_limits')
    op.drop_index('ix_admin_sessions_username', 'admin_sessions')
    op.drop_table('admin_sessions')
    with op.batch_alter_table('admins') as batch:
        batch.drop_column('totp_secret')
