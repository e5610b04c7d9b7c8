with

source as (

    select * from {{ source('state', 'webhook_events') }}

),

renamed as (

    select
        workspace_id,
        event_id,
        version as webhook_version,
        action,
        entity,
        entity_id,
        merged_to_id,
        -- The v2 meta timestamp has milliseconds; fall back to the receiver's clock.
        coalesce(cast(payload -> 'meta' ->> 'timestamp' as timestamp with time zone), occurred_at, received_at)
            as occurred_at,
        received_at,
        payload -> 'data' as data,
        payload -> 'previous' as previous

    from source

)

select * from renamed
