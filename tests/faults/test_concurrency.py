# This file is part of the CUS back office.
"""Two people doing the same thing at once: one wins, the other is told in
Polish why not, and the data stays consistent

- two staff users approve the same draft update at the same moment;
- two staff users launch the update wizard on the same running plan;
- two portal sessions of a provider upload deliveries of the same order,
  each within what remains of it, both together above it.

The requests go to one trytond (threaded, as in production each request has
its own transaction and connection) from threads released together by a
barrier. The loser must get a UserError with a message of the module (a
JSON-RPC error ['UserError', [message, description], ...] in Polish) or the
upload page with the usual refusal of the lines, never a raw database error
or HTTP 503, and never both winning.

PostgreSQL only: trytond's SQLite backend has no row locks (its
lock_records and lock are no-ops) and reads outside the write transaction,
which starts at the first write (BEGIN IMMEDIATE); two requests may both
read the draft and both approve one after the other. SQLite serves
development and the tests; the CUS runs on PostgreSQL (docs/deployment.md).
"""
import threading
import time

import pytest
from browser import data

from . import measure, plans, server

# The Polish texts (addons/*/locale/pl.po) the loser must see
APPROVED_MEANWHILE = "został już zatwierdzony"
UPDATE_PENDING = "trwa już aktualizacja"
ROW_REMAINING = "przekracza pozostałą ilość zlecenia"


@pytest.fixture(autouse=True)
def postgresql_only(fault_db):
    if fault_db.backend != 'postgresql':
        pytest.skip("PostgreSQL only: trytond's SQLite backend has no row "
            "locks (see the module docstring)")


def race(*calls):
    "Run the calls in threads released together; [(result, error)]"
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        start = time.monotonic()
        try:
            answers[index] = (call(), None, time.monotonic() - start)
        except Exception as exception:
            answers[index] = (None, exception, time.monotonic() - start)
    threads = [threading.Thread(target=run, args=(i, c), daemon=True)
        for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return answers


def _user_error(exception):
    assert isinstance(exception, server.RpcError), repr(exception)
    assert exception.user_error, (
        f"not a UserError (HTTP {exception.status}): {exception.error!r}")
    return exception.user_error[0]


def test_concurrent_approvals(fault_db, trytond):
    srv = trytond()
    update = plans.draft_update(srv, fault_db)
    director = server.login(srv, data.LOGINS['director'])
    organiser = server.login(srv, data.LOGINS['organiser'])
    answers = race(
        lambda: plans.approve(srv, director, update),
        lambda: plans.approve(srv, organiser, update))
    winners = [a for a in answers if a[1] is None]
    losers = [a for a in answers if a[1] is not None]
    assert len(winners) == 1 and len(losers) == 1, answers
    message = _user_error(losers[0][1])
    assert APPROVED_MEANWHILE in message, message
    versions = plans.plan_versions(fault_db)
    assert versions[update][0] == 'running'
    assert [s for s, _, _ in versions.values()].count('running') == 1
    numbers = fault_db.query(
        'SELECT version, COUNT(*) FROM cus_ipus WHERE client = %s '
        'GROUP BY version HAVING COUNT(*) > 1', (fault_db.ids['client'],))
    assert numbers == []
    measure.record(fault_db.backend, 'concurrent_approvals',
        winners=1, losers_with_polish_message=1, loser_message=message,
        loser_answered_in_s=round(losers[0][2], 2),
        winner_answered_in_s=round(winners[0][2], 2))


def test_concurrent_updates(fault_db, trytond):
    srv = trytond()
    plans.cancel_pending(srv, fault_db)
    current = plans.current_plan(fault_db)
    coordinator = server.login(srv, data.LOGINS['coordinator'])
    organiser = server.login(srv, data.LOGINS['organiser'])
    answers = race(
        lambda: plans.update_plan(srv, coordinator, current, "Zmiana A"),
        lambda: plans.update_plan(srv, organiser, current, "Zmiana B"))
    winners = [a for a in answers if a[1] is None]
    losers = [a for a in answers if a[1] is not None]
    assert len(winners) == 1 and len(losers) == 1, answers
    message = _user_error(losers[0][1])
    assert UPDATE_PENDING in message, message
    pending = plans.pending_updates(fault_db)
    assert pending == [winners[0][0]]
    assert plans.plan_versions(fault_db)[current][0] in {
        'approved', 'running'}
    measure.record(fault_db.backend, 'concurrent_updates',
        winners=1, losers_with_polish_message=1, loser_message=message,
        new_versions=len(pending),
        loser_answered_in_s=round(losers[0][2], 2))


def test_concurrent_uploads(fault_db, trytond):
    "Each file fits what remains of the order, both together do not"
    srv = trytond()
    order_id = fault_db.ids['orders']['foundation']
    email = data.PROVIDERS['foundation']['email']
    (number, start, quantity), = fault_db.query(
        'SELECT number, start_date, quantity FROM cus_service_order '
        'WHERE id = %s', (order_id,))
    reported, = fault_db.query(
        "SELECT COALESCE(SUM(quantity), 0) FROM cus_service_delivery "
        "WHERE \"order\" = %s AND state != 'rejected'", (order_id,))[0]
    remaining = quantity - reported
    each = int(remaining // 2) + 1
    assert each <= remaining < 2 * each
    if isinstance(start, str):
        import datetime as dt
        start = dt.date.fromisoformat(start)
    content = server.csv_file(number, [start] * each, '1')
    first = server.Portal(srv, email).login()
    second = server.Portal(srv, email).login()
    requests = [first.upload_request('przejazdy-a.csv', content),
        second.upload_request('przejazdy-b.csv', content)]
    answers = race(
        lambda: first._open(requests[0]),
        lambda: second._open(requests[1]))
    statuses = sorted(a[0][0] for a in answers if a[0])
    assert statuses == [200, 400], answers
    refused = next(a[0][1] for a in answers if a[0][0] == 400)
    errors = server.upload_errors(refused)
    assert errors and all(ROW_REMAINING in e for e in errors), errors
    total, = fault_db.query(
        "SELECT COALESCE(SUM(quantity), 0) FROM cus_service_delivery "
        "WHERE \"order\" = %s AND state != 'rejected'", (order_id,))[0]
    assert total == reported + each <= quantity
    measure.record(fault_db.backend, 'concurrent_uploads',
        order_quantity=quantity, file_quantity_each=each,
        accepted_uploads=1, refused_uploads=1,
        refused_message=errors[0], delivered_after=total)
