from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("公告版本")
    default_auto_field = "django.db.models.BigAutoField"
