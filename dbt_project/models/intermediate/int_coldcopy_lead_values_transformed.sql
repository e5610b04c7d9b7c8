{#- The ColdCopy side of every mapped field: the lead's value (a column, or a key of its custom_fields), put
through the mapping's transform (format, lookup/conditional, calculation) into Pipedrive's terms, canonical. -#}

with

leads as (

    select * from {{ ref('stg_coldcopy__leads') }}

),

mappings as (

    select * from {{ ref('stg_state__field_mappings') }}

),

lookups as (

    select * from {{ ref('stg_state__field_mapping_lookups') }}

),

extracted as (

    select
        leads.workspace_id,
        leads.coldcopy_lead_id,
        mappings.mapping_id,
        mappings.pipedrive_entity,
        mappings.field_type,
        mappings.transform_kind,
        mappings.transform_format,
        mappings.transform_calculation,
        mappings.transform_operand,
        mappings.transform_default,
        case mappings.coldcopy_column
            when 'email' then leads.email
            when 'first_name' then leads.first_name
            when 'last_name' then leads.last_name
            when 'phone' then leads.phone
            when 'job_title' then leads.job_title
            when 'company_name' then leads.company_name
            when 'status' then leads.lead_status
            else leads.custom_fields ->> mappings.coldcopy_custom_key
        end as coldcopy_raw_value,
        leads.updated_at as coldcopy_updated_at,
        leads.extracted_at as coldcopy_extracted_at,
        leads.is_deleted

    from leads
    inner join mappings
        on mappings.workspace_id = leads.workspace_id

),

looked_up as (

    select
        extracted.*,
        lookups.to_value as lookup_value,
        lookups.from_value is not null as is_lookup_match

    from extracted
    left join lookups
        on extracted.transform_kind = 'lookup'
        and lookups.workspace_id = extracted.workspace_id
        and lookups.mapping_id = extracted.mapping_id
        and lookups.from_value = coalesce(trim(extracted.coldcopy_raw_value), '')

),

transformed as (

    select
        looked_up.*,
        case looked_up.transform_kind
            when 'format' then {{ apply_format('looked_up.transform_format', 'looked_up.coldcopy_raw_value') }}
            -- Unmatched values pass through unless the lookup has a default; an empty value stays empty.
            when 'lookup' then case
                when looked_up.is_lookup_match then looked_up.lookup_value
                when looked_up.coldcopy_raw_value is null then null
                else coalesce(looked_up.transform_default, looked_up.coldcopy_raw_value)
            end
            when 'calculation' then case looked_up.transform_calculation
                when 'multiply' then cast(cast({{ canonical_number('looked_up.coldcopy_raw_value') }}
                                               as double precision) * looked_up.transform_operand as varchar)
                when 'add' then cast(cast({{ canonical_number('looked_up.coldcopy_raw_value') }}
                                          as double precision) + looked_up.transform_operand as varchar)
                when 'round' then cast({{ round_to(
                    "cast(" ~ canonical_number('looked_up.coldcopy_raw_value') ~ " as double precision)",
                    'cast(looked_up.transform_operand as integer)') }} as varchar)
            end
            else looked_up.coldcopy_raw_value
        end as transformed_value

    from looked_up

),

final as (

    select
        workspace_id,
        coldcopy_lead_id,
        mapping_id,
        pipedrive_entity,
        field_type,
        coldcopy_raw_value,
        {{ canonical_value('field_type', 'transformed_value') }} as coldcopy_value,
        coldcopy_updated_at,
        coldcopy_extracted_at,
        is_deleted

    from transformed

)

select * from final
