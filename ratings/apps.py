from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "评价与信用"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from importlib.util import find_spec

        if find_spec("ratings.permissions"):
            import ratings.permissions  # noqa: F401
