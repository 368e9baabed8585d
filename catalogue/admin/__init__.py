"""The catalogue in the admin, in Traditional Chinese, every save kept as one revision.

Editors (編輯) change the bulletin here; approvers (核定) read it. Each save writes exactly
one revision per changed object, naming the editor and the change reason (變更說明) typed on
the form; unchanged objects and inline rows write none. Users and groups: accounts.admin.

forms (fields, widgets, the versioned form), search (the search boxes, through the public
look-up's normaliser), base (what every catalogue admin shares), then one module per group of
admins: bulletins (agencies, bulletins), programmes (programmes, scopes and their inlines),
parts (targets, strategies, sections). Importing them registers them.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import bulletins, parts, programmes

__all__ = ["bulletins", "parts", "programmes"]

admin.site.site_header = _("政策性產業彙整表管理系統")
admin.site.site_title = _("政策性產業彙整表")
admin.site.index_title = _("後台管理")
