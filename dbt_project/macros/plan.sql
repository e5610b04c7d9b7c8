{#- The columns of marts.writeback_plan, in order, with their types: every branch of its union selects them all
(`plan_select`), a typed NULL where the branch has no value. The yml documents each. -#}

{% macro writeback_plan_columns() %}
    {{ return([
        ('workspace_id', 'varchar'), ('plan_key', 'varchar'), ('target_system', 'varchar'), ('entity', 'varchar'),
        ('operation', 'varchar'), ('priority', 'integer'), ('coldcopy_lead_id', 'varchar'), ('pipedrive_id', 'bigint'),
        ('source_id', 'varchar'), ('changes', json_type()), ('change_count', 'integer'), ('token_cost', 'integer'),
        ('last_writeback_status', 'varchar'), ('pipedrive_person_id', 'bigint'),
        ('pipedrive_organization_id', 'bigint'), ('pipedrive_deal_id', 'bigint'), ('link_source', 'varchar'),
        ('email', 'varchar'), ('first_name', 'varchar'), ('last_name', 'varchar'), ('person_name', 'varchar'),
        ('phone', 'varchar'), ('company_name', 'varchar'), ('create_organization', 'boolean'),
        ('organization_key', 'varchar'), ('organization_plan_key', 'varchar'), ('create_deal', 'boolean'),
        ('deal_title', 'varchar'), ('deal_pipeline_id', 'bigint'), ('deal_stage_id', 'bigint'),
        ('external_id_field_key', 'varchar'), ('activity_subject', 'varchar'), ('activity_type', 'varchar'),
        ('due_at', 'timestamp with time zone'), ('due_date', 'varchar'), ('due_time', 'varchar'),
        ('email_event_type', 'varchar'), ('campaign_action', 'varchar'), ('stage_id', 'bigint'),
        ('stage_change_key', 'varchar'), ('stage_entered_at', 'timestamp with time zone'),
        ('source_kind', 'varchar'), ('activity_note', 'varchar'), ('activity_duration_seconds', 'integer'),
        ('activity_done', 'boolean'), ('timeline_entry_type', 'varchar'), ('content_hash', 'varchar'),
        ('pipedrive_updated_at', 'timestamp with time zone'),
    ]) }}
{% endmacro %}

{% macro plan_select(values) -%}
    {%- for name, type in writeback_plan_columns() -%}
        cast({{ values.get(name, 'null') }} as {{ type }}) as {{ name }}{{ ",\n        " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- One element of a plan row's `changes` array. -#}
{% macro plan_change(field, target_key, field_type, value, previous, baseline, coldcopy_lead_id) -%}
    {{ json_object(["'field'", field, "'target_key'", target_key, "'field_type'", field_type, "'value'", value,
                    "'previous'", previous, "'baseline'", baseline, "'coldcopy_lead_id'", coldcopy_lead_id]) }}
{%- endmacro %}
