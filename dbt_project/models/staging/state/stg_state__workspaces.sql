with

source as (

    select * from {{ source('state', 'workspaces') }}

),

renamed as (

    select
        workspace_id,
        conflict_strategy,
        create_organizations,
        create_deals,
        deal_pipeline_id,
        deal_stage_id,
        deal_title_template,
        external_id_field_key,
        external_id_field_name,
        resolved_at

    from source

)

select * from renamed
