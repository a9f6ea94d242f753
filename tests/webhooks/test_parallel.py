"""A pass over an app with a database of its own: on PostgreSQL endpoints are sent to in
parallel, each worker recording on its own connection; the outcomes are the same."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import create_app
from app.models import WebhookDelivery, WebhookEndpoint
from app.unit_of_work import get_db, get_session
from app.webhook_job import run_webhook_pass
from tests.conftest import app_config
from tests.databases import backends, fresh_database
from tests.webhooks.processes import seed


@pytest.mark.parametrize("backend", backends())
def test_a_pass_with_workers_delivers_retries_and_switches_off_per_endpoint(
    backend, tmp_path, receiver
):
    paths = ["/fine", "/broken", "/gone", "/slow"]
    with fresh_database(backend, tmp_path) as url:
        secrets = seed(url, tmp_path, [receiver.url(p) for p in paths], claims=6)
        scripts = {"/broken": {"statuses": [500]}, "/gone": {"statuses": [410]}}
        scripts["/slow"] = {"delays": [0.3]}
        for path, secret in zip(paths, secrets, strict=True):
            receiver.expect(path, secret, **scripts.get(path, {}))
        app = create_app(
            app_config(url, INSTANCE_PATH=str(tmp_path), ALLOW_PRIVATE_URLS="1", WEBHOOK_WORKERS=4)
        )
        summary = run_webhook_pass(app, datetime.now(UTC))
        with app.app_context():
            session = get_session()
            states: dict[str, list[str]] = {}
            for delivery in session.query(WebhookDelivery).order_by(WebhookDelivery.id):
                states.setdefault(delivery.endpoint.url.rsplit("/", 1)[1], []).append(
                    delivery.status
                )
            gone = session.query(WebhookEndpoint).filter_by(active=False).one()
        get_db(app).engine.dispose()

    assert receiver.refused == []
    assert states == {
        "fine": ["delivered"] * 6,
        "slow": ["delivered"] * 6,
        "broken": ["pending"] * 6,
        "gone": ["failed"] + ["paused"] * 5,
    }
    assert gone.url.endswith("/gone") and summary.switched_off == [gone.id]
    assert (summary.delivered, summary.retried, summary.failed) == (12, 6, 1)
    assert len(receiver.at("/broken")) == 6 and len(receiver.at("/gone")) == 1
