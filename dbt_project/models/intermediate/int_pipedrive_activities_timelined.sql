{#- Pipedrive activities of linked persons that belong in ColdCopy's timeline: one row per linked lead and activity
of a type the workspace maps (state.activity_type_map, direction to_coldcopy), with what the entry shows and a
hash of it. Activities this job created from ColdCopy events (their note carries a `[coldcopy-...]` marker) are
left out: ColdCopy already has them. -#}

with

types as (

    select * from {{ ref('stg_state__activity_type_map') }}
    where direction = 'to_coldcopy'

),

activities as (

    select * from {{ ref('stg_pipedrive__activities') }}
    where pipedrive_person_id is not null
        and coalesce(note, '') not like '%[coldcopy-%'

),

links as (

    select * from {{ ref('int_links') }}
    where not is_lead_deleted and not is_person_deleted

),

entries as (

    select
        links.workspace_id,
        links.coldcopy_lead_id,
        activities.pipedrive_activity_id,
        activities.pipedrive_person_id,
        activities.pipedrive_deal_id,
        activities.activity_type as pipedrive_type,
        types.target_type as entry_type,
        activities.due_at as occurred_at,
        activities.subject as title,
        coalesce(activities.note, activities.public_description) as description,
        coalesce(activities.is_done, false) as is_done,
        activities.duration_seconds,
        activities.updated_at as pipedrive_updated_at,
        activities.is_deleted

    from activities
    inner join links
        on links.workspace_id = activities.workspace_id
        and links.pipedrive_person_id = activities.pipedrive_person_id
    inner join types
        on types.workspace_id = activities.workspace_id
        and types.source_type = activities.activity_type

),

final as (

    select
        *,
        -- What the entry shows: a new hash is a new version to write; the same hash was written already.
        md5(concat_ws('|',
            entry_type, coalesce(pipedrive_type, ''), coalesce(cast(occurred_at as varchar), ''),
            coalesce(title, ''), coalesce(description, ''), cast(is_done as varchar),
            coalesce(cast(duration_seconds as varchar), ''), coalesce(cast(pipedrive_deal_id as varchar), '')
        )) as content_hash

    from entries

)

select * from final
