{{ config(materialized='workspace_table') }}

{#- Unlinked leads the creation rules say should become Pipedrive persons: status listed in
creation_rules.create_persons_for_statuses, an email, no link and no candidate person (a candidate, even an
ambiguous one, means the person may exist). Of leads sharing an email only the earliest qualifies.

The organization: an existing one with the company's name (the oldest if several), else a new one, created once
per company name by the first of its leads (by lead id, which is plan_key order); the others wait for it. -#}

with

leads as (

    select * from {{ ref('stg_coldcopy__leads') }}
    where {{ in_workspace_scope() }} and not is_deleted and email_normalised is not null

),

workspaces as (

    select * from {{ ref('stg_state__workspaces') }}
    where {{ in_workspace_scope() }}

),

creation_statuses as (

    select * from {{ ref('stg_state__creation_statuses') }}
    where {{ in_workspace_scope() }}

),

links as (

    select * from {{ ref('int_links') }}
    where {{ in_workspace_scope() }}

),

candidates as (

    select * from {{ ref('int_lead_person_candidates') }}
    where {{ in_workspace_scope() }}

),

organizations as (

    select * from {{ ref('stg_pipedrive__organizations') }}
    where {{ in_workspace_scope() }} and not is_deleted and organization_name_normalised is not null

),

qualifying as (

    select
        leads.*,
        workspaces.create_organizations,
        workspaces.create_deals,
        workspaces.deal_pipeline_id,
        workspaces.deal_stage_id,
        workspaces.deal_title_template,
        workspaces.external_id_field_key,
        nullif(lower(trim(leads.company_name)), '') as organization_key,
        row_number() over (
            partition by leads.workspace_id, leads.email_normalised order by leads.created_at, leads.coldcopy_lead_id
        ) as email_rank

    from leads
    inner join workspaces
        on workspaces.workspace_id = leads.workspace_id
    inner join creation_statuses
        on creation_statuses.workspace_id = leads.workspace_id
        and creation_statuses.lead_status = leads.lead_status
    where not exists (
            select 1 from links
            where links.workspace_id = leads.workspace_id and links.coldcopy_lead_id = leads.coldcopy_lead_id)
        and not exists (
            select 1 from candidates
            where candidates.workspace_id = leads.workspace_id
                and candidates.coldcopy_lead_id = leads.coldcopy_lead_id)

),

organizations_by_name as (

    select workspace_id, organization_name_normalised, min(pipedrive_organization_id) as pipedrive_organization_id
    from organizations
    group by workspace_id, organization_name_normalised

),

with_organization as (

    select
        qualifying.*,
        organizations_by_name.pipedrive_organization_id,
        min(qualifying.coldcopy_lead_id) over (
            partition by qualifying.workspace_id, qualifying.organization_key
        ) as organization_creator_lead_id

    from qualifying
    left join organizations_by_name
        on organizations_by_name.workspace_id = qualifying.workspace_id
        and organizations_by_name.organization_name_normalised = qualifying.organization_key
    where qualifying.email_rank = 1

),

final as (

    select
        workspace_id,
        coldcopy_lead_id,
        email_normalised as email,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        coalesce(nullif(trim(concat(coalesce(trim(first_name), ''), ' ', coalesce(trim(last_name), ''))), ''),
                 email_normalised) as person_name,
        nullif(trim(phone), '') as phone,
        nullif(trim(company_name), '') as company_name,
        lead_status,
        pipedrive_organization_id,
        create_organizations and organization_key is not null and pipedrive_organization_id is null
            and organization_creator_lead_id = coldcopy_lead_id as create_organization,
        case when create_organizations and organization_key is not null and pipedrive_organization_id is null
            then 'pipedrive:person:create:' || organization_creator_lead_id end as organization_plan_key,
        organization_key,
        create_deals as create_deal,
        case when create_deals then nullif(trim(
            replace(replace(replace(replace(deal_title_template,
                '{company}', coalesce(trim(company_name), '')),
                '{first_name}', coalesce(trim(first_name), '')),
                '{last_name}', coalesce(trim(last_name), '')),
                '{email}', email_normalised)), '') end as deal_title,
        case when create_deals then deal_pipeline_id end as deal_pipeline_id,
        case when create_deals then deal_stage_id end as deal_stage_id,
        external_id_field_key

    from with_organization

)

select * from final
