{#- Generic tests we would otherwise take from dbt_utils (no package downloads in CI). -#}

{#- A primary key: every key column not null, and no two rows share the combination (one query, one check). -#}
{% test primary_key(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
        {%- for column in columns %} or count({{ column }}) < count(*){% endfor %}
{% endtest %}

{#- The key of a view that only renames the columns of a table whose primary key the database enforces (no
joins, no unnesting: each table row is one view row): checked in the catalog instead of grouping every row
again. `table` is schema.table, `table_columns` the key in the table's names (default: `columns`); one failing
row when that table's primary key is missing or is another set of columns. -#}
{% test primary_key_enforced(model, columns, table, table_columns=none) %}
    {%- set schema_name, table_name = table.split('.') -%}
    {%- set key = (table_columns or columns) | map('lower') | list -%}
    with

    declared as (

        select key_columns.column_name
        from information_schema.table_constraints as constraints
        inner join information_schema.key_column_usage as key_columns
            on key_columns.constraint_schema = constraints.constraint_schema
            and key_columns.constraint_name = constraints.constraint_name
            and key_columns.table_name = constraints.table_name
        where constraints.constraint_type = 'PRIMARY KEY'
            and constraints.table_catalog = '{{ model.database }}'
            and constraints.table_schema = '{{ schema_name }}'
            and constraints.table_name = '{{ table_name }}'

    ),

    expected as (

        {% for column in key -%}
        select '{{ column }}' as column_name{% if not loop.last %} union all {% endif %}
        {%- endfor %}

    )

    select '{{ table }} has no primary key ({{ key | join(", ") }}) for {{ columns | join(", ") }}' as problem
    where exists (select column_name from declared except select column_name from expected)
        or exists (select column_name from expected except select column_name from declared)
{% endtest %}

{#- Every row of the model satisfies the expression (NULL counts as a failure). -#}
{% test expression_is_true(model, expression) %}
    select * from {{ model }} where not coalesce({{ expression }}, false)
{% endtest %}
