"""The quality dashboard: the curator's to-do list as a page (/quality) and as JSON."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify
from rdflib import URIRef

from server.namespaces import PREFIXES
from server.services.figures import figures
from server.services.names import name
from server.web.context import current_published, index, page_language
from server.web.page_response import finish, html_only, render_page

bp = Blueprint("quality", __name__)


def _report() -> dict:
    """The dashboard the build computed; 404 when the build has none."""
    report = current_published().quality()
    if report is None:
        abort(404)
    return report


def _expand(name: str | None) -> str | None:
    """The IRI of a compact name as the validation report writes it (``kg:cnrs``)."""
    prefix, _, rest = (name or "").partition(":")
    namespace = PREFIXES.get(prefix)
    return str(namespace) + rest if namespace is not None and not rest.startswith("//") else name


@bp.route("/quality")
@html_only
def page() -> Response:
    """Declared vs recorded figures, SHACL warnings, missing names and identifiers, sources."""
    lang = page_language()
    idx = index()
    report = _report()
    return render_page("pages/quality.html", lang, report=report, expand=_expand,
                       figures=figures(report, idx, lang),
                       label=lambda iri: name(idx, URIRef(iri), lang))


@bp.route("/quality.json")
def as_json() -> Response:
    """The same dashboard as JSON (IRIs in full; warnings as the validation report has them)."""
    return finish(jsonify(_report()))
