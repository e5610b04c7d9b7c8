with

source as (

    select * from {{ source('state', 'field_mapping_lookups') }}

),

renamed as (

    select
        workspace_id,
        mapping_id,
        from_value,
        to_value

    from source

)

select * from renamed
