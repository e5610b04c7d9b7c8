with

fields as (

    select * from {{ ref('stg_pipedrive__fields') }}

),

unnested as (

    select
        fields.workspace_id,
        fields.entity as pipedrive_entity,
        fields.field_key,
        -- Custom options have integer ids, built-in ones may have string ids: compare as text.
        {{ json_scalar_text("options.value -> 'id'") }} as option_id,
        options.value ->> 'label' as option_label,
        options.position as option_position

    from fields
    {{ json_array_elements('fields.options', 'options') }}

)

select * from unnested
