# This file is part of the CUS back office.
"""ORM steps of the backup test (tests/deploy/test_backup.py)

    python tests/deploy/orm_tool.py -c CONF [CONF ...] -d DB seed CLIENT_ID
        a delivery reported by the provider 'coop' of tests/browser/data.py
        on its order (cus.portal.report, as the portal does) and an
        attachment on the client (ir.attachment, in the file store);
        prints {"delivery": id, "attachment": id, "data": sha256}
    python tests/deploy/orm_tool.py -c CONF [CONF ...] -d DB read ATTACHMENT_ID
        prints {"name": ..., "resource": ..., "data": sha256} of the
        attachment, read through the ORM
"""
import argparse
import datetime as dt
import hashlib
import json
import sys

ATTACHMENT = ("Zgoda na przetwarzanie danych osobowych\n"
    "(skan podpisanej zgody, test kopii zapasowej)\n").encode('utf-8') * 50


def seed(pool, client_id):
    Portal = pool.get('cus.portal')
    WebUser = pool.get('web.user')
    Order = pool.get('cus.service.order')
    Attachment = pool.get('ir.attachment')
    from browser import data
    web_user, = WebUser.search(
        [('email', '=', data.PROVIDERS['coop']['email'])])
    parties = Portal.provider_parties(web_user)
    order, = Order.search([('provider', 'in', parties)])
    day = max(order.start_date, min(dt.date.today(), order.end_date))
    deliveries, errors = Portal.report(web_user, parties, [{
                'line': 1, 'order': order, 'date': day.isoformat(),
                'quantity': '2', 'duration': '2', 'notes': 'kopia'}])
    assert not errors, errors
    attachment, = Attachment.create([{
                'name': 'zgoda.txt',
                'resource': f'party.party,{client_id}',
                'data': ATTACHMENT,
                }])
    return {'delivery': deliveries[0].id, 'attachment': attachment.id,
        'file_id': attachment.file_id,
        'data': hashlib.sha256(ATTACHMENT).hexdigest()}


def read(pool, attachment_id):
    Attachment = pool.get('ir.attachment')
    attachment = Attachment(attachment_id)
    return {'name': attachment.name, 'resource': str(attachment.resource),
        'data': hashlib.sha256(attachment.data).hexdigest()}


def main(args=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('-c', '--config', nargs='+', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('action', choices=['seed', 'read'])
    parser.add_argument('id', type=int)
    options = parser.parse_args(args)

    import os
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
    from trytond import config
    config.update_etc(options.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from trytond.transaction import TransactionError

    pool = Pool(options.database)
    pool.init()
    extras = {}
    while True:
        with Transaction().start(options.database, 0, context={
                    'language': 'pl'}, readonly=options.action == 'read',
                **extras) as transaction:
            try:
                if options.action == 'seed':
                    result = seed(pool, options.id)
                    transaction.commit()
                else:
                    result = read(pool, options.id)
            except TransactionError as exception:
                # e.g. the records the portal locks: start again with the
                # locks taken at the start (as trytond's dispatcher does)
                transaction.rollback()
                exception.fix(extras)
                continue
        break
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
