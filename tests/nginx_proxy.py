"""A real nginx in front of a server, on loopback: ``deploy/nginx.conf`` rendered as an operator
renders it, inside a generated top-level configuration in a temporary folder (its own pid file,
logs, temporary files and cache), so nginx runs as an ordinary process on a free port.

Used by ``tests/test_nginx.py`` and by the benchmark (cached pages through nginx). Only the
standard library: the benchmark imports it as ``tests.nginx_proxy``, the tests as ``nginx_proxy``.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
# Debian installs daemons in /usr/sbin, which an ordinary user's PATH may not hold.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/local/sbin", "/usr/sbin",
                               "/sbin"])
READ_TIMEOUT = "40s"
TOP_LEVEL = """\
daemon off;
worker_processes {workers};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{ worker_connections 256; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/cnc-kg.conf;
}}
"""


def nginx_executable() -> str | None:
    """Debian's nginx, if installed."""
    return shutil.which("nginx", path=SEARCH_PATH)


def render(template: str, listen: str, upstream: str, cache_dir: Path,
           server_name: str = "localhost", read_timeout: str = READ_TIMEOUT) -> str:
    """``deploy/nginx.conf`` with its @NAMES@ replaced (what the sed line in its header does)."""
    values = {"@LISTEN@": listen, "@SERVER_NAME@": server_name, "@UPSTREAM@": upstream,
              "@CACHE_DIR@": str(cache_dir), "@READ_TIMEOUT@": read_timeout}
    for name, value in values.items():
        template = template.replace(name, value)
    if "@" in "".join(line.split("#")[0] for line in template.splitlines()):
        raise ValueError("a placeholder of deploy/nginx.conf was left unreplaced")
    return template


def _worker_user() -> str:
    """As root, nginx's workers switch user: to nobody, never root. Otherwise nginx runs
    entirely as the current user and needs no such line."""
    if os.geteuid() != 0:
        return ""
    nobody = pwd.getpwnam("nobody")
    return f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};"


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextlib.contextmanager
def nginx_in_front(upstream: str, port: int, workers: int = 1,
                   deadline_s: float = 60) -> Iterator[str]:
    """Run nginx (``workers`` worker processes) on 127.0.0.1:``port`` in front of ``upstream``
    (``host:port``); yield its base URL (ending in '/'); stop it and remove its folder."""
    executable = nginx_executable()
    if executable is None:
        raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx)")
    # Not under pytest's private tmp folders: nginx's workers (nobody, when run as root) must
    # be able to reach their temporary files and the cache.
    folder = Path(tempfile.mkdtemp(prefix="cnc-kg-nginx-"))
    folder.chmod(0o755)
    (folder / "cnc-kg.conf").write_text(
        render(TEMPLATE.read_text(encoding="utf-8"), f"127.0.0.1:{port}", upstream,
               folder / "cache"), encoding="utf-8")
    conf = folder / "nginx.conf"
    conf.write_text(TOP_LEVEL.format(folder=folder, user=_worker_user(), workers=workers),
                    encoding="utf-8")
    command = [executable, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        started = time.monotonic()
        while not _answers(base + "robots.txt"):
            if process.poll() is not None or time.monotonic() - started > deadline_s:
                log = (folder / "error.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"nginx did not answer on {base}:\n{log}")
            time.sleep(0.05)
        yield base
    finally:
        # SIGQUIT: nginx's graceful stop; the whole group, so its workers go too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGQUIT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
