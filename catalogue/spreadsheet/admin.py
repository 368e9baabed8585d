"""Admin integration of the spreadsheet round trip: the Import and Export buttons."""


class SpreadsheetAdminMixin:
    """Adds the Import and Export buttons to the programme list."""
