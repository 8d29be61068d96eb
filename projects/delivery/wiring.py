"""Registers delivery's permission rules, dashboard panels and event subscribers (from ProjectsConfig.ready)."""

from marketplace import audit

from . import admin, dashboards, permissions  # noqa: F401  (registration on import)


def _rating_recorded(entry) -> None:
    """Close the owner's rating deadline when the ratings app records a rating for the job's project."""
    from marketplace.workdays import today

    from .models import ServiceJob
    from .services import record_rated

    job = ServiceJob.objects.filter(project_id=entry.data["project"]).first()
    if job is not None and job.rated_on is None:
        record_rated(job=job, on=today())


audit.subscribe("ratings.rating_recorded", _rating_recorded)
