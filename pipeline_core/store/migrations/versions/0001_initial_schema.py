"""Initial schema: workspaces, users, pipeline versions and stages, packages, jamaah, the
current-status snapshot, stage history, tasks, the activity log and two summary tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('workspaces',
    sa.Column('id', sa.Integer(), sa.Identity(always=False), nullable=False),
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('kind', sa.Text(), nullable=False),
    sa.Column('timezone', sa.Text(), server_default='Asia/Jakarta', nullable=False),
    sa.Column('at_risk_buffer_days', sa.SmallInteger(), server_default='3', nullable=False),
    sa.Column('min_stuck', sa.SmallInteger(), server_default='5', nullable=False),
    sa.Column('passport_warning_months', sa.SmallInteger(), server_default='6', nullable=False),
    sa.Column('seeded_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('agency', 'demo', 'scale')", name=op.f('ck_workspaces_kind')),
    sa.CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", name=op.f('ck_workspaces_slug')),
    sa.CheckConstraint('at_risk_buffer_days BETWEEN 0 AND 60', name=op.f('ck_workspaces_buffer')),
    sa.CheckConstraint('min_stuck >= 1', name=op.f('ck_workspaces_min_stuck')),
    sa.CheckConstraint('passport_warning_months BETWEEN 6 AND 24', name=op.f('ck_workspaces_passport_warning')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workspaces')),
    sa.UniqueConstraint('slug', name=op.f('uq_workspaces_slug'))
    )
    op.create_table('packages',
    sa.Column('id', sa.Integer(), sa.Identity(always=False), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('departure_date', sa.Date(), nullable=False),
    sa.Column('return_date', sa.Date(), nullable=False),
    sa.Column('airline', sa.Text(), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('price_idr', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('price_idr >= 0', name=op.f('ck_packages_price')),
    sa.CheckConstraint('quota >= 1', name=op.f('ck_packages_quota')),
    sa.CheckConstraint('return_date > departure_date', name=op.f('ck_packages_return_after_departure')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_packages_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packages')),
    sa.UniqueConstraint('workspace_id', 'code', name=op.f('uq_packages_workspace_id_code')),
    sa.UniqueConstraint('workspace_id', 'id', name=op.f('uq_packages_workspace_id_id'))
    )
    op.create_index('ix_packages_departure', 'packages', ['workspace_id', 'departure_date'], unique=False)
    op.create_table('pipeline_versions',
    sa.Column('id', sa.Integer(), sa.Identity(always=False), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('version_no', sa.Integer(), nullable=False),
    sa.Column('template_code', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('version_no >= 1', name=op.f('ck_pipeline_versions_version_no')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_pipeline_versions_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_versions')),
    sa.UniqueConstraint('workspace_id', 'id', name=op.f('uq_pipeline_versions_workspace_id_id')),
    sa.UniqueConstraint('workspace_id', 'version_no', name=op.f('uq_pipeline_versions_workspace_id_version_no'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), sa.Identity(always=False), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('email', sa.Text(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("role IN ('manager', 'document-admin', 'siskopatuh-admin', 'visa-admin', 'logistics-admin', 'travel-admin', 'super-admin')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_users_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('workspace_id', 'id', name=op.f('uq_users_workspace_id_id')),
    sa.UniqueConstraint('workspace_id', 'username', name=op.f('uq_users_workspace_id_username'))
    )
    op.create_table('jamaah',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.Text(), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('passport_number', sa.String(length=16), nullable=True),
    sa.Column('passport_issue_date', sa.Date(), nullable=True),
    sa.Column('passport_expiry_date', sa.Date(), nullable=True),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('pipeline_version_id', sa.Integer(), nullable=False),
    sa.Column('companion_id', sa.BigInteger(), nullable=True),
    sa.Column('agent_name', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("full_name ~ '\\S+\\s+\\S+'", name=op.f('ck_jamaah_full_name_two_words')),
    sa.CheckConstraint("gender IN ('L', 'P')", name=op.f('ck_jamaah_gender')),
    sa.CheckConstraint("nik ~ '^[0-9]{16}$'", name=op.f('ck_jamaah_nik')),
    sa.CheckConstraint("phone ~ '^\\+628[0-9]{7,11}$'", name=op.f('ck_jamaah_phone')),
    sa.CheckConstraint('passport_expiry_date IS NULL OR passport_issue_date IS NULL OR passport_expiry_date > passport_issue_date', name=op.f('ck_jamaah_passport_dates')),
    sa.ForeignKeyConstraint(['workspace_id', 'companion_id'], ['jamaah.workspace_id', 'jamaah.id'], name=op.f('fk_jamaah_workspace_id_companion_id_jamaah'), ondelete='SET NULL (companion_id)'),
    sa.ForeignKeyConstraint(['workspace_id', 'package_id'], ['packages.workspace_id', 'packages.id'], name=op.f('fk_jamaah_workspace_id_package_id_packages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id', 'pipeline_version_id'], ['pipeline_versions.workspace_id', 'pipeline_versions.id'], name=op.f('fk_jamaah_workspace_id_pipeline_version_id_pipeline_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jamaah')),
    sa.UniqueConstraint('workspace_id', 'id', name=op.f('uq_jamaah_workspace_id_id')),
    sa.UniqueConstraint('workspace_id', 'nik', name=op.f('uq_jamaah_workspace_id_nik'))
    )
    op.create_index('ix_jamaah_name_search', 'jamaah', [sa.literal_column("to_tsvector('simple', full_name)")], unique=False, postgresql_using='gin')
    op.create_index('ix_jamaah_package', 'jamaah', ['workspace_id', 'package_id'], unique=False)
    op.create_index('ix_jamaah_passport', 'jamaah', ['workspace_id', 'passport_number'], unique=False)
    op.create_index('ix_jamaah_phone', 'jamaah', ['workspace_id', 'phone'], unique=False)
    op.create_table('pipeline_stages',
    sa.Column('id', sa.Integer(), sa.Identity(always=False), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('pipeline_version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name_id', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('category', sa.Text(), nullable=False),
    sa.Column('sla_hours', sa.Integer(), nullable=False),
    sa.Column('responsible_role', sa.Text(), nullable=False),
    sa.Column('done_by_days', sa.SmallInteger(), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.CheckConstraint("category IN ('document', 'government', 'travel', 'logistics', 'custom')", name=op.f('ck_pipeline_stages_category')),
    sa.CheckConstraint("code ~ '^[a-z0-9][a-z0-9-]*$'", name=op.f('ck_pipeline_stages_code')),
    sa.CheckConstraint("responsible_role IN ('manager', 'document-admin', 'siskopatuh-admin', 'visa-admin', 'logistics-admin', 'travel-admin', 'super-admin')", name=op.f('ck_pipeline_stages_responsible_role')),
    sa.CheckConstraint('done_by_days IS NULL OR done_by_days BETWEEN 0 AND 365', name=op.f('ck_pipeline_stages_done_by')),
    sa.CheckConstraint('position >= 1', name=op.f('ck_pipeline_stages_position')),
    sa.CheckConstraint('sla_hours BETWEEN 1 AND 8760', name=op.f('ck_pipeline_stages_sla_hours')),
    sa.ForeignKeyConstraint(['workspace_id', 'pipeline_version_id'], ['pipeline_versions.workspace_id', 'pipeline_versions.id'], name=op.f('fk_pipeline_stages_workspace_id_pipeline_version_id_pipeline_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_stages')),
    sa.UniqueConstraint('pipeline_version_id', 'code', name=op.f('uq_pipeline_stages_pipeline_version_id_code')),
    sa.UniqueConstraint('pipeline_version_id', 'position', name=op.f('uq_pipeline_stages_pipeline_version_id_position')),
    sa.UniqueConstraint('workspace_id', 'id', name=op.f('uq_pipeline_stages_workspace_id_id'))
    )
    op.create_table('activity_log',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=False),
    sa.Column('entity_type', sa.Text(), nullable=False),
    sa.Column('entity_id', sa.BigInteger(), nullable=True),
    sa.Column('jamaah_id', sa.BigInteger(), nullable=True),
    sa.Column('changes', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id', 'jamaah_id'], ['jamaah.workspace_id', 'jamaah.id'], name=op.f('fk_activity_log_workspace_id_jamaah_id_jamaah'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_activity_log_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_log'))
    )
    op.create_index('ix_activity_jamaah', 'activity_log', ['workspace_id', 'jamaah_id', 'occurred_at'], unique=False)
    op.create_index('ix_activity_occurred', 'activity_log', ['workspace_id', 'occurred_at'], unique=False)
    op.create_table('bottleneck_daily',
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('stuck_count', sa.Integer(), nullable=False),
    sa.Column('avg_delay_days', sa.Float(), nullable=False),
    sa.CheckConstraint('stuck_count >= 0', name=op.f('ck_bottleneck_daily_stuck_count')),
    sa.ForeignKeyConstraint(['workspace_id', 'stage_id'], ['pipeline_stages.workspace_id', 'pipeline_stages.id'], name=op.f('fk_bottleneck_daily_workspace_id_stage_id_pipeline_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('stage_id', 'day', name=op.f('pk_bottleneck_daily'))
    )
    op.create_table('jamaah_pipeline_status',
    sa.Column('jamaah_id', sa.BigInteger(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('pipeline_version_id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('departure_date', sa.Date(), nullable=False),
    sa.Column('current_stage_id', sa.Integer(), nullable=True),
    sa.Column('current_instance_id', sa.BigInteger(), nullable=True),
    sa.Column('current_stage_status', sa.Text(), nullable=True),
    sa.Column('current_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('current_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('projected_finish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('block_reason', sa.Text(), nullable=True),
    sa.Column('completed_stages', sa.SmallInteger(), nullable=False),
    sa.Column('active_stages', sa.SmallInteger(), nullable=False),
    sa.Column('is_completed', sa.Boolean(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("current_stage_status IS NULL OR current_stage_status IN ('pending', 'in-progress', 'blocked')", name=op.f('ck_jamaah_pipeline_status_current_stage_status')),
    sa.CheckConstraint('(is_completed AND current_stage_id IS NULL AND current_stage_status IS NULL) OR (NOT is_completed AND current_stage_id IS NOT NULL AND current_due_at IS NOT NULL AND projected_finish_at IS NOT NULL AND current_stage_status IS NOT NULL)', name=op.f('ck_jamaah_pipeline_status_current_or_completed')),
    sa.CheckConstraint('completed_stages BETWEEN 0 AND active_stages', name=op.f('ck_jamaah_pipeline_status_progress')),
    sa.ForeignKeyConstraint(['workspace_id', 'current_stage_id'], ['pipeline_stages.workspace_id', 'pipeline_stages.id'], name=op.f('fk_jamaah_pipeline_status_workspace_id_current_stage_id_pipeline_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id', 'jamaah_id'], ['jamaah.workspace_id', 'jamaah.id'], name=op.f('fk_jamaah_pipeline_status_workspace_id_jamaah_id_jamaah'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id', 'package_id'], ['packages.workspace_id', 'packages.id'], name=op.f('fk_jamaah_pipeline_status_workspace_id_package_id_packages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id', 'pipeline_version_id'], ['pipeline_versions.workspace_id', 'pipeline_versions.id'], name=op.f('fk_jamaah_pipeline_status_workspace_id_pipeline_version_id_pipeline_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('jamaah_id', name=op.f('pk_jamaah_pipeline_status'))
    )
    op.create_index('ix_status_current_stage', 'jamaah_pipeline_status', ['workspace_id', 'current_stage_id', 'current_due_at'], unique=False)
    op.create_index('ix_status_departure', 'jamaah_pipeline_status', ['workspace_id', 'departure_date', 'package_id'], unique=False)
    op.create_index('ix_status_open_due', 'jamaah_pipeline_status', ['workspace_id', 'current_due_at'], unique=False, postgresql_where=sa.text('NOT is_completed'))
    op.create_index('ix_status_stage_status', 'jamaah_pipeline_status', ['workspace_id', 'current_stage_status'], unique=False)
    op.create_table('stage_completion_totals',
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('completed_count', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('total_seconds', sa.Float(), server_default='0', nullable=False),
    sa.CheckConstraint('completed_count >= 0 AND total_seconds >= 0', name=op.f('ck_stage_completion_totals_non_negative')),
    sa.ForeignKeyConstraint(['workspace_id', 'stage_id'], ['pipeline_stages.workspace_id', 'pipeline_stages.id'], name=op.f('fk_stage_completion_totals_workspace_id_stage_id_pipeline_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('stage_id', name=op.f('pk_stage_completion_totals'))
    )
    op.create_table('stage_instances',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('jamaah_id', sa.BigInteger(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_to', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('block_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("(status = 'completed') = (completed_at IS NOT NULL)", name=op.f('ck_stage_instances_completed_at')),
    sa.CheckConstraint("status <> 'blocked' OR block_reason IS NOT NULL", name=op.f('ck_stage_instances_block_reason')),
    sa.CheckConstraint("status IN ('pending', 'in-progress', 'completed', 'blocked')", name=op.f('ck_stage_instances_status')),
    sa.ForeignKeyConstraint(['workspace_id', 'assigned_to'], ['users.workspace_id', 'users.id'], name=op.f('fk_stage_instances_workspace_id_assigned_to_users'), ondelete='SET NULL (assigned_to)'),
    sa.ForeignKeyConstraint(['workspace_id', 'jamaah_id'], ['jamaah.workspace_id', 'jamaah.id'], name=op.f('fk_stage_instances_workspace_id_jamaah_id_jamaah'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id', 'stage_id'], ['pipeline_stages.workspace_id', 'pipeline_stages.id'], name=op.f('fk_stage_instances_workspace_id_stage_id_pipeline_stages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_instances')),
    sa.UniqueConstraint('jamaah_id', 'stage_id', name=op.f('uq_stage_instances_jamaah_id_stage_id')),
    sa.UniqueConstraint('workspace_id', 'id', name=op.f('uq_stage_instances_workspace_id_id'))
    )
    op.create_index('ix_stage_instances_stage', 'stage_instances', ['workspace_id', 'stage_id', 'completed_at'], unique=False)
    op.create_index('uq_stage_instances_one_open', 'stage_instances', ['jamaah_id'], unique=True, postgresql_where=sa.text("status <> 'completed'"))
    op.create_table('pipeline_tasks',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('jamaah_id', sa.BigInteger(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('stage_instance_id', sa.BigInteger(), nullable=False),
    sa.Column('task_type', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('priority', sa.Text(), nullable=False),
    sa.Column('priority_rank', sa.SmallInteger(), sa.Computed("CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END", persisted=True), nullable=False),
    sa.Column('status', sa.Text(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_role', sa.Text(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('block_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'completed') = (completed_at IS NOT NULL)", name=op.f('ck_pipeline_tasks_completed_at')),
    sa.CheckConstraint("assigned_role IN ('manager', 'document-admin', 'siskopatuh-admin', 'visa-admin', 'logistics-admin', 'travel-admin', 'super-admin')", name=op.f('ck_pipeline_tasks_assigned_role')),
    sa.CheckConstraint("priority IN ('urgent', 'high', 'normal', 'low')", name=op.f('ck_pipeline_tasks_priority')),
    sa.CheckConstraint("status <> 'blocked' OR block_reason IS NOT NULL", name=op.f('ck_pipeline_tasks_block_reason')),
    sa.CheckConstraint("status IN ('pending', 'in-progress', 'completed', 'blocked')", name=op.f('ck_pipeline_tasks_status')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_pipeline_tasks_version')),
    sa.ForeignKeyConstraint(['workspace_id', 'assignee_id'], ['users.workspace_id', 'users.id'], name=op.f('fk_pipeline_tasks_workspace_id_assignee_id_users'), ondelete='SET NULL (assignee_id)'),
    sa.ForeignKeyConstraint(['workspace_id', 'jamaah_id'], ['jamaah.workspace_id', 'jamaah.id'], name=op.f('fk_pipeline_tasks_workspace_id_jamaah_id_jamaah'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id', 'stage_id'], ['pipeline_stages.workspace_id', 'pipeline_stages.id'], name=op.f('fk_pipeline_tasks_workspace_id_stage_id_pipeline_stages'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id', 'stage_instance_id'], ['stage_instances.workspace_id', 'stage_instances.id'], name=op.f('fk_pipeline_tasks_workspace_id_stage_instance_id_stage_instances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pipeline_tasks')),
    sa.UniqueConstraint('stage_instance_id', 'task_type', name=op.f('uq_pipeline_tasks_stage_instance_id_task_type')),
    sa.UniqueConstraint('workspace_id', 'id', name=op.f('uq_pipeline_tasks_workspace_id_id'))
    )
    op.create_index('ix_tasks_jamaah', 'pipeline_tasks', ['workspace_id', 'jamaah_id'], unique=False)
    op.create_index('ix_tasks_open_due', 'pipeline_tasks', ['workspace_id', 'due_at'], unique=False, postgresql_where=sa.text("status <> 'completed'"))
    op.create_index('ix_tasks_priority_status', 'pipeline_tasks', ['workspace_id', 'priority', 'status'], unique=False)
    op.create_index('ix_tasks_queue', 'pipeline_tasks', ['workspace_id', 'assigned_role', 'priority_rank', 'due_at', 'id'], unique=False, postgresql_where=sa.text("status <> 'completed'"))


def downgrade() -> None:
    op.drop_index('ix_tasks_queue', table_name='pipeline_tasks', postgresql_where=sa.text("status <> 'completed'"))
    op.drop_index('ix_tasks_priority_status', table_name='pipeline_tasks')
    op.drop_index('ix_tasks_open_due', table_name='pipeline_tasks', postgresql_where=sa.text("status <> 'completed'"))
    op.drop_index('ix_tasks_jamaah', table_name='pipeline_tasks')
    op.drop_table('pipeline_tasks')
    op.drop_index('uq_stage_instances_one_open', table_name='stage_instances', postgresql_where=sa.text("status <> 'completed'"))
    op.drop_index('ix_stage_instances_stage', table_name='stage_instances')
    op.drop_table('stage_instances')
    op.drop_table('stage_completion_totals')
    op.drop_index('ix_status_stage_status', table_name='jamaah_pipeline_status')
    op.drop_index('ix_status_open_due', table_name='jamaah_pipeline_status', postgresql_where=sa.text('NOT is_completed'))
    op.drop_index('ix_status_departure', table_name='jamaah_pipeline_status')
    op.drop_index('ix_status_current_stage', table_name='jamaah_pipeline_status')
    op.drop_table('jamaah_pipeline_status')
    op.drop_table('bottleneck_daily')
    op.drop_index('ix_activity_occurred', table_name='activity_log')
    op.drop_index('ix_activity_jamaah', table_name='activity_log')
    op.drop_table('activity_log')
    op.drop_table('pipeline_stages')
    op.drop_index('ix_jamaah_phone', table_name='jamaah')
    op.drop_index('ix_jamaah_passport', table_name='jamaah')
    op.drop_index('ix_jamaah_package', table_name='jamaah')
    op.drop_index('ix_jamaah_name_search', table_name='jamaah', postgresql_using='gin')
    op.drop_table('jamaah')
    op.drop_table('users')
    op.drop_table('pipeline_versions')
    op.drop_index('ix_packages_departure', table_name='packages')
    op.drop_table('packages')
    op.drop_table('workspaces')
