"""Revision history in the catalogue admin: history lists, compare, revert, a programme's parts."""
