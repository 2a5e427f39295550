import pytest

from ansinh.reports import services
from ansinh.reports.catalogue import HALF_TEMPLATE
from ansinh.reports.models import ReportTemplate


@pytest.fixture
def half_template(db):
    """The plan's 6-month template (re-seeded: transactional tests flush migration data)."""
    services.catalogue_sync()
    return ReportTemplate.objects.get(code=HALF_TEMPLATE)


@pytest.fixture
def supervision(personas):
    """make(unit, day): one supervision (a computed SUPERVISIONS figure) in `unit`."""
    from ansinh.oversight.models import SupervisionActivity

    def make(unit, day):
        return SupervisionActivity.objects.create(
            kind=SupervisionActivity.Kind.SUPERVISION, topic="Giám sát", unit=unit, starts_on=day
        )

    return make
