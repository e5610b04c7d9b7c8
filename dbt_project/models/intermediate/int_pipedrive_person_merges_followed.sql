{#- Pipedrive merges a person into another as a delete plus a change carrying `merged_to_id`; a link to the
merged-away person moves to the survivor. Two hops are followed (a merge of a merge). -#}

with

events as (

    select * from {{ ref('stg_state__webhook_events') }}
    where entity = 'person' and merged_to_id is not null

),

latest as (

    select
        workspace_id,
        entity_id as pipedrive_person_id,
        merged_to_id,
        occurred_at,
        row_number() over (
            partition by workspace_id, entity_id order by occurred_at desc, event_id desc
        ) as merge_number

    from events

),

merges as (

    select * from latest where merge_number = 1

),

followed as (

    select
        merges.workspace_id,
        merges.pipedrive_person_id,
        coalesce(next_merge.merged_to_id, merges.merged_to_id) as merged_to_person_id,
        merges.occurred_at as merged_at

    from merges
    left join merges as next_merge
        on next_merge.workspace_id = merges.workspace_id
        and next_merge.pipedrive_person_id = merges.merged_to_id

)

select * from followed
