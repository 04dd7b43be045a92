"""The audit log's admin page and its upkeep (issue 11, R9): docs/audit.md."""
