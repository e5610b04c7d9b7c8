{{ config(materialized='workspace_table') }}

{#- The three-way merge of DESIGN.md decision 1, per linked pair and mapped field, kept only where there is
something to do or to report (the sides differ, or the baseline must be set or advanced).

A side "changed" when it differs from the baseline; with no baseline yet (first link) when it is not empty, so
a non-empty value beats an empty one. A side whose row was extracted before the baseline was agreed is not
trusted to have changed: it predates our own write (echo suppression before the next extraction).
One side changed: it wins. Both changed to the same value: the baseline advances. Both changed differently: a
conflict, settled by the field's rule (or the workspace default): latest_wins (ColdCopy's updated_at against
Pipedrive's update_time; a tie goes to Pipedrive), pipedrive_wins, coldcopy_wins, or manual (the latest
state.conflict_resolutions row newer than the baseline; until then the conflict waits and nothing is written).
A one-way mapping only ever propagates from its source side; the other side's edits are left alone. -#}

with

mapped_values as (

    select * from {{ ref('int_mapped_field_values') }}
    where {{ in_workspace_scope() }}

),

lookups as (

    select * from {{ ref('stg_state__field_mapping_lookups') }}
    where {{ in_workspace_scope() }}

),

mappings as (

    select * from {{ ref('stg_state__field_mappings') }}
    where {{ in_workspace_scope() }}

),

resolutions as (

    select
        *,
        row_number() over (
            partition by workspace_id, coldcopy_lead_id, mapping_id order by resolved_at desc
        ) as resolution_number

    from {{ ref('stg_state__conflict_resolutions') }}
    where {{ in_workspace_scope() }}

),

field_values as (

    select
        mapped_values.*,
        mappings.pipedrive_field_key,
        mappings.coldcopy_column,
        mappings.coldcopy_custom_key,
        mappings.field_type,
        mappings.direction,
        mappings.conflict_rule,
        mappings.rule_source,
        mappings.transform_kind,
        mappings.transform_calculation,
        mappings.transform_operand,
        mappings.transform_default

    from mapped_values
    inner join mappings
        on mappings.workspace_id = mapped_values.workspace_id
        and mappings.mapping_id = mapped_values.mapping_id

),

reverse_lookups as (

    select workspace_id, mapping_id, to_value, min(from_value) as from_value, count(*) as preimages
    from lookups
    where to_value is not null
    group by workspace_id, mapping_id, to_value

),

compared as (

    select
        field_values.*,
        field_values.coldcopy_value is not distinct from field_values.pipedrive_value as sides_agree,
        case
            when not field_values.has_baseline then field_values.coldcopy_value is not null
            when field_values.coldcopy_extracted_at < field_values.baseline_agreed_at then false
            else field_values.coldcopy_value is distinct from field_values.baseline_value
        end as coldcopy_changed,
        case
            when not field_values.has_baseline then field_values.pipedrive_value is not null
            when field_values.pipedrive_extracted_at < field_values.baseline_agreed_at then false
            else field_values.pipedrive_value is distinct from field_values.baseline_value
        end as pipedrive_changed

    from field_values

),

attention as (

    select * from compared
    where {{ needs_merge('compared') }}

),

decided as (

    select
        attention.*,
        not attention.sides_agree and attention.coldcopy_changed and attention.pipedrive_changed as is_conflict,
        case
            when attention.sides_agree then 'agreed'
            when attention.direction = 'to_pipedrive'
                then case when attention.coldcopy_changed then 'coldcopy' else 'ignored' end
            when attention.direction = 'to_coldcopy'
                then case when attention.pipedrive_changed then 'pipedrive' else 'ignored' end
            when attention.coldcopy_changed and not attention.pipedrive_changed then 'coldcopy'
            when attention.pipedrive_changed and not attention.coldcopy_changed then 'pipedrive'
            when not attention.coldcopy_changed and not attention.pipedrive_changed then 'awaiting_extraction'
            when attention.conflict_rule = 'coldcopy_wins' then 'coldcopy'
            when attention.conflict_rule = 'pipedrive_wins' then 'pipedrive'
            when attention.conflict_rule = 'latest_wins'
                then case
                    when attention.pipedrive_updated_at is null and attention.coldcopy_updated_at is not null
                        then 'coldcopy'
                    when attention.coldcopy_updated_at > attention.pipedrive_updated_at then 'coldcopy'
                    else 'pipedrive'
                end
            when resolutions.chosen_side in ('coldcopy', 'pipedrive') then resolutions.chosen_side
            when resolutions.resolved_at is not null then 'resolution'
            else 'pending_manual'
        end as winner,
        case
            when attention.direction <> 'both' then 'direction:' || attention.direction
            else attention.conflict_rule
        end as rule_applied,
        resolutions.chosen_side as resolution_side,
        {{ canonical_value('attention.field_type', 'resolutions.chosen_value') }} as resolution_value,
        resolutions.resolved_by,
        resolutions.resolved_at

    from attention
    left join resolutions
        on attention.conflict_rule = 'manual'
        and resolutions.workspace_id = attention.workspace_id
        and resolutions.coldcopy_lead_id = attention.coldcopy_lead_id
        and resolutions.mapping_id = attention.mapping_id
        and resolutions.resolution_number = 1
        -- A resolution settles the divergence it was made for, not one that arises after the next agreement.
        and (not attention.has_baseline or resolutions.resolved_at >= attention.baseline_agreed_at)

),

resolved as (

    select
        decided.*,
        case decided.winner
            when 'agreed' then decided.coldcopy_value
            when 'coldcopy' then decided.coldcopy_value
            when 'pipedrive' then decided.pipedrive_value
            when 'resolution' then decided.resolution_value
        end as resolved_value

    from decided

),

reversed as (

    -- The value to write to ColdCopy: the resolved (Pipedrive-side) value through the inverse of the transform.
    select
        resolved.*,
        case
            when resolved.resolved_value is null then null
            when resolved.transform_kind = 'lookup' then case
                when reverse_lookups.preimages = 1 then reverse_lookups.from_value
                when reverse_lookups.preimages is null and resolved.transform_default is null
                    and not exists (
                        select 1 from lookups as own_key
                        where own_key.workspace_id = resolved.workspace_id
                            and own_key.mapping_id = resolved.mapping_id
                            and own_key.from_value = resolved.resolved_value
                    )
                    then resolved.resolved_value
            end
            when resolved.transform_kind = 'calculation' then case resolved.transform_calculation
                when 'multiply' then case when resolved.transform_operand <> 0
                    then {{ canonical_number("cast(cast(resolved.resolved_value as double precision)
                                              / resolved.transform_operand as varchar)") }} end
                when 'add' then {{ canonical_number("cast(cast(resolved.resolved_value as double precision)
                                                     - resolved.transform_operand as varchar)") }}
                else resolved.resolved_value
            end
            else resolved.resolved_value
        end as coldcopy_write_value,
        case when resolved.transform_kind = 'lookup' or resolved.transform_kind = 'calculation'
            then true else false end as is_transformed

    from resolved
    left join reverse_lookups
        on reverse_lookups.workspace_id = resolved.workspace_id
        and reverse_lookups.mapping_id = resolved.mapping_id
        and reverse_lookups.to_value = resolved.resolved_value

),

final as (

    select
        workspace_id,
        coldcopy_lead_id,
        mapping_id,
        pipedrive_entity,
        pipedrive_record_id,
        pipedrive_field_key,
        coldcopy_column,
        coldcopy_custom_key,
        field_type,
        direction,
        conflict_rule,
        rule_source,
        rule_applied,
        coldcopy_raw_value,
        coldcopy_value,
        pipedrive_value,
        has_baseline,
        baseline_value,
        baseline_agreed_at,
        coldcopy_updated_at,
        pipedrive_updated_at,
        coldcopy_changed,
        pipedrive_changed,
        sides_agree,
        is_conflict,
        winner,
        resolution_side,
        resolution_value,
        resolved_by,
        resolved_at,
        resolved_value,
        coldcopy_write_value,
        winner in ('coldcopy', 'resolution')
            and resolved_value is distinct from pipedrive_value as writes_pipedrive,
        winner in ('pipedrive', 'resolution')
            and resolved_value is distinct from coldcopy_value
            and coldcopy_write_value is not null as writes_coldcopy,
        case
            when winner = 'agreed' then 'advance_baseline'
            when winner = 'pending_manual' then 'pending_manual'
            when winner = 'ignored' then 'ignored_by_direction'
            when winner = 'awaiting_extraction' then 'awaiting_extraction'
            when winner in ('pipedrive', 'resolution') and resolved_value is distinct from coldcopy_value
                and coldcopy_write_value is null then 'not_invertible'
            when winner = 'coldcopy' then 'write_pipedrive'
            when winner = 'pipedrive' then 'write_coldcopy'
            else 'write_both'
        end as outcome,
        -- The baseline to store once the planned writes succeed (NULL when nothing is planned).
        case
            when winner in ('agreed', 'coldcopy', 'pipedrive', 'resolution')
                and not (winner in ('pipedrive', 'resolution') and resolved_value is distinct from coldcopy_value
                         and coldcopy_write_value is null)
                then resolved_value
        end as new_baseline,
        winner in ('agreed', 'coldcopy', 'pipedrive', 'resolution')
            and not (winner in ('pipedrive', 'resolution') and resolved_value is distinct from coldcopy_value
                     and coldcopy_write_value is null) as is_planned

    from reversed

)

select * from final
