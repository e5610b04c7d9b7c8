-- Fan-out guard: sync_status has exactly the leads of the workspaces in scope, each once.
with

leads as (

    select workspace_id, count(*) as leads
    from {{ ref('stg_coldcopy__leads') }}
    where {{ in_workspace_scope() }}
    group by workspace_id

),

statuses as (

    select workspace_id, count(*) as statuses
    from {{ ref('sync_status') }}
    where {{ in_workspace_scope() }}
    group by workspace_id

)

select leads.workspace_id, leads.leads, statuses.statuses
from leads
left join statuses
    on statuses.workspace_id = leads.workspace_id
where statuses.statuses is distinct from leads.leads
