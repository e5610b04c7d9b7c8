{#- One row per target record and what to write to it (DESIGN.md decision 7); writeback executes it. Rows run
by target_system then priority then plan_key. Pipedrive: 1 updates of linked records (one PATCH each, all
field changes in `changes`), 2 creates (organization, person, deal), 3 activities for email events and call logs.
ColdCopy: 1 lead updates (mapped fields and the stage-mapped status), 2 campaign actions, 3 timeline entries for
Pipedrive activities (upsert, or delete once an entry was written). State (no request, no tokens):
0 links to store and baselines to advance where both sides already agree. Unresolved manual conflicts are left
out; creates, activities, campaign actions and timeline versions whose plan_key already succeeded
(state.writeback_log) too. -#}

with

outcomes as (

    select * from {{ ref('int_field_merge_outcomes') }}
    where {{ in_workspace_scope() }} and is_planned

),

links as (

    select * from {{ ref('int_links') }}
    where {{ in_workspace_scope() }}

),

creates as (

    select * from {{ ref('int_leads_qualified_for_create') }}
    where {{ in_workspace_scope() }}

),

leads as (

    select * from {{ ref('stg_coldcopy__leads') }}
    where {{ in_workspace_scope() }}

),

mappings as (

    select * from {{ ref('stg_state__field_mappings') }}
    where {{ in_workspace_scope() }} and pipedrive_entity = 'person' and direction <> 'to_coldcopy'

),

lookups as (

    select * from {{ ref('stg_state__field_mapping_lookups') }}
    where {{ in_workspace_scope() }}

),

activities as (

    select * from {{ ref('int_coldcopy_activities_planned') }}
    where {{ in_workspace_scope() }}

),

timeline as (

    select
        *,
        'coldcopy:timeline:' || coldcopy_lead_id || ':' || cast(pipedrive_activity_id as varchar) || ':'
            || case when is_deleted then 'deleted' else content_hash end as timeline_plan_key

    from {{ ref('int_pipedrive_activities_timelined') }}
    where {{ in_workspace_scope() }}

),

timeline_written as (

    -- Entries ColdCopy holds: a deleted activity is marked only where an entry was written.
    select distinct workspace_id, coldcopy_lead_id, pipedrive_id as pipedrive_activity_id
    from {{ ref('stg_state__writeback_log') }}
    where {{ in_workspace_scope() }}
        and entity = 'timeline_entry' and operation = 'upsert' and writeback_status = 'succeeded'

),

statuses as (

    select * from {{ ref('int_lead_statuses_mapped') }}
    where {{ in_workspace_scope() }}

),

campaign_actions as (

    select * from {{ ref('int_campaign_actions_triggered') }}
    where {{ in_workspace_scope() }}

),

writeback_log as (

    select * from {{ ref('int_writeback_log_summarised') }}
    where {{ in_workspace_scope() }}

),

pipedrive_changes as (

    -- Leads sharing an organization or deal may disagree: the most recently updated lead's change is written.
    select
        *,
        row_number() over (
            partition by workspace_id, pipedrive_entity, pipedrive_record_id, mapping_id
            order by coldcopy_updated_at desc, coldcopy_lead_id
        ) as lead_rank

    from outcomes
    where writes_pipedrive

),

pipedrive_updates as (

    select
        workspace_id,
        pipedrive_entity,
        pipedrive_record_id,
        min(coldcopy_lead_id) as coldcopy_lead_id,
        {{ json_agg(plan_change('mapping_id', 'pipedrive_field_key', 'field_type', 'resolved_value',
                                'pipedrive_value', 'new_baseline', 'coldcopy_lead_id'), 'mapping_id') }} as changes,
        count(*) as change_count

    from pipedrive_changes
    where lead_rank = 1
    group by workspace_id, pipedrive_entity, pipedrive_record_id

),

create_fields as (

    -- A created person gets the lead's values of every person field mapped towards Pipedrive.
    select
        creates.workspace_id,
        creates.coldcopy_lead_id,
        mapping.mapping_id,
        mapping.mapping_position,
        mapping.pipedrive_field_key,
        mapping.field_type,
        mapping.transform_kind,
        mapping.transform_format,
        mapping.transform_calculation,
        mapping.transform_operand,
        mapping.transform_default,
        {{ coldcopy_field_value('mapping', 'leads') }} as coldcopy_raw_value

    from creates
    inner join leads
        on leads.workspace_id = creates.workspace_id
        and leads.coldcopy_lead_id = creates.coldcopy_lead_id
    inner join mappings as mapping
        on mapping.workspace_id = creates.workspace_id

),

create_values as (

    select
        create_fields.workspace_id,
        create_fields.coldcopy_lead_id,
        create_fields.mapping_id,
        create_fields.mapping_position,
        create_fields.pipedrive_field_key,
        create_fields.field_type,
        {{ transformed_for_pipedrive('create_fields', 'create_fields.coldcopy_raw_value', 'lookup') }}
            as coldcopy_text

    from create_fields
    left join lookups as lookup
        on create_fields.transform_kind = 'lookup'
        and lookup.workspace_id = create_fields.workspace_id
        and lookup.mapping_id = create_fields.mapping_id
        and lookup.from_value = coalesce(trim(create_fields.coldcopy_raw_value), '')

),

create_canonical as (

    select
        *,
        {{ canonical_value('field_type', 'coldcopy_text') }} as coldcopy_value

    from create_values

),

create_changes as (

    select
        workspace_id,
        coldcopy_lead_id,
        {{ json_agg(plan_change('mapping_id', 'pipedrive_field_key', 'field_type', 'coldcopy_value', 'null',
                                'coldcopy_value', 'coldcopy_lead_id'), 'mapping_position') }} as changes,
        count(*) as change_count

    from create_canonical
    where coldcopy_value is not null
    group by workspace_id, coldcopy_lead_id

),

coldcopy_changes as (

    select
        workspace_id, coldcopy_lead_id, mapping_id as field, field_type, coldcopy_write_value as write_value,
        coldcopy_raw_value as previous_value, new_baseline
    from outcomes
    where writes_coldcopy
    union all
    select
        workspace_id, coldcopy_lead_id, 'status', 'varchar', mapped_status, current_status, mapped_status
    from statuses
    where writes_coldcopy

),

coldcopy_updates as (

    select
        workspace_id,
        coldcopy_lead_id,
        {{ json_agg(plan_change('field', 'field', 'field_type', 'write_value', 'previous_value', 'new_baseline',
                                'coldcopy_lead_id'), 'field') }} as changes,
        count(*) as change_count

    from coldcopy_changes
    group by workspace_id, coldcopy_lead_id

),

baseline_advances as (

    select workspace_id, coldcopy_lead_id, mapping_id as field, field_type, baseline_value, new_baseline
    from outcomes
    where outcome = 'advance_baseline'
    union all
    select workspace_id, coldcopy_lead_id, 'status', 'varchar', baseline_value, mapped_status
    from statuses
    where not writes_coldcopy

),

baseline_updates as (

    select
        workspace_id,
        coldcopy_lead_id,
        {{ json_agg(plan_change('field', 'null', 'field_type', 'new_baseline', 'baseline_value', 'new_baseline',
                                'coldcopy_lead_id'), 'field') }} as changes,
        count(*) as change_count

    from baseline_advances
    group by workspace_id, coldcopy_lead_id

),

planned as (

    select
        {{ plan_select({
            'workspace_id': 'workspace_id',
            'plan_key': "'pipedrive:' || pipedrive_entity || ':update:' || cast(pipedrive_record_id as varchar)",
            'target_system': "'pipedrive'", 'entity': 'pipedrive_entity', 'operation': "'update'",
            'priority': '1', 'coldcopy_lead_id': 'coldcopy_lead_id', 'pipedrive_id': 'pipedrive_record_id',
            'changes': 'changes', 'change_count': 'change_count', 'token_cost': '5',
            'pipedrive_person_id': "case when pipedrive_entity = 'person' then pipedrive_record_id end",
            'pipedrive_organization_id': "case when pipedrive_entity = 'organization' then pipedrive_record_id end",
            'pipedrive_deal_id': "case when pipedrive_entity = 'deal' then pipedrive_record_id end",
        }) }}
    from pipedrive_updates

    union all

    select
        {{ plan_select({
            'workspace_id': 'creates.workspace_id',
            'plan_key': "'pipedrive:person:create:' || creates.coldcopy_lead_id",
            'target_system': "'pipedrive'", 'entity': "'person'", 'operation': "'create'", 'priority': '2',
            'coldcopy_lead_id': 'creates.coldcopy_lead_id', 'changes': 'create_changes.changes',
            'change_count': 'coalesce(create_changes.change_count, 0)',
            'token_cost': "5 + case when creates.create_organization then 5 else 0 end
                           + case when creates.create_deal then 5 else 0 end",
            'last_writeback_status': 'writeback_log.last_status',
            'pipedrive_organization_id': 'creates.pipedrive_organization_id',
            'email': 'creates.email', 'first_name': 'creates.first_name', 'last_name': 'creates.last_name',
            'person_name': 'creates.person_name', 'phone': 'creates.phone', 'company_name': 'creates.company_name',
            'create_organization': 'creates.create_organization', 'organization_key': 'creates.organization_key',
            'organization_plan_key': 'creates.organization_plan_key', 'create_deal': 'creates.create_deal',
            'deal_title': 'creates.deal_title', 'deal_pipeline_id': 'creates.deal_pipeline_id',
            'deal_stage_id': 'creates.deal_stage_id', 'external_id_field_key': 'creates.external_id_field_key',
        }) }}
    from creates
    left join create_changes
        on create_changes.workspace_id = creates.workspace_id
        and create_changes.coldcopy_lead_id = creates.coldcopy_lead_id
    left join writeback_log
        on writeback_log.workspace_id = creates.workspace_id
        and writeback_log.plan_key = 'pipedrive:person:create:' || creates.coldcopy_lead_id
    where not coalesce(writeback_log.has_succeeded, false)

    union all

    select
        {{ plan_select({
            'workspace_id': 'activities.workspace_id',
            'plan_key': 'activities.activity_plan_key',
            'target_system': "'pipedrive'", 'entity': "'activity'", 'operation': "'create'", 'priority': '3',
            'coldcopy_lead_id': 'activities.coldcopy_lead_id', 'source_id': 'activities.source_id',
            'source_kind': 'activities.source_kind', 'activity_note': 'activities.activity_note',
            'activity_duration_seconds': 'activities.duration_seconds', 'activity_done': 'true',
            'change_count': '0', 'token_cost': '5', 'last_writeback_status': 'writeback_log.last_status',
            'pipedrive_person_id': 'activities.pipedrive_person_id',
            'pipedrive_organization_id': 'activities.pipedrive_organization_id',
            'pipedrive_deal_id': 'activities.pipedrive_deal_id',
            'activity_subject': 'activities.activity_subject', 'activity_type': 'activities.activity_type',
            'due_at': 'activities.due_at',
            'due_date': "cast(cast(activities.due_at at time zone 'UTC' as date) as varchar)",
            'due_time': "cast(cast(" ~ dbt.date_trunc('second', "activities.due_at at time zone 'UTC'") ~ " as time) as varchar)",
            'email_event_type': 'activities.event_type',
        }) }}
    from activities
    left join writeback_log
        on writeback_log.workspace_id = activities.workspace_id
        and writeback_log.plan_key = activities.activity_plan_key
    where not coalesce(writeback_log.has_succeeded, false)

    union all

    select
        {{ plan_select({
            'workspace_id': 'workspace_id',
            'plan_key': "'coldcopy:lead:update:' || coldcopy_lead_id",
            'target_system': "'coldcopy'", 'entity': "'lead'", 'operation': "'update'", 'priority': '1',
            'coldcopy_lead_id': 'coldcopy_lead_id', 'changes': 'changes', 'change_count': 'change_count',
            'token_cost': '0',
        }) }}
    from coldcopy_updates

    union all

    select
        {{ plan_select({
            'workspace_id': 'campaign_actions.workspace_id',
            'plan_key': "'coldcopy:campaign_action:' || campaign_actions.coldcopy_lead_id || ':'
                         || campaign_actions.campaign_action || ':'
                         || cast(campaign_actions.pipedrive_deal_id as varchar) || ':'
                         || campaign_actions.stage_change_key",
            'target_system': "'coldcopy'", 'entity': "'campaign_action'", 'operation': "'create'",
            'priority': '2', 'coldcopy_lead_id': 'campaign_actions.coldcopy_lead_id',
            'source_id': 'campaign_actions.stage_change_key', 'change_count': '0', 'token_cost': '0',
            'last_writeback_status': 'writeback_log.last_status',
            'pipedrive_deal_id': 'campaign_actions.pipedrive_deal_id',
            'campaign_action': 'campaign_actions.campaign_action', 'stage_id': 'campaign_actions.stage_id',
            'stage_change_key': 'campaign_actions.stage_change_key',
            'stage_entered_at': 'campaign_actions.stage_entered_at',
        }) }}
    from campaign_actions
    left join writeback_log
        on writeback_log.workspace_id = campaign_actions.workspace_id
        and writeback_log.plan_key = 'coldcopy:campaign_action:' || campaign_actions.coldcopy_lead_id || ':'
            || campaign_actions.campaign_action || ':' || cast(campaign_actions.pipedrive_deal_id as varchar) || ':'
            || campaign_actions.stage_change_key
    where not coalesce(writeback_log.has_succeeded, false)

    union all

    select
        {{ plan_select({
            'workspace_id': 'timeline.workspace_id',
            'plan_key': 'timeline.timeline_plan_key',
            'target_system': "'coldcopy'", 'entity': "'timeline_entry'",
            'operation': "case when timeline.is_deleted then 'delete' else 'upsert' end", 'priority': '3',
            'coldcopy_lead_id': 'timeline.coldcopy_lead_id',
            'source_id': 'cast(timeline.pipedrive_activity_id as varchar)',
            'change_count': '0', 'token_cost': '0', 'last_writeback_status': 'writeback_log.last_status',
            'pipedrive_person_id': 'timeline.pipedrive_person_id', 'pipedrive_deal_id': 'timeline.pipedrive_deal_id',
            'activity_subject': 'timeline.title', 'activity_type': 'timeline.pipedrive_type',
            'timeline_entry_type': 'timeline.entry_type', 'due_at': 'timeline.occurred_at',
            'activity_note': 'timeline.description', 'activity_done': 'timeline.is_done',
            'activity_duration_seconds': 'timeline.duration_seconds', 'content_hash': 'timeline.content_hash',
            'pipedrive_updated_at': 'timeline.pipedrive_updated_at',
        }) }}
    from timeline
    left join writeback_log
        on writeback_log.workspace_id = timeline.workspace_id
        and writeback_log.plan_key = timeline.timeline_plan_key
    left join timeline_written
        on timeline_written.workspace_id = timeline.workspace_id
        and timeline_written.coldcopy_lead_id = timeline.coldcopy_lead_id
        and timeline_written.pipedrive_activity_id = timeline.pipedrive_activity_id
    where not coalesce(writeback_log.has_succeeded, false)
        and (not timeline.is_deleted or timeline_written.pipedrive_activity_id is not null)

    union all

    select
        {{ plan_select({
            'workspace_id': 'workspace_id',
            'plan_key': "'state:link:' || coldcopy_lead_id",
            'target_system': "'state'", 'entity': "'link'", 'operation': "'update'", 'priority': '0',
            'coldcopy_lead_id': 'coldcopy_lead_id', 'change_count': '0', 'token_cost': '0',
            'pipedrive_person_id': 'pipedrive_person_id', 'pipedrive_organization_id': 'pipedrive_organization_id',
            'pipedrive_deal_id': 'pipedrive_deal_id', 'link_source': 'linked_by',
        }) }}
    from links
    where needs_storing and not is_lead_deleted and not is_person_deleted

    union all

    select
        {{ plan_select({
            'workspace_id': 'workspace_id',
            'plan_key': "'state:baseline:' || coldcopy_lead_id",
            'target_system': "'state'", 'entity': "'baseline'", 'operation': "'update'", 'priority': '0',
            'coldcopy_lead_id': 'coldcopy_lead_id', 'changes': 'changes', 'change_count': 'change_count',
            'token_cost': '0',
        }) }}
    from baseline_updates

)

select * from planned
