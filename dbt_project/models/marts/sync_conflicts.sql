with

outcomes as (

    select * from {{ ref('int_field_merge_outcomes') }}
    where {{ in_workspace_scope() }} and is_conflict

),

final as (

    select
        workspace_id,
        coldcopy_lead_id,
        mapping_id,
        pipedrive_entity,
        pipedrive_record_id,
        pipedrive_field_key,
        field_type,
        has_baseline,
        baseline_value,
        coldcopy_value,
        pipedrive_value,
        conflict_rule,
        rule_source,
        rule_applied,
        case
            when winner = 'pending_manual' then 'pending_manual'
            when winner = 'resolution' then 'resolved_with_value'
            when rule_applied = 'manual' then 'resolved_' || winner
            else winner || '_wins'
        end as resolution,
        winner = 'pending_manual' as is_open,
        resolved_value,
        resolution_side,
        resolved_by,
        resolved_at,
        coldcopy_updated_at,
        pipedrive_updated_at,
        baseline_agreed_at

    from outcomes

)

select * from final
