from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the site: health check, audit log lines, security headers, error pages."""

    name = "operations"
    verbose_name = _("系統運作")

    def ready(self) -> None:
        from . import audit

        audit.connect_signals()
