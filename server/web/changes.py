"""The dataset's history over HTTP: the Atom change feed, its JSON twin, per-version dumps and
the description of each version (https://www.rfc-editor.org/rfc/rfc4287)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request

from server.config import DATASET_IRI
from server.services import change_feed
from server.web.context import current_published, current_settings, whole_number
from server.web.negotiation import GRAPH_FORMATS, negotiate
from server.web.page_cache import per_version
from server.web.page_response import finish, rdf_response, vary_on

bp = Blueprint("changes", __name__)


def _since() -> int:
    """The ``since`` parameter: only versions after this number (0: all)."""
    value = whole_number(request.args.get("since", "0"))
    if value is None:
        abort(400, description="since must be a version number (a non-negative integer)")
    return value


@per_version
def _atom_document(since: int) -> bytes:
    """The Atom feed after version ``since``, computed once per graph version."""
    return change_feed.atom_feed(current_published(), current_settings().public_url, since)


@per_version
def _json_document(since: int) -> bytes:
    """The JSON feed after version ``since``, computed once per graph version."""
    public_url = current_settings().public_url
    versions = change_feed.feed_entries(current_published(), public_url, since)
    return current_app.json.dumps({"dataset": DATASET_IRI,
                                   "feed": public_url + change_feed.FEED_PATH,
                                   "versions": versions}).encode("utf-8")


@bp.route("/changes.atom")
def atom() -> Response:
    """The change feed: one Atom entry per version with the entities added, changed, removed."""
    return finish(Response(_atom_document(_since()),
                           content_type=change_feed.ATOM_MEDIA_TYPE + "; charset=utf-8"))


@bp.route("/changes.json")
def json_feed() -> Response:
    """The change feed as JSON (``?since=N`` for the versions after N), newest first."""
    return finish(Response(_json_document(_since()), content_type="application/json"))


@bp.route("/dumps/versions/<name>")
def version_dump(name: str) -> Response:
    """One version's dump (sorted N-Triples, gzip) as ``cnc-kg build`` recorded it."""
    path = current_published().version_dump(name)
    if path is None:
        abort(404)
    response = Response(path.read_bytes(), content_type="application/gzip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return finish(response)


@bp.route("/dataset/v<number>")
def version(number: str) -> Response:
    """The DCAT description of one version: its date, predecessor and dump."""
    number_value = whole_number(number)
    graph = None if number_value is None else change_feed.version_description(
        current_published(), current_settings().public_url, number_value)
    if graph is None:
        abort(404)
    choice = negotiate(GRAPH_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    response = rdf_response(graph, choice.format, choice.media_type)
    vary_on(response, "Accept")
    return response
