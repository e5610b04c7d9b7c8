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
