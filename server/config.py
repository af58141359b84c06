"""Configuration in one place: defaults, then an optional TOML file, then ``CNC_KG_*`` variables.

Every limit and base IRI the code uses is a named setting here, never a literal elsewhere.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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
    # Public base URL the server answers on (absolute URLs in robots.txt, the sitemap, VoID,
    # feeds and redirects are made from it, never from the client's Host header); "" = derived
    # from ``host`` and ``port``. Entity IRIs under ``base_iri`` map to it.
    public_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2           # web worker processes (each with its own app and engines)
    threads: int = 4           # threads per web worker that run the application
    # Where gunicorn writes one line per request ("-" = stderr); "" = none, gunicorn's default
    # (a proxy in front usually logs them; the log costs ~10% of a cached page's throughput).
    access_log: str = ""
    # HTTP front (docs/operating.md, "Why this HTTP server"): requests are read whole by each
    # worker's event loop before a thread runs them; these bound what a client may send.
    max_request_line_bytes: int = 8190   # 414 beyond (a longer query: POST it)
    max_header_fields: int = 100         # 431 beyond
    max_header_bytes: int = 8190         # per header field; 431 beyond
    max_requests_in_flight: int = 1000   # per worker, being read or answered; 503 beyond
    keepalive_timeout: int = 5           # seconds an idle connection is kept open
    stop_timeout: int = 1                # seconds a stopping worker waits for answers in flight
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
    # Answers to clients' queries each web worker keeps for the build it serves (a query asked
    # again is answered without an engine; queries using RAND, NOW, UUID, BNODE or SERVICE
    # never are); 0 = none.
    answer_cache_mb: int = 32
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
_MAX_PORT = 65535
# Allowed range (inclusive) of each numeric setting: (lowest, highest or None).
RANGES: dict[str, tuple[float, float | None]] = {
    "port": (1, _MAX_PORT),
    "workers": (1, 64),
    "threads": (1, 256),
    "max_request_line_bytes": (256, 1024 * 1024),
    "max_header_fields": (8, 1000),
    "max_header_bytes": (256, 1024 * 1024),
    "max_requests_in_flight": (1, None),
    "keepalive_timeout": (0, 3600),
    "stop_timeout": (0, 3600),
    "query_timeout": (0.01, None),
    "query_workers": (1, 64),
    "reload_check": (0.01, None),
    "max_query_bytes": (1, None),
    "max_result_rows": (1, None),
    "sitemap_urls": (1, 50_000),
    "page_cache_entries": (1, None),
    "data_cache_entries": (1, None),
    "answer_cache_mb": (0, None),
    "term_instances_shown": (1, None),
}
_KINDS = {"int": "a whole number", "float": "a number"}


class SettingError(ValueError):
    """A setting whose value has the wrong type or is out of range; the message is one line
    naming where it came from (variable, TOML key or option), the value and what is allowed."""


def _allowed(name: str, kind: str) -> str:
    low, high = RANGES.get(name, (None, None))
    text = _KINDS[kind]
    if low is not None and high is not None:
        return f"{text} from {low:g} to {high:g}"
    return f"{text} ≥ {low:g}" if low is not None else text


def _coerce(name: str, raw: object, source: str) -> object:
    """Convert a file, environment or command-line value to the type of the field it sets;
    raise ``SettingError`` naming ``source`` when it has the wrong type or is out of range."""
    kind = {f.name: f.type for f in dataclasses.fields(Settings)}[name]
    if kind == "Path":
        return Path(str(raw))
    if kind.startswith("tuple"):
        if isinstance(raw, str):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
            return tuple(raw)
        raise SettingError(f"{source} = {raw!r}: expected a list of strings")
    if kind in _KINDS:
        return _number(name, kind, raw, source)
    if not isinstance(raw, str):
        raise SettingError(f"{source} = {raw!r}: expected a string")
    return raw


def _number(name: str, kind: str, raw: object, source: str) -> int | float:
    convert = int if kind == "int" else float
    try:
        if isinstance(raw, bool) or (kind == "int" and isinstance(raw, float)):
            raise ValueError(raw)         # TOML true/1.5 for a count: a mistake, not a 1
        value = convert(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError):
        raise SettingError(f"{source} = {raw!r}: expected {_allowed(name, kind)}") from None
    low, high = RANGES.get(name, (None, None))
    if value != value or (low is not None and value < low) or (high is not None
                                                               and value > high):
        raise SettingError(f"{source} = {raw!r}: expected {_allowed(name, kind)}")
    return value


def _public_url(values: dict[str, object], source: str) -> str:
    """The public base URL: as configured (with a final "/"), else from host and port."""
    url = str(values.get("public_url") or "")
    if not url:
        host = str(values.get("host", Settings.host))
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{values.get('port', Settings.port)}/"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or \
            parts.fragment:
        raise SettingError(f"{source} = {url!r}: expected an absolute http(s) URL such as "
                           "https://kg.example.org/")
    return url if url.endswith("/") else url + "/"


def load_settings(root: Path | str | None = None, config_file: Path | str | None = None,
                  **overrides: object) -> Settings:
    """Defaults, then ``config_file`` (or ``$CNC_KG_CONFIG``), then ``CNC_KG_*``, then overrides.

    Raises ``SettingError`` (one line naming the variable, key or option) for a value of the
    wrong type or out of range, and for an unknown key of the file.
    """
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    names = {f.name for f in dataclasses.fields(Settings)}
    config_file = config_file or os.environ.get(_ENV_PREFIX + "CONFIG")
    if config_file:
        try:
            with open(config_file, "rb") as fh:
                table = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise SettingError(f"{config_file}: {error}") from None
        for key, raw in table.items():
            if key not in names:
                raise SettingError(f"{config_file}: unknown setting {key!r}")
            sources[key] = f"{config_file}: {key}"
            values[key] = _coerce(key, raw, sources[key])
    for name in names:
        env = os.environ.get(_ENV_PREFIX + name.upper())
        if env is not None:
            sources[name] = _ENV_PREFIX + name.upper()
            values[name] = _coerce(name, env, sources[name])
    for name, raw in overrides.items():
        if raw is not None:
            sources[name] = "--" + name.replace("_", "-")
            values[name] = _coerce(name, raw, sources[name])
    if root is not None:
        values["root"] = Path(root)
    values["root"] = Path(values.get("root", Path.cwd())).resolve()
    values["public_url"] = _public_url(values, sources.get("public_url", "public_url"))
    return Settings(**values)
