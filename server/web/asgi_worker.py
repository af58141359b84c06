"""gunicorn's asgi worker, made to stop within its stop time.

On SIGTERM, SIGINT or SIGQUIT the stock worker notices only at its next heartbeat (up to 1 s
later), then waits for every open connection — idle keep-alive and half-sent ones included —
until gunicorn's graceful timeout, when the arbiter SIGKILLs it and logs an error. This one
stops accepting at once, lets the requests in flight finish for at most ``stop_timeout``
(gunicorn's ``graceful_timeout`` less ``ARBITER_MARGIN_S``), then closes every connection.
"""

from __future__ import annotations

import asyncio
import signal

from gunicorn.workers.gasgi import ASGIWorker

# Seconds the arbiter waits beyond the worker's own stop time before it SIGKILLs the worker:
# time to close the connections, the store and its engine processes.
ARBITER_MARGIN_S = 2
POLL_S = 0.02              # how often a stopping worker looks at the requests in flight
STOP_SIGNALS = (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM)


class StoppingASGIWorker(ASGIWorker):
    """The asgi worker with a bounded, prompt stop (see the module's docstring)."""

    _serving: asyncio.Task | None = None
    _stopping = False
    _stop_asked = False            # a stop signal came while the app was being built

    def load_wsgi(self) -> None:
        """Build the app, remembering a stop signal that arrives meanwhile: the event loop is
        not running yet, and uvloop drops a signal it receives while it is not running (the
        app opens the store and starts engine processes, which takes a moment)."""
        def remember(signum, frame) -> None:
            self._stop_asked = True

        previous = {sig: signal.signal(sig, remember) for sig in STOP_SIGNALS}
        try:
            super().load_wsgi()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def run(self) -> None:
        """Serve until stopped; the serving task is kept so that a stop can wake it."""
        self._serving = self.loop.create_task(self._serve())
        if self._stop_asked:
            self.loop.call_soon(self._stop)
        try:
            self.loop.run_until_complete(self._serving)
        except asyncio.CancelledError:
            pass                            # stopped before the serving loop was reached
        finally:
            self._cleanup()

    def handle_exit_signal(self) -> None:
        """SIGTERM: stop, letting the requests in flight finish first."""
        self._stop()

    def handle_quit_signal(self) -> None:
        """SIGINT (Ctrl-C) and SIGQUIT: the same bounded stop."""
        self._stop()

    def _stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        self.loop.create_task(self._finish_then_wake())

    async def _finish_then_wake(self) -> None:
        for server in self.servers:
            server.close()                  # no new connection from now on
        deadline = self.loop.time() + max(0, self.cfg.graceful_timeout - ARBITER_MARGIN_S)
        while getattr(self.asgi, "in_flight", 0) and self.loop.time() < deadline:
            await asyncio.sleep(POLL_S)
        self.alive = False
        self._quick_shutdown = True         # the stock shutdown then waits for no connection
        if self._serving is not None:
            self._serving.cancel()          # ends the heartbeat sleep: shutdown starts now
