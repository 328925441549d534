"""Web pages for referral prioritisation, supervisor verification and waiting-well check-ins."""
