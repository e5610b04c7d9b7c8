with

source as (

    select * from {{ source('state', 'field_mappings') }}

),

renamed as (

    select
        workspace_id,
        mapping_id,
        position as mapping_position,
        coldcopy_field,
        coldcopy_column,
        coldcopy_custom_key,
        pipedrive_entity,
        pipedrive_field_key,
        pipedrive_field_code,
        pipedrive_field_name,
        field_type,
        is_custom_field,
        direction,
        rule as conflict_rule,
        rule_source,
        transform,
        transform_kind,
        transform_format,
        transform_calculation,
        transform_operand,
        transform_default,
        resolved_at

    from source

)

select * from renamed
