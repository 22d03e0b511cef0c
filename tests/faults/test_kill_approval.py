# This file is part of the CUS back office.
"""trytond killed (SIGKILL) in the middle of the approval of a plan update

Approving an update (cus.ipus approve) marks it approved and numbered,
moves the orders of the cooperative to its lines (cus_partners), supersedes
the previous version and closes its lines, then moves the deliveries to the
new lines and runs the plan, all in one transaction.

To be inside that transaction for sure, the test holds a row lock (SELECT
... FOR UPDATE, from its own connection) on the deliveries that the approval
moves: the approval has then already written the plans, lines and orders and
waits on its UPDATE of cus_service_delivery, which pg_stat_activity shows
(wait_event_type Lock, the UPDATE statement). The test kills trytond there,
releases its lock and checks that every row is as before: the update still
a draft, the previous version running with its open lines, the deliveries
on the previous lines, the orders unchanged, no order created. A new
trytond then approves the same update completely.

PostgreSQL only: on SQLite a writer holds the database's single write lock,
so a lock held by the test would block the approval before its first write
and there is no "middle" to observe; SQLite's atomic commit under a kill is
shown by test_kill_upload.
"""
import contextlib
import threading
import time

import pytest
from browser import data

from . import measure, plans, server


def _waiting_backend(database):
    return database.query(
        "SELECT pid, wait_event_type, query FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid() "
        "AND backend_xid IS NOT NULL AND wait_event_type = 'Lock' "
        "AND query LIKE %s",
        (database.name, 'UPDATE "cus_service_delivery"%'))


def test_kill_during_approval(fault_db, trytond):
    if fault_db.backend != 'postgresql':
        pytest.skip("PostgreSQL only: no row lock to hold the approval in "
            "its transaction on SQLite (see the module docstring)")
    srv = trytond()
    deliveries = plans.report_deliveries(srv, fault_db, 'przed-zmiana.csv')
    previous = plans.current_plan(fault_db)
    update = plans.draft_update(srv, fault_db)
    before = plans.snapshot(fault_db)
    assert plans.plan_versions(fault_db)[update][0] == 'draft'

    director = server.login(srv, data.LOGINS['director'])
    answer = {}

    def approve():
        try:
            answer['result'] = plans.approve(srv, director, update)
        except Exception as exception:
            answer['error'] = exception

    with contextlib.closing(fault_db.pg_connect(autocommit=False)) as lock:
        lock.execute(
            'SELECT id FROM cus_service_delivery WHERE id = ANY(%s) '
            'FOR UPDATE', ([d[0] for d in deliveries],))
        sent = time.monotonic()
        thread = threading.Thread(target=approve, daemon=True)
        thread.start()
        evidence = None
        while time.monotonic() < sent + 60 and not answer:
            rows = _waiting_backend(fault_db)
            if rows:
                evidence = (f"backend {rows[0][0]} waits ({rows[0][1]}) on: "
                    f"{rows[0][2][:50]}")
                break
            time.sleep(0.05)
        assert not answer, answer
        assert evidence, "the approval never reached the deliveries"
        killed_at = time.monotonic()
        srv.kill()
        thread.join(30)
        assert 'result' not in answer, answer
        lock.rollback()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and fault_db.query(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s "
            "AND pid <> pg_backend_pid()", (fault_db.name,))[0][0]:
        time.sleep(0.1)
    rolled_back_in = time.monotonic() - killed_at
    after = plans.snapshot(fault_db)
    assert after == before
    versions = plans.plan_versions(fault_db)
    assert versions[update][0] == 'draft'
    assert versions[previous][0] == 'running'

    # A new server approves the same update completely.
    srv = trytond()
    director = server.login(srv, data.LOGINS['director'])
    start = time.monotonic()
    plans.approve(srv, director, update)
    approve_seconds = time.monotonic() - start
    versions = plans.plan_versions(fault_db)
    assert versions[update][0] == 'running'
    assert versions[previous][0] == 'superseded'
    new_lines = {r[0] for r in fault_db.query(
            'SELECT id FROM cus_ipus_line WHERE plan = %s', (update,))}
    moved = fault_db.query(
        'SELECT line FROM cus_service_delivery WHERE id = ANY(%s)',
        ([d[0] for d in deliveries],))
    assert {m[0] for m in moved} <= new_lines
    orders = fault_db.query(
        'SELECT ipus_line FROM cus_service_order WHERE client = %s '
        'AND ipus_line IS NOT NULL', (fault_db.ids['client'],))
    assert {o[0] for o in orders} <= new_lines
    assert len(orders) == len([o for o in before['orders'] if o[1]])

    measure.record(fault_db.backend, 'kill_during_approval',
        evidence=evidence, killed_after_s=round(killed_at - sent, 2),
        rows_changed_after_kill=sum(
            a != b for k in before for a, b in zip(before[k], after[k])),
        rolled_back_in_s=round(rolled_back_in, 2),
        approval_after_restart_s=round(approve_seconds, 2))
