{#- Time arithmetic both backends agree on: seconds since the epoch, and an instant from a UTC date and time. -#}

{% macro epoch_seconds(timestamp) %}{{ return(adapter.dispatch('epoch_seconds')(timestamp)) }}{% endmacro %}
{% macro default__epoch_seconds(timestamp) %}epoch({{ timestamp }}){% endmacro %}
{% macro postgres__epoch_seconds(timestamp) %}extract(epoch from {{ timestamp }}){% endmacro %}

{% macro seconds_between(start, finish) -%}
    cast({{ epoch_seconds(finish) }} - {{ epoch_seconds(start) }} as bigint)
{%- endmacro %}

{#- A UTC date ('2026-01-02') and optional UTC time ('15:00' or '15:00:00') as one instant; midnight without a time. -#}
{% macro utc_instant(date_text, time_text) -%}
    ((cast({{ date_text }} as date) + cast(coalesce(nullif({{ time_text }}, ''), '00:00:00') as time)) at time zone 'UTC')
{%- endmacro %}

{#- A clock reading ('01:20' or '01:20:30') as whole seconds; null stays null. -#}
{% macro clock_seconds(text) -%}
    case when {{ text }} is not null then
        cast(split_part({{ text }}, ':', 1) as integer) * 3600
        + cast(coalesce(nullif(split_part({{ text }}, ':', 2), ''), '0') as integer) * 60
        + cast(coalesce(nullif(split_part({{ text }}, ':', 3), ''), '0') as integer)
    end
{%- endmacro %}
