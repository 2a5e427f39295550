"""The batch deduplication as a background job (`registry.dedupe`) and the CLI's entry point.

The lead's `registry/jobs.py` imports this module so the handler registers at start-up.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ansinh.accounts.permissions import ALL, scope_paths
from ansinh.core.jobs import Progress, job_enqueue, job_handler
from ansinh.core.models import Job
from ansinh.core.scoping import OutOfScope
from ansinh.org.models import UnionUnit

from .dedupe import duplicate_candidates_store, find_duplicates

KIND = "registry.dedupe"


class UnknownUnit(LookupError):
    """The unit code names no current city/commune union."""


def union_unit_for_code(code: str) -> UnionUnit:
    """The current union unit of a province ("01") or commune ("00070") by its official code."""
    code = (code or "").strip()
    unit = (
        UnionUnit.objects.filter(
            code=code,
            kind__in=(UnionUnit.Kind.CITY, UnionUnit.Kind.COMMUNE),
            valid_to__isnull=True,
        )
        .order_by("kind")
        .first()
    )
    if unit is None:
        raise UnknownUnit(
            _(
                "Không tìm thấy đơn vị có mã “%(code)s”: nhập mã tỉnh/thành phố (ví dụ 01) hoặc "
                "mã xã/phường hiện hành (ví dụ 00070)."
            )
            % {"code": code}
        )
    return unit


def dedupe_run(*, scope_path: str | None = None, progress=None) -> dict:
    """Find the duplicate pairs in scope and queue them for review; returns the counts."""
    pairs = find_duplicates(scope_path=scope_path, progress=progress)
    stored = duplicate_candidates_store(pairs)
    return {"pairs": len(pairs), **stored, "pair_list": pairs}


@job_handler(KIND)
def dedupe_job(job: Job, progress: Progress) -> dict:
    result = dedupe_run(scope_path=job.params.get("scope_path") or None, progress=progress)
    result.pop("pair_list")
    return result


def dedupe_enqueue(*, user, unit: UnionUnit) -> Job:
    """Start a deduplication of `unit`'s subtree; the user must hold `registry.merge_person`
    over it (else 404)."""
    paths = scope_paths(user, "registry.merge_person")
    if paths is not ALL and not any(unit.path.startswith(path) for path in paths):
        raise OutOfScope("registry.merge_person not held over the unit")
    return job_enqueue(
        kind=KIND,
        title=_("Tìm hồ sơ trùng — %(unit)s") % {"unit": unit.name},
        user=user,
        scope_path=unit.path,
        params={"scope_path": unit.path},
    )
