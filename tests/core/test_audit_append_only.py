import pytest
from django.db import DatabaseError, connection, transaction

from ansinh.core.audit import audit_record
from ansinh.core.models import AuditEvent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists on PostgreSQL only (migration core 0002)",
)


@pytest.fixture
def event(db):
    return audit_record(action="view", object_type="registry.person", object_repr="Nguyễn Thị Hoà")


def test_update_is_refused(event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["Khác", event.pk]
        )
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "Nguyễn Thị Hoà"


def test_delete_is_refused(event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).count() == 1


def test_orm_update_is_refused_too(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    assert AuditEvent.objects.get(pk=event.pk).action == "view"
