"""Improvement plan pages (workstreams, actions, success measures, Excel import and export)."""
