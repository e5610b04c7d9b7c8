"""pipedrive-etl: keeps ColdCopy workspaces and their Pipedrive companies in step."""
