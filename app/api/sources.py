"""Sources with their track record, and the desk-wide figures."""

from __future__ import annotations

from flask import Response
from sqlalchemy import select

from app.api import bp
from app.api.auth import authenticate
from app.api.openapi import Reply, operation
from app.api.schemas.sources import Source as SourceSchema
from app.api.schemas.sources import SourceList, Stats
from app.api.shapes import json_response, source
from app.claims import NotFound
from app.claims.stats import claim_stats
from app.claims.track_record import track_records
from app.clock import utcnow
from app.models import Source
from app.unit_of_work import get_session


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
    now = utcnow()
    authenticate(now)
    session = get_session()
    sources = session.scalars(select(Source).order_by(Source.name_key)).all()
    records = track_records(session, now, [s.id for s in sources])
    items = [source(s.id, s.name, s.url, records[s.id]) for s in sources]
    return json_response({"items": items})


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
    now = utcnow()
    authenticate(now)
    session = get_session()
    found = session.get(Source, source_id)
    if found is None:
        raise NotFound(f"there is no source {source_id}")
    record = track_records(session, now, [source_id])[source_id]
    return json_response(source(found.id, found.name, found.url, record))


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
    now = utcnow()
    authenticate(now)
    return json_response(claim_stats(get_session(), now).as_dict())
