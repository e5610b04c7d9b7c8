with

source as (

    select * from {{ source('coldcopy', 'leads') }}

),

renamed as (

    select
        workspace_id,
        id as coldcopy_lead_id,
        trim(email) as email,
        nullif(lower(trim(email)), '') as email_normalised,
        raw ->> 'first_name' as first_name,
        raw ->> 'last_name' as last_name,
        raw ->> 'phone' as phone,
        raw ->> 'job_title' as job_title,
        raw ->> 'company_id' as coldcopy_company_id,
        raw ->> 'company_name' as company_name,
        raw ->> 'status' as lead_status,
        -- ColdCopy keeps custom fields as a JSON object in a text column (portable across its databases).
        {{ parse_json("raw ->> 'custom_fields'") }} as custom_fields,
        cast(raw ->> 'created_at' as timestamp with time zone) as created_at,
        updated_at,
        is_deleted,
        extracted_at

    from source

)

select * from renamed
