"""The HTTP interface matches its OpenAPI description (/openapi.json), fuzzed with schemathesis:
no 5xx, only documented status codes and content types, JSON answers fitting their schemas.

Runs against the application in-process (WSGI) for speed, with a bounded number of examples.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.config import load_settings
from server.web.app import create_app
from server.web.openapi import openapi_document

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
TRACES = (b"Traceback", b'File "')
IDENTITY = {"Accept-Encoding": "identity"}
EXAMPLES = 15                  # per operation


@pytest.fixture(scope="module")
def app(built_root):
    app = create_app(load_settings(root=built_root))
    yield app
    app.extensions["cnc_kg.store"].close()


@pytest.fixture(scope="module")
def api(app):
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


OPERATIONS = [(path, method) for path, item in openapi_document()["paths"].items()
              for method in item]


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_api_conforms(api, path, method):
    operation = api[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def conforms(case):
        # The WSGI transport does not undo gzip, which the app applies when a client allows it.
        response = case.call_and_validate(checks=CHECKS, headers=IDENTITY)
        assert not any(trace in response.content for trace in TRACES)

    conforms()


def test_openapi_names_every_route(app):
    """Every public route of the app is described (no undocumented endpoint)."""
    documented = set(schemathesis.openapi.from_wsgi("/openapi.json", app).raw_schema["paths"])
    routes = {rule.rule.replace("<", "{").replace(">", "}") for rule in app.url_map.iter_rules()
              if not rule.rule.startswith("/static")}
    aliases = {"/dataset", "/ontology.{name}", "/shapes.{name}", "/network.svg"}
    assert routes - aliases <= documented, routes - aliases - documented
