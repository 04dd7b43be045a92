"""Read-only overviews with charts: one partnership, and the programme across seminars."""
