# This file is part of the CUS back office.
"""A steady light load of portal pages and JSON-RPC calls on a trytond

Used by test_pg_connections.py (PostgreSQL backends killed) and
bench/fault_pg_restart.py (PostgreSQL really restarted). Each worker thread
sends one request after the other with a short pause and notes when it
was sent, when it ended and whether it succeeded."""
import dataclasses
import threading
import time
import urllib.error

from browser import data

from . import server


@dataclasses.dataclass
class Outcome:
    kind: str
    sent: float
    ended: float
    ok: bool
    error: str = ''


class Load:
    "Workers: portal page (provider), JSON-RPC read and write (staff)"

    def __init__(self, srv, pause=0.05):
        self.srv = srv
        self.pause = pause
        self.outcomes = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.portal = server.Portal(
            srv, data.PROVIDERS['coop']['email']).login()
        self.session = server.login(srv, data.LOGINS['organiser'])
        self.context = server.context(srv, self.session)
        self.threads = [
            threading.Thread(target=self._run, args=(kind, call),
                daemon=True)
            for kind, call in [
                ('portal', self._portal),
                ('rpc_read', self._rpc_read),
                ('rpc_write', self._rpc_write),
                ]]

    def _portal(self):
        status, page = self.portal._open(
            self.portal.base + '/orders', timeout=30)
        if status != 200 or 'portal/logout' not in page:
            raise RuntimeError(f"HTTP {status}")

    def _rpc_read(self):
        orders = server.rpc(self.srv, 'model.cus.service.order.search_read',
            [[], 0, 10, None, ['number', 'state'], self.context],
            session=self.session, timeout=30)
        if not orders:
            raise RuntimeError("no order")

    def _rpc_write(self):
        # A write that every request repeats: the user's own preferences
        # (what sao saves when a user changes them).
        server.rpc(self.srv, 'model.res.user.set_preferences',
            [{'signature': f"Organizator CUS {time.monotonic():.3f}"},
                self.context], session=self.session, timeout=30)

    def _run(self, kind, call):
        while not self._stop.is_set():
            sent = time.monotonic()
            try:
                call()
            except (server.RpcError, OSError, RuntimeError,
                    urllib.error.URLError, ValueError) as exception:
                outcome = Outcome(kind, sent, time.monotonic(), False,
                    str(exception)[:200])
            else:
                outcome = Outcome(kind, sent, time.monotonic(), True)
            with self._lock:
                self.outcomes.append(outcome)
            self._stop.wait(self.pause)

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        self._stop.set()
        for thread in self.threads:
            thread.join(60)

    def summary(self, fault_at, fault_end=None):
        """Figures around a fault that started at fault_at (monotonic) and
        ended at fault_end (when the database could be reached again)

        failed: the requests that failed; failed_after_recovery: those sent
        after the first success that followed the fault (must be none);
        recovered_in_s: from the fault to the end of the first request sent
        after it that succeeded, per kind and overall."""
        fault_end = fault_end or fault_at
        with self._lock:
            outcomes = sorted(self.outcomes, key=lambda o: o.sent)
        failed = [o for o in outcomes if not o.ok]
        recovered = {}
        for kind in {o.kind for o in outcomes}:
            after = [o for o in outcomes
                if o.kind == kind and o.ok and o.sent >= fault_at]
            if after:
                recovered[kind] = round(after[0].ended - fault_at, 2)
        first_ok = min((o.ended for o in outcomes
                if o.ok and o.sent >= fault_end), default=None)
        failed_after = [o for o in failed
            if first_ok is not None and o.sent > first_ok]
        return {
            'requests': len(outcomes),
            'before_fault': len([o for o in outcomes if o.sent < fault_at]),
            'failed': len(failed),
            'failed_kinds': sorted({o.kind for o in failed}),
            'failed_errors': sorted({o.error[:120] for o in failed})[:5],
            'failed_after_recovery': len(failed_after),
            'recovered_in_s': recovered,
            'after_recovery': len([o for o in outcomes
                    if first_ok is not None and o.sent > first_ok]),
            }
