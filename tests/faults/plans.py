# This file is part of the CUS back office.
"""Plan (IPUS) steps of the fault tests, through JSON-RPC as sao does them

All work on the plan of data.CLIENT (built by tests/browser/build_data.py:
running, a care line given to the cooperative with its sent order), in
whatever version the earlier tests left it."""
import datetime as dt

from browser import data

from . import server


def plan_versions(database):
    "{id: (state, version, previous_version)} of CLIENT's plan versions"
    rows = database.query(
        'SELECT id, state, version, previous_version FROM cus_ipus '
        'WHERE client = %s ORDER BY version', (database.ids['client'],))
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def current_plan(database):
    "The approved or running version"
    current = [i for i, (state, _, _) in plan_versions(database).items()
        if state in {'approved', 'running'}]
    assert len(current) == 1, plan_versions(database)
    return current[0]


def pending_updates(database):
    return [i for i, (state, _, previous) in plan_versions(database).items()
        if state == 'draft' and previous]


def context(srv, session):
    return server.context(srv, session)


def update_plan(srv, session, plan_id, reason):
    "Run the update wizard on plan_id as session; the new version's id"
    ctx = context(srv, session)
    wizard_id, _, _ = server.rpc(
        srv, 'wizard.cus.ipus.update.create', [ctx], session=session)
    ctx = dict(ctx, active_id=plan_id, active_ids=[plan_id],
        active_model='cus.ipus')
    try:
        result = server.rpc(srv, 'wizard.cus.ipus.update.execute', [
                wizard_id, {'start': {'reason': reason}}, 'create_', ctx],
            session=session)
    finally:
        server.rpc(srv, 'wizard.cus.ipus.update.delete', [wizard_id, ctx],
            session=session)
    (action, values), = result['actions']
    return values['res_id'][0]


def approve(srv, session, plan_id):
    ctx = context(srv, session)
    return server.rpc(srv, 'model.cus.ipus.approve', [[plan_id], ctx],
        session=session)


def cancel_pending(srv, database):
    "Cancel the draft updates left by earlier tests"
    pending = pending_updates(database)
    if pending:
        session = server.login(srv, data.LOGINS['director'])
        server.rpc(srv, 'model.cus.ipus.cancel',
            [pending, context(srv, session)], session=session)


def draft_update(srv, database, reason="Pogorszenie stanu zdrowia"):
    "A draft update of the current version (the pending one, or a new one)"
    pending = pending_updates(database)
    if pending:
        return pending[0]
    session = server.login(srv, data.LOGINS['coordinator'])
    return update_plan(srv, session, current_plan(database), reason)


def report_deliveries(srv, database, filename, count=3):
    "A few deliveries of the cooperative on its order (through the portal)"
    order_id = database.ids['orders']['coop']
    order, = database.query(
        'SELECT number, start_date FROM cus_service_order WHERE id = %s',
        (order_id,))
    start = order[1]
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    portal = server.Portal(srv, data.PROVIDERS['coop']['email']).login()
    status, page = portal.upload(filename, server.csv_file(
            order[0], [start] * count, '1'))
    assert status == 200, server.upload_errors(page) or page[:300]
    return database.query(
        'SELECT id FROM cus_service_delivery WHERE portal_upload = %s',
        (filename,))


def snapshot(database):
    "What an approval may change: plans, their lines, deliveries, orders"
    plans = database.query(
        'SELECT id, state, number, approved_by, approved_date FROM cus_ipus '
        'WHERE client = %s ORDER BY id', (database.ids['client'],))
    lines = database.query(
        'SELECT l.id, l.state FROM cus_ipus_line AS l '
        'JOIN cus_ipus AS p ON p.id = l.plan WHERE p.client = %s '
        'ORDER BY l.id', (database.ids['client'],))
    deliveries = database.query(
        'SELECT id, line, state FROM cus_service_delivery WHERE client = %s '
        'ORDER BY id', (database.ids['client'],))
    orders = database.query(
        'SELECT id, ipus_line, state, quantity FROM cus_service_order '
        'WHERE client = %s ORDER BY id', (database.ids['client'],))
    waiting = database.query('SELECT COUNT(*) FROM cus_service_waiting')
    return {'plans': plans, 'lines': lines, 'deliveries': deliveries,
        'orders': orders, 'waiting': waiting}
