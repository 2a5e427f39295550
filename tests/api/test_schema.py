"""The OpenAPI schema builds without warnings and serves at /api/v1/schema/."""

from django.core.management import call_command


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/union-units/" in text
    assert "/api/v1/units/" in text
    assert "/api/v1/me/" in text


def test_schema_endpoint_and_health(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
