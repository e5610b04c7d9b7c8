{#- The Pipedrive side of every mapped field, per person, organization or deal: read from the record (custom
fields by key, built-ins by attribute; emails and phones as the primary one), option ids decoded to labels
through the field definitions, canonical. -#}

with

mappings as (

    select * from {{ ref('stg_state__field_mappings') }}

),

options as (

    select * from {{ ref('int_pipedrive_field_options_unnested') }}

),

records as (

    select
        workspace_id, 'person' as pipedrive_entity, pipedrive_person_id as pipedrive_record_id, custom_fields, raw,
        primary_email, primary_phone, updated_at, extracted_at, is_deleted
    from {{ ref('stg_pipedrive__persons') }}
    union all
    select
        workspace_id, 'organization', pipedrive_organization_id, custom_fields, raw,
        null, null, updated_at, extracted_at, is_deleted
    from {{ ref('stg_pipedrive__organizations') }}
    union all
    select
        workspace_id, 'deal', pipedrive_deal_id, custom_fields, raw,
        null, null, updated_at, extracted_at, is_deleted
    from {{ ref('stg_pipedrive__deals') }}

),

extracted as (

    select
        records.workspace_id,
        records.pipedrive_entity,
        records.pipedrive_record_id,
        mappings.mapping_id,
        mappings.pipedrive_field_code,
        mappings.field_type,
        case
            when mappings.pipedrive_field_key = 'emails' then records.primary_email
            when mappings.pipedrive_field_key = 'phones' then records.primary_phone
            when mappings.is_custom_field then {{ pipedrive_field_text(
                'mappings.field_type', 'records.custom_fields -> mappings.pipedrive_field_key',
                'records.custom_fields ->> mappings.pipedrive_field_key') }}
            else {{ pipedrive_field_text(
                'mappings.field_type', 'records.raw -> mappings.pipedrive_field_key',
                'records.raw ->> mappings.pipedrive_field_key') }}
        end as field_text,
        case when mappings.field_type = 'set'
            then case when mappings.is_custom_field then records.custom_fields -> mappings.pipedrive_field_key
                      else records.raw -> mappings.pipedrive_field_key end
        end as set_option_ids,
        records.updated_at,
        records.extracted_at,
        records.is_deleted

    from records
    inner join mappings
        on mappings.workspace_id = records.workspace_id
        and mappings.pipedrive_entity = records.pipedrive_entity

),

set_labels as (

    -- A set holds option ids: their labels, sorted, stand for it.
    select
        extracted.workspace_id,
        extracted.pipedrive_entity,
        extracted.pipedrive_record_id,
        extracted.mapping_id,
        string_agg(coalesce(options.option_label, {{ json_scalar_text('members.value') }}), ', '
                   order by coalesce(options.option_label, {{ json_scalar_text('members.value') }})) as labels

    from extracted
    {{ json_array_elements('extracted.set_option_ids', 'members') }}
    left join options
        on options.workspace_id = extracted.workspace_id
        and options.pipedrive_entity = extracted.pipedrive_entity
        and options.field_key = extracted.pipedrive_field_code
        and options.option_id = {{ json_scalar_text('members.value') }}
    where extracted.field_type = 'set'
    group by extracted.workspace_id, extracted.pipedrive_entity, extracted.pipedrive_record_id, extracted.mapping_id

),

labelled as (

    select
        extracted.*,
        case
            when extracted.field_type = 'enum' then coalesce(enum_options.option_label, extracted.field_text)
            when extracted.field_type = 'set' then set_labels.labels
            else extracted.field_text
        end as pipedrive_text

    from extracted
    left join options as enum_options
        on extracted.field_type = 'enum'
        and enum_options.workspace_id = extracted.workspace_id
        and enum_options.pipedrive_entity = extracted.pipedrive_entity
        and enum_options.field_key = extracted.pipedrive_field_code
        and enum_options.option_id = extracted.field_text
    left join set_labels
        on extracted.field_type = 'set'
        and set_labels.workspace_id = extracted.workspace_id
        and set_labels.pipedrive_entity = extracted.pipedrive_entity
        and set_labels.pipedrive_record_id = extracted.pipedrive_record_id
        and set_labels.mapping_id = extracted.mapping_id

),

final as (

    select
        workspace_id,
        pipedrive_entity,
        pipedrive_record_id,
        mapping_id,
        field_type,
        {{ canonical_value('field_type', 'pipedrive_text') }} as pipedrive_value,
        updated_at as pipedrive_updated_at,
        extracted_at as pipedrive_extracted_at,
        is_deleted

    from labelled

)

select * from final
