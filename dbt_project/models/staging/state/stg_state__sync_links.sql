with

source as (

    select * from {{ source('state', 'sync_links') }}

),

renamed as (

    select
        workspace_id,
        coldcopy_lead_id,
        pipedrive_person_id,
        pipedrive_organization_id,
        pipedrive_deal_id,
        linked_by,
        linked_at,
        updated_at

    from source

)

select * from renamed
