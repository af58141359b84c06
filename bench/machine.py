"""Where the machine's CPU went during a load round: the server under test, wrk, the other
engines left running, anything else, idle — so that a slow round can be told apart from a
slow server (the machine is shared: a round can lose half its rate to work that is not ours).

Read from ``/proc`` (Linux): the machine's counters in ``/proc/stat``, each process's in
``/proc/<pid>/stat``; wrk, a child of this process that has exited by the end of its round, from
``getrusage(RUSAGE_CHILDREN)``.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
# Process groups by what their command line holds, first match first: the peers before ours,
# whose name is also in the file names the peers are given (cnc-kg.nt).
GROUPS = (("Virtuoso", ("virtuoso-t",)),
          ("rdflib-endpoint", ("rdflib-endpoint", "rdflib_endpoint", "uvicorn")),
          ("cnc-kg", ("cnc-kg serve", "server.store.engine", "gunicorn")))


def group_of(command: str) -> str:
    return next((name for name, marks in GROUPS if any(m in command for m in marks)), "other")


def _processes() -> dict[str, float]:
    """CPU seconds so far of every running process, summed by group (this process left out:
    it only waits for wrk)."""
    seconds: dict[str, float] = {}
    mine = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == mine:
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                "utf-8", "replace")
        except OSError:                  # gone meanwhile
            continue
        fields = stat.rpartition(")")[2].split()
        group = group_of(command)
        seconds[group] = seconds.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / TICK
    return seconds


def _machine() -> tuple[float, float, float]:
    """(all CPU seconds, idle seconds, stolen seconds) of the machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]                              # idle + iowait
    steal = values[7] if len(values) > 7 else 0
    return sum(values[:8]) / TICK, idle / TICK, steal / TICK


@dataclass
class CpuWindow:
    """CPU use between ``CpuWindow.start()`` and ``stop()``."""

    processes: dict[str, float]
    machine: tuple[float, float, float]
    children: float

    @classmethod
    def start(cls) -> CpuWindow:
        return cls(_processes(), _machine(), _children())

    def stop(self) -> dict[str, float]:
        """Shares of the machine's CPU time in the window: each group, wrk, idle, stolen."""
        processes, machine, children = _processes(), _machine(), _children()
        total = max(machine[0] - self.machine[0], 1e-9)
        shares = {group: max(0.0, processes.get(group, 0.0) - self.processes.get(group, 0.0))
                  / total for group in {*processes, *self.processes}}
        shares["wrk"] = (children - self.children) / total
        shares["idle"] = (machine[1] - self.machine[1]) / total
        shares["stolen"] = (machine[2] - self.machine[2]) / total
        return {name: round(share, 3) for name, share in sorted(shares.items())}


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def connections_per_process(port: int) -> list[int]:
    """How many established TCP connections each process serving ``port`` holds, most first:
    the processes that hold its listening socket (a parent that only passed it on to its
    children, such as gunicorn's arbiter, left out) — so a worker without any shows as 0."""
    listening, established = set(), []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[1].rsplit(":", 1)[1], 16) != port:
                continue
            if fields[3] == "0A":                             # LISTEN
                listening.add(fields[9])
            elif fields[3] == "01":                           # ESTABLISHED
                established.append(fields[9])
    holders: dict[int, set[str]] = {}
    parents: dict[int, int] = {}
    wanted = listening | set(established)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            links = {_link(fd) for fd in (entry / "fd").iterdir()}
            parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except OSError:                  # gone, or not ours to read
            continue
        if links & wanted:
            holders[int(entry.name)] = links & wanted
            parents[int(entry.name)] = parent
    servers = [pid for pid, held in holders.items() if held & listening
               and not any(parents.get(other) == pid for other in holders)]
    return sorted((sum(1 for inode in established if inode in holders[pid]) for pid in servers),
                  reverse=True)


def _link(fd: Path) -> str:
    """What a descriptor points at (a socket as its inode number); "" once it is closed (the
    descriptor that lists a process's own descriptors is)."""
    try:
        return os.readlink(fd).removeprefix("socket:[").removesuffix("]")
    except OSError:
        return ""
