with

source as (

    select * from {{ source('pipedrive', 'persons') }}

),

renamed as (

    select
        workspace_id,
        id as pipedrive_person_id,
        org_id as pipedrive_organization_id,
        owner_id,
        raw ->> 'name' as person_name,
        raw ->> 'first_name' as first_name,
        raw ->> 'last_name' as last_name,
        raw ->> 'job_title' as job_title,
        nullif(lower(trim({{ json_primary_value("raw -> 'emails'") }})), '') as primary_email,
        {{ json_primary_value("raw -> 'phones'") }} as primary_phone,
        raw -> 'emails' as emails,
        raw -> 'phones' as phones,
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
