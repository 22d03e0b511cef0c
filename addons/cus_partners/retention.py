# This file is part of the CUS back office.
"""Retention of the traces of the portal and the public pages: the login
and form attempts keep an IP address and the login typed. Tryton deletes
them itself after the rate-limit delay; the rule bounds how long any that
remain are kept."""
import datetime as dt

from sql import Null

from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

ATTEMPT_MODELS = ['cus.portal.attempt', 'web.user.authenticate.attempt']


class RetentionRule(metaclass=PoolMeta):
    __name__ = 'cus.retention.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(
            ('portal_attempts',
                "Portal Logins and Public Form Attempts (IP Addresses)"))

    def apply_portal_attempts(self, before):
        pool = Pool()
        cursor = Transaction().connection.cursor()
        limit = dt.datetime.combine(before, dt.time())
        records = 0
        for name in ATTEMPT_MODELS:
            table = pool.get(name).__table__()
            if self.action == 'delete':
                where = table.create_date < limit
            else:
                where = (table.create_date < limit) & (
                    (table.ip_address != Null) | (table.login != Null)
                    | (table.device_cookie != Null))
            cursor.execute(*table.select(table.id, where=where))
            ids = [i for i, in cursor]
            records += len(ids)
            if not ids:
                continue
            if self.action == 'delete':
                cursor.execute(*table.delete(where=where))
            else:
                cursor.execute(*table.update(
                        [table.login, table.device_cookie, table.ip_address,
                            table.ip_network],
                        [Null, Null, Null, Null], where=where))
        return records, 0
