with

outcomes as (

    select * from {{ ref('int_field_merge_outcomes') }}
    where {{ in_workspace_scope() }} and not sides_agree

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
        direction,
        has_baseline,
        baseline_value,
        coldcopy_value,
        pipedrive_value,
        case
            when coldcopy_changed and pipedrive_changed then 'both'
            when coldcopy_changed then 'coldcopy'
            when pipedrive_changed then 'pipedrive'
            else 'neither'
        end as changed_side,
        is_conflict,
        winner,
        outcome,
        resolved_value,
        baseline_agreed_at,
        coldcopy_updated_at,
        pipedrive_updated_at

    from outcomes

)

select * from final
