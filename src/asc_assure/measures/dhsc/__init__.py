"""Measures computed with DHSC's published methods (their CLD dashboard code), run on the council's own data."""
