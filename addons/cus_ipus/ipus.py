# This file is part of the CUS back office.
import datetime as dt
import math
from collections import defaultdict
from functools import wraps

from cus_base.format import format_quantity
from cus_base.model import RecNameSearchMixin, ServerFieldsCopyMixin
from dateutil.relativedelta import relativedelta
from sql.aggregate import Sum

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import IpusDeleteError, IpusError, IpusValidationError, QuotaError

STATES = [
    ('draft', "Draft"),
    ('approved', "Approved"),
    ('running', "Running"),
    ('closed', "Closed"),
    ('cancelled', "Cancelled"),
    ('superseded', "Superseded by an Update"),
    ]
CHECK_FREQUENCIES = [
    ('monthly', "Monthly"),
    ('quarterly', "Quarterly"),
    ('half_yearly', "Every Six Months"),
    ]
OUTCOMES = [
    (None, ""),
    ('achieved', "Goals Achieved"),
    ('partly', "Goals Partly Achieved"),
    ('not_achieved', "Goals Not Achieved"),
    ('resigned', "Client Resigned"),
    ('other', "Other Reason (moved, died...)"),
    ]
LINE_STATES = [
    ('open', "Open"),
    ('waiting', "On the Waiting List"),
    ('closed', "Closed"),
    ]
# Fields that may still change once a plan is approved: its closing and its
# bookkeeping. Anything else goes through an update (a new version).
IPUS_FREE_FIELDS = {
    'state', 'number', 'approved_by', 'approved_date', 'summary_date',
    'course_and_results', 'outcome', 'closed_by', 'coordinator',
    'osl_directions'}


def _count_periods(start, end):
    "Number of weeks, calendar months and calendar years a period touches"
    weeks = math.ceil(((end - start).days + 1) / 7)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    years = end.year - start.year + 1
    return weeks, months, years


def max_quantity(start, end, per_week=None, per_month=None, per_year=None):
    "The most units a schedule allows over a period (None if unlimited)"
    if not start or not end or end < start:
        return None
    weeks, months, years = _count_periods(start, end)
    limits = [
        limit * count for limit, count in [
            (per_week, weeks), (per_month, months), (per_year, years)]
        if limit is not None]
    return min(limits) if limits else None


def _lock_drafts(func):
    """Lock the plans and their previous versions, then refuse the plans
    that are no longer drafts

    So that two people approving the same plan end with one winner: the
    lock restarts the transaction with the rows locked from its start
    (trytond 8), the other waits for them ([database] retry) and then reads
    the plan approved meanwhile, which it is told. It wraps the button,
    whose check of the button's states would refuse the plan first with a
    generic message."""
    @wraps(func)
    def wrapper(cls, plans, *args, **kwargs):
        cls.lock(plans)
        previous = [p.previous_version for p in plans if p.previous_version]
        if previous:
            cls.lock(previous)
        for plan in plans:
            if plan.state != 'draft':
                raise IpusError(gettext(
                        'cus_ipus.msg_ipus_approve_not_draft',
                        plan=plan.rec_name))
        return func(cls, plans, *args, **kwargs)
    return wrapper


class Ipus(
        ServerFieldsCopyMixin, RecNameSearchMixin, Workflow, ModelSQL,
        ModelView):
    "Individual plan of social services (IPUS)"
    __name__ = 'cus.ipus'
    __string__ = "Individual Plan of Social Services"
    _rec_name_search = ['number', 'client']
    _rec_name = 'number'
    _history = True

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char(
        "Number", readonly=True,
        help="Given at the first approval; the updates keep it.")
    version = fields.Integer("Version", readonly=True, required=True)
    previous_version = fields.Many2One(
        'cus.ipus', "Previous Version", readonly=True, ondelete='RESTRICT')
    next_version = fields.Function(
        fields.Many2One('cus.ipus', "Next Version"), 'get_next_version')
    update_reason = fields.Text(
        "Reason for the Update",
        states={
            'invisible': ~Eval('previous_version'),
            'required': Bool(Eval('previous_version')),
            'readonly': Eval('state') != 'draft',
            })
    update_requested_by = fields.Many2One(
        'res.user', "Update By", readonly=True,
        states={'invisible': ~Eval('previous_version')})
    update_date = fields.Date(
        "Update Date", readonly=True,
        states={'invisible': ~Eval('previous_version')})
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    application = fields.Many2One(
        'cus.application', "Application", ondelete='RESTRICT',
        domain=[
            ('client', '=', Eval('client', -1)),
            ('path', '=', 'ipus'),
            ],
        states=_states)
    application_date = fields.Function(
        fields.Date("Application Date"), 'on_change_with_application_date')
    client = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        domain=[('cus_client', '=', True)], states=_states)
    coordinator = fields.Many2One(
        'company.employee', "Coordinator",
        domain=[('company', '=', Eval('company', -1))],
        states={'readonly': Eval('state').in_(
                    ['closed', 'cancelled', 'superseded'])})
    assessment = fields.Many2One(
        'cus.needs.assessment', "Needs Assessment", ondelete='RESTRICT',
        domain=[('client', '=', Eval('client', -1))], states=_states)
    diagnosis_date = fields.Date("Diagnosis Date", states=_states)
    drawn_up_date = fields.Date("Drawn Up", required=True, states=_states)
    late = fields.Function(
        fields.Boolean(
            "Drawn Up Late",
            help="Drawn up later than the deadline after the application."),
        'on_change_with_late')
    late_justification = fields.Text(
        "Justification of the Delay",
        states={
            'invisible': ~Eval('late'),
            'readonly': Eval('state') != 'draft',
            },
        help="Required to approve a plan drawn up late.")
    valid_from = fields.Date(
        "Valid From", required=True, states=_states,
        domain=[
            If(Eval('valid_from') & Eval('valid_to'),
                ('valid_from', '<=', Eval('valid_to')),
                ()),
            ])
    valid_to = fields.Date(
        "Valid To", required=True, states=_states,
        domain=[
            If(Eval('valid_from') & Eval('valid_to'),
                ('valid_to', '>=', Eval('valid_from')),
                ()),
            ],
        help="At most one year after the start (art. 40 of the act).")
    needs = fields.Text("Needs", states=_states)
    expected_effects = fields.Text(
        "Expected Effects", states=_states,
        help="The expected improvement of the client's life situation.")
    check_frequency = fields.Selection(
        CHECK_FREQUENCIES, "Quality and Satisfaction Checks", required=True,
        sort=False, states=_states)
    check_notes = fields.Text("How the Checks Are Made", states=_states)
    lines = fields.One2Many('cus.ipus.line', 'plan', "Services",
        states=_states)
    approved_by = fields.Many2One('res.user', "Approved By", readonly=True)
    approved_date = fields.Date("Approved On", readonly=True)
    summary_date = fields.Date(
        "Summary Conversation",
        states={
            'readonly': Eval('state') != 'running',
            'required': Eval('state') == 'closed',
            })
    course_and_results = fields.Text(
        "Course and Results",
        states={
            'readonly': Eval('state') != 'running',
            'required': Eval('state') == 'closed',
            },
        help="The description of the course and the results of the plan "
        "(opis przebiegu i rezultatów).")
    outcome = fields.Selection(
        OUTCOMES, "Outcome", sort=False,
        states={
            'readonly': Eval('state') != 'running',
            'required': Eval('state') == 'closed',
            })
    osl_directions = fields.Text(
        "Directions for Community Organising",
        states={'readonly': Eval('state').in_(['cancelled', 'superseded'])},
        help="What the plan tells the community organiser.")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.client, Index.Range())),
                Index(t, (t.coordinator, Index.Range())),
                Index(t, (t.application, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'approved', 'running'])),
                })
        cls._order = [('drawn_up_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'approved'),
            ('approved', 'running'),
            ('running', 'closed'),
            ('draft', 'cancelled'),
            ('approved', 'cancelled'),
            ('cancelled', 'draft'),
            ('approved', 'superseded'),
            ('running', 'superseded'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-clear',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'readonly': ~Eval('lines', []),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'run': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'approved']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'update': {
                    'invisible': ~Eval('state').in_(['approved', 'running']),
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_version(cls):
        return 1

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_coordinator(cls):
        return Transaction().context.get('employee')

    @classmethod
    def default_drawn_up_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_check_frequency(cls):
        return 'quarterly'

    @fields.depends('application', '_parent_application.application_date')
    def on_change_with_application_date(self, name=None):
        if self.application:
            return self.application.application_date

    @fields.depends('drawn_up_date', 'previous_version',
        methods=['on_change_with_application_date'])
    def on_change_with_late(self, name=None):
        "A plan (not an update) drawn up after the deadline is late"
        Configuration = Pool().get('cus.configuration')
        application_date = self.on_change_with_application_date()
        if self.previous_version or not application_date:
            return False
        if not self.drawn_up_date:
            return False
        deadline = application_date + dt.timedelta(
            days=Configuration(1).ipus_deadline_days)
        return self.drawn_up_date > deadline

    @fields.depends('assessment', '_parent_assessment.date',
        '_parent_assessment.needs', 'diagnosis_date', 'needs')
    def on_change_assessment(self):
        if self.assessment:
            self.diagnosis_date = self.assessment.date
            if not self.needs:
                self.needs = self.assessment.needs

    @fields.depends('valid_from', 'valid_to')
    def on_change_valid_from(self):
        if self.valid_from and not self.valid_to:
            self.valid_to = self.valid_from + relativedelta(
                years=1, days=-1)

    @classmethod
    def get_next_version(cls, plans, name):
        result = dict.fromkeys(map(int, plans))
        for plan in cls.search([('previous_version', 'in', plans)]):
            result[plan.previous_version.id] = plan.id
        return result

    def get_rec_name(self, name):
        number = self.number or f'({self.id})'
        if self.version and self.version > 1:
            number += f' v{self.version}'
        return f'{number} {self.client.rec_name}'

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state').in_(
                        ['cancelled', 'superseded', 'closed']), 'muted', '')),
            ]

    @classmethod
    def from_application(cls, application):
        "A draft plan for a qualified application"
        pool = Pool()
        Line = pool.get('cus.ipus.line')
        Date = pool.get('ir.date')
        plan = cls(
            application=application, client=application.client,
            company=cls.default_company(), version=1, state='draft',
            coordinator=cls.default_coordinator(),
            drawn_up_date=Date.today(),
            check_frequency=cls.default_check_frequency())
        assessments = sorted(
            (a for a in application.assessments if a.state == 'signed'),
            key=lambda a: a.date)
        if assessments:
            plan.assessment = assessments[-1]
            plan.on_change_assessment()
        ProgrammeLine = pool.get('cus.programme.line')
        periods = []
        for app_line in application.lines:
            start = app_line.start_date or application.application_date
            end = app_line.end_date
            # Support starts within a running programme of the service
            offers = ProgrammeLine.search([
                    ('service', '=', app_line.service.id),
                    ('programme.state', '=', 'running'),
                    ('programme.end_date', '>=', start),
                    ])
            if offers:
                start = max(start, min(
                        o.start_date or o.programme.start_date
                        for o in offers))
                offer_end = max(
                    o.end_date or o.programme.end_date for o in offers)
                end = min(end, offer_end) if end else offer_end
            periods.append((start, end))
        plan.valid_from = min(
            (s for s, _ in periods), default=application.application_date)
        plan.on_change_valid_from()
        lines = []
        for app_line, (start, end) in zip(application.lines, periods):
            line = Line(
                service=app_line.service,
                start_date=start,
                end_date=min(end or plan.valid_to, plan.valid_to),
                quantity=None)
            # The quota of the service proposes the schedule and quantity
            line.on_change_service()
            if not line.quantity:
                line.quantity = app_line.quantity
            lines.append(line)
        plan.lines = lines
        return plan

    @classmethod
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        cls.check_validity(plans, field_names)

    @classmethod
    def check_validity(cls, plans, field_names=None):
        "A plan is valid for at most one year"
        if field_names and not (field_names & {'valid_from', 'valid_to'}):
            return
        for plan in plans:
            limit = plan.valid_from + relativedelta(years=1, days=-1)
            if plan.valid_to > limit:
                raise IpusValidationError(gettext(
                        'cus_ipus.msg_ipus_validity_one_year',
                        plan=plan.rec_name,
                        limit=limit.strftime('%d.%m.%Y')))

    @classmethod
    def check_modification(cls, mode, plans, values=None, external=False):
        super().check_modification(
            mode, plans, values=values, external=external)
        if mode == 'delete':
            for plan in plans:
                if plan.state not in {'draft', 'cancelled'}:
                    raise IpusDeleteError(gettext(
                            'cus_ipus.msg_ipus_delete',
                            plan=plan.rec_name))
        elif mode == 'write':
            changed = set(values) - IPUS_FREE_FIELDS
            for plan in plans:
                if plan.state != 'draft' and changed:
                    raise IpusError(gettext(
                            'cus_ipus.msg_ipus_change_through_update',
                            plan=plan.rec_name))

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('version', 1)
        default.setdefault('previous_version', None)
        default.setdefault('approved_by', None)
        default.setdefault('approved_date', None)
        default.setdefault('summary_date', None)
        default.setdefault('course_and_results', None)
        default.setdefault('outcome', None)
        return super().copy(plans, default=default)

    def check_approvable(self):
        if not self.lines:
            raise IpusError(gettext(
                    'cus_ipus.msg_ipus_no_lines', plan=self.rec_name))
        if self.late and not self.late_justification:
            raise IpusError(gettext(
                    'cus_ipus.msg_ipus_late_justification',
                    plan=self.rec_name))
        if not self.expected_effects:
            raise IpusError(gettext(
                    'cus_ipus.msg_ipus_expected_effects',
                    plan=self.rec_name))
        if self.application and self.application.state != 'qualified':
            raise IpusError(gettext(
                    'cus_ipus.msg_ipus_application_not_qualified',
                    plan=self.rec_name,
                    application=self.application.rec_name))
        previous = self.previous_version
        if previous and previous.state not in {'approved', 'running'}:
            raise IpusError(gettext(
                    'cus_ipus.msg_ipus_update_previous_state',
                    plan=self.rec_name))

    @classmethod
    def set_number(cls, plans):
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        sequence = Configuration(1).ipus_sequence
        to_number = [p for p in plans if not p.number]
        for plan, number in zip(
                to_number, sequence.get_many(len(to_number))):
            plan.number = number
        cls.save(to_number)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, plans):
        pass

    @classmethod
    @_lock_drafts
    @ModelView.button
    def approve(cls, plans):
        cls._approve(plans)
        updates = [
            p for p in plans if p.previous_version and p.state == 'approved']
        if updates:
            cls._supersede(updates)

    @classmethod
    @Workflow.transition('approved')
    def _approve(cls, plans):
        pool = Pool()
        Line = pool.get('cus.ipus.line')
        Date = pool.get('ir.date')
        for plan in plans:
            plan.check_approvable()
        Line.check_lines([l for p in plans for l in p.lines])
        cls.set_number(plans)
        cls.write(plans, {
                'approved_by': Transaction().user,
                'approved_date': Date.today(),
                })
        cls._check_capacity(plans)

    @classmethod
    def _check_capacity(cls, plans):
        "Lines over the capacity of their service go to the waiting list"
        pool = Pool()
        Line = pool.get('cus.ipus.line')
        Waiting = pool.get('cus.service.waiting')
        exclude = [p.previous_version for p in plans if p.previous_version]
        to_wait = []
        for plan in plans:
            for line in plan.lines:
                if line.state != 'open':
                    continue
                free = line.service.free_capacity(
                    line.start_date, line.end_date,
                    exclude_plans=exclude + [plan])
                if free is None:
                    continue
                free -= Waiting.queued_before(
                    line.service, plan.application_date or plan.drawn_up_date)
                free -= sum(
                    l.quantity for l in to_wait if l.service == line.service)
                if free < line.quantity:
                    to_wait.append(line)
        if to_wait:
            Line.write(to_wait, {'state': 'waiting'})
            Waiting.enlist(to_wait)

    @classmethod
    def _supersede(cls, updates):
        "Replace the previous versions by their approved updates"
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        previous = [p.previous_version for p in updates]
        was_running = {p.id for p in previous if p.state == 'running'}
        cls.supersede(previous)
        cls._release(previous)
        # Deliveries follow the plan: they are counted on the new lines.
        to_write = []
        for plan in updates:
            for line in plan.lines:
                if not line.origin:
                    continue
                deliveries = Delivery.search([
                        ('line', '=', line.origin.id),
                        ('date', '>=', line.start_date),
                        ('date', '<=', line.end_date),
                        ])
                if deliveries:
                    to_write.extend([deliveries, {'line': line.id}])
        if to_write:
            Delivery.write(*to_write)
        cls.run([p for p in updates if p.previous_version.id in was_running])

    @classmethod
    @Workflow.transition('superseded')
    def supersede(cls, plans):
        pool = Pool()
        Line = pool.get('cus.ipus.line')
        Line.write([l for p in plans for l in p.lines], {'state': 'closed'})

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, plans):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, plans):
        pool = Pool()
        Line = pool.get('cus.ipus.line')
        for plan in plans:
            if not (plan.summary_date and plan.course_and_results
                    and plan.outcome):
                raise IpusError(gettext(
                        'cus_ipus.msg_ipus_close_summary',
                        plan=plan.rec_name))
        Line.write(
            [l for p in plans for l in p.lines if l.state == 'open'],
            {'state': 'closed'})
        cls._release(plans)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, plans):
        pool = Pool()
        Waiting = pool.get('cus.service.waiting')
        Waiting.withdraw(Waiting.search([
                    ('plan_line.plan', 'in', [p.id for p in plans]),
                    ('state', 'in', ['waiting', 'offered']),
                    ]))
        cls._release(plans)

    @classmethod
    def _release(cls, plans):
        "Offer the freed units to the next on the waiting lists"
        Waiting = Pool().get('cus.service.waiting')
        Waiting.offer_next([l.service for p in plans for l in p.lines])

    @classmethod
    @ModelView.button_action('cus_ipus.wizard_ipus_update')
    def update(cls, plans):
        pass

    def make_update(self, reason):
        "Return a new draft version of the plan"
        pool = Pool()
        Date = pool.get('ir.date')
        Line = pool.get('cus.ipus.line')
        cls = self.__class__
        # A second update launched at the same time waits for the first
        # one and then finds it pending.
        cls.lock([self])
        if self.state not in {'approved', 'running'}:
            raise IpusError(gettext(
                    'cus_ipus.msg_ipus_update_state', plan=self.rec_name))
        if cls.search([
                    ('previous_version', '=', self.id),
                    ('state', 'in', ['draft', 'approved', 'running']),
                    ]):
            raise IpusError(gettext(
                    'cus_ipus.msg_ipus_update_pending', plan=self.rec_name))
        new, = cls.copy([self], default={
                'number': self.number,
                'version': self.version + 1,
                'previous_version': self.id,
                'update_reason': reason,
                'update_requested_by': Transaction().user,
                'update_date': Date.today(),
                'drawn_up_date': Date.today(),
                'lines': None,
                })
        Line.copy(self.lines, default={
                'plan': new.id,
                'origin': lambda data: data['id'],
                'state': 'open',
                })
        return new


class IpusLine(
        ServerFieldsCopyMixin, RecNameSearchMixin, sequence_ordered(),
        ModelSQL, ModelView):
    "A service granted in an individual plan"
    __name__ = 'cus.ipus.line'
    __string__ = "Plan Line"
    _rec_name_search = ['plan', 'service']
    _history = True

    _states = {'readonly': Eval('plan_state') != 'draft'}

    plan = fields.Many2One(
        'cus.ipus', "Plan", required=True, ondelete='CASCADE')
    client = fields.Function(
        fields.Many2One('party.party', "Client"), 'on_change_with_client',
        searcher='search_client')
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='RESTRICT',
        states=_states)
    provider = fields.Many2One(
        'party.party', "Provider", ondelete='RESTRICT', states=_states,
        help="Leave empty when the CUS delivers the service itself.")
    start_date = fields.Date(
        "Start Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    per_week = fields.Float(
        "Per Week", digits=(16, 2), states=_states,
        domain=['OR', ('per_week', '=', None), ('per_week', '>', 0)])
    per_month = fields.Float(
        "Per Month", digits=(16, 2), states=_states,
        domain=['OR', ('per_month', '=', None), ('per_month', '>', 0)])
    per_year = fields.Float(
        "Per Year", digits=(16, 2), states=_states,
        domain=['OR', ('per_year', '=', None), ('per_year', '>', 0)])
    unit_duration = fields.Float(
        "Hours per Unit", digits=(16, 2), states=_states,
        domain=['OR', ('unit_duration', '=', None),
            ('unit_duration', '>', 0)])
    quantity = fields.Float(
        "Granted", digits=(16, 2), required=True, states=_states,
        domain=[('quantity', '>', 0)],
        help="The units granted for the whole period of the line.")
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    schedule = fields.Char(
        "Schedule", states=_states,
        help="The schedule as printed on the plan, e.g. "
        "\"2 rides a month, at most 6 a year\".")
    scope = fields.Text("Scope", states=_states)
    place = fields.Char("Place", states=_states)
    origin = fields.Many2One(
        'cus.ipus.line', "Previous Version", readonly=True,
        ondelete='SET NULL')
    delivered = fields.Function(
        fields.Float("Delivered", digits=(16, 2)), 'get_quantities')
    reported = fields.Function(
        fields.Float(
            "Reported", digits=(16, 2),
            help="Deliveries reported and not yet confirmed."),
        'get_quantities')
    remaining = fields.Function(
        fields.Float("Remaining", digits=(16, 2)), 'get_quantities')
    state = fields.Selection(
        LINE_STATES, "State", readonly=True, required=True, sort=False)
    plan_state = fields.Function(
        fields.Selection(STATES, "Plan State"),
        'on_change_with_plan_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.plan, Index.Range())),
                Index(t, (t.service, Index.Range())),
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @fields.depends('plan', '_parent_plan.state')
    def on_change_with_plan_state(self, name=None):
        return self.plan.state if self.plan else None

    @fields.depends('plan', '_parent_plan.client')
    def on_change_with_client(self, name=None):
        return self.plan.client if self.plan else None

    @classmethod
    def search_client(cls, name, clause):
        return [('plan.client',) + tuple(clause[1:])]

    @fields.depends('service', '_parent_service.unit')
    def on_change_with_unit(self, name=None):
        return self.service.unit if self.service else None

    @fields.depends('service', 'place', 'scope', 'per_week', 'per_month',
        'per_year', 'unit_duration', 'plan', '_parent_plan.valid_from',
        '_parent_plan.valid_to', 'start_date', 'end_date',
        methods=['_schedule_quantity'])
    def on_change_service(self):
        "Propose the service's quota as the schedule"
        service = self.service
        if not service:
            return
        if self.plan:
            self.start_date = self.start_date or self.plan.valid_from
            self.end_date = self.end_date or self.plan.valid_to
        if self.per_week is None:
            self.per_week = service.max_per_week
        if self.per_month is None:
            self.per_month = service.max_per_month
        if self.per_year is None:
            self.per_year = service.max_per_year
        if self.unit_duration is None:
            self.unit_duration = service.max_unit_duration
        if not self.place:
            self.place = service.place
        if not self.scope:
            self.scope = service.description
        if not getattr(self, 'quantity', None):
            self.quantity = self._schedule_quantity()

    @fields.depends('start_date', 'end_date', 'per_week', 'per_month',
        'per_year', 'quantity')
    def _schedule_quantity(self):
        "The quantity the schedule allows over the period"
        quantity = max_quantity(
            self.start_date, self.end_date,
            self.per_week, self.per_month, self.per_year)
        return quantity if quantity is not None else self.quantity

    # A change of the period or the schedule proposes the quantity again;
    # the quantity itself stays as the user types it.
    @fields.depends(methods=['_schedule_quantity'])
    def on_change_start_date(self):
        self.quantity = self._schedule_quantity()

    @fields.depends(methods=['_schedule_quantity'])
    def on_change_end_date(self):
        self.quantity = self._schedule_quantity()

    @fields.depends(methods=['_schedule_quantity'])
    def on_change_per_week(self):
        self.quantity = self._schedule_quantity()

    @fields.depends(methods=['_schedule_quantity'])
    def on_change_per_month(self):
        self.quantity = self._schedule_quantity()

    @fields.depends(methods=['_schedule_quantity'])
    def on_change_per_year(self):
        self.quantity = self._schedule_quantity()

    def get_rec_name(self, name):
        return f'{self.plan.rec_name} - {self.service.rec_name}'

    @classmethod
    def get_quantities(cls, lines, names):
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        delivery = Delivery.__table__()
        cursor = Transaction().connection.cursor()
        ids = [l.id for l in lines]
        delivered = defaultdict(float)
        reported = defaultdict(float)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*delivery.select(
                    delivery.line, delivery.state, Sum(delivery.quantity),
                    where=SQL_OPERATORS['in'](delivery.line, list(sub_ids))
                    & delivery.state.in_(['reported', 'confirmed']),
                    group_by=[delivery.line, delivery.state]))
            for line_id, state, quantity in cursor:
                target = delivered if state == 'confirmed' else reported
                target[line_id] += quantity or 0
        result = {}
        if 'delivered' in names:
            result['delivered'] = {i: delivered[i] for i in ids}
        if 'reported' in names:
            result['reported'] = {i: reported[i] for i in ids}
        if 'remaining' in names:
            result['remaining'] = {
                l.id: l.quantity - delivered[l.id] - reported[l.id]
                for l in lines}
        return result

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode == 'write' and set(values) <= {'state'}:
            return
        for line in lines:
            if line.plan.state != 'draft':
                raise IpusError(gettext(
                        'cus_ipus.msg_ipus_change_through_update',
                        plan=line.plan.rec_name))

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('origin', None)
        default.setdefault('state', 'open')
        return super().copy(lines, default=default)

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if not field_names or field_names & {
                'service', 'start_date', 'end_date', 'per_week', 'per_month',
                'per_year', 'unit_duration', 'quantity', 'plan'}:
            cls.check_lines(
                [l for l in lines if l.plan.state == 'draft'])

    @classmethod
    def check_lines(cls, lines):
        for line in lines:
            line.check_period()
            line.check_programme()
            line.check_quota()
        cls.check_yearly_quota(lines)

    def check_period(self):
        plan = self.plan
        if (self.start_date < plan.valid_from
                or self.end_date > plan.valid_to):
            raise IpusValidationError(gettext(
                    'cus_ipus.msg_ipus_line_period',
                    service=self.service.rec_name, plan=plan.rec_name))

    def check_programme(self):
        "Only services of a programme running over the line's period"
        pool = Pool()
        ProgrammeLine = pool.get('cus.programme.line')
        candidates = ProgrammeLine.search([
                ('service', '=', self.service.id),
                ('programme.state', '=', 'running'),
                ('programme.start_date', '<=', self.start_date),
                ('programme.end_date', '>=', self.end_date),
                ])
        for candidate in candidates:
            start = candidate.start_date or candidate.programme.start_date
            end = candidate.end_date or candidate.programme.end_date
            if start <= self.start_date and self.end_date <= end:
                return
        raise IpusValidationError(gettext(
                'cus_ipus.msg_ipus_line_programme',
                service=self.service.rec_name,
                start=self.start_date.strftime('%d.%m.%Y'),
                end=self.end_date.strftime('%d.%m.%Y')))

    def check_quota(self):
        service = self.service
        for field, limit in [
                ('per_week', service.max_per_week),
                ('per_month', service.max_per_month),
                ('per_year', service.max_per_year),
                ('unit_duration', service.max_unit_duration),
                ]:
            value = getattr(self, field)
            if limit is not None and value is not None and value > limit:
                raise QuotaError(gettext(
                        'cus_ipus.msg_ipus_line_quota_' + field,
                        service=service.rec_name, value=format_quantity(value),
                        limit=format_quantity(limit)))
        if service.max_unit_duration is not None and self.unit_duration is None:
            raise QuotaError(gettext(
                    'cus_ipus.msg_ipus_line_duration_required',
                    service=service.rec_name,
                    limit=format_quantity(service.max_unit_duration)))
        allowed = max_quantity(
            self.start_date, self.end_date,
            service.max_per_week, service.max_per_month, service.max_per_year)
        schedule = max_quantity(
            self.start_date, self.end_date,
            self.per_week, self.per_month, self.per_year)
        for limit in filter(lambda l: l is not None, [allowed, schedule]):
            if self.quantity > limit:
                raise QuotaError(gettext(
                        'cus_ipus.msg_ipus_line_quota_total',
                        service=service.rec_name,
                        value=format_quantity(self.quantity), limit=format_quantity(limit),
                        start=self.start_date.strftime('%d.%m.%Y'),
                        end=self.end_date.strftime('%d.%m.%Y')))

    def _year_share(self, year):
        "The part of the granted quantity that may fall in the year"
        start = max(self.start_date, dt.date(year, 1, 1))
        end = min(self.end_date, dt.date(year, 12, 31))
        if start > end:
            return 0
        limit = max_quantity(
            start, end, self.per_week, self.per_month,
            self.per_year or self.service.max_per_year)
        return self.quantity if limit is None else min(self.quantity, limit)

    @classmethod
    def check_yearly_quota(cls, lines):
        """The yearly quota holds per person across all the person's plans

        A line spanning several calendar years counts in each of them with
        what its schedule allows in that part of its period.
        """
        for line in lines:
            service = line.service
            if service.max_per_year is None:
                continue
            for year in range(line.start_date.year, line.end_date.year + 1):
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
                others = cls.search([
                        ('id', '!=', line.id),
                        ('plan.client', '=', line.plan.client.id),
                        ('service', '=', service.id),
                        ('start_date', '<=', end),
                        ('end_date', '>=', start),
                        ['OR',
                            ('plan', '=', line.plan.id),
                            ('plan.state', 'in',
                                ['approved', 'running', 'closed']),
                            ],
                        # An update replaces its previous version.
                        ('plan', '!=', line.plan.previous_version.id
                            if line.plan.previous_version else -1),
                        ])
                total = sum(
                    l._year_share(year) for l in [line] + list(others))
                if total > service.max_per_year:
                    raise QuotaError(gettext(
                            'cus_ipus.msg_ipus_line_quota_client_year',
                            service=service.rec_name,
                            client=line.plan.client.rec_name,
                            year=year, value=format_quantity(total),
                            limit=format_quantity(service.max_per_year)))


class IpusUpdateStart(ModelView):
    "Update of an individual plan"
    __name__ = 'cus.ipus.update.start'
    __string__ = "Plan Update"

    reason = fields.Text(
        "Reason", required=True,
        help="Why the plan changes: new needs, a new programme...")


class IpusUpdate(Wizard):
    "Update a plan through a new version"
    __name__ = 'cus.ipus.update'

    start = StateView('cus.ipus.update.start',
        'cus_ipus.ipus_update_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create Update", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('cus_ipus.act_ipus_form')

    def do_create_(self, action):
        new = self.record.make_update(self.start.reason)
        action['views'].reverse()
        return action, {'res_id': [new.id]}
