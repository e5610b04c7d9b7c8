with

source as (

    select * from {{ source('state', 'creation_statuses') }}

),

renamed as (

    select
        workspace_id,
        lead_status

    from source

)

select * from renamed
