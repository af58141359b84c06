"""Open the store the settings ask for: the build's embedded engine, or an external endpoint."""

from __future__ import annotations

from server.config import BASE_IRI, DATASET_IRI, Settings
from server.namespaces import PREFIXES
from server.store.base import Store


def graph_iri(settings: Settings) -> str:
    """IRI of the graph that holds our data (the protocol's default graph)."""
    return settings.store_graph or DATASET_IRI


def open_store(settings: Settings) -> Store:
    """The build in ``dist/`` on the embedded engine, unless ``settings.store`` is a URL."""
    if settings.store:
        from server.store.remote import RemoteStore

        return RemoteStore(settings.store, settings.dist_dir, graph_iri=graph_iri(settings),
                           query_timeout=settings.query_timeout,
                           max_result_rows=settings.max_result_rows,
                           max_result_bytes=settings.max_result_bytes,
                           service_allow=settings.service_allow,
                           reload_check=settings.reload_check)
    from server.store.embedded import EmbeddedStore, Limits

    limits = Limits(query_timeout=settings.query_timeout,
                    max_result_rows=settings.max_result_rows,
                    max_result_bytes=settings.max_result_bytes,
                    query_workers=settings.query_workers, long_queries=settings.long_queries,
                    short_query_seconds=settings.short_query_seconds,
                    queue_wait=settings.queue_wait, service_allow=settings.service_allow,
                    service_workers=settings.service_workers,
                    engine_memory_mb=settings.engine_memory_mb,
                    answer_cache_bytes=settings.answer_cache_mb * 2**20, base_iri=BASE_IRI,
                    prefixes={prefix: str(ns) for prefix, ns in PREFIXES.items()})
    return EmbeddedStore(settings.dist_dir, graph_iri=DATASET_IRI, limits=limits,
                         reload_check=settings.reload_check)
