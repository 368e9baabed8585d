"""The bulletin as a spreadsheet: export, and import with a preview (django-import-export)."""
