with

source as (

    select * from {{ source('pipedrive', 'activities') }}

),

renamed as (

    select
        workspace_id,
        id as pipedrive_activity_id,
        person_id as pipedrive_person_id,
        deal_id as pipedrive_deal_id,
        org_id as pipedrive_organization_id,
        raw ->> 'subject' as subject,
        type as activity_type,
        done as is_done,
        -- Pipedrive keeps an activity's due date and time apart, both in UTC; without a time it is all-day.
        {{ utc_instant("raw ->> 'due_date'", "raw ->> 'due_time'") }} as due_at,
        nullif(raw ->> 'due_time', '') is null as is_all_day,
        raw ->> 'duration' as duration,
        -- "HH:MM" in the guides, "HH:MM:SS" in the spec's examples: both read as seconds.
        {{ clock_seconds("nullif(raw ->> 'duration', '')") }} as duration_seconds,
        nullif(raw ->> 'note', '') as note,
        nullif(raw ->> 'public_description', '') as public_description,
        cast(raw ->> 'marked_as_done_time' as timestamp with time zone) as done_at,
        raw,
        add_time as created_at,
        update_time as updated_at,
        is_deleted or swept_deleted_at is not null as is_deleted,
        extracted_at

    from source

)

select * from renamed
