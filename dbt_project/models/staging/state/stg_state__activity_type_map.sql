with

source as (

    select * from {{ source('state', 'activity_type_map') }}

),

renamed as (

    select
        workspace_id,
        direction,
        source_type,
        target_type

    from source

)

select * from renamed
