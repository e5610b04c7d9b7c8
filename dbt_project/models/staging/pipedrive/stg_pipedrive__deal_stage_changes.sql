with

source as (

    select * from {{ source('pipedrive', 'deal_stage_changes') }}

),

renamed as (

    select
        workspace_id,
        deal_id as pipedrive_deal_id,
        change_key,
        changed_at,
        old_stage_id,
        new_stage_id,
        -- Orders changes within one second. The changelog lists newest first (`ordinal` 0 is the latest); a
        -- change id, where the payload has one, is Pipedrive's own order.
        coalesce(cast(raw ->> 'id' as bigint), -ordinal) as change_order,
        extracted_at

    from source

)

select * from renamed
