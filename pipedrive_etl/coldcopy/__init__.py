"""ColdCopy's database: the tables we write (lead updates and the campaign-action outbox)."""
