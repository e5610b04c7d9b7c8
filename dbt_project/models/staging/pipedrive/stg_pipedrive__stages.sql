with

source as (

    select * from {{ source('pipedrive', 'stages') }}

),

renamed as (

    select
        workspace_id,
        id as stage_id,
        pipeline_id,
        raw ->> 'name' as stage_name,
        cast(raw ->> 'order_nr' as integer) as order_nr,
        cast(raw ->> 'deal_probability' as double precision) as deal_probability,
        add_time as created_at,
        update_time as updated_at,
        is_deleted or swept_deleted_at is not null as is_deleted,
        extracted_at

    from source

)

select * from renamed
