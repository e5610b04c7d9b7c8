with

source as (

    select * from {{ source('pipedrive', 'pipelines') }}

),

renamed as (

    select
        workspace_id,
        id as pipeline_id,
        raw ->> 'name' as pipeline_name,
        cast(raw ->> 'order_nr' as integer) as order_nr,
        add_time as created_at,
        update_time as updated_at,
        is_deleted or swept_deleted_at is not null as is_deleted,
        extracted_at

    from source

)

select * from renamed
