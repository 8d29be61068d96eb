from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "项目与选取"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from importlib.util import find_spec

        if find_spec("projects.permissions"):
            import projects.permissions  # noqa: F401
        import projects.dashboards  # noqa: F401
        import projects.delivery.wiring  # noqa: F401  (delivery: rules, panels, sweep, subscribers)
        import projects.sweeps  # noqa: F401  (window closing, confirmations, publicity in sweep_deadlines)
