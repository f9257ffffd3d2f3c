"""codings of focus-group transcripts, their themes, theme memos

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('codings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coder', sa.String(length=100), nullable=False),
    sa.Column('focus_group', sa.String(length=100), nullable=False),
    sa.Column('start_pos', sa.Integer(), nullable=False),
    sa.Column('end_pos', sa.Integer(), nullable=False),
    sa.Column('theme_key', sa.String(length=1000), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('segment', sa.String(length=100), nullable=True),
    sa.Column('merged_from', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('coder', 'focus_group', 'start_pos', 'end_pos', 'theme_key',
                        name='one_coding_per_coder_span_themes')
    )
    op.create_table('coding_themes',
    sa.Column('coding_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['coding_id'], ['codings.id'], ),
    sa.PrimaryKeyConstraint('coding_id', 'theme')
    )
    with op.batch_alter_table('coding_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coding_themes_theme'), ['theme'], unique=False)

    op.create_table('theme_memos',
    sa.Column('theme', sa.String(length=100), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('theme')
    )


def downgrade() -> None:
    op.drop_table('theme_memos')
    with op.batch_alter_table('coding_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coding_themes_theme'))

    op.drop_table('coding_themes')
    op.drop_table('codings')
