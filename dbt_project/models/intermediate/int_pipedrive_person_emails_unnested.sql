{{ config(materialized='workspace_table') }}

with

persons as (

    select * from {{ ref('stg_pipedrive__persons') }}
    where {{ in_workspace_scope() }} and not is_deleted

),

elements as (

    {{ json_array_object_rows('persons', 'emails', ['value', 'primary'], ['workspace_id', 'pipedrive_person_id']) }}

),

unnested as (

    select
        workspace_id,
        pipedrive_person_id,
        nullif(lower(trim("value")), '') as email_normalised,
        "primary" = 'true' as is_primary,
        position

    from elements

),

deduplicated as (

    -- A person may list one address twice (once primary): one row per address, primary if either was.
    select
        workspace_id,
        pipedrive_person_id,
        email_normalised,
        bool_or(is_primary) as is_primary,
        min(position) as email_position

    from unnested
    where email_normalised is not null
    group by workspace_id, pipedrive_person_id, email_normalised

)

select * from deduplicated
