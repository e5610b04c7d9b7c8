{{ config(materialized='workspace_table') }}

{#- Links of the workspace in scope: those stored in state.sync_links (moved along Pipedrive merges) plus the
unambiguous new email matches. A link without a stored organization or deal takes the person's organization and
the person's deal (open first, then the latest updated). -#}

with

stored_links as (

    select * from {{ ref('stg_state__sync_links') }}
    where {{ in_workspace_scope() }} and pipedrive_person_id is not null

),

new_matches as (

    select * from {{ ref('int_lead_person_candidates') }}
    where {{ in_workspace_scope() }} and match_outcome = 'new_link'

),

person_merges as (

    select * from {{ ref('int_pipedrive_person_merges_followed') }}
    where {{ in_workspace_scope() }}

),

leads as (

    select * from {{ ref('stg_coldcopy__leads') }}
    where {{ in_workspace_scope() }}

),

persons as (

    select * from {{ ref('stg_pipedrive__persons') }}
    where {{ in_workspace_scope() }}

),

deals as (

    select * from {{ ref('stg_pipedrive__deals') }}
    where {{ in_workspace_scope() }} and not is_deleted and pipedrive_person_id is not null

),

stored as (

    select
        stored_links.workspace_id,
        stored_links.coldcopy_lead_id,
        coalesce(person_merges.merged_to_person_id, stored_links.pipedrive_person_id) as pipedrive_person_id,
        case when person_merges.merged_to_person_id is not null
            then stored_links.pipedrive_person_id end as merged_from_person_id,
        stored_links.pipedrive_organization_id,
        stored_links.pipedrive_deal_id,
        'state' as link_source,
        stored_links.linked_by,
        stored_links.linked_at

    from stored_links
    left join person_merges
        on person_merges.workspace_id = stored_links.workspace_id
        and person_merges.pipedrive_person_id = stored_links.pipedrive_person_id

),

matched as (

    select
        workspace_id,
        coldcopy_lead_id,
        pipedrive_person_id,
        cast(null as bigint) as merged_from_person_id,
        cast(null as bigint) as pipedrive_organization_id,
        cast(null as bigint) as pipedrive_deal_id,
        'email_match' as link_source,
        match_level as linked_by,
        cast(null as timestamp with time zone) as linked_at

    from new_matches

),

links as (

    select * from stored
    union all
    select * from matched

),

person_deals as (

    select
        workspace_id,
        pipedrive_person_id,
        pipedrive_deal_id,
        row_number() over (
            partition by workspace_id, pipedrive_person_id
            order by case when deal_status = 'open' then 0 else 1 end, updated_at desc, pipedrive_deal_id desc
        ) as deal_rank

    from deals

),

final as (

    select
        links.workspace_id,
        links.coldcopy_lead_id,
        links.pipedrive_person_id,
        coalesce(links.pipedrive_organization_id, persons.pipedrive_organization_id) as pipedrive_organization_id,
        coalesce(links.pipedrive_deal_id, person_deals.pipedrive_deal_id) as pipedrive_deal_id,
        links.merged_from_person_id,
        links.link_source,
        links.linked_by,
        links.linked_at,
        links.link_source = 'email_match' or links.merged_from_person_id is not null as needs_storing,
        persons.pipedrive_person_id is null or persons.is_deleted as is_person_deleted,
        leads.coldcopy_lead_id is null or leads.is_deleted as is_lead_deleted

    from links
    left join persons
        on persons.workspace_id = links.workspace_id
        and persons.pipedrive_person_id = links.pipedrive_person_id
    left join person_deals
        on person_deals.workspace_id = links.workspace_id
        and person_deals.pipedrive_person_id = links.pipedrive_person_id
        and person_deals.deal_rank = 1
    left join leads
        on leads.workspace_id = links.workspace_id
        and leads.coldcopy_lead_id = links.coldcopy_lead_id

)

select * from final
