"""User management for administrators: list, create, change roles and teams, deactivate, reset passwords."""
