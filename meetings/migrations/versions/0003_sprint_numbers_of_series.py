"""sprint numbers of series

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 04:01:44.000450
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sprint_start', sa.Integer(), server_default='1', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.drop_column('sprint_start')

