"""Endpoints: who may manage them, which URLs and kinds they take, what they are told."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.claims.errors import PermissionDenied, StateConflict, ValidationError
from app.models import EventKind
from app.webhooks.actions import deliver_again, send_test
from app.webhooks.endpoints import create_endpoint
from app.webhooks.settings import outbound_policy, secret_box
from tests.conftest import NOW
from tests.webhooks.conftest import deliveries, send_pass


def make(app, session, actor, **values):
    values.setdefault("url", "https://hooks.example/claimwatch")
    return create_endpoint(
        session, actor, NOW, values, secret_box(app.config), outbound_policy(app.config)
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(1)", "must be an http or https URL"),
        ("ftp://hooks.example/x", "must be an http or https URL"),
        ("https://", "must be an http or https URL with a host"),
        ("https://user:pw@hooks.example/", "user name or password"),
        ("http://127.0.0.1:9000/hook", "127.0.0.1 is a loopback address"),
        ("http://localhost/hook", "localhost name"),
        ("http://2130706433/hook", "means 127.0.0.1"),
        ("http://[::1]/hook", "loopback"),
        ("http://10.1.2.3/hook", "a private address"),
    ],
)
def test_urls_the_outgoing_rules_refuse_are_refused_when_saved(app, session, factory, url, message):
    admin = factory.user(role="admin")
    with pytest.raises(ValidationError) as refused:
        make(app, session, admin, url=url)
    assert message in " ".join(refused.value.errors["url"])


def test_a_host_name_is_not_looked_up_when_saved_and_private_urls_pass_when_allowed(
    app, make_app, session, factory
):
    admin = factory.user(role="admin")
    endpoint, _ = make(app, session, admin, url="https://no-such-host.invalid/hook")
    assert endpoint.url == "https://no-such-host.invalid/hook"
    open_app = make_app(ALLOW_PRIVATE_URLS="1")
    endpoint, _ = make(open_app, session, admin, url="http://127.0.0.1:9000/hook")
    assert endpoint.active


def test_event_kinds_are_checked_and_every_kind_of_the_enum_is_accepted(app, session, factory):
    admin = factory.user(role="admin")
    every = [kind.value for kind in EventKind]
    assert make(app, session, admin, events=every)[0].event_kinds == sorted(every)
    assert make(app, session, admin, events=["*"])[0].event_kinds is None
    assert make(app, session, admin)[0].event_kinds is None
    for events, message in [
        (["resolved", "teleported"], "'teleported': not an event kind"),
        ([], "name at least one event kind"),
        ("resolved", "must be a list"),
    ]:
        with pytest.raises(ValidationError) as refused:
            make(app, session, admin, events=events)
        assert message in refused.value.errors["events"][0]
    with pytest.raises(ValidationError) as refused:
        make(app, session, admin, format="teams", colour="red")
    assert set(refused.value.errors) == {"format", "colour"}


def test_only_admins_manage_webhooks(app, session, factory):
    admin = factory.user(role="admin")
    endpoint, _ = make(app, session, admin)
    for role in ("reviewer", "viewer"):
        someone = factory.user(role=role)
        with pytest.raises(PermissionDenied):
            make(app, session, someone)
        with pytest.raises(PermissionDenied):
            send_test(session, someone, NOW, endpoint.id)


def test_a_new_endpoint_is_told_about_events_from_its_creation_on(
    hooks_app, session, factory, receiver, add_endpoint
):
    factory.claim()
    session.commit()
    _, secret = add_endpoint(receiver.url("/late"))
    receiver.expect("/late", secret)
    later = factory.claim()
    session.commit()
    send_pass(hooks_app, NOW + timedelta(minutes=1))
    assert [r.payload["data"]["claim"]["id"] for r in receiver.at("/late")] == [later.id]


def test_deliver_again_is_for_finished_deliveries_only(hooks_app, session, factory, admin):
    endpoint, _ = make(hooks_app, session, admin, url="http://127.0.0.1:9/hook")
    delivery = send_test(session, admin, NOW, endpoint.id)
    with pytest.raises(StateConflict):
        deliver_again(session, admin, NOW, endpoint.id, delivery.id)
    assert [d.status for d in deliveries(session)] == ["pending"]
