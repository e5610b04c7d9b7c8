with

source as (

    select * from {{ source('coldcopy', 'call_logs') }}

),

renamed as (

    select
        workspace_id,
        id as coldcopy_call_log_id,
        lead_id as coldcopy_lead_id,
        raw ->> 'direction' as call_direction,
        raw ->> 'outcome' as call_outcome,
        cast(raw ->> 'duration_seconds' as integer) as duration_seconds,
        nullif(trim(raw ->> 'notes'), '') as notes,
        started_at,
        updated_at,
        extracted_at

    from source

)

select * from renamed
