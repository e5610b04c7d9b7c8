{#- Every custom field value of every person, organization and deal, decoded through the field definitions: the
field's name and type beside its 40-hex key, option ids turned into labels, the value in canonical text. For
analysts; the sync reads only mapped fields (int_mapped_field_values), with the same decoding. -#}

with

fields as (

    select * from {{ ref('stg_pipedrive__fields') }}
    where is_custom_field

),

options as (

    select * from {{ ref('int_pipedrive_field_options_unnested') }}

),

set_options as (

    select workspace_id, pipedrive_entity, field_key, {{ json_object_agg('option_id', 'option_label') }} as labels
    from options
    group by workspace_id, pipedrive_entity, field_key

),

records as (

    select workspace_id, 'person' as pipedrive_entity, pipedrive_person_id as pipedrive_record_id, custom_fields
    from {{ ref('stg_pipedrive__persons') }}
    union all
    select workspace_id, 'organization', pipedrive_organization_id, custom_fields
    from {{ ref('stg_pipedrive__organizations') }}
    union all
    select workspace_id, 'deal', pipedrive_deal_id, custom_fields
    from {{ ref('stg_pipedrive__deals') }}

),

entries as (

    select
        records.workspace_id,
        records.pipedrive_entity,
        records.pipedrive_record_id,
        entry.key as field_key,
        entry.value as value_json,
        {{ json_scalar_text('entry.value') }} as value_text

    from records
    {{ json_object_entries('records.custom_fields', 'entry') }}

),

typed as (

    select
        entries.*,
        fields.field_name,
        fields.field_type,
        case
            when fields.field_type in ('monetary', 'address', 'time') then entries.value_json ->> 'value'
            when fields.field_type in ('daterange', 'timerange')
                then (entries.value_json ->> 'value') || '/' || coalesce(entries.value_json ->> 'until', '')
            when fields.field_type = 'enum' then coalesce(enum_options.option_label, entries.value_text)
            when fields.field_type = 'set' then {{ set_option_labels('entries.value_text', 'set_options.labels') }}
            else entries.value_text
        end as decoded_text

    from entries
    inner join fields
        on fields.workspace_id = entries.workspace_id
        and fields.entity = entries.pipedrive_entity
        and fields.field_key = entries.field_key
    left join options as enum_options
        on fields.field_type = 'enum'
        and enum_options.workspace_id = entries.workspace_id
        and enum_options.pipedrive_entity = entries.pipedrive_entity
        and enum_options.field_key = entries.field_key
        and enum_options.option_id = entries.value_text
    left join set_options
        on fields.field_type = 'set'
        and set_options.workspace_id = entries.workspace_id
        and set_options.pipedrive_entity = entries.pipedrive_entity
        and set_options.field_key = entries.field_key
    where entries.value_text is not null

),

final as (

    select
        workspace_id,
        pipedrive_entity,
        pipedrive_record_id,
        field_key,
        field_name,
        field_type,
        {{ canonical_value('field_type', 'decoded_text') }} as field_value,
        case when field_type in ('enum', 'set') then value_text end as option_ids,
        value_json

    from typed

)

select * from final
