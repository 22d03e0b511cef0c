# This file is part of the CUS back office.
import datetime as dt
import json

from sql.aggregate import Avg, Count, Sum
from sql.conditionals import Case

from cus_base.model import ServerFieldsCopyMixin
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .ipus import OUTCOMES

STATES = [
    ('draft', "Draft"),
    ('done', "Done"),
    ]
KINDS = [
    ('opened', "Plans Opened"),
    ('updated', "Plans Updated"),
    ('running', "Plans Running at the End"),
    ('closed', "Plans Closed"),
    ('outcome', "Plans Closed by Outcome"),
    ('overdue', "Plans with Overdue Monitoring at the End"),
    ('contacts', "Monitoring Contacts"),
    ('satisfaction', "Average Satisfaction (1-5)"),
    ('service_persons', "Persons"),
    ('service_granted', "Granted"),
    ('service_delivered', "Delivered in the Period"),
    ('service_rate', "Delivered against Granted (%)"),
    ]
# The states of the plans that were approved, not counting the drafts and
# the plans cancelled before they ran
APPROVED_STATES = ['approved', 'running', 'closed', 'superseded']
# The states of the plans that ran
RUN_STATES = ['running', 'closed', 'superseded']


class SummaryValidationError(ValidationError):
    pass


class SummaryError(UserError):
    pass


class SummaryDeleteError(AccessError):
    pass


class Summary(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "The half-yearly summary of the individual plans (art. 46 ust. 1)"
    __name__ = 'cus.ipus.summary'
    __string__ = "Summary of the Individual Plans"

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    start_date = fields.Date("Start Date", required=True, states=_states)
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        help="At least every six months (art. 46 ust. 1 of the act).")
    author = fields.Many2One(
        'company.employee', "Author", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="Usually the organiser of social services.")
    recipients = fields.Many2Many(
        'cus.ipus.summary-res.user', 'summary', 'user', "Recipients",
        states=_states,
        help="The director and the community organiser; they are notified "
        "when the summary is done.")
    lines = fields.One2Many(
        'cus.ipus.summary.line', 'summary', "Figures", readonly=True)
    computed_on = fields.Timestamp("Computed On", readonly=True)
    conclusions = fields.Text(
        "Conclusions", states=_states,
        help="How effective the individual support was.")
    osl_directions = fields.Text(
        "Directions for Community Organising", states=_states,
        help="Filled on computation, when empty, with the directions of the "
        "plans closed in the period.")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.start_date, Index.Range()),
                (t.end_date, Index.Range())))
        cls._order = [('end_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'draft'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'done',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'done': {
                    'invisible': Eval('state') != 'draft',
                    'readonly': ~Eval('lines', []),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_author(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_start_date(cls):
        "The start of the last half-year that ended"
        today = Pool().get('ir.date').today()
        if today.month > 6:
            return dt.date(today.year, 1, 1)
        return dt.date(today.year - 1, 7, 1)

    @classmethod
    def default_end_date(cls):
        today = Pool().get('ir.date').today()
        if today.month > 6:
            return dt.date(today.year, 6, 30)
        return dt.date(today.year - 1, 12, 31)

    def get_rec_name(self, name):
        return '%s – %s' % (
            self.start_date.strftime('%d.%m.%Y'),
            self.end_date.strftime('%d.%m.%Y'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('author.rec_name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, summaries, field_names):
        super().validate_fields(summaries, field_names)
        if field_names & {'start_date', 'end_date'}:
            for summary in summaries:
                if summary.end_date <= summary.start_date:
                    raise SummaryValidationError(gettext(
                            'cus_ipus.msg_summary_period',
                            start=summary.start_date.strftime('%d.%m.%Y'),
                            end=summary.end_date.strftime('%d.%m.%Y')))

    @classmethod
    def check_modification(cls, mode, summaries, values=None, external=False):
        super().check_modification(
            mode, summaries, values=values, external=external)
        if mode == 'delete':
            for summary in summaries:
                if summary.state != 'draft':
                    raise SummaryDeleteError(gettext(
                            'cus_ipus.msg_summary_delete_done',
                            summary=summary.rec_name))
        elif mode == 'write' and set(values) - {'state'}:
            for summary in summaries:
                if summary.state != 'draft':
                    raise SummaryError(gettext(
                            'cus_ipus.msg_summary_done_modify',
                            summary=summary.rec_name))

    @classmethod
    def copy(cls, summaries, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('lines', None)
        default.setdefault('computed_on', None)
        return super().copy(summaries, default=default)

    @classmethod
    @ModelView.button
    def compute(cls, summaries):
        "Compute the figures of the period from the data"
        pool = Pool()
        Line = pool.get('cus.ipus.summary.line')
        for summary in summaries:
            if summary.state != 'draft':
                raise SummaryError(gettext(
                        'cus_ipus.msg_summary_done_modify',
                        summary=summary.rec_name))
        Line.delete([l for s in summaries for l in s.lines])
        to_create = []
        now = dt.datetime.now()
        for summary in summaries:
            for sequence, values in enumerate(summary._compute_lines(), 1):
                values.update(summary=summary.id, sequence=sequence)
                to_create.append(values)
            if not summary.osl_directions:
                summary.osl_directions = summary._gather_directions()
            summary.computed_on = now
        Line.create(to_create)
        cls.save(summaries)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, summaries):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def done(cls, summaries):
        for summary in summaries:
            if not summary.computed_on:
                raise SummaryError(gettext(
                        'cus_ipus.msg_summary_not_computed',
                        summary=summary.rec_name))
        cls.notify_recipients(summaries)

    @classmethod
    def notify_recipients(cls, summaries):
        "Tell the recipients that the summary is done"
        Notification = Pool().get('res.notification')
        to_create = []
        for summary in summaries:
            for user in summary.recipients:
                context = {}
                if user.language:
                    context['language'] = user.language.code
                with Transaction().set_context(context):
                    label = gettext(
                        'cus_ipus.msg_summary_done_notification',
                        summary=summary.rec_name)
                to_create.append({
                        'user': user.id,
                        'label': label,
                        'icon': 'tryton-info',
                        'model': cls.__name__,
                        'records': json.dumps([summary.id]),
                        })
        Notification.create(to_create)

    def _plan_conditions(self, plan):
        "The conditions on the plans of the summary"
        return plan.company == self.company.id

    def _in_force(self, plan, date):
        "The condition of the plans running on date"
        return (self._plan_conditions(plan)
            & plan.state.in_(RUN_STATES)
            & (plan.approved_date <= date)
            & (plan.valid_from <= date) & (plan.valid_to >= date)
            & ((plan.state != 'closed') | (plan.summary_date > date)))

    def _in_period(self, plan):
        "The condition of the plans granting services during the period"
        start, end = self.start_date, self.end_date
        return (self._plan_conditions(plan)
            # The current version of an updated plan carries its lines.
            & plan.state.in_(['approved', 'running', 'closed'])
            & (plan.approved_date <= end)
            & (plan.valid_from <= end) & (plan.valid_to >= start)
            & ((plan.state != 'closed') | (plan.summary_date >= start)))

    def _compute_lines(self):
        "Return the values of the summary lines"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Line = pool.get('cus.ipus.summary.line')
        cursor = Transaction().connection.cursor()
        start, end = self.start_date, self.end_date
        kinds = dict(Line.fields_get(['kind'])['kind']['selection'])
        outcomes = dict(Ipus.fields_get(['outcome'])['outcome']['selection'])
        lines = []

        def add(kind, value, label=None, **values):
            lines.append(dict(
                    kind=kind, label=label or kinds[kind],
                    value=round(float(value or 0), 2), **values))

        plan = Ipus.__table__()
        # Plans approved in the period: new plans and updates
        cursor.execute(*plan.select(
                Sum(Case((plan.version == 1, 1), else_=0)),
                Sum(Case((plan.version > 1, 1), else_=0)),
                where=self._plan_conditions(plan)
                & plan.state.in_(APPROVED_STATES)
                & (plan.approved_date >= start)
                & (plan.approved_date <= end)))
        opened, updated = cursor.fetchone()
        add('opened', opened)
        add('updated', updated)

        # The versions of a plan share its number.
        cursor.execute(*plan.select(
                Count(plan.number, distinct=True),
                where=self._in_force(plan, end)))
        running, = cursor.fetchone()
        add('running', running)

        cursor.execute(*plan.select(
                plan.outcome, Count(plan.id),
                where=self._plan_conditions(plan)
                & (plan.state == 'closed')
                & (plan.summary_date >= start)
                & (plan.summary_date <= end),
                group_by=[plan.outcome]))
        closed = dict(cursor)
        add('closed', sum(closed.values()))
        for outcome, _ in OUTCOMES:
            if outcome:
                add('outcome', closed.get(outcome, 0),
                    label=outcomes[outcome], outcome=outcome)

        overdue = Ipus._overdue_query(
            end, where=lambda plan: self._in_force(plan, end))
        cursor.execute(*plan.select(
                Count(plan.number, distinct=True),
                where=plan.id.in_(overdue)))
        overdue, = cursor.fetchone()
        add('overdue', overdue)

        lines.extend(self._compute_monitoring_lines(kinds))
        lines.extend(self._compute_service_lines(kinds))
        return lines

    def _compute_monitoring_lines(self, kinds):
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Monitoring = pool.get('cus.ipus.monitoring')
        cursor = Transaction().connection.cursor()
        plan = Ipus.__table__()
        monitoring = Monitoring.__table__()
        cursor.execute(*monitoring
            .join(plan, condition=monitoring.plan == plan.id)
            .select(
                Count(monitoring.id), Avg(monitoring.satisfaction),
                where=self._plan_conditions(plan)
                & (monitoring.date >= self.start_date)
                & (monitoring.date <= self.end_date)))
        contacts, satisfaction = cursor.fetchone()
        lines = [{
                'kind': 'contacts', 'label': kinds['contacts'],
                'value': float(contacts or 0),
                }]
        if satisfaction is not None:
            lines.append({
                    'kind': 'satisfaction', 'label': kinds['satisfaction'],
                    'value': round(float(satisfaction), 2),
                    })
        return lines

    def _compute_service_lines(self, kinds):
        "Persons, granted and delivered by service of the plans in force"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        PlanLine = pool.get('cus.ipus.line')
        Delivery = pool.get('cus.service.delivery')
        Service = pool.get('cus.service')
        cursor = Transaction().connection.cursor()
        start, end = self.start_date, self.end_date
        plan = Ipus.__table__()
        line = PlanLine.__table__()
        delivery = Delivery.__table__()

        in_period = (self._in_period(plan)
            & (line.start_date <= end) & (line.end_date >= start))
        cursor.execute(*line
            .join(plan, condition=line.plan == plan.id)
            .select(
                line.service, Count(plan.client, distinct=True),
                Sum(line.quantity),
                where=in_period,
                group_by=[line.service]))
        granted = {s: (p, q) for s, p, q in cursor}

        cursor.execute(*delivery
            .join(line, condition=delivery.line == line.id)
            .join(plan, condition=line.plan == plan.id)
            .select(
                line.service,
                Sum(Case(
                        (delivery.date >= start, delivery.quantity),
                        else_=0)),
                Sum(delivery.quantity),
                where=in_period
                & (delivery.state == 'confirmed')
                & (delivery.date <= end),
                group_by=[line.service]))
        delivered = {s: (p, t) for s, p, t in cursor}

        lines = []
        services = Service.browse(list(granted))
        for service in sorted(services, key=lambda s: s.rec_name):
            persons, quantity = granted[service.id]
            in_period_qty, to_end_qty = delivered.get(service.id, (0, 0))
            values = [
                ('service_persons', persons),
                ('service_granted', quantity),
                ('service_delivered', in_period_qty),
                ]
            if quantity:
                values.append(
                    ('service_rate', 100 * (to_end_qty or 0) / quantity))
            for kind, value in values:
                lines.append({
                        'kind': kind, 'label': service.rec_name,
                        'service': service.id,
                        'value': round(float(value or 0), 2),
                        })
        return lines

    def _gather_directions(self):
        "The directions for community organising of the plans closed"
        Ipus = Pool().get('cus.ipus')
        plans = Ipus.search([
                ('company', '=', self.company.id),
                ('state', '=', 'closed'),
                ('summary_date', '>=', self.start_date),
                ('summary_date', '<=', self.end_date),
                ('osl_directions', '!=', None),
                ], order=[('summary_date', 'ASC'), ('id', 'ASC')])
        return '\n\n'.join(
            '%s: %s' % (p.number, p.osl_directions.strip())
            for p in plans if p.osl_directions.strip()) or None


class SummaryLine(sequence_ordered(), ModelSQL, ModelView):
    "A figure of the summary, stored as it was computed"
    __name__ = 'cus.ipus.summary.line'
    __string__ = "Summary Figure"
    _rec_name = 'label'

    summary = fields.Many2One(
        'cus.ipus.summary', "Summary", required=True, ondelete='CASCADE',
        readonly=True)
    kind = fields.Selection(KINDS, "Figure", required=True, readonly=True)
    label = fields.Char("Label", readonly=True)
    service = fields.Many2One(
        'cus.service', "Service", readonly=True, ondelete='RESTRICT')
    outcome = fields.Selection(OUTCOMES, "Outcome", readonly=True)
    value = fields.Float("Value", digits=(16, 2), readonly=True)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('summary')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.summary, Index.Range())))

    @fields.depends('kind', 'service', '_parent_service.unit')
    def on_change_with_unit(self, name=None):
        if self.service and self.kind in {
                'service_granted', 'service_delivered'}:
            return self.service.unit

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        for line in lines:
            if line.summary.state != 'draft':
                raise SummaryError(gettext(
                        'cus_ipus.msg_summary_done_modify',
                        summary=line.summary.rec_name))


class SummaryRecipient(ModelSQL):
    "Recipient of a summary of the individual plans"
    __name__ = 'cus.ipus.summary-res.user'
    summary = fields.Many2One(
        'cus.ipus.summary', "Summary", required=True, ondelete='CASCADE')
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('summary')
