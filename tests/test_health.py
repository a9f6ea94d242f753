"""`/healthz` tells a load balancer whether the process can reach its database."""

from __future__ import annotations

from app import create_app
from tests.conftest import app_config


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/nowhere?connect_timeout=1"
    app = create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
