with

source as (

    select * from {{ source('pipedrive', 'fields') }}

),

renamed as (

    select
        workspace_id,
        entity,
        field_code as field_key,
        field_name,
        field_type,
        coalesce(is_custom_field, false) as is_custom_field,
        raw -> 'options' as options,
        extracted_at

    from source

)

select * from renamed
