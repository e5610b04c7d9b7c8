with

source as (

    select * from {{ source('state', 'stage_mapping_actions') }}

),

renamed as (

    select
        workspace_id,
        stage_id,
        campaign_action,
        position as action_position

    from source

)

select * from renamed
