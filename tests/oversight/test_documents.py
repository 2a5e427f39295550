"""Supervision documents are downloaded only through the scoped view (never the media URL)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ansinh.core.models import AuditEvent
from ansinh.oversight import services
from ansinh.oversight.models import SupervisionActivity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _document(personas):
    activity = SupervisionActivity.objects.create(
        kind="supervision", topic="T", unit=personas.hoankiem, starts_on=timezone.localdate()
    )
    upload = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 bien ban", "application/pdf")
    return services.activity_add_document(
        user=personas.officer_hoankiem, activity=activity, file=upload, title="Biên bản"
    )


def test_document_download_in_scope_is_audited(personas, client_for):
    document = _document(personas)
    url = reverse("oversight:document_download", args=[document.pk])
    response = client_for(personas.officer_hoankiem).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 bien ban"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW,
        object_type="oversight.supervisiondocument",
        object_id=str(document.pk),
    )
    assert events.count() == 1
    assert events.get().actor == personas.officer_hoankiem


def test_document_download_out_of_scope_is_404_and_not_audited(personas, client_for):
    document = _document(personas)
    url = reverse("oversight:document_download", args=[document.pk])
    before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count()
    assert client_for(personas.officer_donganh).get(url).status_code == 404
    assert client_for(personas.aggregate_viewer).get(url).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() == before
    assert reverse("oversight:document_download", args=[document.pk]).startswith("/giam-sat/")


def test_activity_page_links_to_the_scoped_view_not_media(personas, client_for):
    document = _document(personas)
    page = client_for(personas.officer_hoankiem).get(
        reverse("oversight:activity_detail", args=[document.activity_id])
    )
    body = page.content.decode()
    assert reverse("oversight:document_download", args=[document.pk]) in body
    assert "/media/" not in body


def test_anonymous_download_goes_to_login(personas, client):
    document = _document(personas)
    response = client.get(reverse("oversight:document_download", args=[document.pk]))
    assert response.status_code == 302 and "dang-nhap" in response.url
