from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("政策性產業目錄")
    default_auto_field = "django.db.models.BigAutoField"
