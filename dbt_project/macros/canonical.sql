{#- The canonical text both sides' values are normalised to before they are compared, and that
state.sync_baseline stores (by the mapping's field_type):

    varchar, varchar_auto, text, address, ...   trimmed; empty is NULL (case kept)
    email                                      trimmed, lowercased
    phone                                      '+' if it led (or '00' led), then digits only: '+3725551234'
    double, monetary, int, user, org, people   a plain decimal without trailing zeros: '77', '63.9', '-0.5'
    enum                                       the option's label, trimmed
    set                                        option labels, trimmed, sorted, joined with ', '
    date                                       'YYYY-MM-DD'; daterange 'YYYY-MM-DD/YYYY-MM-DD'
    time                                       'HH:MM:SS'; timerange 'HH:MM:SS/HH:MM:SS'
    boolean                                    'true' / 'false'

Option ids are turned into labels before this (int_mapped_field_values); monetary keeps the amount only.
`pipedrive_etl.mappings.transforms.canonical_text` writes lookup values the same way. -#}

{% macro canonical_value(field_type, value) -%}
    case
        when {{ field_type }} in ('double', 'monetary', 'int', 'user', 'org', 'people')
            then {{ canonical_number(value) }}
        when {{ field_type }} = 'email' then nullif(lower(trim({{ value }})), '')
        when {{ field_type }} = 'phone' then {{ canonical_phone(value) }}
        when {{ field_type }} = 'set' then {{ canonical_set(value) }}
        when {{ field_type }} = 'date' then nullif(left(trim({{ value }}), 10), '')
        when {{ field_type }} = 'time' then {{ canonical_time(value) }}
        when {{ field_type }} = 'boolean' then nullif(lower(trim({{ value }})), '')
        else nullif(trim({{ value }}), '')
    end
{%- endmacro %}

{% macro canonical_number(value) -%}
    case
        when trim({{ value }}) ~ '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$'
            then {{ strip_trailing_zeros(
                "cast(case when strpos(lower(trim(" ~ value ~ ")), 'e') > 0 then cast(cast(trim(" ~ value
                ~ ") as double precision) as decimal(38, 10)) else cast(trim(" ~ value
                ~ ") as decimal(38, 10)) end as varchar)") }}
        else nullif(trim({{ value }}), '')
    end
{%- endmacro %}

{% macro strip_trailing_zeros(text) -%}
    case when {{ text }} like '%.%' then rtrim(rtrim({{ text }}, '0'), '.') else {{ text }} end
{%- endmacro %}

{% macro canonical_phone(value) -%}
    nullif(
        case when trim({{ value }}) like '+%' or trim({{ value }}) like '00%' then '+' else '' end
        || regexp_replace(case when trim({{ value }}) like '00%' then substr(trim({{ value }}), 3)
                               else trim({{ value }}) end, '[^0-9]', '', 'g'),
        '')
{%- endmacro %}

{% macro canonical_time(value) -%}
    nullif(case when length(trim({{ value }})) = 5 then trim({{ value }}) || ':00'
                else left(trim({{ value }}), 8) end, '')
{%- endmacro %}

{#- A set given as a JSON array of labels or as comma-separated labels -> sorted labels joined with ', '. -#}
{% macro canonical_set(value) %}{{ return(adapter.dispatch('canonical_set')(value)) }}{% endmacro %}
{% macro default__canonical_set(value) -%}
    nullif(array_to_string(list_sort(list_filter(list_transform(
        case when trim({{ value }}) like '[%' then json_extract_string(cast({{ value }} as json), '$[*]')
             else string_split({{ value }}, ',') end,
        lambda member: trim(member)), lambda member: member <> '')), ', '), '')
{%- endmacro %}
{% macro postgres__canonical_set(value) -%}
    (select string_agg(trim(member), ', ' order by trim(member))
     from unnest(case when trim({{ value }}) like '[%'
                      then array(select jsonb_array_elements_text(cast({{ value }} as jsonb)))
                      else string_to_array({{ value }}, ',') end) as members (member)
     where trim(member) <> '')
{%- endmacro %}

{#- A `format` transform (sync.yaml): lower, upper, title, strip, digits, e164 ('+' and digits, '00' dropped). -#}
{% macro apply_format(format, value) -%}
    case {{ format }}
        when 'lower' then lower({{ value }})
        when 'upper' then upper({{ value }})
        when 'title' then {{ title_case(value) }}
        when 'strip' then trim({{ value }})
        when 'digits' then regexp_replace({{ value }}, '[^0-9]', '', 'g')
        when 'e164' then '+' || regexp_replace(
            case when trim({{ value }}) like '00%' then substr(trim({{ value }}), 3) else {{ value }} end,
            '[^0-9]', '', 'g')
        else {{ value }}
    end
{%- endmacro %}

{% macro title_case(value) %}{{ return(adapter.dispatch('title_case')(value)) }}{% endmacro %}
{% macro default__title_case(value) -%}
    array_to_string(list_transform(string_split(lower({{ value }}), ' '),
                                   lambda word: upper(left(word, 1)) || substr(word, 2)), ' ')
{%- endmacro %}
{% macro postgres__title_case(value) %}initcap({{ value }}){% endmacro %}

{#- round(number, digits) with the digits from a column: DuckDB rounds doubles, Postgres only numerics. -#}
{% macro round_to(number, digits) %}{{ return(adapter.dispatch('round_to')(number, digits)) }}{% endmacro %}
{% macro default__round_to(number, digits) %}round(cast({{ number }} as double precision), {{ digits }}){% endmacro %}
{% macro postgres__round_to(number, digits) %}round(cast({{ number }} as numeric), {{ digits }}){% endmacro %}
