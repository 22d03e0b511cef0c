# This file is part of the CUS back office.
import datetime as dt
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
    def _granted_lines_query(cls, service_ids, with_used=True):
        """Rows (service, client, quantity, used) of the lines granted now

        Plan lines of approved or running plans, and the granted lines of
        qualified one-off and short applications whose period is not over
        (without an end date, a short path lasts at most 3 months).
        Each line's confirmed deliveries are summed through the delivery
        indexes, not by scanning the deliveries of the services.
        """
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        IpusLine = pool.get('cus.ipus.line')
        Application = pool.get('cus.application')
        ApplicationLine = pool.get('cus.application.line')
        Delivery = pool.get('cus.service.delivery')
        Date = pool.get('ir.date')
        ipus, line = Ipus.__table__(), IpusLine.__table__()
        application = Application.__table__()
        app_line = ApplicationLine.__table__()
        delivery = Delivery.__table__()
        plan_service, application_service = cls.__table__(), cls.__table__()
        today = Date.today()
        if with_used:
            line_used = delivery.select(
                Sum(delivery.quantity),
                where=(delivery.line == line.id)
                & (delivery.state == 'confirmed'))
            application_line_used = delivery.select(
                Sum(delivery.quantity),
                where=(delivery.application_line == app_line.id)
                & (delivery.state == 'confirmed'))
        else:
            # A number, not NULL: PostgreSQL cannot sum an untyped NULL.
            line_used = application_line_used = Literal(0.0)
        plan_lines = (line
            .join(ipus, condition=line.plan == ipus.id)
            .join(plan_service, condition=line.service == plan_service.id)
            .select(
                line.service.as_('service'), ipus.client.as_('client'),
                line.quantity.as_('quantity'), line_used.as_('used'),
                where=ipus.state.in_(['approved', 'running'])
                & (line.state == 'open')
                & SQL_OPERATORS['in'](plan_service.id, service_ids)))
        application_lines = (app_line
            .join(application,
                condition=app_line.application == application.id)
            .join(application_service,
                condition=app_line.service == application_service.id)
            .select(
                app_line.service.as_('service'),
                application.client.as_('client'),
                app_line.quantity.as_('quantity'),
                application_line_used.as_('used'),
                where=(application.state == 'qualified')
                & (app_line.state == 'granted')
                & ((app_line.end_date >= today)
                    | ((app_line.end_date == Null)
                        & (application.application_date
                            >= today - dt.timedelta(days=92))))
                & SQL_OPERATORS['in'](application_service.id, service_ids)))
        return Union(plan_lines, application_lines, all_=True)

    @classmethod
    def get_counters(cls, services, names):
        cursor = Transaction().connection.cursor()
        ids = [s.id for s in services]
        with_used = bool({'used', 'remaining'} & set(names))
        persons = defaultdict(int)
        granted = defaultdict(float)
        used = defaultdict(float)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            lines = cls._granted_lines_query(list(sub_ids), with_used)
            cursor.execute(*lines.select(
                    lines.service,
                    Count(lines.client, distinct=True),
                    Sum(lines.quantity),
                    Sum(lines.used),
                    group_by=[lines.service]))
            for service_id, count, quantity, used_quantity in cursor:
                persons[service_id] = count
                granted[service_id] = quantity or 0
                used[service_id] = used_quantity or 0
        values = {
            'persons': persons,
            'granted': granted,
            'used': used,
            'remaining': {i: granted[i] - used[i] for i in ids},
            }
        return {n: {i: values[n][i] for i in ids} for n in names}
