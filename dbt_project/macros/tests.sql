{#- Generic tests we would otherwise take from dbt_utils (no package downloads in CI). -#}

{#- A primary key: every key column not null, and no two rows share the combination (one query, one check). -#}
{% test primary_key(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
        {%- for column in columns %} or count({{ column }}) < count(*){% endfor %}
{% endtest %}

{#- Every row of the model satisfies the expression (NULL counts as a failure). -#}
{% test expression_is_true(model, expression) %}
    select * from {{ model }} where not coalesce({{ expression }}, false)
{% endtest %}
