from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("核定與公告")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: these read the models, which are not loaded before ready().
        from operations import health

        from . import checks, listeners, tasks, triggers  # noqa: F401 (checks: publishing.E001)

        listeners.connect()
        health.report_work(tasks.health_report)
        post_migrate.connect(
            triggers.install_after_migrate,
            sender=self,
            dispatch_uid="publishing.triggers.install_after_migrate",
        )
