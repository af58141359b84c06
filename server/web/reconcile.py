"""The reconciliation service over HTTP, for OpenRefine and any client of the W3C Reconciliation
Service API 0.2 (https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/).

``/reconcile``: the manifest (GET without parameters), query batches (``queries=``) and data
extension (``extend=``), by GET or form POST; beside it the suggest services, the property
proposals and the preview card. CORS is open, as on every route (``app._cors``).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, jsonify, request

from server.services.reconciliation import Reconciler, ReconciliationError
from server.web.context import (
    current_settings,
    current_store,
    index,
    page_language,
    plain_error,
    whole_number,
)
from server.web.page_response import (
    compress,
    html_only,
    page_response,
    render_body,
    vary_on,
)

bp = Blueprint("reconcile", __name__)

FORM = "application/x-www-form-urlencoded"


def _reconciler() -> Reconciler:
    return Reconciler(current_store(), index(), page_language())


def _json(payload: object) -> Response:
    response = jsonify(payload)
    vary_on(response, "Accept-Language", "Cookie")   # names are in the reader's language
    return compress(response)


def _parameter(name: str) -> str | None:
    """A parameter of the query string or of the form body, given at most once (400 if more)."""
    values = request.args.getlist(name)
    if request.method == "POST" and request.mimetype == FORM:
        values += request.form.getlist(name)
    if len(values) > 1:
        abort(plain_error(400, f"the {name!r} parameter is given {len(values)} times"))
    return values[0] if values else None


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def _decoded(name: str, text: str) -> object:
    """The JSON value of a parameter (400 if it is not JSON, NaN and Infinity included)."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except ValueError as error:              # JSONDecodeError is a ValueError
        abort(plain_error(400, f"the {name!r} parameter is not JSON: {error}"))
    except RecursionError:
        abort(plain_error(400, f"the {name!r} parameter nests too deep"))


def _answer(call, *args) -> Response:
    try:
        return _json(call(*args))
    except ReconciliationError as error:
        abort(plain_error(400, str(error)))


def _cursor() -> int:
    cursor = whole_number(request.args.get("cursor", "0"))
    if cursor is None:
        abort(plain_error(400, "'cursor' is a whole number of suggestions to skip"))
    return cursor


@bp.route("/reconcile", methods=["GET", "POST"])
def service() -> Response:
    """The manifest, or the answer to a query batch (``queries``) or an extension (``extend``)."""
    queries, extend = _parameter("queries"), _parameter("extend")
    if queries is not None and extend is not None:
        abort(plain_error(400, "send either 'queries' or 'extend', not both"))
    if queries is not None:
        batch = _decoded("queries", queries)
        limit = current_settings().reconcile_batch_size
        if isinstance(batch, dict) and len(batch) > limit:
            abort(plain_error(413, f"{len(batch)} queries in one batch: at most {limit} "
                                   "(the manifest's batchSize)"))
        return _answer(_reconciler().reconcile, batch)
    if extend is not None:
        return _answer(_reconciler().extend, _decoded("extend", extend))
    if request.method == "POST":
        abort(plain_error(400, "send a query batch as the form field 'queries' or a data "
                               "extension query as 'extend'"))
    return _json(_reconciler().manifest(current_settings().public_url,
                                        current_settings().reconcile_batch_size))


@bp.route("/reconcile/suggest/<kind>")
def suggest(kind: str) -> Response:
    """Auto-completion of entities, types or properties for ``?prefix=`` (``cursor`` skips)."""
    reconciler = _reconciler()
    suggesters = {"entity": reconciler.suggest_entities, "type": reconciler.suggest_types,
                  "property": reconciler.suggest_properties}
    if kind not in suggesters:
        abort(404)
    return _json(suggesters[kind](request.args.get("prefix", ""), _cursor()))


@bp.route("/reconcile/properties")
def propose_properties() -> Response:
    """The properties data extension offers for entities of ``?type=`` (``limit`` optional)."""
    limit = request.args.get("limit")
    number = whole_number(limit) if limit is not None else None
    if limit is not None and not number:
        abort(plain_error(400, "'limit' is a positive whole number"))
    return _json(_reconciler().propose_properties(request.args.get("type", ""), number))


@bp.route("/reconcile/preview")
@html_only
def preview() -> Response:
    """A small card of the entity ``?id=``: its names in French, English and Chinese, its kind,
    what it belongs to, its country and identifiers (OpenRefine shows it in a frame)."""
    lang = page_language()
    card = Reconciler(current_store(), index(), lang).preview(request.args.get("id", ""))
    if card is None:
        abort(404)
    return page_response(render_body("reconcile/preview.html", lang, card=card), lang)
