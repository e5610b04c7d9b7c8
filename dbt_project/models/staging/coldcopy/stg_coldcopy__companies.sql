with

source as (

    select * from {{ source('coldcopy', 'companies') }}

),

renamed as (

    select
        workspace_id,
        id as coldcopy_company_id,
        raw ->> 'name' as company_name,
        nullif(lower(trim(raw ->> 'name')), '') as company_name_normalised,
        raw ->> 'domain' as domain,
        raw ->> 'industry' as industry,
        cast(raw ->> 'employee_count' as integer) as employee_count,
        cast(raw ->> 'created_at' as timestamp with time zone) as created_at,
        updated_at,
        is_deleted,
        extracted_at

    from source

)

select * from renamed
