{{ config(materialized='workspace_table') }}

{#- Every mapped field of every linked pair: the ColdCopy value (through the transform) and the Pipedrive value,
both canonical (macros/canonical.sql), with the baseline and both sides' timestamps. Compared in Pipedrive's
terms, so a transformed field does not differ merely because of its transform. -#}

with

links as (

    select * from {{ ref('int_links') }}
    where {{ in_workspace_scope() }} and not is_lead_deleted and not is_person_deleted

),

mappings as (

    select * from {{ ref('stg_state__field_mappings') }}
    where {{ in_workspace_scope() }}

),

lead_values as (

    select * from {{ ref('int_coldcopy_lead_values_transformed') }}
    where {{ in_workspace_scope() }}

),

record_values as (

    select * from {{ ref('int_pipedrive_record_values_decoded') }}
    where {{ in_workspace_scope() }} and not is_deleted

),

baselines as (

    select * from {{ ref('stg_state__sync_baseline') }}
    where {{ in_workspace_scope() }}

),

pairs as (

    select workspace_id, coldcopy_lead_id, 'person' as pipedrive_entity, pipedrive_person_id as pipedrive_record_id
    from links
    union all
    select workspace_id, coldcopy_lead_id, 'organization', pipedrive_organization_id
    from links where pipedrive_organization_id is not null
    union all
    select workspace_id, coldcopy_lead_id, 'deal', pipedrive_deal_id
    from links where pipedrive_deal_id is not null

),

final as (

    select
        pairs.workspace_id,
        pairs.coldcopy_lead_id,
        mappings.mapping_id,
        pairs.pipedrive_entity,
        pairs.pipedrive_record_id,
        mappings.pipedrive_field_key,
        mappings.coldcopy_column,
        mappings.coldcopy_custom_key,
        mappings.field_type,
        mappings.direction,
        mappings.conflict_rule,
        mappings.rule_source,
        mappings.transform_kind,
        lead_values.coldcopy_raw_value,
        lead_values.coldcopy_value,
        record_values.pipedrive_value,
        baselines.mapping_id is not null as has_baseline,
        baselines.baseline_value,
        baselines.agreed_at as baseline_agreed_at,
        lead_values.coldcopy_updated_at,
        lead_values.coldcopy_extracted_at,
        record_values.pipedrive_updated_at,
        record_values.pipedrive_extracted_at

    from pairs
    inner join mappings
        on mappings.workspace_id = pairs.workspace_id
        and mappings.pipedrive_entity = pairs.pipedrive_entity
    inner join lead_values
        on lead_values.workspace_id = pairs.workspace_id
        and lead_values.coldcopy_lead_id = pairs.coldcopy_lead_id
        and lead_values.mapping_id = mappings.mapping_id
    inner join record_values
        on record_values.workspace_id = pairs.workspace_id
        and record_values.pipedrive_entity = pairs.pipedrive_entity
        and record_values.pipedrive_record_id = pairs.pipedrive_record_id
        and record_values.mapping_id = mappings.mapping_id
    left join baselines
        on baselines.workspace_id = pairs.workspace_id
        and baselines.coldcopy_lead_id = pairs.coldcopy_lead_id
        and baselines.mapping_id = mappings.mapping_id

)

select * from final
