"""A server's process tree (gunicorn arbiter, its workers, their engine processes): its
memory, its engine processes, whether a process is alive.

Measured as the sum of PSS (proportional set size, /proc/PID/smaps_rollup): pages shared by
forked processes count once in total, so forking a query worker does not look like growth.
"""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process alive right now."""
    parents = {}
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue        # the process ended while we looked
        # Field 4 is the parent; field 2 (the name, in parentheses) may contain spaces.
        parents[int(stat.parent.name)] = int(text.rsplit(")", 1)[1].split()[1])
    return parents


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants alive right now."""
    parents = _parents()
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += [child for child, parent in parents.items() if parent == current]
    return tree


def _pss_kib(pid: int) -> int:
    try:
        text = (PROC / str(pid) / "smaps_rollup").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_memory_mib(pid: int) -> float:
    """Total PSS of ``pid``'s process tree, in MiB."""
    return sum(_pss_kib(p) for p in process_tree(pid)) / 1024


def engine_pids(server_pid: int) -> list[int]:
    """The engine processes of the server's process tree (by their command line)."""
    engines = []
    for pid in process_tree(server_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        if b"server.store.engine" in command:
            engines.append(pid)
    return engines


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
