{#- Every known stage move of a deal, from three sources (pipedrive-api.md §10):
the changelog (complete once read, one-second precision), webhook `change` events whose `previous` holds
stage_id (exact, and earlier than the next changelog read) and, when neither explains the deal's current stage,
the observed snapshot (`stage_change_time`, or the last update). A webhook move already in the changelog (same
deal, stages and second, ±2 s) is dropped. -#}

with

changelog as (

    select * from {{ ref('stg_pipedrive__deal_stage_changes') }}

),

events as (

    select * from {{ ref('stg_state__webhook_events') }}
    where entity = 'deal' and action = 'change' and webhook_version like '2%'
        and previous ->> 'stage_id' is not null

),

deals as (

    select * from {{ ref('stg_pipedrive__deals') }}

),

from_changelog as (

    select
        workspace_id,
        pipedrive_deal_id,
        change_key,
        changed_at,
        old_stage_id,
        new_stage_id,
        cast(null as bigint) as old_pipeline_id,
        cast(null as bigint) as new_pipeline_id,
        change_order,
        'changelog' as change_source

    from changelog

),

from_webhooks as (

    select
        events.workspace_id,
        events.entity_id as pipedrive_deal_id,
        events.event_id as change_key,
        events.occurred_at as changed_at,
        cast(events.previous ->> 'stage_id' as bigint) as old_stage_id,
        cast(events.data ->> 'stage_id' as bigint) as new_stage_id,
        cast(coalesce(events.previous ->> 'pipeline_id', events.data ->> 'pipeline_id') as bigint) as old_pipeline_id,
        cast(events.data ->> 'pipeline_id' as bigint) as new_pipeline_id,
        cast(0 as bigint) as change_order,
        'webhook' as change_source

    from events
    where not exists (
        select 1
        from changelog
        where changelog.workspace_id = events.workspace_id
            and changelog.pipedrive_deal_id = events.entity_id
            and changelog.old_stage_id is not distinct from cast(events.previous ->> 'stage_id' as bigint)
            and changelog.new_stage_id is not distinct from cast(events.data ->> 'stage_id' as bigint)
            and abs({{ epoch_seconds('changelog.changed_at') }} - {{ epoch_seconds('events.occurred_at') }}) <= 2
    )

),

known as (

    select * from from_changelog
    union all
    select * from from_webhooks

),

last_known as (

    select
        *,
        row_number() over (
            partition by workspace_id, pipedrive_deal_id order by changed_at desc, change_order desc, change_key desc
        ) as recency

    from known

),

from_snapshot as (

    select
        deals.workspace_id,
        deals.pipedrive_deal_id,
        'snapshot' as change_key,
        case
            when last_known.changed_at is null then deals.stage_changed_at
            else greatest(coalesce(deals.stage_changed_at, deals.updated_at), last_known.changed_at)
        end as changed_at,
        last_known.new_stage_id as old_stage_id,
        deals.stage_id as new_stage_id,
        cast(null as bigint) as old_pipeline_id,
        deals.pipeline_id as new_pipeline_id,
        cast(1 as bigint) as change_order,
        'snapshot' as change_source

    from deals
    left join last_known
        on last_known.workspace_id = deals.workspace_id
        and last_known.pipedrive_deal_id = deals.pipedrive_deal_id
        and last_known.recency = 1
    where deals.stage_id is not null
        and (
            (last_known.pipedrive_deal_id is not null and last_known.new_stage_id is distinct from deals.stage_id)
            -- Moved, but its changelog is not read yet: it entered today's stage at stage_change_time, from a
            -- stage we do not know.
            or (last_known.pipedrive_deal_id is null and deals.stage_changed_at > deals.created_at)
        )

),

unioned as (

    select * from known
    union all
    select * from from_snapshot

)

select * from unioned
