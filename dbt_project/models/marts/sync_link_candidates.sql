with

candidates as (

    select * from {{ ref('int_lead_person_candidates') }}
    where {{ in_workspace_scope() }}

),

leads as (

    select * from {{ ref('stg_coldcopy__leads') }}
    where {{ in_workspace_scope() }}

),

final as (

    select
        candidates.workspace_id,
        candidates.coldcopy_lead_id,
        candidates.pipedrive_person_id,
        leads.email_normalised as lead_email,
        candidates.match_level,
        candidates.persons_matched,
        candidates.leads_matched,
        candidates.match_outcome,
        candidates.match_outcome in ('ambiguous_lead', 'ambiguous_person') as is_ambiguous

    from candidates
    left join leads
        on leads.workspace_id = candidates.workspace_id
        and leads.coldcopy_lead_id = candidates.coldcopy_lead_id

)

select * from final
