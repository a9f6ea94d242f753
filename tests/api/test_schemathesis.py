"""Property-based conformance: every operation, driven from the OpenAPI document itself.

Runs in-process (WSGI) with a write token, through the examples, coverage and fuzzing phases
and a stateful run that follows the document's links. It asserts what the document promises:
no 5xx, and every status, header and body as documented. It is bounded to stay quick.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from app.accounts.tokens import create_token
from app.accounts.users import create_user
from app.unit_of_work import get_session
from tests.conftest import NOW, app_config
from tests.databases import backends, fresh_database

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
QUICK = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def conformance_app(tmp_path):
    """An app on its own database, on one backend only (PostgreSQL when there is one).

    Generating the coverage phase's cases costs most of this test's time and does not depend
    on the database, so the per-operation run is not repeated per backend; the stateful run
    below runs on every backend.
    """
    with fresh_database(backends()[-1], tmp_path) as url:
        yield create_app(app_config(url, INSTANCE_PATH=str(tmp_path)))


@pytest.fixture
def conformance_token(conformance_app):
    with conformance_app.app_context():
        session = get_session()
        # An admin, so that the admins' operations (webhooks) are run too, not only refused.
        user = create_user(session, NOW, "conformance@newsroom.example", "admin", "Conf")
        _, secret = create_token(session, user, NOW, "schemathesis", "write")
        session.commit()
    return secret


@pytest.fixture
def api_schema(conformance_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", conformance_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@QUICK
def test_every_operation_conforms_to_the_document(case, conformance_token):
    response = case.call(headers={"Authorization": f"Bearer {conformance_token}"})
    case.validate_response(response, checks=CHECKS)


def test_linked_workflows_conform_to_the_document(app, write_token):
    base = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).as_state_machine()

    class Workflow(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {write_token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Workflow.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
