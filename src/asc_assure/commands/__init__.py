"""Sub-command groups of the ``asc-assure`` CLI, one module per area (registered in ``asc_assure.cli``)."""
