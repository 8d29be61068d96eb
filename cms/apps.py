from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "公告与内容"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from importlib.util import find_spec

        if find_spec("cms.permissions"):
            import cms.permissions  # noqa: F401
        from cms import events, signals

        events.register()
        signals.connect()
