# This file is part of the CUS back office.
from collections import defaultdict

from sql import Literal, Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from cus_base.model import ServerFieldsCopyMixin
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import IpusError

STATES = [
    ('waiting', "Waiting"),
    ('offered', "Place Offered"),
    ('accepted', "Accepted"),
    ('withdrawn', "Withdrawn"),
    ]


class Service(metaclass=PoolMeta):
    __name__ = 'cus.service'

    waiting = fields.Function(fields.Integer(
            "Waiting", help="Persons on the waiting list of the service."),
        'get_waiting')

    @classmethod
    def get_waiting(cls, services, name):
        pool = Pool()
        Waiting = pool.get('cus.service.waiting')
        waiting = Waiting.__table__()
        cursor = Transaction().connection.cursor()
        result = dict.fromkeys([s.id for s in services], 0)
        cursor.execute(*waiting.select(
                waiting.service, Sum(Literal(1)),
                where=fields.SQL_OPERATORS['in'](waiting.service, list(result))
                & waiting.state.in_(['waiting', 'offered']),
                group_by=[waiting.service]))
        result.update(cursor)
        return result

    def free_capacity(self, start, end, exclude_plans=None):
        """Units still free in the programmes running over [start, end]

        Returns None when no running programme limits the service. The
        capacity is the planned volume of the programme lines; what is
        granted in open plan lines and qualified applications within their
        window uses it up.
        """
        pool = Pool()
        ProgrammeLine = pool.get('cus.programme.line')
        Ipus = pool.get('cus.ipus')
        IpusLine = pool.get('cus.ipus.line')
        Application = pool.get('cus.application')
        ApplicationLine = pool.get('cus.application.line')
        programme_lines = ProgrammeLine.search([
                ('service', '=', self.id),
                ('programme.state', '=', 'running'),
                ('programme.start_date', '<=', end),
                ('programme.end_date', '>=', start),
                ('planned_quantity', '!=', None),
                ])
        if not programme_lines:
            return None
        capacity = sum(l.planned_quantity for l in programme_lines)
        window_start = min(
            l.start_date or l.programme.start_date for l in programme_lines)
        window_end = max(
            l.end_date or l.programme.end_date for l in programme_lines)
        cursor = Transaction().connection.cursor()
        ipus = Ipus.__table__()
        line = IpusLine.__table__()
        where = ((line.service == self.id) & (line.state == 'open')
            & ipus.state.in_(['approved', 'running'])
            & (line.start_date <= window_end)
            & (line.end_date >= window_start))
        if exclude_plans:
            where &= ~line.plan.in_([p.id for p in exclude_plans])
        cursor.execute(*line.join(ipus, condition=line.plan == ipus.id
                ).select(Coalesce(Sum(line.quantity), 0), where=where))
        committed, = cursor.fetchone()
        application = Application.__table__()
        app_line = ApplicationLine.__table__()
        cursor.execute(*app_line.join(application,
                condition=app_line.application == application.id).select(
                Coalesce(Sum(app_line.quantity), 0),
                where=(app_line.service == self.id)
                & (app_line.state == 'granted')
                & (application.state == 'qualified')
                & (Coalesce(app_line.start_date,
                        application.application_date) <= window_end)
                & ((app_line.end_date == Null)
                    | (app_line.end_date >= window_start))))
        committed += cursor.fetchone()[0]
        return capacity - committed


class ServiceWaiting(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "Waiting list of a service, in the order applications arrived"
    __name__ = 'cus.service.waiting'
    __string__ = "Waiting List Entry"

    service = fields.Many2One(
        'cus.service', "Service", required=True, readonly=True,
        ondelete='RESTRICT')
    client = fields.Many2One(
        'party.party', "Client", required=True, readonly=True,
        ondelete='RESTRICT')
    application_date = fields.Date(
        "Application Date", required=True, readonly=True,
        help="The list is ordered by it (art. 43: in the order the "
        "applications arrived).")
    plan_line = fields.Many2One(
        'cus.ipus.line', "Plan Line", readonly=True, ondelete='CASCADE')
    application_line = fields.Many2One(
        'cus.application.line', "Application Line", readonly=True,
        ondelete='CASCADE')
    quantity = fields.Float(
        "Quantity", digits=(16, 2), required=True, readonly=True)
    position = fields.Function(
        fields.Integer("Position"), 'get_position')
    offered_date = fields.Date("Offered On", readonly=True)
    notes = fields.Text("Notes")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t,
                (t.service, Index.Range()),
                (t.application_date, Index.Range()),
                where=t.state.in_(['waiting', 'offered'])))
        cls._order = [
            ('service', 'ASC'), ('application_date', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('waiting', 'offered'),
            ('offered', 'accepted'),
            ('waiting', 'withdrawn'),
            ('offered', 'withdrawn'),
            ('offered', 'waiting'),
            }
        cls._buttons.update({
                'accept': {
                    'invisible': Eval('state') != 'offered',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'withdraw': {
                    'invisible': ~Eval('state').in_(['waiting', 'offered']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'waiting'

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'offered', 'success',
                    If(Eval('state').in_(['accepted', 'withdrawn']),
                        'muted', ''))),
            ]

    @classmethod
    def get_position(cls, entries, name):
        "Rank among the open entries of the same service"
        services = {e.service.id for e in entries}
        open_entries = cls.search([
                ('service', 'in', list(services)),
                ('state', 'in', ['waiting', 'offered']),
                ], order=[('application_date', 'ASC'), ('id', 'ASC')])
        rank = {}
        counters = defaultdict(int)
        for entry in open_entries:
            counters[entry.service.id] += 1
            rank[entry.id] = counters[entry.service.id]
        return {e.id: rank.get(e.id) for e in entries}

    def get_rec_name(self, name):
        return f'{self.service.rec_name} - {self.client.rec_name}'

    @classmethod
    def queued_before(cls, service, date):
        "Units asked by those waiting for the service since before the date"
        entries = cls.search([
                ('service', '=', service.id),
                ('state', 'in', ['waiting', 'offered']),
                ('application_date', '<=', date),
                ])
        return sum(e.quantity for e in entries)

    @property
    def origin(self):
        return self.plan_line or self.application_line

    @classmethod
    def enlist(cls, origins):
        "Put plan or application lines that do not fit on the waiting list"
        entries = []
        for origin in origins:
            if origin.__name__ == 'cus.ipus.line':
                entries.append(cls(
                        service=origin.service, client=origin.plan.client,
                        application_date=(
                            origin.plan.application_date
                            or origin.plan.drawn_up_date),
                        plan_line=origin, quantity=origin.quantity))
            else:
                application = origin.application
                entries.append(cls(
                        service=origin.service, client=application.client,
                        application_date=application.application_date,
                        application_line=origin, quantity=origin.quantity))
        cls.save(entries)
        return entries

    @classmethod
    def offer_next(cls, services):
        """Offer the place to the first in line when capacity allows

        Called when a plan or application releases granted units.
        """
        pool = Pool()
        Date = pool.get('ir.date')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        to_offer = []
        for service in set(services):
            first = cls.search([
                    ('service', '=', service.id),
                    ('state', '=', 'waiting'),
                    ], order=[('application_date', 'ASC'), ('id', 'ASC')],
                limit=1)
            if first and first[0]._fits():
                to_offer.append(first[0])
        if not to_offer:
            return
        cls.offer(to_offer)
        cls.write(to_offer, {'offered_date': Date.today()})
        notifications = []
        for entry in to_offer:
            line = entry.plan_line
            employee = line.plan.coordinator if line else None
            users = User.search([('employees', '=', employee.id)]) if (
                employee) else []
            for user in users:
                notifications.append(Notification(
                        user=user,
                        label=gettext('cus_ipus.msg_waiting_offered_label'),
                        description=entry.rec_name,
                        model=cls.__name__,
                        records=str([entry.id])))
        Notification.save(notifications)

    def _fits(self):
        origin = self.origin
        start = origin.start_date or self.application_date
        end = origin.end_date or start
        free = self.service.free_capacity(start, end)
        return free is None or free >= self.quantity

    @classmethod
    @Workflow.transition('offered')
    def offer(cls, entries):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('accepted')
    def accept(cls, entries):
        "Grant the waiting line now that a place is free"
        pool = Pool()
        IpusLine = pool.get('cus.ipus.line')
        ApplicationLine = pool.get('cus.application.line')
        for entry in entries:
            if not entry._fits():
                raise IpusError(gettext(
                        'cus_ipus.msg_waiting_no_capacity',
                        entry=entry.rec_name))
        IpusLine.write(
            [e.plan_line for e in entries if e.plan_line],
            {'state': 'open'})
        ApplicationLine.write(
            [e.application_line for e in entries if e.application_line],
            {'state': 'granted'})

    @classmethod
    @ModelView.button
    @Workflow.transition('withdrawn')
    def withdraw(cls, entries):
        pool = Pool()
        IpusLine = pool.get('cus.ipus.line')
        ApplicationLine = pool.get('cus.application.line')
        IpusLine.write(
            [e.plan_line for e in entries
                if e.plan_line and e.plan_line.state == 'waiting'],
            {'state': 'closed'})
        ApplicationLine.write(
            [e.application_line for e in entries
                if e.application_line
                and e.application_line.state == 'waiting'],
            {'state': 'withdrawn'})
