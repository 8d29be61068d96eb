"""Registers delivery's permission rules, dashboard panels, sweep and event subscribers (from ProjectsConfig.ready)."""

from marketplace import audit

from . import admin, dashboards, permissions, sweep  # noqa: F401  (registration on import)


def _rating_recorded(entry) -> None:
    """Close the owner's rating deadline when the ratings app records a rating for the job's project."""
    from marketplace.workdays import today

    from .models import ServiceJob
    from .services import record_rated

    data = entry.data or {}
    job = None
    if data.get("job"):
        job = ServiceJob.objects.filter(pk=data["job"]).first()
    elif data.get("project"):
        job = ServiceJob.objects.filter(project_id=data["project"]).first()
    if job is not None and job.rated_on is None:
        record_rated(job=job, on=today())


audit.subscribe("ratings.rating_recorded", _rating_recorded)
