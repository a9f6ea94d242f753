"""Sources with their track record, and the desk-wide figures."""

from __future__ import annotations

from flask import Response, current_app, jsonify
from sqlalchemy import select

from app.api import bp
from app.api.auth import authenticate
from app.api.openapi import Reply, operation
from app.api.schemas.sources import Source as SourceSchema
from app.api.schemas.sources import SourceList, Stats
from app.claims import NotFound
from app.claims.stats import claim_stats
from app.claims.track_record import TrackRecord, track_records
from app.clock import utcnow
from app.db import autocommit_session, get_session
from app.models import Source


def _source_json(source: Source, record: TrackRecord) -> dict:
    return {
        "id": source.id,
        "name": source.name,
        "url": source.url,
        "track_record": record.as_dict(),
    }


@operation(
    bp,
    "GET",
    "/sources",
    "listSources",
    "Every source, by name, with its track record",
    "sources",
    {200: Reply("The sources", SourceList)},
)
def list_sources_view() -> Response:
    autocommit_session()
    now = utcnow()
    authenticate(now)
    session = get_session()
    sources = session.scalars(select(Source).order_by(Source.name_key)).all()
    grace = current_app.config["OVERDUE_GRACE"]
    records = track_records(session, now, [s.id for s in sources], grace)
    return jsonify(items=[_source_json(s, records[s.id]) for s in sources])


@operation(
    bp,
    "GET",
    "/sources/<id:source_id>",
    "getSource",
    "A source with its track record",
    "sources",
    {200: Reply("The source", SourceSchema)},
)
def get_source_view(source_id: int) -> Response:
    autocommit_session()
    now = utcnow()
    authenticate(now)
    session = get_session()
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(f"there is no source {source_id}")
    grace = current_app.config["OVERDUE_GRACE"]
    record = track_records(session, now, [source_id], grace)[source_id]
    return jsonify(_source_json(source, record))


@operation(
    bp,
    "GET",
    "/stats",
    "getStats",
    "Claims by status, and the overdue ones by how long they have been overdue",
    "sources",
    {200: Reply("The figures", Stats)},
)
def stats_view() -> Response:
    autocommit_session()
    now = utcnow()
    authenticate(now)
    return jsonify(claim_stats(get_session(), now).as_dict())
