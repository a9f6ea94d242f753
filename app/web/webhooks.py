"""Webhook endpoints and their delivery logs, for admins."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from app.claims.checks import check_id
from app.claims.errors import FieldErrors, StateConflict, ValidationError
from app.clock import utcnow
from app.models import WebhookDelivery
from app.unit_of_work import get_session
from app.web.auth import actor, admin_required
from app.web.blueprints import web_blueprint
from app.web.forms.claims import EmptyForm
from app.web.forms.webhooks import EndpointForm
from app.web.formtools import show_errors
from app.webhooks import actions, endpoints, log
from app.webhooks.settings import outbound_policy, secret_box

bp = web_blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
Result = str | Response | tuple[str, int]
# The session key naming the endpoint whose secret the next page shows, once.
REVEAL = "webhook_secret_for"
PAGE = 50


def render_index(status: int = 200, form: EndpointForm | None = None) -> tuple[str, int]:
    return (
        render_template(
            "admin/webhooks.html",
            endpoints=log.list_endpoints(get_session()),
            form=form or EndpointForm(formdata=None),
        ),
        status,
    )


@bp.get("")
@admin_required
def index() -> tuple[str, int]:
    """Every endpoint, and a form to add one."""
    return render_index()


@bp.post("")
@admin_required
def create() -> Result:
    """Add an endpoint; its page then shows the secret, once."""
    form = EndpointForm()
    config = current_app.config
    try:
        endpoint, _ = endpoints.create_endpoint(
            get_session(),
            actor(),
            utcnow(),
            form.values(with_active=False),
            secret_box(config),
            outbound_policy(config),
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return render_index(422, form)
    # Redirected, so a reload does not add it twice; the secret stays encrypted in the
    # database and this browser's next page opens it, that once.
    session[REVEAL] = endpoint.id
    flash("Webhook added. Copy its secret now: it is shown only once.", "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint.id))


def render_show(
    endpoint_id: int, status: int = 200, form: EndpointForm | None = None, problem: str = ""
) -> tuple[str, int]:
    db = get_session()
    endpoint = endpoints.get_endpoint(db, endpoint_id)
    secret = None
    if session.get(REVEAL) == endpoint_id:
        session.pop(REVEAL)
        secret = secret_box(current_app.config).open(
            endpoint.secret_key_id, endpoint.secret_ciphertext
        )
    # A `before` that is no id is a stale or edited link: the log's first page.
    before = check_id(FieldErrors(), "before", request.args.get("before"))
    deliveries, older = log.deliveries_of(db, endpoint_id, limit=PAGE, before=before)
    if form is None:
        form = EndpointForm(
            formdata=None,
            url=endpoint.url,
            format=endpoint.format,
            all_events=endpoint.event_kinds is None,
            events=endpoint.event_kinds or [],
            active=endpoint.active,
        )
    page = render_template(
        "admin/webhook.html",
        endpoint=log.endpoint_view(db, endpoint_id),
        form=form,
        button=EmptyForm(formdata=None),
        secret=secret,
        deliveries=deliveries,
        older=older,
        refusal=problem,
    )
    return page, status


@bp.get("/<id:endpoint_id>")
@admin_required
def show(endpoint_id: int) -> tuple[str, int]:
    """The endpoint's settings and its delivery log, newest first."""
    return render_show(endpoint_id)


@bp.post("/<id:endpoint_id>")
@admin_required
def update(endpoint_id: int) -> Result:
    """Change URL, format, event kinds or the active flag."""
    form = EndpointForm()
    policy = outbound_policy(current_app.config)
    try:
        endpoints.update_endpoint(
            get_session(), actor(), utcnow(), endpoint_id, form.values(with_active=True), policy
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return render_show(endpoint_id, 422, form)
    flash("Webhook saved.", "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))


@bp.post("/<id:endpoint_id>/delete")
@admin_required
def delete(endpoint_id: int) -> Response:
    """Remove the endpoint with its delivery log."""
    endpoints.delete_endpoint(get_session(), actor(), endpoint_id)
    flash("Webhook removed.", "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/<id:endpoint_id>/test")
@admin_required
def send_test(endpoint_id: int) -> Result:
    """Queue a test delivery; the scheduler sends it within a minute."""
    try:
        actions.send_test(get_session(), actor(), utcnow(), endpoint_id)
    except StateConflict as exc:
        return render_show(endpoint_id, 409, problem=exc.detail)
    flash("Test queued: it goes out with the next pass (within a minute).", "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))


@bp.post("/<id:endpoint_id>/secret")
@admin_required
def new_secret(endpoint_id: int) -> Response:
    """Give the endpoint a new secret (shown once); the old one stops signing at once."""
    endpoints.rotate_secret(
        get_session(), actor(), utcnow(), endpoint_id, secret_box(current_app.config)
    )
    session[REVEAL] = endpoint_id
    flash("New secret made. Copy it now: it is shown only once.", "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))


@bp.post("/deliveries/<id:delivery_id>/again")
@admin_required
def deliver_again(delivery_id: int) -> Result:
    """Queue a delivered or failed delivery again (same webhook-id)."""
    delivery = get_session().get(WebhookDelivery, delivery_id)
    if delivery is None:
        abort(404)
    endpoint_id = delivery.endpoint_id
    try:
        actions.deliver_again(get_session(), actor(), utcnow(), endpoint_id, delivery_id)
    except StateConflict as exc:
        return render_show(endpoint_id, 409, problem=exc.detail)
    flash("Queued again: it goes out with the next pass (within a minute).", "success")
    return redirect(url_for("webhooks.show", endpoint_id=endpoint_id))
