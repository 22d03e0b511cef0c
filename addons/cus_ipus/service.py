# This file is part of the CUS back office.
from collections import defaultdict

from sql import Literal, Null, Union
from sql.aggregate import Count, Sum

from trytond import backend
from trytond.model import fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction


class Service(metaclass=PoolMeta):
    __name__ = 'cus.service'

    # The live counters of the service base: what is currently granted in
    # open plans and qualified one-off or short applications, and what of it
    # was used (confirmed deliveries).
    persons = fields.Function(fields.Integer(
            "Persons", help="Persons with the service granted now."),
        'get_counters')
    granted = fields.Function(fields.Float(
            "Granted", digits=(16, 2),
            help="Units granted in open plans and qualified applications."),
        'get_counters')
    used = fields.Function(fields.Float(
            "Used", digits=(16, 2),
            help="Units of the granted ones confirmed as delivered."),
        'get_counters')
    remaining = fields.Function(fields.Float(
            "Remaining", digits=(16, 2),
            help="Units granted and not used yet."),
        'get_counters')

    @classmethod
    def _granted_lines_query(cls):
        "Rows (service, client, quantity, line, application_line)"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        IpusLine = pool.get('cus.ipus.line')
        Application = pool.get('cus.application')
        ApplicationLine = pool.get('cus.application.line')
        ipus = Ipus.__table__()
        line = IpusLine.__table__()
        application = Application.__table__()
        app_line = ApplicationLine.__table__()
        plan_lines = line.join(ipus, condition=line.plan == ipus.id).select(
            line.service.as_('service'), ipus.client.as_('client'),
            line.quantity.as_('quantity'), line.id.as_('line'),
            Literal(None).as_('application_line'),
            where=ipus.state.in_(['approved', 'running'])
            & (line.state == 'open'))
        application_lines = app_line.join(application,
            condition=app_line.application == application.id).select(
                app_line.service.as_('service'),
                application.client.as_('client'),
                app_line.quantity.as_('quantity'),
                Literal(None).as_('line'),
                app_line.id.as_('application_line'),
                where=(application.state == 'qualified')
                & (app_line.state == 'granted'))
        return Union(plan_lines, application_lines, all_=True)

    @classmethod
    def get_counters(cls, services, names):
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        cursor = Transaction().connection.cursor()
        ids = [s.id for s in services]
        persons = defaultdict(int)
        granted = defaultdict(float)
        used = defaultdict(float)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            sub_ids = list(sub_ids)
            lines = cls._granted_lines_query()
            cursor.execute(*lines.select(
                    lines.service,
                    Count(lines.client, distinct=True),
                    Sum(lines.quantity),
                    where=SQL_OPERATORS['in'](lines.service, sub_ids),
                    group_by=[lines.service]))
            for service_id, count, quantity in cursor:
                persons[service_id] = count
                granted[service_id] = quantity or 0
            if 'used' in names or 'remaining' in names:
                delivery = Delivery.__table__()
                lines = cls._granted_lines_query()
                on_line = lines.select(
                    lines.line, where=lines.line != Null)
                on_application = lines.select(
                    lines.application_line,
                    where=lines.application_line != Null)
                cursor.execute(*delivery.select(
                        delivery.service, Sum(delivery.quantity),
                        where=SQL_OPERATORS['in'](delivery.service, sub_ids)
                        & (delivery.state == 'confirmed')
                        & (delivery.line.in_(on_line)
                            | delivery.application_line.in_(on_application)),
                        group_by=[delivery.service]))
                for service_id, quantity in cursor:
                    used[service_id] = quantity or 0
        values = {
            'persons': persons,
            'granted': granted,
            'used': used,
            'remaining': {i: granted[i] - used[i] for i in ids},
            }
        return {n: {i: values[n][i] for i in ids} for n in names}
