from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "中介机构"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from importlib.util import find_spec

        if find_spec("agencies.permissions"):
            import agencies.permissions  # noqa: F401
