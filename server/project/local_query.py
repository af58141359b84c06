"""The project's graph (ontology + data, not the shapes) in a local pyoxigraph store, for
``cnc-kg query`` on the working tree without a build."""

from __future__ import annotations

import pyoxigraph as ox

from server.config import Settings
from server.project.files import load_project


def local_store(settings: Settings) -> ox.Store:
    """An in-memory pyoxigraph store holding the project's ontology + data (not the shapes)."""
    store = ox.Store()
    store.load(load_project(settings).ntriples("ontology", "data"),
               format=ox.RdfFormat.N_TRIPLES)
    return store
