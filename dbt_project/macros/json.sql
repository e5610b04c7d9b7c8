{#- JSON differs between DuckDB (json, a text type with functions) and Postgres (jsonb). `->` and `->>` work the
same in both (a missing key or SQL NULL gives NULL; `->>` of a JSON null gives NULL), so models use them
directly; everything else goes through these macros. -#}

{% macro json_type() %}{{ return(adapter.dispatch('json_type')()) }}{% endmacro %}
{% macro default__json_type() %}json{% endmacro %}
{% macro postgres__json_type() %}jsonb{% endmacro %}

{% macro parse_json(text) %}cast({{ text }} as {{ json_type() }}){% endmacro %}

{#- The `value` of the element of a Pipedrive contact array (emails, phones) marked primary, else the first. -#}
{% macro json_primary_value(array) %}{{ return(adapter.dispatch('json_primary_value')(array)) }}{% endmacro %}
{% macro default__json_primary_value(array) -%}
    coalesce(
        list_filter(json_extract({{ array }}, '$[*]'), lambda element: (element ->> 'primary') = 'true')[1] ->> 'value',
        json_extract({{ array }}, '$[0]') ->> 'value'
    )
{%- endmacro %}
{% macro postgres__json_primary_value(array) -%}
    coalesce(
        jsonb_path_query_first(case when jsonb_typeof({{ array }}) = 'array' then {{ array }} end,
                               '$[*] ? (@.primary == true)') ->> 'value',
        (case when jsonb_typeof({{ array }}) = 'array' then {{ array }} end) -> 0 ->> 'value'
    )
{%- endmacro %}

{#- One row per element of a JSON array of objects: the `carry` columns of `relation`, each of `keys` read from the
element as text (a column named after it) and `position`, the element's 0-based index. Anything but an array gives
no rows. DuckDB reads the array once into a typed list (json_transform) instead of parsing each element per key. -#}
{% macro json_array_object_rows(relation, array, keys, carry) %}{{ return(adapter.dispatch('json_array_object_rows')(relation, array, keys, carry)) }}{% endmacro %}
{% macro default__json_array_object_rows(relation, array, keys, carry) -%}
    {%- set shape = '[{' ~ (keys | map('tojson') | join(':"VARCHAR",')) ~ ':"VARCHAR"}]' -%}
    select
        {%- for column in carry %} {{ column }},{% endfor %}
        {%- for key in keys %} member."{{ key }}" as "{{ key }}",{% endfor %}
        position
    from (
        select
            {%- for column in carry %} {{ column }},{% endfor %}
            unnest(members) as member,
            generate_subscripts(members, 1) - 1 as position
        from (
            select {% for column in carry %}{{ column }}, {% endfor %}json_transform({{ array }}, '{{ shape }}') as members
            from {{ relation }}
        ) as listed
    ) as unnested
{%- endmacro %}
{% macro postgres__json_array_object_rows(relation, array, keys, carry) -%}
    select
        {%- for column in carry %} {{ relation }}.{{ column }},{% endfor %}
        {%- for key in keys %} elements.element ->> '{{ key }}' as "{{ key }}",{% endfor %}
        elements.ordinality - 1 as position
    from {{ relation }}
    cross join lateral jsonb_array_elements(case when jsonb_typeof({{ array }}) = 'array' then {{ array }} end)
        with ordinality as elements (element, ordinality)
{%- endmacro %}

{#- A record's values at several paths for reading one field each (pipedrive_field_value): field_values_at gives
the list, field_value_text an element's text (a string without its quotes), field_value_json its JSON (objects and
arrays: contact lists, monetary, ranges). DuckDB reads the list as text, so a scalar is not parsed a second time,
and parses the few JSON ones again (TRY_CAST: a scalar that is not JSON gives NULL, as `->` of a scalar does);
Postgres keeps jsonb. -#}
{% macro field_values_at(document, paths) %}{{ return(adapter.dispatch('field_values_at')(document, paths)) }}{% endmacro %}
{% macro default__field_values_at(document, paths) %}{{ json_texts_at(document, paths) }}{% endmacro %}
{% macro postgres__field_values_at(document, paths) %}{{ json_values_at(document, paths) }}{% endmacro %}

{% macro field_value_text(value) %}{{ return(adapter.dispatch('field_value_text')(value)) }}{% endmacro %}
{% macro default__field_value_text(value) %}{{ value }}{% endmacro %}
{% macro postgres__field_value_text(value) %}({{ value }} #>> '{}'){% endmacro %}

{% macro field_value_json(value) %}{{ return(adapter.dispatch('field_value_json')(value)) }}{% endmacro %}
{% macro default__field_value_json(value) %}try_cast({{ value }} as json){% endmacro %}
{% macro postgres__field_value_json(value) %}{{ value }}{% endmacro %}

{#- A JSON object from alternating names and SQL values. -#}
{% macro json_object(pairs) %}{{ return(adapter.dispatch('json_object')(pairs)) }}{% endmacro %}
{% macro default__json_object(pairs) %}json_object({{ pairs | join(', ') }}){% endmacro %}
{% macro postgres__json_object(pairs) %}jsonb_build_object({{ pairs | join(', ') }}){% endmacro %}

{#- An aggregate: the JSON array of `value` in `order_by` order (NULL when there are no rows). -#}
{% macro json_agg(value, order_by) %}{{ return(adapter.dispatch('json_agg')(value, order_by)) }}{% endmacro %}
{% macro default__json_agg(value, order_by) %}cast(list({{ value }} order by {{ order_by }}) as json){% endmacro %}
{% macro postgres__json_agg(value, order_by) %}jsonb_agg({{ value }} order by {{ order_by }}){% endmacro %}

{#- An aggregate: a JSON object from text keys and values. -#}
{% macro json_object_agg(key, value) %}{{ return(adapter.dispatch('json_object_agg')(key, value)) }}{% endmacro %}
{% macro default__json_object_agg(key, value) %}json_group_object({{ key }}, {{ value }}){% endmacro %}
{% macro postgres__json_object_agg(key, value) %}jsonb_object_agg({{ key }}, {{ value }}){% endmacro %}

{#- A lateral join over the members of a JSON object: `alias.key` (text) and `alias.value` (JSON). -#}
{% macro json_object_entries(object, alias) %}{{ return(adapter.dispatch('json_object_entries')(object, alias)) }}{% endmacro %}
{% macro default__json_object_entries(object, alias) -%}
    cross join json_each({{ object }}) as {{ alias }}
{%- endmacro %}
{% macro postgres__json_object_entries(object, alias) -%}
    cross join lateral jsonb_each(case when jsonb_typeof({{ object }}) = 'object' then {{ object }} end)
        as {{ alias }} (key, value)
{%- endmacro %}

{#- The values at several paths of one JSON document, as a list indexed from 1 in `paths` order; each path is a
list of keys (['custom_fields', 'abc...']). json_values_at gives JSON, json_texts_at text as `->>` does. One parse
of the document for all of them: DuckDB keeps JSON as text and parses it again for every `->`. A missing key
gives NULL; no paths give a NULL list. -#}
{% macro json_values_at(document, paths) %}{{ return(adapter.dispatch('json_values_at')(document, paths, false)) }}{% endmacro %}
{% macro json_texts_at(document, paths) %}{{ return(adapter.dispatch('json_values_at')(document, paths, true)) }}{% endmacro %}
{% macro default__json_values_at(document, paths, as_text) -%}
    {%- if paths -%}
        {{ 'json_extract_string' if as_text else 'json_extract' }}({{ document }}, [
            {%- for path in paths -%}
                '{{ json_pointer(path) | replace("'", "''") }}'{{ ", " if not loop.last }}
            {%- endfor -%}
        ])
    {%- else -%}
        cast(null as {{ 'varchar' if as_text else 'json' }}[])
    {%- endif -%}
{%- endmacro %}
{% macro postgres__json_values_at(document, paths, as_text) -%}
    {%- if paths -%}
        array[
            {%- for path in paths -%}
                {{ document }} {{ '#>>' if as_text else '#>' }} array[{% for key in path %}'{{ key | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %}]{{ ", " if not loop.last }}
            {%- endfor -%}
        ]
    {%- else -%}
        cast(null as {{ 'text' if as_text else 'jsonb' }}[])
    {%- endif -%}
{%- endmacro %}

{#- A JSON pointer (RFC 6901) to a path of keys: a key is taken literally, whatever it contains. -#}
{% macro json_pointer(path) -%}
    {%- for key in path -%}/{{ key | replace('~', '~0') | replace('/', '~1') }}{%- endfor -%}
{%- endmacro %}
