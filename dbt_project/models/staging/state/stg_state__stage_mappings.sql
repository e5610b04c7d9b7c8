with

source as (

    select * from {{ source('state', 'stage_mappings') }}

),

renamed as (

    select
        workspace_id,
        stage_id,
        pipeline_id,
        pipeline_name,
        stage_name,
        lead_status,
        position as mapping_position

    from source

)

select * from renamed
