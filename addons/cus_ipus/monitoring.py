# This file is part of the CUS back office.
import datetime as dt
import json
from collections import defaultdict

from cus_base.model import RecNameSearchMixin
from sql.aggregate import Max
from sql.conditionals import Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

KINDS = [
    ('phone', "Phone Call"),
    ('visit', "Visit"),
    ('provider', "Provider Contact"),
    ('quality', "Quality Check"),
    ('satisfaction', "Satisfaction Check"),
    ]
CONTACTS = [
    ('client', "Client"),
    ('family', "Family"),
    ('provider', "Provider"),
    ]
# Plans that may be monitored
MONITORED_STATES = {'approved', 'running'}
# The icon marks the notifications of the overdue monitoring cron, so that
# it sends one a day at most.
NOTIFICATION_ICON = 'tryton-warning'


class MonitoringValidationError(ValidationError):
    pass


class Monitoring(RecNameSearchMixin, ModelSQL, ModelView):
    "A contact of the coordinator about a running plan (art. 45 ust. 1)"
    __name__ = 'cus.ipus.monitoring'
    __string__ = "Plan Monitoring"
    _rec_name_search = ['plan', 'findings']
    _rec_name = 'findings'

    plan = fields.Many2One(
        'cus.ipus', "Plan", required=True, ondelete='CASCADE',
        help="An approved or running plan.")
    client = fields.Function(
        fields.Many2One('party.party', "Client"), 'on_change_with_client',
        searcher='search_client')
    date = fields.Date("Date", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False)
    contact_with = fields.Selection(
        CONTACTS, "Contact With", required=True, sort=False)
    provider = fields.Many2One(
        'party.party', "Provider", ondelete='RESTRICT',
        states={
            'invisible': ((Eval('contact_with') != 'provider')
                & ~Eval('kind').in_(['provider', 'quality'])),
            })
    findings = fields.Text("Findings")
    satisfaction = fields.Integer(
        "Satisfaction",
        domain=['OR',
            ('satisfaction', '=', None),
            [('satisfaction', '>=', 1), ('satisfaction', '<=', 5)],
            ],
        help="From 1 (very dissatisfied) to 5 (very satisfied), "
        "when the client gave an opinion.")
    action = fields.Text(
        "Action Taken / Follow-up",
        help="What was done about the findings: a service changed or "
        "added, a provider told, the next contact...")
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.plan, Index.Range()), (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_contact_with(cls):
        return 'client'

    @classmethod
    def default_user(cls):
        return Transaction().user or None

    @fields.depends('plan', '_parent_plan.client')
    def on_change_with_client(self, name=None):
        return self.plan.client if self.plan else None

    @classmethod
    def search_client(cls, name, clause):
        return [('plan.client',) + tuple(clause[1:])]

    def get_rec_name(self, name):
        return '%s %s' % (
            self.date.strftime('%d.%m.%Y'), self.plan.rec_name)

    @classmethod
    def validate_fields(cls, monitorings, field_names):
        super().validate_fields(monitorings, field_names)
        if field_names & {'plan', 'date'}:
            cls.check_plan(monitorings)

    @classmethod
    def check_plan(cls, monitorings):
        "Only approved and running plans are monitored, not in the future"
        today = Pool().get('ir.date').today()
        for monitoring in monitorings:
            plan = monitoring.plan
            if plan.state not in MONITORED_STATES:
                raise MonitoringValidationError(gettext(
                        'cus_ipus.msg_monitoring_plan_state',
                        plan=plan.rec_name))
            if monitoring.date > today:
                raise MonitoringValidationError(gettext(
                        'cus_ipus.msg_monitoring_future',
                        plan=plan.rec_name,
                        date=monitoring.date.strftime('%d.%m.%Y')))


class Ipus(metaclass=PoolMeta):
    __name__ = 'cus.ipus'

    monitorings = fields.One2Many(
        'cus.ipus.monitoring', 'plan', "Monitoring",
        states={
            'readonly': ~Eval('state').in_(list(MONITORED_STATES)),
            })
    last_contact = fields.Function(
        fields.Date(
            "Last Contact",
            help="The last monitoring contact, on this or an earlier "
            "version of the plan."),
        'get_monitoring')
    monitoring_due = fields.Function(
        fields.Date(
            "Next Contact Due",
            help="The last contact (or the start of the plan) plus the "
            "monitoring interval."),
        'get_monitoring')
    overdue = fields.Function(
        fields.Boolean(
            "Overdue Monitoring",
            help="The plan runs and its last contact (or its start) is "
            "older than the monitoring interval."),
        'get_monitoring', searcher='search_overdue')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # The versions of a plan share its number.
        cls._sql_indexes.add(Index(t, (t.number, Index.Equality())))

    @classmethod
    def view_attributes(cls):
        attributes = []
        found = False
        for xpath, attribute, value, *extra in super().view_attributes():
            if (xpath, attribute) == ('/tree', 'visual'):
                found = True
                value = If(Eval('overdue', False), 'warning', value)
                depends, = extra or [[]]
                extra = [list(depends) + ['overdue']]
            attributes.append((xpath, attribute, value, *extra))
        if not found:
            attributes.append(('/tree', 'visual',
                    If(Eval('overdue', False), 'warning', ''), ['overdue']))
        return attributes

    @classmethod
    def check_modification(cls, mode, plans, values=None, external=False):
        # Contacts are recorded on approved and running plans: they do not
        # change the plan itself.
        if mode == 'write' and values and 'monitorings' in values:
            values = values.copy()
            del values['monitorings']
        super().check_modification(
            mode, plans, values=values, external=external)

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('monitorings', None)
        return super().copy(plans, default=default)

    @classmethod
    def _monitoring_interval(cls):
        Configuration = Pool().get('cus.configuration')
        return dt.timedelta(days=Configuration(1).monitoring_interval_days)

    @classmethod
    def _last_contact_from(cls, plan, date=None):
        """Return the from clause joining the plan table to the contacts of
        all its versions (up to date) and the expression of the last one

        An update does not restart the monitoring of a plan."""
        Monitoring = Pool().get('cus.ipus.monitoring')
        version = cls.__table__()
        monitoring = Monitoring.__table__()
        condition = monitoring.plan == version.id
        if date is not None:
            condition &= monitoring.date <= date
        from_ = (plan
            .join(version, 'LEFT', condition=(version.id == plan.id)
                | (version.number == plan.number))
            .join(monitoring, 'LEFT', condition=condition))
        return from_, Max(monitoring.date)

    @classmethod
    def _overdue_query(cls, date, where=None):
        """Select the ids of the plans without contact for longer than the
        interval before date

        where is a function of the plan table that returns the condition on
        the plans; by default the plans running now."""
        plan = cls.__table__()
        from_, last_contact = cls._last_contact_from(plan, date)
        condition = (where(plan) if where is not None
            else plan.state == 'running')
        return from_.select(plan.id,
            where=condition,
            group_by=[plan.id, plan.valid_from],
            having=Coalesce(last_contact, plan.valid_from)
            < date - cls._monitoring_interval())

    @classmethod
    def get_monitoring(cls, plans, names):
        pool = Pool()
        Date = pool.get('ir.date')
        cursor = Transaction().connection.cursor()
        plan = cls.__table__()
        from_, last_contact = cls._last_contact_from(plan)

        last = {}
        for sub_plans in grouped_slice(plans, backend.MAX_QUERY_PARAMS):
            query = from_.select(
                plan.id, last_contact.as_('last_contact'),
                where=SQL_OPERATORS['in'](
                    plan.id, [p.id for p in sub_plans]),
                group_by=[plan.id])
            if backend.name == 'sqlite':
                sqlite_apply_types(query, [None, 'DATE'])
            cursor.execute(*query)
            last.update(cursor)

        today = Date.today()
        interval = cls._monitoring_interval()
        result = {name: {} for name in names}
        for plan in plans:
            last_contact = last.get(plan.id)
            due = None
            if plan.state in MONITORED_STATES:
                due = (last_contact or plan.valid_from) + interval
            values = {
                'last_contact': last_contact,
                'monitoring_due': due,
                'overdue': bool(
                    plan.state == 'running' and due and due < today),
                }
            for name in names:
                result[name][plan.id] = values[name]
        return result

    @classmethod
    def search_overdue(cls, name, clause):
        Date = Pool().get('ir.date')
        _, operator, value = clause[:3]
        if operator in {'=', '!='}:
            wanted = {bool(value)}
            if operator == '!=':
                wanted = {True, False} - wanted
        elif operator in {'in', 'not in'}:
            wanted = set(map(bool, value or []))
            if operator == 'not in':
                wanted = {True, False} - wanted
        else:
            raise ValueError(f"Unsupported operator {operator!r}")
        if wanted == {True, False}:
            return []
        elif not wanted:
            return [('id', '=', None)]
        query = cls._overdue_query(Date.today())
        return [('id', 'in' if True in wanted else 'not in', query)]

    @classmethod
    def notify_overdue_monitoring(cls):
        """Tell each coordinator how many of his plans are overdue

        One notification a day per user at most; returns those created."""
        pool = Pool()
        Date = pool.get('ir.date')
        Notification = pool.get('res.notification')
        UserEmployee = pool.get('res.user-company.employee')

        plans = cls.search([
                ('overdue', '=', True),
                ('coordinator', '!=', None),
                ], order=[('id', 'ASC')])
        by_employee = defaultdict(list)
        for plan in plans:
            by_employee[plan.coordinator.id].append(plan)
        plans_by_user = defaultdict(dict)
        for sub_employees in grouped_slice(
                list(by_employee), backend.MAX_QUERY_PARAMS):
            for link in UserEmployee.search([
                        ('employee', 'in', list(sub_employees)),
                        ]):
                if link.user.active:
                    plans_by_user[link.user].update(
                        (p.id, p) for p in by_employee[link.employee.id])
        if not plans_by_user:
            return []

        start = dt.datetime.combine(Date.today(), dt.time.min)
        notified = set()
        for sub_users in grouped_slice(
                list(plans_by_user), backend.MAX_QUERY_PARAMS):
            notified.update(n.user for n in Notification.search([
                        ('user', 'in', [u.id for u in sub_users]),
                        ('model', '=', cls.__name__),
                        ('icon', '=', NOTIFICATION_ICON),
                        ('create_date', '>=', start),
                        ]))

        to_create = []
        for user, user_plans in plans_by_user.items():
            if user in notified:
                continue
            user_plans = sorted(user_plans.values(), key=lambda p: p.id)
            context = {}
            if user.language:
                context['language'] = user.language.code
            with Transaction().set_context(context):
                label = gettext(
                    'cus_ipus.msg_monitoring_overdue_notification',
                    count=len(user_plans))
            to_create.append({
                    'user': user.id,
                    'label': label,
                    'description': ', '.join(
                        p.number or str(p.id) for p in user_plans),
                    'icon': NOTIFICATION_ICON,
                    'model': cls.__name__,
                    'records': json.dumps([p.id for p in user_plans]),
                    })
        return Notification.create(to_create)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('cus.ipus|notify_overdue_monitoring',
                "Notify Coordinators of Overdue Plan Monitoring"))
