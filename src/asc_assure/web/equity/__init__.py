"""Equity pages: any measure broken down by ethnicity, age, sex, support reason or area, with data completeness."""
