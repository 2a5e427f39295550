"""Background job kinds of the geo app (registered at start-up by core's autodiscovery)."""

from ansinh.core.jobs import Progress, job_handler

from .services import units_load


@job_handler("geo.load_units")
def load_units(job, progress: Progress) -> dict:
    """Load one province's administrative units; `params = {"province_code": "01"}`."""
    return units_load(
        province_code=job.params.get("province_code", ""),
        progress=progress,
        actor=job.created_by,
    )
