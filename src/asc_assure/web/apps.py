from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "asc_assure.web"
    label = "asc_web"
    verbose_name = "ASC Assure web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from asc_assure.web import signals  # noqa: F401  (connects the audit signal handlers)
        from asc_assure.web.permissions import ensure_roles

        post_migrate.connect(lambda **kwargs: ensure_roles(), sender=self, weak=False,
                             dispatch_uid="asc_assure_ensure_roles")
