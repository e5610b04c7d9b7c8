with

source as (

    select * from {{ source('state', 'activity_sync') }}

),

renamed as (

    select
        workspace_id,
        to_pipedrive as is_to_pipedrive_enabled,
        call_logs as is_call_logs_enabled,
        to_coldcopy as is_to_coldcopy_enabled

    from source

)

select * from renamed
