{#- A run reconciles one workspace (var `workspace_id`, Dagster's partition key) or, when it is empty, all.

Views are never filtered (two workspaces' runs may rebuild them at once on Postgres); tables filter in their own
SQL with `in_workspace_scope()` and are materialized as `workspace_table`, which replaces only the rows of the
workspace in scope. -#}

{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Schemas are named as configured (staging, intermediate, marts), not prefixed with the target's. -#}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}

{% macro workspace_scope_id() -%}
    {%- set scope = var('workspace_id', '') | string | trim -%}
    {%- if scope and not modules.re.match('^[a-z0-9][a-z0-9_-]{0,62}$', scope) -%}
        {{ exceptions.raise_compiler_error("var workspace_id " ~ scope ~ " is not a workspace id") }}
    {%- endif -%}
    {{ return(scope) }}
{%- endmacro %}

{% macro in_workspace_scope(column='workspace_id') -%}
    {%- set scope = workspace_scope_id() -%}
    {%- if scope -%} {{ column }} = '{{ scope }}' {%- else -%} true {%- endif -%}
{%- endmacro %}

{% materialization workspace_table, default %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set scope = workspace_scope_id() -%}
    {%- if scope and ("workspace_id = '" ~ scope ~ "'") not in sql -%}
        {#- Deleting the scope's rows and inserting unfiltered ones would duplicate other workspaces' rows. -#}
        {{ exceptions.raise_compiler_error(this ~ " is a workspace_table but does not filter by in_workspace_scope()") }}
    {%- endif -%}
    {%- set replace_rows = scope and existing_relation is not none and existing_relation.is_table
                           and not should_full_refresh() -%}
    {%- if replace_rows -%}
        {%- set model_columns = get_columns_in_query(sql) | map('lower') | list -%}
        {%- set table_columns = adapter.get_columns_in_relation(existing_relation)
                                | map(attribute='name') | map('lower') | list -%}
        {%- if model_columns != table_columns -%}
            {#- The model's columns changed: rebuild (other workspaces' rows come back on their next run). -#}
            {% do log(this ~ ": columns changed, rebuilding the table for workspace " ~ scope, info=true) %}
            {%- set replace_rows = false -%}
        {%- endif -%}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if replace_rows -%}
        {%- set column_list = model_columns | join(', ') -%}
        {% call statement('delete_scope') -%}
            delete from {{ target_relation }} where workspace_id = '{{ scope }}'
        {%- endcall %}
        {% call statement('main') -%}
            insert into {{ target_relation }} ({{ column_list }})
            select {{ column_list }} from ({{ sql }}) as workspace_rows
        {%- endcall %}
        {{ run_hooks(post_hooks, inside_transaction=True) }}
        {{ adapter.commit() }}
    {%- else -%}
        {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
        {%- set backup_relation = make_backup_relation(target_relation, 'table' if existing_relation is none
                                                       else existing_relation.type) -%}
        {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
        {{ drop_relation_if_exists(load_cached_relation(backup_relation)) }}
        {% call statement('main') -%}
            {{ get_create_table_as_sql(False, intermediate_relation, sql) }}
        {%- endcall %}
        {%- if existing_relation is not none -%}
            {{ adapter.rename_relation(existing_relation, backup_relation) }}
        {%- endif -%}
        {{ adapter.rename_relation(intermediate_relation, target_relation) }}
        {{ run_hooks(post_hooks, inside_transaction=True) }}
        {{ adapter.commit() }}
        {{ drop_relation_if_exists(backup_relation) }}
    {%- endif -%}

    {{ run_hooks(post_hooks, inside_transaction=False) }}
    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
