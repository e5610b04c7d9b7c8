with

leads as (

    select * from {{ ref('stg_coldcopy__leads') }}
    where {{ in_workspace_scope() }}

),

links as (

    select * from {{ ref('int_links') }}
    where {{ in_workspace_scope() }}

),

candidates as (

    select * from {{ ref('int_lead_person_candidates') }}
    where {{ in_workspace_scope() }}

),

outcomes as (

    select * from {{ ref('int_field_merge_outcomes') }}
    where {{ in_workspace_scope() }}

),

plan as (

    select * from {{ ref('writeback_plan') }}
    where {{ in_workspace_scope() }}

),

baselines as (

    select * from {{ ref('stg_state__sync_baseline') }}
    where {{ in_workspace_scope() }}

),

writeback_log as (

    select * from {{ ref('int_writeback_log_summarised') }}
    where {{ in_workspace_scope() }}

),

candidate_counts as (

    select
        workspace_id,
        coldcopy_lead_id,
        count(*) as candidates,
        count(case when match_outcome in ('ambiguous_lead', 'ambiguous_person') then 1 end) as ambiguous_candidates

    from candidates
    group by workspace_id, coldcopy_lead_id

),

outcome_counts as (

    select
        workspace_id,
        coldcopy_lead_id,
        count(case when not sides_agree then 1 end) as differing_fields,
        count(case when winner = 'pending_manual' then 1 end) as open_conflicts

    from outcomes
    group by workspace_id, coldcopy_lead_id

),

plan_counts as (

    select
        workspace_id,
        coldcopy_lead_id,
        count(case when target_system <> 'state' then 1 end) as pending_writes,
        sum(case when target_system <> 'state' then change_count else 0 end) as pending_field_changes,
        sum(token_cost) as pending_tokens,
        count(case when entity = 'person' and operation = 'create' then 1 end) > 0 as is_create_planned

    from plan
    group by workspace_id, coldcopy_lead_id

),

last_agreed as (

    select workspace_id, coldcopy_lead_id, max(agreed_at) as last_agreed_at
    from baselines
    group by workspace_id, coldcopy_lead_id

),

write_history as (

    select
        workspace_id,
        coldcopy_lead_id,
        max(last_succeeded_at) as last_written_at,
        count(case when last_status = 'failed' then 1 end) as failed_writes,
        max(case when last_status = 'failed' then last_error end) as last_error,
        max(case when last_status = 'failed' then last_attempted_at end) as last_error_at

    from writeback_log
    where coldcopy_lead_id is not null
    group by workspace_id, coldcopy_lead_id

),

final as (

    select
        leads.workspace_id,
        leads.coldcopy_lead_id,
        leads.email_normalised as email,
        leads.lead_status,
        leads.is_deleted,
        case
            when leads.is_deleted then 'lead_deleted'
            when links.coldcopy_lead_id is not null and links.is_person_deleted then 'person_deleted'
            when links.link_source = 'state' then 'linked'
            when links.link_source = 'email_match' then 'matched'
            when coalesce(candidate_counts.ambiguous_candidates, 0) > 0 then 'ambiguous'
            when coalesce(plan_counts.is_create_planned, false) then 'create_planned'
            else 'unlinked'
        end as link_state,
        links.pipedrive_person_id,
        links.pipedrive_organization_id,
        links.pipedrive_deal_id,
        links.link_source,
        links.linked_at,
        coalesce(candidate_counts.candidates, 0) as candidates,
        coalesce(outcome_counts.differing_fields, 0) as differing_fields,
        coalesce(outcome_counts.open_conflicts, 0) as open_conflicts,
        coalesce(plan_counts.pending_writes, 0) as pending_writes,
        coalesce(plan_counts.pending_field_changes, 0) as pending_field_changes,
        coalesce(plan_counts.pending_tokens, 0) as pending_tokens,
        case
            when last_agreed.last_agreed_at is null then write_history.last_written_at
            when write_history.last_written_at is null then last_agreed.last_agreed_at
            else greatest(last_agreed.last_agreed_at, write_history.last_written_at)
        end as last_synced_at,
        coalesce(write_history.failed_writes, 0) as failed_writes,
        write_history.last_error,
        write_history.last_error_at,
        leads.updated_at as coldcopy_updated_at

    from leads
    left join links
        on links.workspace_id = leads.workspace_id
        and links.coldcopy_lead_id = leads.coldcopy_lead_id
    left join candidate_counts
        on candidate_counts.workspace_id = leads.workspace_id
        and candidate_counts.coldcopy_lead_id = leads.coldcopy_lead_id
    left join outcome_counts
        on outcome_counts.workspace_id = leads.workspace_id
        and outcome_counts.coldcopy_lead_id = leads.coldcopy_lead_id
    left join plan_counts
        on plan_counts.workspace_id = leads.workspace_id
        and plan_counts.coldcopy_lead_id = leads.coldcopy_lead_id
    left join last_agreed
        on last_agreed.workspace_id = leads.workspace_id
        and last_agreed.coldcopy_lead_id = leads.coldcopy_lead_id
    left join write_history
        on write_history.workspace_id = leads.workspace_id
        and write_history.coldcopy_lead_id = leads.coldcopy_lead_id

)

select * from final
