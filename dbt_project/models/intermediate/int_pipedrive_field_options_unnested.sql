with

fields as (

    select * from {{ ref('stg_pipedrive__fields') }}

),

elements as (

    -- Custom options have integer ids, built-in ones may have string ids: both read as text.
    {{ json_array_object_rows('fields', 'options', ['id', 'label'], ['workspace_id', 'entity', 'field_key']) }}

),

unnested as (

    select
        workspace_id,
        entity as pipedrive_entity,
        field_key,
        "id" as option_id,
        "label" as option_label,
        position as option_position

    from elements

)

select * from unnested
