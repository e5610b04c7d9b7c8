{#- Reading one mapped field's value on each side, as text before canonicalisation (canonical_value). Used where
rows of a mapping (alias `mapping`, from stg_state__field_mappings) meet a lead or a Pipedrive record. -#}

{#- The ColdCopy value: a lead column, or a key of the lead's custom_fields. -#}
{% macro coldcopy_field_value(mapping, lead) -%}
    case {{ mapping }}.coldcopy_column
        when 'email' then {{ lead }}.email
        when 'first_name' then {{ lead }}.first_name
        when 'last_name' then {{ lead }}.last_name
        when 'phone' then {{ lead }}.phone
        when 'job_title' then {{ lead }}.job_title
        when 'company_name' then {{ lead }}.company_name
        when 'status' then {{ lead }}.lead_status
        else {{ lead }}.custom_fields ->> {{ mapping }}.coldcopy_custom_key
    end
{%- endmacro %}

{#- The ColdCopy value in Pipedrive's terms: through the mapping's transform. `lookup` is the row of
stg_state__field_mapping_lookups left-joined on the value. Unmatched lookups pass the value through unless the
lookup has a default; an empty value stays empty. -#}
{% macro transformed_for_pipedrive(mapping, value, lookup) -%}
    case {{ mapping }}.transform_kind
        when 'format' then {{ apply_format(mapping ~ '.transform_format', value) }}
        when 'lookup' then case
            when {{ lookup }}.from_value is not null then {{ lookup }}.to_value
            when {{ value }} is null then null
            else coalesce({{ mapping }}.transform_default, {{ value }})
        end
        when 'calculation' then case {{ mapping }}.transform_calculation
            when 'multiply' then cast(cast({{ canonical_number(value) }} as double precision)
                                      * {{ mapping }}.transform_operand as varchar)
            when 'add' then cast(cast({{ canonical_number(value) }} as double precision)
                                 + {{ mapping }}.transform_operand as varchar)
            when 'round' then cast({{ round_to("cast(" ~ canonical_number(value) ~ " as double precision)",
                                               "cast(" ~ mapping ~ ".transform_operand as integer)") }} as varchar)
        end
        else {{ value }}
    end
{%- endmacro %}

{#- The Pipedrive value of a person, organization or deal, from its custom_fields and raw JSON: custom fields
by key, built-ins by attribute, emails and phones as the primary one; object types give their `value` (ranges
'value/until'); enum and set give option ids (labelled by the caller). -#}
{% macro pipedrive_field_value(mapping, custom_fields, raw) -%}
    {%- set field = 'case when ' ~ mapping ~ '.is_custom_field then ' ~ custom_fields ~ ' else ' ~ raw
                    ~ ' end -> ' ~ mapping ~ '.pipedrive_field_key' -%}
    case
        when {{ mapping }}.pipedrive_field_key = 'emails' and not {{ mapping }}.is_custom_field
            then {{ json_primary_value(raw ~ " -> 'emails'") }}
        when {{ mapping }}.pipedrive_field_key = 'phones' and not {{ mapping }}.is_custom_field
            then {{ json_primary_value(raw ~ " -> 'phones'") }}
        when {{ mapping }}.field_type in ('monetary', 'address', 'time') then ({{ field }}) ->> 'value'
        when {{ mapping }}.field_type in ('daterange', 'timerange')
            then (({{ field }}) ->> 'value') || '/' || coalesce(({{ field }}) ->> 'until', '')
        when {{ mapping }}.is_custom_field then {{ custom_fields }} ->> {{ mapping }}.pipedrive_field_key
        else {{ raw }} ->> {{ mapping }}.pipedrive_field_key
    end
{%- endmacro %}

{#- A set's option ids (JSON array text) as their labels, sorted, through `options` (a JSON object id -> label);
an id without a label stays as the id. -#}
{% macro set_option_labels(ids, options) %}{{ return(adapter.dispatch('set_option_labels')(ids, options)) }}{% endmacro %}
{% macro default__set_option_labels(ids, options) -%}
    array_to_string(list_sort(list_transform(
        json_extract_string(cast({{ ids }} as json), '$[*]'),
        lambda option_id: coalesce({{ options }} ->> option_id, option_id))), ', ')
{%- endmacro %}
{% macro postgres__set_option_labels(ids, options) -%}
    (select string_agg(coalesce({{ options }} ->> member, member), ', ' order by coalesce({{ options }} ->> member, member))
     from jsonb_array_elements_text(case when {{ ids }} like '[%' then cast({{ ids }} as jsonb) end) as members (member))
{%- endmacro %}
