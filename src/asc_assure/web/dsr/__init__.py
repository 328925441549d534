"""Dynamic Support Register pages (team managers; counts for all staff)."""
