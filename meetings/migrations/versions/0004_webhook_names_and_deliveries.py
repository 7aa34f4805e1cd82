"""webhook names and deliveries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:11:43.295488
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ordering_key', sa.String(length=120), nullable=True))
        batch_op.create_index('ix_outbox_messages_webhook', ['webhook_id', 'ordering_key', 'id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_webhook_id_webhooks'), 'webhooks', ['webhook_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=120), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('webhooks', schema=None) as batch_op:
        batch_op.drop_column('name')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_webhook_id_webhooks'), type_='foreignkey')
        batch_op.drop_index('ix_outbox_messages_webhook')
        batch_op.drop_column('ordering_key')
        batch_op.drop_column('webhook_id')

