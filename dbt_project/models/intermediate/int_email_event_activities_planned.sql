{#- ColdCopy email events of the types in var activity_email_event_types, for leads linked to a live person:
each becomes one Pipedrive activity (type `email`, done, due at the event's instant). -#}

with

events as (

    select * from {{ ref('stg_coldcopy__email_events') }}
    where event_type in {{ sql_string_list(var('activity_email_event_types')) }}

),

links as (

    select * from {{ ref('int_links') }}
    where not is_lead_deleted and not is_person_deleted

),

final as (

    select
        events.workspace_id,
        events.coldcopy_email_event_id,
        events.coldcopy_lead_id,
        links.pipedrive_person_id,
        links.pipedrive_organization_id,
        links.pipedrive_deal_id,
        events.event_type,
        case events.event_type
            when 'sent' then 'Email sent'
            when 'replied' then 'Email replied'
            when 'bounced' then 'Email bounced'
            when 'unsubscribed' then 'Unsubscribed'
            else 'Email ' || events.event_type
        end || coalesce(': ' || nullif(trim(events.subject), ''), '') as activity_subject,
        'email' as activity_type,
        events.occurred_at as due_at

    from events
    inner join links
        on links.workspace_id = events.workspace_id
        and links.coldcopy_lead_id = events.coldcopy_lead_id

)

select * from final
