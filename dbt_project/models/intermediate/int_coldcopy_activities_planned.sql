{#- ColdCopy events that become Pipedrive activities, for leads linked to a live person: email events of the types
the workspace maps (state.activity_type_map, direction to_pipedrive) as done `email` activities at the event's
instant, and logged calls (when call logs are on) as done `call` activities with their duration and notes.
`activity_plan_key` is the one plan key per source event: a source event is written once, however often the job
runs. -#}

with

switches as (

    select * from {{ ref('stg_state__activity_sync') }}

),

email_types as (

    select * from {{ ref('stg_state__activity_type_map') }}
    where direction = 'to_pipedrive'

),

email_events as (

    select * from {{ ref('stg_coldcopy__email_events') }}

),

call_logs as (

    select * from {{ ref('stg_coldcopy__call_logs') }}

),

links as (

    select * from {{ ref('int_links') }}
    where not is_lead_deleted and not is_person_deleted

),

email_activities as (

    select
        email_events.workspace_id,
        'email_event' as source_kind,
        email_events.coldcopy_email_event_id as source_id,
        -- Email events keep the key they were first written under.
        'pipedrive:activity:create:' || email_events.coldcopy_email_event_id as activity_plan_key,
        email_events.coldcopy_lead_id,
        email_events.event_type,
        case email_events.event_type
            when 'sent' then 'Email sent'
            when 'replied' then 'Email replied'
            when 'bounced' then 'Email bounced'
            when 'unsubscribed' then 'Unsubscribed'
            else 'Email ' || email_events.event_type
        end || coalesce(': ' || nullif(trim(email_events.subject), ''), '') as activity_subject,
        email_types.target_type as activity_type,
        email_events.occurred_at as due_at,
        cast(null as integer) as duration_seconds,
        cast(null as varchar) as activity_note

    from email_events
    inner join email_types
        on email_types.workspace_id = email_events.workspace_id
        and email_types.source_type = email_events.event_type

),

call_activities as (

    select
        call_logs.workspace_id,
        'call_log' as source_kind,
        call_logs.coldcopy_call_log_id as source_id,
        'pipedrive:activity:create:call:' || call_logs.coldcopy_call_log_id as activity_plan_key,
        call_logs.coldcopy_lead_id,
        cast(null as varchar) as event_type,
        case call_logs.call_direction when 'inbound' then 'Inbound call' else 'Call' end
            || ': ' || replace(call_logs.call_outcome, '_', ' ') as activity_subject,
        'call' as activity_type,
        call_logs.started_at as due_at,
        call_logs.duration_seconds,
        call_logs.notes as activity_note

    from call_logs
    inner join switches
        on switches.workspace_id = call_logs.workspace_id
        and switches.is_call_logs_enabled

),

source_activities as (

    select * from email_activities
    union all
    select * from call_activities

),

final as (

    select
        source_activities.workspace_id,
        source_activities.source_kind,
        source_activities.source_id,
        source_activities.activity_plan_key,
        source_activities.coldcopy_lead_id,
        links.pipedrive_person_id,
        links.pipedrive_organization_id,
        links.pipedrive_deal_id,
        source_activities.event_type,
        source_activities.activity_subject,
        source_activities.activity_type,
        source_activities.due_at,
        source_activities.duration_seconds,
        source_activities.activity_note

    from source_activities
    inner join links
        on links.workspace_id = source_activities.workspace_id
        and links.coldcopy_lead_id = source_activities.coldcopy_lead_id

)

select * from final
