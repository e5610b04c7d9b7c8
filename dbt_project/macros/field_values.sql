{#- Reading one mapped field's value on each side, as text before canonicalisation (canonical_value). Used where
rows of a mapping (alias `mapping`, from stg_state__field_mappings) meet a lead or a Pipedrive record. -#}

{#- The ColdCopy value: a lead column, or a key of the lead's custom_fields (or `custom_value`, that key's value
as text, already taken out of them: see mapped_field_paths). `columns` limits the lead columns read to those
mapped. -#}
{% macro coldcopy_field_value(mapping, lead, custom_value=none, columns=none) -%}
    {%- set lead_columns = {'email': 'email', 'first_name': 'first_name', 'last_name': 'last_name', 'phone': 'phone',
                            'job_title': 'job_title', 'company_name': 'company_name', 'status': 'lead_status'} -%}
    {%- set read = lead_columns.items() | selectattr(0, 'in', columns if columns is not none else lead_columns) | list -%}
    {%- set custom = custom_value or (lead ~ ".custom_fields ->> " ~ mapping ~ ".coldcopy_custom_key") -%}
    {#- No lead column mapped (no mappings yet, say): a CASE without a WHEN is a syntax error. -#}
    {%- if read -%}
    case {{ mapping }}.coldcopy_column
        {%- for column, lead_column in read %}
        when '{{ column }}' then {{ lead }}.{{ lead_column }}
        {%- endfor %}
        else {{ custom }}
    end
    {%- else -%}
    {{ custom }}
    {%- endif -%}
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

{#- The Pipedrive value of a person, organization or deal from `value`, an element of field_values_at (the value
at the field's key: custom fields under custom_fields, built-ins by attribute): emails and phones as the primary
one; object types give their `value` (ranges 'value/until'); enum and set give option ids (labelled by the
caller). -#}
{% macro pipedrive_field_value(mapping, value) -%}
    {%- set document = field_value_json(value) -%}
    case
        when {{ mapping }}.pipedrive_field_key in ('emails', 'phones') and not {{ mapping }}.is_custom_field
            then {{ json_primary_value(document) }}
        when {{ mapping }}.field_type in ('monetary', 'address', 'time') then {{ document }} ->> 'value'
        when {{ mapping }}.field_type in ('daterange', 'timerange')
            then ({{ document }} ->> 'value') || '/' || coalesce({{ document }} ->> 'until', '')
        else {{ field_value_text(value) }}
    end
{%- endmacro %}

{#- The JSON paths of the fields the mappings in scope read, so that a model parses each record once for all of
them (field_values_at) instead of once per field: {'person': [...], 'organization': [...], 'deal': [...],
'coldcopy': [...]}, each path a list of keys. Pipedrive paths are a built-in attribute, or custom_fields and a
key; ColdCopy paths are a key of the lead's custom_fields. 'coldcopy_columns' lists the lead columns mapped.
Read from `mappings` (stg_state__field_mappings) when the model runs, so the SQL names the paths as constants
(DuckDB takes a list of paths only as a constant); empty while dbt only parses the project. -#}
{% macro mapped_field_paths(mappings) %}
    {%- set paths = {'person': [], 'organization': [], 'deal': [], 'coldcopy': [], 'coldcopy_columns': []} -%}
    {#- Not built yet (`dbt compile` of a fresh warehouse): no paths, the SQL still compiles. -#}
    {%- if execute and load_relation(mappings) is not none -%}
        {%- set query -%}
            select distinct pipedrive_entity as side, is_custom_field as is_custom, pipedrive_field_key as field_key
            from {{ mappings }}
            where {{ in_workspace_scope() }}
            union
            select distinct 'coldcopy', false, coldcopy_custom_key
            from {{ mappings }}
            where {{ in_workspace_scope() }} and coldcopy_custom_key is not null
            union
            select distinct 'coldcopy_columns', false, coldcopy_column
            from {{ mappings }}
            where {{ in_workspace_scope() }} and coldcopy_column is not null
            order by 1, 2, 3
        {%- endset -%}
        {%- for side, is_custom, key in run_query(query) if side in paths -%}
            {%- do paths[side].append(key if side == 'coldcopy_columns' else ['custom_fields', key] if is_custom
                                      else [key]) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(paths) }}
{% endmacro %}

{#- The 1-based position of a mapping's (alias `mapping`) field in the record's list of its entity's paths
(mapped_field_paths), and of its custom field in the lead's list; NULL when it reads none. -#}
{% macro pipedrive_path_position(paths, mapping) -%}
    case {{ mapping }}.pipedrive_entity
        {%- for entity in ['person', 'organization', 'deal'] %}
        when '{{ entity }}' then {{ path_position(paths[entity], mapping ~ '.pipedrive_field_key',
                                                 mapping ~ '.is_custom_field') }}
        {%- endfor %}
    end
{%- endmacro %}
{% macro coldcopy_path_position(paths, mapping) -%}
    {{ path_position(paths.coldcopy, mapping ~ '.coldcopy_custom_key') }}
{%- endmacro %}
{% macro path_position(paths, key, is_custom=none) -%}
    {%- if paths -%}
        case
            {%- for path in paths %}
            when {{ key }} = '{{ path[-1] | replace("'", "''") }}'
                {%- if is_custom is not none %} and {{ '' if path | length > 1 else 'not ' }}{{ is_custom }}{% endif %}
                then {{ loop.index }}
            {%- endfor %}
        end
    {%- else -%}
        cast(null as integer)
    {%- endif -%}
{%- endmacro %}

{#- Whether a pair's mapped field (a row of int_mapped_field_values, alias `values`) needs the three-way merge:
its sides differ, or its baseline must be set (first link, a value to agree on) or advanced (both sides moved
to one value). A field whose two sides equal its baseline, or that is empty on both sides before any baseline,
needs nothing. -#}
{% macro needs_merge(values) -%}
    ({{ values }}.coldcopy_value is distinct from {{ values }}.pipedrive_value
        or ({{ values }}.has_baseline and {{ values }}.baseline_value is distinct from {{ values }}.coldcopy_value)
        or (not {{ values }}.has_baseline and {{ values }}.coldcopy_value is not null))
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
