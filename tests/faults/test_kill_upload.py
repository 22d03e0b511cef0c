# This file is part of the CUS back office.
"""trytond killed (SIGKILL) in the middle of a portal CSV upload

The provider uploads a file of UPLOAD_LINES valid deliveries of its order;
the upload records them one by one in one transaction (Portal.record), which
takes seconds. The test waits until the server is provably inside that
transaction, kills the whole trytond process group, and checks that nothing
of the file was kept and the order is as before; a new trytond then takes
the same file completely.

"Inside the transaction":
- PostgreSQL: pg_stat_activity shows trytond's backend of the database in
  a transaction (active or idle in transaction, with a transaction id, so
  it has written) whose statement is an INSERT into cus_service_delivery;
- SQLite (WAL, one writer): the database's write lock is held (a probe
  BEGIN IMMEDIATE fails at once) and at least a third of the measured
  duration of the whole upload has passed since the request was sent, so the
  deliveries are being inserted (reading the file and checking the rows
  take a small part of it; measured in docs/faults.md).
"""
import contextlib
import datetime as dt
import sqlite3
import threading
import time

from browser import data

from . import measure, server

UPLOAD_LINES = 1000
LINE_QUANTITY = '0,02'
FILENAME = 'realizacje-listopad.csv'


def _dates(database, order_id):
    start, end = database.query(
        'SELECT start_date, end_date FROM cus_service_order WHERE id = %s',
        (order_id,))[0]
    if isinstance(start, str):
        start, end = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    # Up to yesterday: the server's today (Europe/Warsaw) may differ.
    last = min(end, dt.date.today() - dt.timedelta(days=1))
    if last < start:
        last = start
    days = (last - start).days + 1
    return [start + dt.timedelta(days=i % days) for i in range(UPLOAD_LINES)]


def order_state(database, order_id):
    "What the upload may change: the order row and its deliveries"
    order = database.query(
        'SELECT state, quantity, write_date FROM cus_service_order '
        'WHERE id = %s', (order_id,))[0]
    deliveries = database.query(
        'SELECT COUNT(*), COALESCE(SUM(quantity), 0) '
        'FROM cus_service_delivery WHERE "order" = %s', (order_id,))[0]
    return tuple(order), tuple(deliveries)


def file_deliveries(database):
    return database.query(
        'SELECT COUNT(*) FROM cus_service_delivery WHERE portal_upload = %s',
        (FILENAME,))[0][0]


def _pg_inside(database):
    "trytond's backend is inserting deliveries in an open transaction"
    rows = database.query(
        "SELECT pid, state, query FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid() "
        "AND backend_xid IS NOT NULL "
        "AND state IN ('active', 'idle in transaction') "
        "AND query LIKE %s",
        (database.name, 'INSERT INTO "cus_service_delivery"%'))
    return rows


def _pg_in_transaction(database, pid):
    "The backend pid is still in a transaction that has written"
    return database.query(
        "SELECT pid FROM pg_stat_activity WHERE pid = %s "
        "AND backend_xid IS NOT NULL "
        "AND state IN ('active', 'idle in transaction')", (pid,))


def _sqlite_locked(database):
    "Another connection holds the write lock of the database"
    connection = sqlite3.connect(
        str(database.sqlite_path), timeout=0, isolation_level=None)
    try:
        connection.execute('BEGIN IMMEDIATE')
    except sqlite3.OperationalError as exception:
        return 'locked' in str(exception)
    else:
        connection.execute('ROLLBACK')
        return False
    finally:
        connection.close()


def _pg_backends(database):
    return database.query(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s "
        "AND pid <> pg_backend_pid()", (database.name,))[0][0]


def test_kill_during_upload(fault_db, trytond):
    order_id = fault_db.ids['orders']['coop']
    number = fault_db.ids['order_numbers']['coop']
    email = data.PROVIDERS['coop']['email']
    content = server.csv_file(
        number, _dates(fault_db, order_id), LINE_QUANTITY)
    before = order_state(fault_db, order_id)
    assert file_deliveries(fault_db) == 0

    srv = trytond()
    portal = server.Portal(srv, email).login()

    # The upload that is killed
    request = portal.upload_request(FILENAME, content)
    answer = {}

    def send():
        try:
            answer['response'] = portal._open(request, timeout=300)
        except Exception as exception:  # the connection dies with trytond
            answer['error'] = exception

    sent = time.monotonic()
    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    evidence = None
    deadline = sent + 120
    while time.monotonic() < deadline and 'response' not in answer:
        if fault_db.backend == 'postgresql':
            rows = _pg_inside(fault_db)
            if rows:
                pid = rows[0][0]
                evidence = (f"backend {rows[0][0]} {rows[0][1]}: "
                    f"{rows[0][2][:60]}")
                # A little more so that many rows are written
                time.sleep(1)
                break
        else:
            elapsed = time.monotonic() - sent
            if elapsed >= SQLITE_KILL_AFTER and _sqlite_locked(fault_db):
                evidence = (f"write lock held {elapsed:.1f} s after the "
                    "request was sent")
                break
        time.sleep(0.05)
    assert 'response' not in answer, (
        "the upload ended before the server could be killed: "
        f"{answer['response'][0]}")
    assert evidence, "the server was never seen inside the transaction"
    # Still in the same transaction (its statement of the moment may be
    # another one: a read of the checks of a delivery)
    still_inside = (_pg_in_transaction(fault_db, pid)
        if fault_db.backend == 'postgresql' else _sqlite_locked(fault_db))
    killed_at = time.monotonic()
    srv.kill()
    thread.join(30)
    assert still_inside
    assert 'response' not in answer, answer.get('response')

    # PostgreSQL ends the orphaned backend (its client is gone) and rolls
    # its transaction back.
    if fault_db.backend == 'postgresql':
        deadline = time.monotonic() + 30
        while _pg_backends(fault_db) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _pg_backends(fault_db) == 0
    rolled_back_in = time.monotonic() - killed_at
    assert file_deliveries(fault_db) == 0
    assert order_state(fault_db, order_id) == before

    # A new server takes the same file completely.
    srv = trytond()
    restarted_in = time.monotonic() - killed_at
    portal = server.Portal(srv, email).login()
    start = time.monotonic()
    status, page = portal.upload(FILENAME, content, timeout=300)
    upload_seconds = time.monotonic() - start
    assert status == 200, server.upload_errors(page) or page[:500]
    assert server.upload_saved(page) == UPLOAD_LINES, page[:500]
    assert file_deliveries(fault_db) == UPLOAD_LINES
    (state, quantity, _), (count, total) = order_state(fault_db, order_id)
    assert (state, quantity) == before[0][:2]
    assert count == before[1][0] + UPLOAD_LINES
    assert abs(float(total) - float(before[1][1]) - UPLOAD_LINES * 0.02) \
        < 1e-6

    measure.record(fault_db.backend, 'kill_during_upload',
        lines=UPLOAD_LINES, killed_after_s=round(killed_at - sent, 2),
        evidence=evidence,
        rows_left_after_kill=0, rolled_back_in_s=round(rolled_back_in, 2),
        server_restarted_in_s=round(restarted_in, 2),
        full_upload_after_restart_s=round(upload_seconds, 2))


# SQLite: seconds after sending the upload before the kill, when the write
# lock is held (the whole upload takes about three times as long, see
# docs/faults.md).
SQLITE_KILL_AFTER = 3.0
