"""Dated editions of a bulletin, frozen from the catalogue (built by the publishing issue)."""
