with

source as (

    select * from {{ source('state', 'sync_baseline') }}

),

renamed as (

    select
        workspace_id,
        coldcopy_lead_id,
        field as mapping_id,
        value as baseline_value,
        agreed_at

    from source

)

select * from renamed
