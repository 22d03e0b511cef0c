# This file is part of the CUS back office.
import datetime as dt

from cus_base.model import RecNameSearchMixin, ServerFieldsCopyMixin
from dateutil.relativedelta import relativedelta
from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .exceptions import ApplicationDeleteError, ApplicationError

PATHS = [
    ('one_off', "One-off Service"),
    ('short', "Short (up to 3 months)"),
    ('ipus', "Individual Plan (3 to 12 months)"),
    ]
APPLICANT_KINDS = [
    ('person', "The Person Concerned"),
    ('representative', "Statutory Representative"),
    ('carer', "De-facto Carer"),
    ]
CHANNELS = [
    ('office', "At the Office"),
    ('home_visit', "Home Visit"),
    ('online', "Online"),
    ('phone', "Phone"),
    ('post', "Post"),
    ]
STATES = [
    ('draft', "Draft"),
    ('submitted', "Submitted"),
    ('qualified', "Qualified"),
    ('refused', "Refused"),
    ('referred', "Referred"),
    ]
# Short-path support lasts at most 3 months (Koszalin model).
SHORT_PATH_MONTHS = 3


class Application(
        ServerFieldsCopyMixin, RecNameSearchMixin, Workflow, ModelSQL,
        ModelView):
    "Application for social services (wniosek)"
    __name__ = 'cus.application'
    __string__ = "Application"
    _rec_name_search = ['number', 'client']
    _rec_name = 'number'
    _history = True

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char("Number", readonly=True)
    client = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        domain=[('cus_client', '=', True)], states=_states)
    applicant_kind = fields.Selection(
        APPLICANT_KINDS, "Applicant", required=True, sort=False,
        states=_states)
    representative = fields.Many2One(
        'party.party', "Representative", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('applicant_kind') == 'person',
            'required': Eval('applicant_kind') != 'person',
            },
        help="The statutory representative or de-facto carer who applies.")
    application_date = fields.Date(
        "Date", required=True, states=_states,
        help="The date the application was filed: the plan deadline runs "
        "from it.")
    channel = fields.Selection(
        CHANNELS, "Channel", required=True, sort=False, states=_states)
    path = fields.Selection(
        PATHS, "Path", required=True, sort=False,
        states={
            'readonly': ~Eval('state').in_(['draft', 'submitted']),
            })
    programme = fields.Many2One(
        'cus.programme', "Programme", ondelete='RESTRICT',
        domain=[('state', '=', 'running')],
        states={
            'readonly': ~Eval('state').in_(['draft', 'submitted']),
            })
    lines = fields.One2Many(
        'cus.application.line', 'application', "Requested Services",
        states={
            'readonly': ~Eval('state').in_(['draft', 'submitted']),
            })
    description = fields.Text(
        "Request", states=_states,
        help="What the applicant asks for, in the applicant's words.")
    declaration_conditions = fields.Boolean(
        "Declares the Conditions Met", states=_states,
        help="The applicant declares to meet the conditions of the "
        "programme.")
    declaration_discount = fields.Boolean(
        "Declares a Fee Discount", states=_states,
        help="The applicant declares an entitlement to a fee discount.")
    discount_basis = fields.Char(
        "Discount Basis",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': ~Eval('declaration_discount'),
            'required': Bool(Eval('declaration_discount')),
            })
    online_data = fields.Text(
        "Data Typed Online", readonly=True,
        states={'invisible': Eval('channel') != 'online'},
        help="What the applicant typed in the online form. It never changes "
        "an existing client: verify it against the identity document.")
    online_consent = fields.Boolean(
        "Consent to Processing", readonly=True,
        states={'invisible': Eval('channel') != 'online'},
        help="The applicant agreed online to the processing of the personal "
        "data of the application.")
    online_consent_at = fields.Timestamp(
        "Consent Given At", readonly=True,
        states={'invisible': Eval('channel') != 'online'})
    refusal_reason = fields.Text(
        "Refusal Reason",
        states={
            'invisible': Eval('state') != 'refused',
            'required': Eval('state') == 'refused',
            'readonly': Eval('state') != 'submitted',
            })
    referred_to = fields.Char(
        "Referred To",
        states={
            'invisible': Eval('state') != 'referred',
            'required': Eval('state') == 'referred',
            'readonly': Eval('state') != 'submitted',
            },
        help="The CUS unit or other body the case is referred to.")
    referral_reason = fields.Text(
        "Referral Reason",
        states={
            'invisible': Eval('state') != 'referred',
            'required': Eval('state') == 'referred',
            'readonly': Eval('state') != 'submitted',
            })
    ipus_deadline = fields.Function(
        fields.Date(
            "Plan Deadline",
            states={'invisible': Eval('path') != 'ipus'}),
        'get_ipus_deadline', searcher='search_ipus_deadline')
    days_left = fields.Function(
        fields.Integer(
            "Days Left",
            states={'invisible': ~Eval('ipus_pending')},
            help="Days left until the plan deadline."),
        'get_ipus_deadline')
    ipus_pending = fields.Function(
        fields.Boolean("Plan Pending"),
        'get_ipus_deadline', searcher='search_ipus_pending')
    at_risk = fields.Function(
        fields.Boolean(
            "At Risk",
            help="The plan is not approved and the deadline is near or "
            "past."),
        'get_ipus_deadline', searcher='search_at_risk')
    plans = fields.One2Many(
        'cus.ipus', 'application', "Plans", readonly=True)
    assessments = fields.One2Many(
        'cus.needs.assessment', 'application', "Needs Assessments",
        readonly=True)
    qualified_by = fields.Many2One('res.user', "Decided By", readonly=True)
    decision_date = fields.Date("Decision Date", readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.client, Index.Range())),
                Index(t, (t.application_date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'submitted', 'qualified'])),
                })
        cls._order = [('application_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'submitted'),
            ('submitted', 'draft'),
            ('submitted', 'qualified'),
            ('submitted', 'refused'),
            ('submitted', 'referred'),
            ('refused', 'submitted'),
            ('referred', 'submitted'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'submit': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'refused', 'referred']),
                    'icon': If(Eval('state') == 'draft',
                        'tryton-forward', 'tryton-back'),
                    'depends': ['state'],
                    },
                'qualify': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'refuse': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'refer': {
                    'invisible': Eval('state') != 'submitted',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'new_assessment': {
                    'invisible': (Eval('path') == 'one_off')
                    | ~Eval('state').in_(['draft', 'submitted', 'qualified']),
                    'depends': ['path', 'state'],
                    },
                'new_plan': {
                    'invisible': (Eval('path') != 'ipus')
                    | (Eval('state') != 'qualified'),
                    'depends': ['path', 'state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_applicant_kind(cls):
        return 'person'

    @classmethod
    def default_channel(cls):
        return 'office'

    @classmethod
    def default_path(cls):
        return 'ipus'

    @classmethod
    def default_application_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_programme(cls):
        Programme = Pool().get('cus.programme')
        programmes = Programme.search([('state', '=', 'running')], limit=2)
        if len(programmes) == 1:
            return programmes[0].id

    @classmethod
    def _deadline_days(cls):
        return Pool().get('cus.configuration')(1).ipus_deadline_days

    @classmethod
    def get_ipus_deadline(cls, applications, names):
        pool = Pool()
        Date = pool.get('ir.date')
        Configuration = pool.get('cus.configuration')
        config = Configuration(1)
        today = Date.today()
        delta = dt.timedelta(days=config.ipus_deadline_days)
        result = {n: {} for n in names}
        pending_ids = cls._pending_ids(applications)
        for application in applications:
            deadline = None
            if application.path == 'ipus' and application.application_date:
                deadline = application.application_date + delta
            pending = application.id in pending_ids
            left = (deadline - today).days if deadline and pending else None
            values = {
                'ipus_deadline': deadline,
                'days_left': left,
                'ipus_pending': pending,
                'at_risk': left is not None and left <= config.ipus_risk_days,
                }
            for name in names:
                result[name][application.id] = values[name]
        return result

    @classmethod
    def _pending_query(cls):
        "Applications on the plan path still waiting for an approved plan"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        application = cls.__table__()
        ipus = Ipus.__table__()
        approved = ipus.select(
            ipus.application,
            where=ipus.state.in_(
                ['approved', 'running', 'closed', 'superseded'])
            & (ipus.application != Null))
        return application.select(
            application.id,
            where=(application.path == 'ipus')
            & application.state.in_(['draft', 'submitted', 'qualified'])
            & ~application.id.in_(approved))

    @classmethod
    def _pending_ids(cls, applications):
        cursor = Transaction().connection.cursor()
        query = cls._pending_query()
        query.where &= fields.SQL_OPERATORS['in'](
            query.from_[0].id, [a.id for a in applications])
        cursor.execute(*query)
        return {i for i, in cursor}

    @classmethod
    def search_ipus_deadline(cls, name, clause):
        _, operator, value = clause
        if value is None:
            return [('path', '!=' if operator == '=' else '=', 'ipus')]
        if isinstance(value, dt.date):
            value = value - dt.timedelta(days=cls._deadline_days())
        return [
            ('path', '=', 'ipus'),
            ('application_date', operator, value),
            ]

    @classmethod
    def search_ipus_pending(cls, name, clause):
        _, operator, value = clause
        in_ = 'in' if (operator == '=') == bool(value) else 'not in'
        return [('id', in_, cls._pending_query())]

    @classmethod
    def search_at_risk(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        Configuration = pool.get('cus.configuration')
        config = Configuration(1)
        _, operator, value = clause
        limit = Date.today() + dt.timedelta(
            days=config.ipus_risk_days - config.ipus_deadline_days)
        domain = [
            ('id', 'in', cls._pending_query()),
            ('application_date', '<=', limit),
            ]
        if (operator == '=') != bool(value):
            domain = ['NOT', domain]
        return domain

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('at_risk', False), 'danger',
                    If(Eval('state').in_(['refused', 'referred']),
                        'muted', ''))),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('applicant_kind') == 'person':
            values.setdefault('representative', None)
        return values

    @classmethod
    def check_modification(cls, mode, applications, values=None,
            external=False):
        super().check_modification(
            mode, applications, values=values, external=external)
        if mode == 'delete':
            for application in applications:
                if application.state != 'draft':
                    raise ApplicationDeleteError(gettext(
                            'cus_ipus.msg_application_delete_draft',
                            application=application.rec_name))

    @classmethod
    def copy(cls, applications, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('plans')
        default.setdefault('assessments')
        default.setdefault('qualified_by')
        default.setdefault('decision_date')
        return super().copy(applications, default=default)

    def get_rec_name(self, name):
        number = self.number or f'({self.id})'
        return f'{number} {self.client.rec_name}'

    @classmethod
    def set_number(cls, applications):
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        sequence = Configuration(1).application_sequence
        to_number = [a for a in applications if not a.number]
        numbers = sequence.get_many(len(to_number))
        for application, number in zip(to_number, numbers):
            application.number = number
        cls.save(to_number)

    def check_submittable(self):
        if not self.lines and self.path != 'one_off' and not self.description:
            raise ApplicationError(gettext(
                    'cus_ipus.msg_application_no_request',
                    application=self.rec_name))
        for line in self.lines:
            line.check_path_period()

    def check_qualifiable(self):
        if not self.lines:
            raise ApplicationError(gettext(
                    'cus_ipus.msg_application_qualify_no_lines',
                    application=self.rec_name))
        if not self.declaration_conditions:
            raise ApplicationError(gettext(
                    'cus_ipus.msg_application_no_declaration',
                    application=self.rec_name))

    def _set_decision(self):
        pool = Pool()
        Date = pool.get('ir.date')
        self.qualified_by = Transaction().user
        self.decision_date = Date.today()

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, applications):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, applications):
        for application in applications:
            application.check_submittable()
        cls.set_number(applications)
        cls.write(applications, {'qualified_by': None, 'decision_date': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('qualified')
    def qualify(cls, applications):
        for application in applications:
            application.check_qualifiable()
            application._set_decision()
        cls.save(applications)
        cls._grant([a for a in applications if a.path != 'ipus'])

    @classmethod
    def _grant(cls, applications):
        "Grant the one-off and short services, or queue them when full"
        pool = Pool()
        Line = pool.get('cus.application.line')
        Waiting = pool.get('cus.service.waiting')
        granted, waiting = [], []
        for application in applications:
            for line in application.lines:
                start = line.start_date or application.application_date
                free = line.service.free_capacity(
                    start, line.end_date or start)
                if free is not None:
                    free -= Waiting.queued_before(
                        line.service, application.application_date)
                    free -= sum(l.quantity for l in granted
                        if l.service == line.service)
                if free is None or free >= line.quantity:
                    granted.append(line)
                else:
                    waiting.append(line)
        if granted:
            Line.write(granted, {'state': 'granted'})
        if waiting:
            Line.write(waiting, {'state': 'waiting'})
            Waiting.enlist(waiting)

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, applications):
        for application in applications:
            if not application.refusal_reason:
                raise ApplicationError(gettext(
                        'cus_ipus.msg_application_refusal_reason',
                        application=application.rec_name))
            application._set_decision()
        cls.save(applications)

    @classmethod
    @ModelView.button
    @Workflow.transition('referred')
    def refer(cls, applications):
        for application in applications:
            if not application.referred_to or not application.referral_reason:
                raise ApplicationError(gettext(
                        'cus_ipus.msg_application_referral_reason',
                        application=application.rec_name))
            application._set_decision()
        cls.save(applications)

    @classmethod
    @ModelView.button_action('cus_ipus.act_assessment_from_application')
    def new_assessment(cls, applications):
        pool = Pool()
        Assessment = pool.get('cus.needs.assessment')
        assessments = []
        for application in applications:
            assessment = Assessment(
                application=application, client=application.client)
            assessment.on_change_client()
            assessments.append(assessment)
        Assessment.save(assessments)
        return {'res_id': [a.id for a in assessments]}

    @classmethod
    @ModelView.button_action('cus_ipus.act_ipus_from_application')
    def new_plan(cls, applications):
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        plans = [Ipus.from_application(a) for a in applications]
        Ipus.save(plans)
        return {'res_id': [p.id for p in plans]}


class ApplicationLine(
        ServerFieldsCopyMixin, sequence_ordered(), ModelSQL, ModelView):
    "A service requested in an application"
    __name__ = 'cus.application.line'
    __string__ = "Requested Service"
    _history = True

    _states = {
        'readonly': ~Eval('application_state').in_(['draft', 'submitted']),
        }

    application = fields.Many2One(
        'cus.application', "Application", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='RESTRICT',
        states=_states)
    quantity = fields.Float(
        "Quantity", digits=(16, 2), required=True, states=_states,
        domain=[('quantity', '>', 0)],
        help="The number of units granted when the application is "
        "qualified (one-off and short paths).")
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    start_date = fields.Date(
        "Start Date", states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date", states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    notes = fields.Char("Notes", states=_states)
    state = fields.Selection([
            ('requested', "Requested"),
            ('granted', "Granted"),
            ('waiting', "On the Waiting List"),
            ('withdrawn', "Withdrawn"),
            ], "State", readonly=True, required=True, sort=False)
    application_state = fields.Function(
        fields.Selection(STATES, "Application State"),
        'on_change_with_application_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('application')

    @classmethod
    def default_quantity(cls):
        return 1

    @classmethod
    def default_state(cls):
        return 'requested'

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('state', 'requested')
        return super().copy(lines, default=default)

    @fields.depends('application', '_parent_application.state')
    def on_change_with_application_state(self, name=None):
        return self.application.state if self.application else None

    @fields.depends('service', '_parent_service.unit')
    def on_change_with_unit(self, name=None):
        return self.service.unit if self.service else None

    def get_rec_name(self, name):
        return f'{self.application.rec_name} - {self.service.rec_name}'

    def check_path_period(self):
        "A short path lasts at most 3 months"
        application = self.application
        if application.path == 'short' and self.start_date and self.end_date:
            limit = self.start_date + relativedelta(months=SHORT_PATH_MONTHS)
            if self.end_date >= limit:
                raise ApplicationError(gettext(
                        'cus_ipus.msg_application_short_too_long',
                        application=application.rec_name,
                        service=self.service.rec_name))

