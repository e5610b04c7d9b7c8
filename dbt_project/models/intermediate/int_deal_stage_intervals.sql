{{ config(materialized='workspace_table') }}

{#- A deal's stays in stages, from its events in order: created (at add_time, in the stage its first move left,
else its current stage), stage moves and status changes. Within one second, creation comes first, then moves,
then status changes, then the change id (the changelog's order). The clock runs only while the deal is open:
won, lost or deleted ends the stay; reopening starts a new one in the same stage. -#}

with

deals as (

    select * from {{ ref('stg_pipedrive__deals') }}
    where {{ in_workspace_scope() }}

),

stage_changes as (

    select * from {{ ref('int_deal_stage_changes_unioned') }}
    where {{ in_workspace_scope() }}

),

status_changes as (

    select * from {{ ref('int_deal_status_changes_unioned') }}
    where {{ in_workspace_scope() }}

),

first_changes as (

    select
        *,
        row_number() over (
            partition by workspace_id, pipedrive_deal_id
            order by {{ dbt.date_trunc('second', 'changed_at') }}, change_order, changed_at, change_key
        ) as change_number

    from stage_changes

),

events as (

    select
        deals.workspace_id,
        deals.pipedrive_deal_id,
        'created' as event_kind,
        'created' as change_key,
        deals.created_at as event_at,
        case when first_changes.pipedrive_deal_id is null then deals.stage_id else first_changes.old_stage_id end
            as new_stage_id,
        case when first_changes.pipedrive_deal_id is null then deals.pipeline_id
             else first_changes.old_pipeline_id end as new_pipeline_id,
        'open' as new_status,
        0 as kind_rank,
        cast(0 as bigint) as change_order,
        'add_time' as event_source

    from deals
    left join first_changes
        on first_changes.workspace_id = deals.workspace_id
        and first_changes.pipedrive_deal_id = deals.pipedrive_deal_id
        and first_changes.change_number = 1
    where deals.created_at is not null

    union all

    select
        workspace_id, pipedrive_deal_id, 'stage', change_key, changed_at, new_stage_id, new_pipeline_id,
        cast(null as varchar), 1, change_order, change_source
    from stage_changes
    where changed_at is not null

    union all

    select
        workspace_id, pipedrive_deal_id, 'status', change_key, changed_at, cast(null as bigint), cast(null as bigint),
        new_status, 2, cast(0 as bigint), change_source
    from status_changes
    where changed_at is not null

),

sequenced as (

    select
        *,
        row_number() over (
            partition by workspace_id, pipedrive_deal_id
            order by {{ dbt.date_trunc('second', 'event_at') }}, kind_rank, change_order, event_at, change_key
        ) as event_number

    from events

),

grouped as (

    -- Carry the last stage and the last status forward (no IGNORE NULLS on Postgres: number the groups).
    select
        *,
        count(case when kind_rank < 2 then 1 end) over (
            partition by workspace_id, pipedrive_deal_id order by event_number rows between unbounded preceding and current row
        ) as stage_group,
        count(case when kind_rank <> 1 then 1 end) over (
            partition by workspace_id, pipedrive_deal_id order by event_number rows between unbounded preceding and current row
        ) as status_group

    from sequenced

),

carried as (

    select
        *,
        max(case when kind_rank < 2 then new_stage_id end) over (
            partition by workspace_id, pipedrive_deal_id, stage_group) as stage_id,
        max(case when kind_rank < 2 then new_pipeline_id end) over (
            partition by workspace_id, pipedrive_deal_id, stage_group) as event_pipeline_id,
        max(case when kind_rank <> 1 then new_status end) over (
            partition by workspace_id, pipedrive_deal_id, status_group) as deal_status

    from grouped

),

compared as (

    select
        *,
        lag(stage_id) over deal_events as previous_stage_id,
        lag(deal_status) over deal_events as previous_status

    from carried
    window deal_events as (partition by workspace_id, pipedrive_deal_id order by event_number)

),

boundaries as (

    -- Events after which the deal is somewhere else, or open after being closed (or the reverse).
    select * from compared
    where event_number = 1
        or stage_id is distinct from previous_stage_id
        or (deal_status = 'open') is distinct from (previous_status = 'open')

),

intervals as (

    select
        workspace_id,
        pipedrive_deal_id,
        stage_id,
        event_pipeline_id,
        event_at as entered_at,
        case
            when event_kind = 'created' then 'created'
            when event_kind = 'status' then 'reopened'
            else 'stage_change'
        end as entry_reason,
        event_source as entry_source,
        change_key as entry_change_key,
        deal_status,
        lead(event_at) over deal_boundaries as exited_at,
        lead(stage_id) over deal_boundaries as next_stage_id,
        lead(event_pipeline_id) over deal_boundaries as next_event_pipeline_id,
        lead(deal_status) over deal_boundaries as next_status,
        row_number() over deal_boundaries as boundary_number

    from boundaries
    window deal_boundaries as (partition by workspace_id, pipedrive_deal_id order by event_number)

),

open_stays as (

    select
        *,
        row_number() over (
            partition by workspace_id, pipedrive_deal_id, stage_id, {{ dbt.date_trunc('second', 'entered_at') }}
            order by boundary_number
        ) as same_second_number

    from intervals
    where deal_status = 'open'

),

final as (

    select
        workspace_id,
        pipedrive_deal_id,
        -- Stable across runs and sources: the stage and the second it was entered (a changelog read later
        -- reproduces the key a webhook or the snapshot gave).
        coalesce(cast(stage_id as varchar), 'unknown') || '@'
            || cast(cast(floor({{ epoch_seconds('entered_at') }}) as bigint) as varchar)
            || case when same_second_number > 1 then '#' || cast(same_second_number as varchar) else '' end
            as stage_change_key,
        stage_id,
        event_pipeline_id,
        entered_at,
        exited_at,
        case when exited_at is not null then {{ seconds_between('entered_at', 'exited_at') }} end as duration_seconds,
        exited_at is null as is_current,
        entry_reason,
        entry_source,
        entry_change_key,
        case
            when exited_at is null then null
            when next_status is distinct from 'open' then next_status
            else 'stage_change'
        end as exit_reason,
        next_stage_id,
        next_event_pipeline_id,
        boundary_number

    from open_stays

)

select * from final
