{{ config(materialized='workspace_table') }}

{#- Every mapped field of every linked pair that needs the three-way merge: the ColdCopy value through the
mapping's transform and the Pipedrive value with option ids decoded to labels, both canonical
(macros/canonical.sql), with the baseline and both sides' timestamps. Compared in Pipedrive's terms, so a
transformed field does not differ merely because of its transform. Leads and records are joined per pair before
fanning out to fields: one join per pair, not per field. Each record's JSON is parsed once for all its mapped
fields (mapped_field_paths): DuckDB parses JSON text again for every `->`. Fields whose sides both equal the
baseline (nearly all, every run) are dropped before the table is written: the merge has nothing to do for them.
A table: the merge and the key test read it. -#}

{%- set paths = mapped_field_paths(ref('stg_state__field_mappings')) %}

with

links as (

    select * from {{ ref('int_links') }}
    where {{ in_workspace_scope() }} and not is_lead_deleted and not is_person_deleted

),

mappings as (

    select * from {{ ref('stg_state__field_mappings') }}
    where {{ in_workspace_scope() }}

),

lookups as (

    select * from {{ ref('stg_state__field_mapping_lookups') }}
    where {{ in_workspace_scope() }}

),

options as (

    select * from {{ ref('int_pipedrive_field_options_unnested') }}
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

organizations as (

    select * from {{ ref('stg_pipedrive__organizations') }}
    where {{ in_workspace_scope() }}

),

deals as (

    select * from {{ ref('stg_pipedrive__deals') }}
    where {{ in_workspace_scope() }}

),

baselines as (

    select * from {{ ref('stg_state__sync_baseline') }}
    where {{ in_workspace_scope() }}

),

set_options as (

    select workspace_id, pipedrive_entity, field_key, {{ json_object_agg('option_id', 'option_label') }} as labels
    from options
    group by workspace_id, pipedrive_entity, field_key

),

mapped_fields as (

    select
        mappings.*,
        set_options.labels as set_labels,
        {{ pipedrive_path_position(paths, 'mappings') }} as pipedrive_path_position,
        {{ coldcopy_path_position(paths, 'mappings') }} as coldcopy_path_position

    from mappings
    left join set_options
        on mappings.field_type = 'set'
        and set_options.workspace_id = mappings.workspace_id
        and set_options.pipedrive_entity = mappings.pipedrive_entity
        and set_options.field_key = mappings.pipedrive_field_code

),

records as (

    select
        workspace_id, 'person' as pipedrive_entity, pipedrive_person_id as pipedrive_record_id,
        {{ field_values_at('raw', paths.person) }} as field_values, updated_at, extracted_at, is_deleted
    from persons
    union all
    select
        workspace_id, 'organization', pipedrive_organization_id, {{ field_values_at('raw', paths.organization) }},
        updated_at, extracted_at, is_deleted
    from organizations
    union all
    select
        workspace_id, 'deal', pipedrive_deal_id, {{ field_values_at('raw', paths.deal) }}, updated_at,
        extracted_at, is_deleted
    from deals

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

paired as (

    select
        pairs.*,
        leads.email,
        leads.first_name,
        leads.last_name,
        leads.phone,
        leads.job_title,
        leads.company_name,
        leads.lead_status,
        {{ json_texts_at('leads.custom_fields', paths.coldcopy) }} as custom_field_values,
        leads.updated_at as coldcopy_updated_at,
        leads.extracted_at as coldcopy_extracted_at,
        records.field_values as record_field_values,
        records.updated_at as pipedrive_updated_at,
        records.extracted_at as pipedrive_extracted_at

    from pairs
    inner join leads
        on leads.workspace_id = pairs.workspace_id
        and leads.coldcopy_lead_id = pairs.coldcopy_lead_id
    inner join records
        on records.workspace_id = pairs.workspace_id
        and records.pipedrive_entity = pairs.pipedrive_entity
        and records.pipedrive_record_id = pairs.pipedrive_record_id
    where not records.is_deleted

),

extracted as (

    select
        paired.workspace_id,
        paired.coldcopy_lead_id,
        paired.pipedrive_entity,
        paired.pipedrive_record_id,
        paired.coldcopy_updated_at,
        paired.coldcopy_extracted_at,
        paired.pipedrive_updated_at,
        paired.pipedrive_extracted_at,
        mapping.mapping_id,
        mapping.pipedrive_field_code,
        mapping.field_type,
        mapping.transform_kind,
        mapping.transform_format,
        mapping.transform_calculation,
        mapping.transform_operand,
        mapping.transform_default,
        mapping.set_labels,
        {{ coldcopy_field_value('mapping', 'paired', '(paired.custom_field_values)[mapping.coldcopy_path_position]',
                                paths.coldcopy_columns) }}
            as coldcopy_raw_value,
        {{ pipedrive_field_value('mapping', '(paired.record_field_values)[mapping.pipedrive_path_position]') }}
            as pipedrive_raw_value

    from paired
    inner join mapped_fields as mapping
        on mapping.workspace_id = paired.workspace_id
        and mapping.pipedrive_entity = paired.pipedrive_entity

),

decoded as (

    select
        extracted.*,
        {{ transformed_for_pipedrive('extracted', 'extracted.coldcopy_raw_value', 'lookup') }} as coldcopy_text,
        case
            when extracted.field_type = 'enum' then coalesce(enum_options.option_label, extracted.pipedrive_raw_value)
            when extracted.field_type = 'set'
                then {{ set_option_labels('extracted.pipedrive_raw_value', 'extracted.set_labels') }}
            else extracted.pipedrive_raw_value
        end as pipedrive_text

    -- Only lookup (enum) fields have a key to look up; the others probe with NULL, which matches nothing: 0.8 s
    -- less of this model at 1M leads than with the kind tested as a join condition beside the key.
    from extracted
    left join lookups as lookup
        on lookup.workspace_id = extracted.workspace_id
        and lookup.mapping_id = extracted.mapping_id
        and lookup.from_value = case
            when extracted.transform_kind = 'lookup' then coalesce(trim(extracted.coldcopy_raw_value), '')
        end
    left join options as enum_options
        on enum_options.workspace_id = extracted.workspace_id
        and enum_options.pipedrive_entity = extracted.pipedrive_entity
        and enum_options.field_key = extracted.pipedrive_field_code
        and enum_options.option_id = case when extracted.field_type = 'enum' then extracted.pipedrive_raw_value end

),

coldcopy_canonical as (

    select
        *,
        {{ canonical_value('field_type', 'coldcopy_text') }} as coldcopy_value

    from decoded

),

canonical as (

    select
        workspace_id,
        coldcopy_lead_id,
        mapping_id,
        pipedrive_entity,
        pipedrive_record_id,
        coldcopy_raw_value,
        coldcopy_value,
        -- Mostly the two sides hold the same text: canonicalised once then.
        case
            when pipedrive_text = coldcopy_text then coldcopy_value
            else {{ canonical_value('field_type', 'pipedrive_text') }}
        end as pipedrive_value,
        coldcopy_updated_at,
        coldcopy_extracted_at,
        pipedrive_updated_at,
        pipedrive_extracted_at

    from coldcopy_canonical

),

valued as (

    select
        canonical.workspace_id,
        canonical.coldcopy_lead_id,
        canonical.mapping_id,
        canonical.pipedrive_entity,
        canonical.pipedrive_record_id,
        canonical.coldcopy_raw_value,
        canonical.coldcopy_value,
        canonical.pipedrive_value,
        baselines.mapping_id is not null as has_baseline,
        baselines.baseline_value,
        baselines.agreed_at as baseline_agreed_at,
        canonical.coldcopy_updated_at,
        canonical.coldcopy_extracted_at,
        canonical.pipedrive_updated_at,
        canonical.pipedrive_extracted_at

    from canonical
    left join baselines
        on baselines.workspace_id = canonical.workspace_id
        and baselines.coldcopy_lead_id = canonical.coldcopy_lead_id
        and baselines.mapping_id = canonical.mapping_id

),

final as (

    -- Narrow on purpose: the merge joins each mapping's settings back from stg_state__field_mappings. Fields
    -- with nothing to merge (most of them, every run) are left out here, before they are stored.
    select * from valued
    where {{ needs_merge('valued') }}

)

select * from final
