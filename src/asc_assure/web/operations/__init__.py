"""Operational tools for team managers: the DoLS queue and screening, and safeguarding work queues."""
