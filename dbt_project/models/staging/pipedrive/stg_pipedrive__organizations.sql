with

source as (

    select * from {{ source('pipedrive', 'organizations') }}

),

renamed as (

    select
        workspace_id,
        id as pipedrive_organization_id,
        owner_id,
        raw ->> 'name' as organization_name,
        nullif(lower(trim(raw ->> 'name')), '') as organization_name_normalised,
        raw ->> 'website' as website,
        raw -> 'address' ->> 'value' as address,
        raw -> 'label_ids' as label_ids,
        raw -> 'custom_fields' as custom_fields,
        raw,
        add_time as created_at,
        update_time as updated_at,
        is_deleted or swept_deleted_at is not null as is_deleted,
        extracted_at

    from source

)

select * from renamed
