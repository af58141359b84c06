"""Open the store the settings ask for: the embedded engine, or an external SPARQL endpoint."""

from __future__ import annotations

from server.config import DATASET_IRI, Settings
from server.store.base import Store

DUMP_NAME = "cnc-kg.nt"   # written by `cnc-kg build` into dist/


def graph_iri(settings: Settings) -> str:
    """IRI of the graph that holds our data (the protocol's default graph)."""
    return settings.store_graph or DATASET_IRI


def open_store(settings: Settings) -> Store:
    """Embedded pyoxigraph over ``dist/cnc-kg.nt`` unless ``settings.store`` is a URL."""
    if settings.store:
        from server.store.remote import RemoteStore

        return RemoteStore(settings.store, graph_iri=graph_iri(settings),
                           query_timeout=settings.query_timeout,
                           max_result_rows=settings.max_result_rows,
                           max_result_bytes=settings.max_result_bytes,
                           service_allow=settings.service_allow)
    from server.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.dist_dir / DUMP_NAME, graph_iri=graph_iri(settings),
                         query_workers=settings.query_workers,
                         query_timeout=settings.query_timeout,
                         max_result_rows=settings.max_result_rows,
                         max_result_bytes=settings.max_result_bytes,
                         engine_memory_mb=settings.engine_memory_mb,
                         service_allow=settings.service_allow,
                         service_workers=settings.service_workers,
                         reload_check=settings.reload_check)
