# This file is part of the CUS back office.
"""PostgreSQL connections killed under load: trytond recovers by itself

A trytond serves a steady light load (load.Load: the portal's orders page,
a JSON-RPC read and a JSON-RPC write, one after the other in three
threads). The test then ends every backend of the test's database with
pg_terminate_backend, which is what a PostgreSQL restart does to the
clients (without disturbing the other databases of the shared server), and
keeps the load on. The pooled connections of trytond are then dead.

trytond 8.0 takes its connections from a psycopg_pool ConnectionPool
created with check=ConnectionPool.check_connection
(trytond/backend/postgresql/database.py): each connection handed out is
checked first and replaced when it is broken, so no restart of trytond nor
any other manual step is needed. The pool waits after each dead connection
it draws (1 s, then 2 s, 4 s...: its reconnection backoff), so the first
requests after the fault are slow for a few seconds, which the figures
show (recovered_in_s). At most the requests in flight fail; the
test asserts that none fails after the first success that follows the kill
(once the ended backends are gone),
that every kind of request succeeds again within RECOVERY_LIMIT seconds,
and that the load did run before and after. bench/fault_pg_restart.py does
the same with a real restart of PostgreSQL.
"""
import time

import pytest

from . import load, measure

LOAD_BEFORE = 2.0
# Load kept after the recovery
LOAD_AFTER = 2.0
# Seconds within which every kind of request must succeed again: the pool
# waits 1, 2, 4... s (psycopg_pool's backoff) after each dead connection a
# request draws (docs/faults.md); under the pool's 30 s timeout.
RECOVERY_LIMIT = 25.0
ROUNDS = 2


def _terminate_all(database):
    """End every backend of the database but the test's own; their count

    Returns once the ended backends are gone: pg_terminate_backend only
    signals them, and a request that starts before a backend has died
    passes the pool's check and fails in flight (a failure of the fault,
    not of the recovery)."""
    rows = database.query(
        "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()", (database.name,))
    pids = [pid for pid, ended in rows if ended]
    deadline = time.monotonic() + 10
    while pids and time.monotonic() < deadline:
        if not database.query(
                "SELECT 1 FROM pg_stat_activity WHERE pid = ANY(%s)",
                (pids,)):
            break
        time.sleep(0.02)
    return len(pids)


def test_backends_killed_under_load(fault_db, trytond):
    if fault_db.backend != 'postgresql':
        pytest.skip("PostgreSQL only: SQLite has no server connection to "
            "lose")
    srv = trytond()
    figures = []
    for round_ in range(ROUNDS):
        work = load.Load(srv).start()
        try:
            time.sleep(LOAD_BEFORE)
            fault_at = time.monotonic()
            killed = _terminate_all(fault_db)
            fault_end = time.monotonic()
            # Until every kind of request succeeded again, then a little
            # more to see that the next ones succeed too.
            while time.monotonic() < fault_at + RECOVERY_LIMIT:
                recovered = work.summary(fault_at)['recovered_in_s']
                if len(recovered) == 3:
                    break
                time.sleep(0.2)
            time.sleep(LOAD_AFTER)
        finally:
            work.stop()
        summary = work.summary(fault_at, fault_end)
        summary['backends_terminated'] = killed
        figures.append(summary)
        assert killed >= 1, "trytond had no connection to kill"
        assert summary['before_fault'] > 0, summary
        assert summary['after_recovery'] > 0, summary
        assert summary['failed_after_recovery'] == 0, summary
        assert set(summary['recovered_in_s']) == {
            'portal', 'rpc_read', 'rpc_write'}, summary
        assert max(summary['recovered_in_s'].values()) <= RECOVERY_LIMIT, \
            summary
        assert srv.alive()
    measure.record(fault_db.backend, 'pg_backends_terminated', rounds=figures)
