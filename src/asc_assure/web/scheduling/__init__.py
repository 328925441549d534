"""Web page for team managers to plan assessment appointments for their teams (``/operations/schedule/``)."""
