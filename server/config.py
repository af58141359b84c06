"""Configuration in one place: defaults, then an optional TOML file, then ``CNC_KG_*`` variables.

Every limit and base IRI the code uses is a named setting here, never a literal elsewhere.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# Persistent IRIs (w3id.org redirects to wherever the graph is served).
BASE_IRI = "https://w3id.org/cnc-kg/"
ONTOLOGY_NS = BASE_IRI + "ontology/"   # classes, properties, controlled-vocabulary individuals
ONTOLOGY_IRI = BASE_IRI + "ontology"
DATA_NS = BASE_IRI + "id/"             # every curated entity
SYNTHETIC_NS = BASE_IRI + "synthetic/"  # entities written by `cnc-kg generate` (benchmarks)
# Namespaces whose IRIs are entities: each is served at /<its last segment>/<slug> (/id/x,
# /synthetic/x) and its typed resources are listed, searched and counted as entities.
DATA_NAMESPACES = (DATA_NS, SYNTHETIC_NS)
SHAPES_NS = BASE_IRI + "shapes/"
DATASET_IRI = BASE_IRI + "dataset"


@dataclass(frozen=True)
class Settings:
    """All settings of a cnc-kg project folder and its server."""

    root: Path = field(default_factory=Path.cwd)
    base_iri: str = BASE_IRI
    # Public base URL the server answers on; entity IRIs under ``base_iri`` map to it.
    public_url: str = "http://127.0.0.1:8000/"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2           # WSGI worker processes
    threads: int = 4           # threads per WSGI worker
    # Where gunicorn writes one line per request ("-" = stderr); "" = none, gunicorn's default
    # (a proxy in front usually logs them; the log costs ~10% of a cached page's throughput).
    access_log: str = ""
    store: str = ""            # "" = embedded engine; else URL of an external SPARQL endpoint
    store_graph: str = ""      # named graph holding our data in an external store
    query_timeout: float = 10.0       # seconds before a query is cut
    # Clients' queries run in engine processes killed on overrun: ``query_workers`` of them per
    # web worker answer every query first (the short lane); a query still running after
    # ``short_query_seconds`` moves out to the long lane, where ``long_queries`` may run at once;
    # a query waits at most ``queue_wait`` seconds for a free engine (then 503 + Retry-After).
    query_workers: int = 2
    long_queries: int = 2
    short_query_seconds: float = 1.0
    queue_wait: float = 2.0
    reload_check: float = 1.0         # seconds between checks of dist/ for a new build
    max_query_bytes: int = 64 * 1024  # 413 beyond
    max_result_rows: int = 10_000     # cap on SELECT rows (and CONSTRUCT/DESCRIBE triples)
    # Cap on an answer's size: rows beyond it are left out and flagged as truncated, like rows
    # beyond max_result_rows (10,000 rows of a 25 KB literal made a 250 MB answer).
    max_result_bytes: int = 16 * 1024 * 1024
    # Memory an engine process may take beyond what it holds when it starts (RLIMIT_AS); a query
    # needing more is stopped with a 503 and the process replaced (one reached 1.47 GB).
    engine_memory_mb: int = 1024
    # SERVICE endpoints allowed for federation (full IRIs). Queries calling them run in their own
    # engine processes, which may open TCP connections to these endpoints' ports only.
    service_allow: tuple[str, ...] = ()
    service_workers: int = 1          # engine processes for those queries (when service_allow)
    # URLs per sitemap file (sitemaps.org's maximum); beyond, /sitemap.xml is a sitemap index
    # of /sitemap-1.xml, /sitemap-2.xml … (a 1M-triple graph has 130k entity pages).
    sitemap_urls: int = 50_000
    # Rendered pages (all versions, languages, URLs) and page data (sorted lists, pictures, RDF
    # documents) each web worker keeps; a reload changes every key, so old entries age out.
    page_cache_entries: int = 1024
    data_cache_entries: int = 256
    # Instances listed on an ontology term's page (the class list pages show them all).
    term_instances_shown: int = 200
    # Reconciliation queries in one batch (/reconcile, announced as the manifest's batchSize;
    # OpenRefine sends 10 at a time): larger batches are refused with 413.
    reconcile_batch_size: int = 100
    data_dir: str = "data"     # relative to root unless absolute

    @property
    def max_body_bytes(self) -> int:
        """Largest request body read: a form-encoded query of ``max_query_bytes`` may take up
        to three bytes per byte once percent-encoded, plus the other fields."""
        return 4 * self.max_query_bytes

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def data_path(self) -> Path:
        return self.root / self.data_dir

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"


_ENV_PREFIX = "CNC_KG_"


def _coerce(name: str, raw: object) -> object:
    """Convert a file or environment value to the type of the field it sets."""
    kind = {f.name: f.type for f in dataclasses.fields(Settings)}[name]
    if kind == "Path":
        return Path(str(raw))
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind.startswith("tuple"):
        if isinstance(raw, str):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        return tuple(raw)
    return str(raw)


def load_settings(root: Path | str | None = None, config_file: Path | str | None = None,
                  **overrides: object) -> Settings:
    """Defaults, then ``config_file`` (or ``$CNC_KG_CONFIG``), then ``CNC_KG_*``, then overrides."""
    values: dict[str, object] = {}
    names = {f.name for f in dataclasses.fields(Settings)}
    config_file = config_file or os.environ.get(_ENV_PREFIX + "CONFIG")
    if config_file:
        with open(config_file, "rb") as fh:
            for key, raw in tomllib.load(fh).items():
                if key not in names:
                    raise ValueError(f"{config_file}: unknown setting {key!r}")
                values[key] = _coerce(key, raw)
    for name in names:
        env = os.environ.get(_ENV_PREFIX + name.upper())
        if env is not None:
            values[name] = _coerce(name, env)
    values.update({k: v for k, v in overrides.items() if v is not None})
    if root is not None:
        values["root"] = Path(root)
    values["root"] = Path(values.get("root", Path.cwd())).resolve()
    return Settings(**values)
