from django.urls import reverse

from ansinh.core.jobs import JOB_HANDLERS, job_enqueue, job_run
from ansinh.core.models import Job
from ansinh.geo.models import AdminUnit, AdminUnitSuccession


def test_the_job_kind_is_registered():
    assert JOB_HANDLERS["geo.load_units"].__module__ == "ansinh.geo.jobs"


def test_the_job_loads_the_province_and_records_progress(personas):
    job = job_enqueue(
        kind="geo.load_units",
        title="Nạp đơn vị hành chính",
        user=personas.city_admin,
        params={"province_code": "01"},
    )

    finished = job_run(job.pk)

    assert finished.status == Job.Status.SUCCEEDED
    assert (finished.done, finished.total) == (1479, 1479)
    assert finished.result["communes"] == 126
    assert finished.result["old_communes"] == 526
    assert AdminUnit.objects.filter(era="pre2025", level="commune").count() == 526
    assert AdminUnitSuccession.objects.count() == 795


def test_a_job_with_an_unknown_province_fails_and_writes_nothing(personas):
    before = AdminUnit.objects.count()
    job = job_enqueue(
        kind="geo.load_units",
        title="Nạp đơn vị hành chính",
        user=personas.city_admin,
        params={"province_code": "99"},
    )

    finished = job_run(job.pk)

    assert finished.status == Job.Status.FAILED
    assert "Không có tỉnh/thành phố mã “99”" in finished.message
    assert AdminUnit.objects.count() == before
    assert AdminUnitSuccession.objects.count() == 0


def test_admin_queues_a_load_from_the_list_page(
    personas, client_for, django_capture_on_commit_callbacks
):
    client = client_for(personas.city_admin)
    assert "Nạp đơn vị hành chính" in client.get(reverse("geo:unit_list")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("geo:unit_load"), {"province_code": "01"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("core:job_detail", kwargs={"pk": job.pk})
    assert (job.kind, job.params, job.created_by) == (
        "geo.load_units",
        {"province_code": "01"},
        personas.city_admin,
    )
    assert job.title == "Nạp đơn vị hành chính: 01 – Thành phố Hà Nội"
    # The test settings run tasks immediately once the request's transaction commits.
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert AdminUnit.objects.filter(era="post2025", level="commune").count() == 126


def test_the_load_form_refuses_an_unknown_province(personas, client_for):
    response = client_for(personas.city_admin).post(
        reverse("geo:unit_load"), {"province_code": "99"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["province_code"]
    assert Job.objects.count() == 0


def test_only_system_admins_may_load(personas, client_for):
    client = client_for(personas.officer_hoankiem)

    assert client.get(reverse("geo:unit_load")).status_code == 403
    assert client.post(reverse("geo:unit_load"), {"province_code": "01"}).status_code == 403
    assert Job.objects.count() == 0
    assert "Nạp đơn vị hành chính" not in client.get(reverse("geo:unit_list")).content.decode()
