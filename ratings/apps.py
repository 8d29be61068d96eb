from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "评价与信用"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import ratings.dashboards  # noqa: F401
        import ratings.permissions  # noqa: F401
        from marketplace import audit
        from ratings import reviews, services

        # A pending rating opens when the owner accepts the deliverable; the score follows every ledger line.
        audit.subscribe("projects.deliverable_accepted", services.on_deliverable_accepted)
        # ... and so does the approving department's report review (ratings/reviews.py).
        audit.subscribe("projects.deliverable_accepted", reviews.on_deliverable_accepted)
        audit.subscribe("agencies.credit_event_recorded", services.on_credit_event_recorded)
        audit.subscribe("agencies.credit_event_corrected", services.on_credit_event_recorded)
