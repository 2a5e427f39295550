from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ansinh.core.models import Job
from ansinh.geo.models import AdminUnit
from ansinh.registry.models import Household, ImportBatch, Person

from .builders import make_xlsx, person_row
from .files import CORRECTED_PEOPLE, corrected_rows, rows_with_twenty_errors


def _upload(client, unit, content, name="ds.xlsx"):
    return client.post(
        reverse("registry:import_upload"),
        {"unit": unit.pk, "file": SimpleUploadedFile(name, content)},
    )


def test_upload_preview_commit_and_upload_again(
    hanoi, client_for, django_capture_on_commit_callbacks
):
    client = client_for(hanoi.officer_hoankiem)
    page = client.get(reverse("registry:import_upload")).content.decode()
    assert reverse("registry:import_template") in page

    content = make_xlsx(corrected_rows())
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, hanoi.hoankiem, content)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("registry:import_detail", kwargs={"pk": batch.pk})
    assert (batch.status, batch.rows_total, batch.job.status) == ("ready", 16, "succeeded")
    preview = client.get(response.url).content.decode()
    assert 'data-testid="people-new">16<' in preview
    assert 'data-testid="commit-button"' in preview
    assert "Tổ dân phố 5 — Phường Hoàn Kiếm" in preview
    assert Person.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:import_commit", kwargs={"pk": batch.pk}))

    batch.refresh_from_db()
    assert batch.status == "committed"
    assert Person.objects.count() == CORRECTED_PEOPLE
    assert 'data-testid="committed"' in client.get(response.url).content.decode()
    # An imported person has no status row: her page shows her active since registration,
    # and from which file she came.
    person = Person.objects.order_by("pk").first()
    detail = client.get(reverse("registry:person_detail", kwargs={"pk": person.pk}))
    history = detail.content.decode().split('data-testid="status-history"', 1)[1]
    assert "Đang quản lý" in history.split("</ul>", 1)[0]
    assert "từ khi đăng ký" in history.split("</ul>", 1)[0]
    assert "Nhập từ tệp ds.xlsx" in detail.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        again = _upload(client, hanoi.hoankiem, content)
    assert again.url == reverse("registry:import_detail", kwargs={"pk": batch.pk})
    assert ImportBatch.objects.count() == 1
    assert "không có gì để làm" in client.get(again.url).content.decode()


def test_the_preview_lists_every_error_and_offers_no_commit(
    hanoi, client_for, django_capture_on_commit_callbacks
):
    client = client_for(hanoi.officer_hoankiem)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, hanoi.hoankiem, make_xlsx(rows_with_twenty_errors()))

    batch = ImportBatch.objects.get()
    page = client.get(response.url).content.decode()
    assert batch.status == "invalid"
    assert batch.job.error_count == 20
    assert page.count('<tr><td class="num">') + page.count('<tr class="table-warning">') == 20
    assert "Ngày sinh “31/02/2012” không có thật" in page
    assert 'data-testid="commit-button"' not in page
    response = client.post(reverse("registry:import_commit", kwargs={"pk": batch.pk}))
    assert Person.objects.count() == 0
    assert not Job.objects.filter(kind="registry.import_commit").exists()


def test_a_split_commune_is_chosen_on_the_preview(
    hanoi, client_for, django_capture_on_commit_callbacks
):
    client = client_for(hanoi.officer_hoankiem)
    rows = [
        person_row(
            name="Dương Thị Kim", sex="Nữ", birth=1982, commune="Phường Hàng Trống, Quận Hoàn Kiếm"
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, hanoi.hoankiem, make_xlsx(rows))
    batch = ImportBatch.objects.get()
    hoankiem = AdminUnit.objects.get(era="post2025", level="commune", code="00070")
    page = client.get(response.url).content.decode()
    assert batch.status == "ready"
    assert f'<option value="{hoankiem.pk}">Phường Hoàn Kiếm</option>' in page

    refused = client.post(reverse("registry:import_commit", kwargs={"pk": batch.pk}))
    assert "Chưa chọn xã/phường cho dòng 4." in client.get(refused.url).content.decode()
    assert Person.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("registry:import_commit", kwargs={"pk": batch.pk}),
            {"choice_4": hoankiem.pk},
        )
    assert Household.objects.get().commune == hoankiem


def test_an_officer_cannot_import_into_another_commune(hanoi, client_for):
    client = client_for(hanoi.officer_hoankiem)

    response = _upload(client, hanoi.donganh, make_xlsx(corrected_rows()))

    assert response.status_code == 404
    assert ImportBatch.objects.count() == 0
    assert Job.objects.count() == 0


def test_batches_of_another_commune_answer_404(
    hanoi, client_for, django_capture_on_commit_callbacks
):
    rows = [person_row(name="Nguyễn Thị Cổ", sex="Nữ", birth=1980, commune="Xã Đông Anh")]
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client_for(hanoi.officer_donganh), hanoi.donganh, make_xlsx(rows))
    batch = ImportBatch.objects.get()
    intruder = client_for(hanoi.officer_hoankiem)

    assert (
        intruder.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).status_code == 404
    )
    commit = intruder.post(reverse("registry:import_commit", kwargs={"pk": batch.pk}))

    assert commit.status_code == 404
    batch.refresh_from_db()
    assert batch.status == "ready"
    assert Person.objects.count() == 0
    admin = client_for(hanoi.city_admin)
    assert admin.get(reverse("registry:import_detail", kwargs={"pk": batch.pk})).status_code == 200


def test_who_may_not_import_gets_404(hanoi, client_for):
    for user in (hanoi.aggregate_viewer, hanoi.inspector, hanoi.case_worker):
        client = client_for(user)
        assert client.get(reverse("registry:import_upload")).status_code == 404
        assert client.get(reverse("registry:import_template")).status_code == 404


def test_anonymous_is_sent_to_login(db, client):
    response = client.get(reverse("registry:import_upload"))
    assert response.status_code == 302
    assert "/login" in response.url or "dang-nhap" in response.url


def test_the_template_downloads(hanoi, client_for):
    response = client_for(hanoi.officer_hoankiem).get(reverse("registry:import_template"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mau-nhap-doi-tuong.xlsx"'
    assert response.content[:2] == b"PK"
