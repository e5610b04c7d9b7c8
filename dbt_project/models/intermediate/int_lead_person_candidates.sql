{{ config(materialized='workspace_table') }}

{#- Candidate matches of unlinked leads and unlinked persons on normalised email (DESIGN.md decision 3).

A lead's best level is its primary-email matches if it has any, else its other-email matches. A pair at the
best level becomes a link only when the lead has exactly one such person and the person exactly one such lead;
anything else is ambiguous and is reported, never linked silently. -#}

with

leads as (

    select * from {{ ref('stg_coldcopy__leads') }}
    where {{ in_workspace_scope() }} and not is_deleted and email_normalised is not null

),

person_emails as (

    select * from {{ ref('int_pipedrive_person_emails_unnested') }}
    where {{ in_workspace_scope() }}

),

stored_links as (

    select * from {{ ref('stg_state__sync_links') }}
    where {{ in_workspace_scope() }} and pipedrive_person_id is not null

),

person_merges as (

    select * from {{ ref('int_pipedrive_person_merges_followed') }}
    where {{ in_workspace_scope() }}

),

linked_persons as (

    select distinct
        stored_links.workspace_id,
        coalesce(person_merges.merged_to_person_id, stored_links.pipedrive_person_id) as pipedrive_person_id

    from stored_links
    left join person_merges
        on person_merges.workspace_id = stored_links.workspace_id
        and person_merges.pipedrive_person_id = stored_links.pipedrive_person_id

),

pairs as (

    select
        leads.workspace_id,
        leads.coldcopy_lead_id,
        person_emails.pipedrive_person_id,
        min(case when person_emails.is_primary then 1 else 2 end) as match_rank

    from leads
    inner join person_emails
        on person_emails.workspace_id = leads.workspace_id
        and person_emails.email_normalised = leads.email_normalised
    left join stored_links
        on stored_links.workspace_id = leads.workspace_id
        and stored_links.coldcopy_lead_id = leads.coldcopy_lead_id
    where stored_links.coldcopy_lead_id is null
    group by leads.workspace_id, leads.coldcopy_lead_id, person_emails.pipedrive_person_id

),

flagged as (

    select
        pairs.*,
        linked_persons.pipedrive_person_id is not null as is_person_linked

    from pairs
    left join linked_persons
        on linked_persons.workspace_id = pairs.workspace_id
        and linked_persons.pipedrive_person_id = pairs.pipedrive_person_id

),

lead_best_rank as (

    select workspace_id, coldcopy_lead_id, min(match_rank) as best_rank
    from flagged
    where not is_person_linked
    group by workspace_id, coldcopy_lead_id

),

best_pairs as (

    select flagged.*
    from flagged
    inner join lead_best_rank
        on lead_best_rank.workspace_id = flagged.workspace_id
        and lead_best_rank.coldcopy_lead_id = flagged.coldcopy_lead_id
        and lead_best_rank.best_rank = flagged.match_rank
    where not flagged.is_person_linked

),

lead_counts as (

    select workspace_id, coldcopy_lead_id, count(*) as persons_matched
    from best_pairs
    group by workspace_id, coldcopy_lead_id

),

person_counts as (

    select workspace_id, pipedrive_person_id, count(*) as leads_matched
    from best_pairs
    group by workspace_id, pipedrive_person_id

),

final as (

    select
        flagged.workspace_id,
        flagged.coldcopy_lead_id,
        flagged.pipedrive_person_id,
        case flagged.match_rank when 1 then 'primary_email' else 'other_email' end as match_level,
        coalesce(lead_counts.persons_matched, 0) as persons_matched,
        coalesce(person_counts.leads_matched, 0) as leads_matched,
        case
            when flagged.is_person_linked then 'person_already_linked'
            when flagged.match_rank > lead_best_rank.best_rank then 'weaker_than_best'
            when lead_counts.persons_matched > 1 then 'ambiguous_lead'
            when person_counts.leads_matched > 1 then 'ambiguous_person'
            else 'new_link'
        end as match_outcome

    from flagged
    left join lead_best_rank
        on lead_best_rank.workspace_id = flagged.workspace_id
        and lead_best_rank.coldcopy_lead_id = flagged.coldcopy_lead_id
    left join lead_counts
        on lead_counts.workspace_id = flagged.workspace_id
        and lead_counts.coldcopy_lead_id = flagged.coldcopy_lead_id
    left join person_counts
        on person_counts.workspace_id = flagged.workspace_id
        and person_counts.pipedrive_person_id = flagged.pipedrive_person_id

)

select * from final
