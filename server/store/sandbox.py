"""Walls around an engine process, installed first thing when it starts (``confine``).

- **No network** for engine processes answering ordinary queries: a seccomp filter makes
  ``socket()`` fail with EACCES for every address family but AF_UNIX (the pipe to the web
  process is already open), and refuses ``io_uring_setup`` (io_uring can open sockets without
  calling ``socket()``). So even a query that fools the lexical check (``guard``) cannot reach
  any host: pyoxigraph's SERVICE client cannot open a socket.
- **Only the allowed SERVICE ports** for the engine processes that run queries calling an
  allowed endpoint (a separate lane, made only when ``service_allow`` is set): the filter also
  allows AF_INET and AF_INET6 stream and datagram sockets (name resolution needs UDP), and a
  Landlock ruleset (Linux 6.7+, ABI 4) lets TCP ``connect()`` reach only the ports of the
  allowed endpoints and ``bind()`` none. Landlock filters by port, not by host: such a process
  can reach any host on those ports, and send UDP anywhere.
- **A memory ceiling**: RLIMIT_AS set to the address space the process holds at start plus
  an allowance, so a query that needs more fails (MemoryError in Python, an abort in the
  engine) instead of driving the machine into swap or the OOM killer.

Both walls work unprivileged (seccomp after PR_SET_NO_NEW_PRIVS, which libseccomp sets, and
Landlock need no capability) and hold for root too. If one cannot be installed, ``confine``
raises ``SandboxError`` and the process must not answer queries (fail closed); ``verify``
tries the walls in a throwaway child so a server refuses to start where they do not hold.

The seccomp filter is built with libseccomp (through pyseccomp, a thin ctypes binding with
libseccomp's own Python API) rather than hand-written BPF: libseccomp knows each
architecture's syscall numbers, checks the architecture of every call, and closes the x32 and
32-bit (socketcall) entry points, all of which a hand-written filter would have to get right
for each machine. Landlock has no such per-architecture detail (its three syscalls have the
same numbers everywhere), so it is called directly.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import resource
import socket
from dataclasses import dataclass

# Landlock ABI (https://docs.kernel.org/userspace-api/landlock.html): syscall numbers shared
# by every architecture, structures and flags from <linux/landlock.h>.
_SYS_LANDLOCK_CREATE_RULESET = 444
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_LANDLOCK_CREATE_RULESET_VERSION = 1 << 0
_LANDLOCK_RULE_NET_PORT = 2
_LANDLOCK_ACCESS_NET_BIND_TCP = 1 << 0
_LANDLOCK_ACCESS_NET_CONNECT_TCP = 1 << 1
_LANDLOCK_NET_ABI = 4              # first ABI with TCP bind/connect rules (Linux 6.7)
_PR_SET_NO_NEW_PRIVS = 38          # <linux/prctl.h>

_DENIED = errno.EACCES             # what a refused socket() returns to the engine
_SOCKET_TYPE_MASK = 0xF            # SOCK_NONBLOCK and SOCK_CLOEXEC are flags above it
_INT_MASK = 0xFFFFFFFF             # socket()'s arguments are ints: compare the low 32 bits


class SandboxError(Exception):
    """A wall could not be installed: the process must not answer queries."""


class _LandlockRulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64)]


class _LandlockNetPortAttr(ctypes.Structure):
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


@dataclass(frozen=True)
class Confinement:
    """What an engine process may do.

    ``service_ports`` empty: no network at all. Otherwise TCP connections to those ports only.
    ``memory_bytes``: address space the process may add to what it holds when confined
    (``None``: no ceiling).
    """

    service_ports: tuple[int, ...] = ()
    memory_bytes: int | None = None


def confine(policy: Confinement) -> None:
    """Install the walls of ``policy`` on the calling process, for good.

    Call it first thing in an engine process, before it reads any request. Raises
    ``SandboxError`` when a wall cannot be installed.
    """
    if policy.memory_bytes is not None:
        limit_memory(policy.memory_bytes)
    if policy.service_ports:
        _restrict_tcp_ports(policy.service_ports)
    _filter_sockets(allow_internet=bool(policy.service_ports))


def verify(policy: Confinement) -> None:
    """Install ``policy`` in a throwaway child process and check that it holds there: a
    network socket is refused (no ports) or a TCP connection to another port is (ports).

    Raises ``SandboxError`` with the child's reason when it does not.
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:                                    # the child: never returns
        reason = b"the check process stopped before it could tell"
        try:
            os.close(reader)
            confine(policy)
            _probe(policy)
            reason = b""
        except SandboxError as error:
            reason = str(error).encode() or b"unknown reason"
        finally:
            # Whatever happens here (even Ctrl-C), this copy of the server must not run on.
            with contextlib.suppress(OSError):
                os.write(writer, reason)
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        reason = pipe.read()
    _, status = os.waitpid(pid, 0)
    if reason or os.waitstatus_to_exitcode(status) != 0:
        raise SandboxError(reason.decode(errors="replace")
                           or f"the check process ended with status {status}")


def _probe(policy: Confinement) -> None:
    """Raise ``SandboxError`` unless the network wall of ``policy`` refuses what it must."""
    if not policy.service_ports:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
        except PermissionError:
            return
        raise SandboxError("the seccomp filter let an AF_INET socket be opened")
    other = next(port for port in (9, 7, 13) if port not in policy.service_ports)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(("127.0.0.1", other))
        except PermissionError:
            return
        except OSError as error:                    # refused by the peer, not by Landlock
            raise SandboxError(
                f"Landlock let a TCP connection to port {other} through ({error})") from error
    raise SandboxError(f"Landlock let a TCP connection to port {other} through")


def limit_memory(allowance: int) -> None:
    """RLIMIT_AS = the address space held now + ``allowance`` (a forked process starts with
    its parent's mappings, so an absolute figure would mean different things)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    ceiling = held + allowance
    try:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    except (ValueError, OSError) as error:
        raise SandboxError(f"cannot set RLIMIT_AS to {ceiling} bytes: {error}") from error


def _filter_sockets(allow_internet: bool) -> None:
    """Load the seccomp filter: socket() only for AF_UNIX (and AF_INET/AF_INET6 stream or
    datagram sockets when ``allow_internet``), no io_uring. Everything else is allowed."""
    try:
        import pyseccomp
    except RuntimeError as error:       # pyseccomp raises it when libseccomp.so is missing
        raise SandboxError(f"libseccomp is not available: {error}") from error
    deny = pyseccomp.ERRNO(_DENIED)
    low = (_INT_MASK,)
    try:
        rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
        rules.set_attr(pyseccomp.Attr.CTL_TSYNC, 1)         # every thread of the process
        if allow_internet:
            for family in range(socket.AF_INET6 + 1):
                if family not in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6):
                    rules.add_rule(deny, "socket",
                                   pyseccomp.Arg(0, pyseccomp.MASKED_EQ, *low, family))
            rules.add_rule(deny, "socket", pyseccomp.Arg(0, pyseccomp.GT, socket.AF_INET6))
            for kind in (socket.SOCK_RAW, socket.SOCK_SEQPACKET, socket.SOCK_RDM):
                rules.add_rule(deny, "socket",
                               pyseccomp.Arg(1, pyseccomp.MASKED_EQ, _SOCKET_TYPE_MASK, kind))
        else:
            rules.add_rule(deny, "socket", pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX))
        rules.add_rule(deny, "io_uring_setup")
        rules.load()
    except OSError as error:
        raise SandboxError(f"cannot load the seccomp filter: {error}") from error


def _landlock(number: int, *args: object) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    result = libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        code = ctypes.get_errno()
        raise SandboxError(f"Landlock syscall {number} failed: {os.strerror(code)}")
    return result


def _restrict_tcp_ports(ports: tuple[int, ...]) -> None:
    """Let TCP connect() reach only ``ports`` and bind() nothing, with Landlock."""
    abi = _landlock(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                    ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    if abi < _LANDLOCK_NET_ABI:
        raise SandboxError(f"Landlock ABI {abi} cannot restrict TCP ports (needs "
                           f"{_LANDLOCK_NET_ABI}, Linux 6.7 or later)")
    attr = _LandlockRulesetAttr(
        0, _LANDLOCK_ACCESS_NET_BIND_TCP | _LANDLOCK_ACCESS_NET_CONNECT_TCP)
    ruleset = _landlock(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
                        ctypes.c_size_t(ctypes.sizeof(attr)), ctypes.c_uint32(0))
    try:
        for port in sorted(set(ports)):
            rule = _LandlockNetPortAttr(_LANDLOCK_ACCESS_NET_CONNECT_TCP, port)
            _landlock(_SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                      ctypes.c_int(_LANDLOCK_RULE_NET_PORT), ctypes.byref(rule),
                      ctypes.c_uint32(0))
        # Landlock requires no_new_privs (or CAP_SYS_ADMIN) before restricting itself.
        if ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise SandboxError(f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}")
        _landlock(_SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
