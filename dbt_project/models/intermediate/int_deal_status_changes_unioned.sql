{#- Deal status changes (open, won, lost, deleted) that stop or restart the stage clock: webhook `change`
events whose `previous` holds status (reopenings show only here), and the snapshot's won or lost time when no
webhook already reported that close. -#}

with

events as (

    select * from {{ ref('stg_state__webhook_events') }}
    where entity = 'deal' and action = 'change' and webhook_version like '2%'
        and previous ->> 'status' is not null

),

deals as (

    select * from {{ ref('stg_pipedrive__deals') }}

),

from_webhooks as (

    select
        workspace_id,
        entity_id as pipedrive_deal_id,
        event_id as change_key,
        occurred_at as changed_at,
        previous ->> 'status' as old_status,
        data ->> 'status' as new_status,
        'webhook' as change_source

    from events
    where (data ->> 'status') is distinct from (previous ->> 'status')

),

from_snapshot as (

    select
        deals.workspace_id,
        deals.pipedrive_deal_id,
        'snapshot:' || deals.deal_status as change_key,
        coalesce(case deals.deal_status when 'won' then deals.won_at when 'lost' then deals.lost_at end,
                 deals.closed_at, deals.updated_at) as changed_at,
        cast(null as varchar) as old_status,
        deals.deal_status as new_status,
        'snapshot' as change_source

    from deals
    where deals.deal_status in ('won', 'lost')
        and not exists (
            select 1
            from from_webhooks
            where from_webhooks.workspace_id = deals.workspace_id
                and from_webhooks.pipedrive_deal_id = deals.pipedrive_deal_id
                and from_webhooks.new_status = deals.deal_status
                and {{ epoch_seconds('from_webhooks.changed_at') }} >= {{ epoch_seconds(
                    "coalesce(case deals.deal_status when 'won' then deals.won_at when 'lost' then deals.lost_at end,
                              deals.closed_at, deals.updated_at)") }} - 2
        )

),

unioned as (

    select * from from_webhooks
    union all
    select * from from_snapshot

)

select * from unioned
