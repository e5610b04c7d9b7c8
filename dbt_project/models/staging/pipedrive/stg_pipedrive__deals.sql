with

source as (

    select * from {{ source('pipedrive', 'deals') }}

),

renamed as (

    select
        workspace_id,
        id as pipedrive_deal_id,
        person_id as pipedrive_person_id,
        org_id as pipedrive_organization_id,
        pipeline_id,
        stage_id,
        raw ->> 'title' as title,
        status as deal_status,
        cast(raw ->> 'value' as double precision) as deal_value,
        raw ->> 'currency' as currency,
        cast(raw ->> 'owner_id' as bigint) as owner_id,
        stage_change_time as stage_changed_at,
        cast(raw ->> 'won_time' as timestamp with time zone) as won_at,
        cast(raw ->> 'lost_time' as timestamp with time zone) as lost_at,
        cast(raw ->> 'close_time' as timestamp with time zone) as closed_at,
        raw -> 'label_ids' as label_ids,
        raw -> 'custom_fields' as custom_fields,
        raw,
        add_time as created_at,
        update_time as updated_at,
        is_deleted or swept_deleted_at is not null or status = 'deleted' as is_deleted,
        extracted_at

    from source

)

select * from renamed
