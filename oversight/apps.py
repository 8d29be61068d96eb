from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "风险监测"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import oversight.dashboards  # noqa: F401
        import oversight.permissions  # noqa: F401
