"""Workspaces are dynamic partitions: one per ColdCopy workspace in sync.yaml."""

import dagster as dg

workspaces = dg.DynamicPartitionsDefinition(name="workspaces")
