"""Backups: the JSON export and import of one seminar or everything, database copies and the
restore drill (docs/backup.md)."""
