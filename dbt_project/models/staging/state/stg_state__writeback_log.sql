with

source as (

    select * from {{ source('state', 'writeback_log') }}

),

renamed as (

    select
        workspace_id,
        operation_key,
        plan_key,
        target_system,
        entity,
        operation,
        coldcopy_lead_id,
        pipedrive_id,
        status as writeback_status,
        error,
        tokens,
        attempted_at,
        completed_at

    from source

)

select * from renamed
