from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "项目与选取"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import projects.dashboards  # noqa: F401  (registers dashboard panels)
        import projects.delivery.wiring  # noqa: F401  (delivery: rules, panels, subscribers)
        import projects.permissions  # noqa: F401  (registers permission rules)
        import projects.talk_dashboards  # noqa: F401  (pending questions, unread job messages)
        import projects.talk_permissions  # noqa: F401  (clarifications, attachments, job threads)
        from projects import search

        search.register()
