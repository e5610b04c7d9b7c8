-- Fan-out and coverage guard: every deal with an add_time has at least one stay, and no stay belongs to a deal
-- that is not there.
with

deals as (

    select workspace_id, pipedrive_deal_id
    from {{ ref('stg_pipedrive__deals') }}
    where {{ in_workspace_scope() }} and created_at is not null

),

histories as (

    select distinct workspace_id, pipedrive_deal_id
    from {{ ref('deal_stage_history') }}
    where {{ in_workspace_scope() }}

)

select
    coalesce(deals.workspace_id, histories.workspace_id) as workspace_id,
    coalesce(deals.pipedrive_deal_id, histories.pipedrive_deal_id) as pipedrive_deal_id
from deals
full outer join histories
    on histories.workspace_id = deals.workspace_id
    and histories.pipedrive_deal_id = deals.pipedrive_deal_id
where deals.pipedrive_deal_id is null or histories.pipedrive_deal_id is null
