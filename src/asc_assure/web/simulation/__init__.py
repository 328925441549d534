"""Demand and capacity: run a waiting-list scenario and see the projection with its band."""
