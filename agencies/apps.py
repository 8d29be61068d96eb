from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "中介机构"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import agencies.dashboards  # noqa: F401  (registers dashboard panels)
        import agencies.permissions  # noqa: F401  (registers permission rules)
        from agencies import search

        search.register()
        from agencies.models import CreditEvent
        from marketplace import display

        display.register_labels("credit", CreditEvent.Code.choices)  # eval_unsat → 评价不满意 on every page
