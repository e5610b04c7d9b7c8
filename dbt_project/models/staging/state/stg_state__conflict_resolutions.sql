with

source as (

    select * from {{ source('state', 'conflict_resolutions') }}

),

renamed as (

    select
        workspace_id,
        coldcopy_lead_id,
        field as mapping_id,
        lower(trim(chosen_side)) as chosen_side,
        chosen_value,
        resolved_by,
        resolved_at

    from source

)

select * from renamed
