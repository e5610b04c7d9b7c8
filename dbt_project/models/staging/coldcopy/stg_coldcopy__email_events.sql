with

source as (

    select * from {{ source('coldcopy', 'email_events') }}

),

renamed as (

    select
        workspace_id,
        id as coldcopy_email_event_id,
        lead_id as coldcopy_lead_id,
        raw ->> 'campaign_id' as coldcopy_campaign_id,
        event_type,
        raw ->> 'subject' as subject,
        occurred_at,
        extracted_at

    from source

)

select * from renamed
