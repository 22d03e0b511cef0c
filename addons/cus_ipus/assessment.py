# This file is part of the CUS back office.
from cus_base.model import ServerFieldsCopyMixin
from cus_base.party import (
    DISABILITY_DEGREES, EMPLOYMENT_SITUATIONS, MARITAL_STATUSES)

from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

PLACES = [
    ('office', "CUS Office"),
    ('home', "Place of Residence"),
    ('other', "Other Place"),
    ]
READINESS = [
    (None, ""),
    ('none', "Not Ready"),
    ('considering', "Considering Change"),
    ('ready', "Ready for Change"),
    ('acting', "Already Acting"),
    ]
STATES = [
    ('draft', "Draft"),
    ('signed', "Signed"),
    ]
LINE_KINDS = [
    ('used', "Used Now"),
    ('wanted', "Wanted"),
    ]
# Special-category data (GDPR art. 9): the same groups as on the client.
SENSITIVE_FIELDS = ['disability_degree', 'disability', 'health', 'problems']


class NeedsAssessment(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "Individual needs diagnosis (Indywidualna Diagnoza Potrzeb)"
    __name__ = 'cus.needs.assessment'
    __string__ = "Needs Assessment"
    _history = True

    _states = {'readonly': Eval('state') != 'draft'}

    application = fields.Many2One(
        'cus.application', "Application", ondelete='RESTRICT',
        states=_states)
    client = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        domain=[('cus_client', '=', True)], states=_states)
    date = fields.Date("Date", required=True, states=_states)
    place = fields.Selection(
        PLACES, "Place", required=True, sort=False, states=_states)
    coordinator = fields.Many2One(
        'company.employee', "Coordinator", states=_states)
    # The data as stated and checked against the identity document on the
    # day: a signed diagnosis must not change when the client record does.
    name = fields.Char("Name", required=True, states=_states)
    pesel = fields.Char("PESEL", states=_states)
    birth_date = fields.Date("Birth Date", states=_states)
    address = fields.Text("Address", states=_states)
    phone = fields.Char("Phone", states=_states)
    occupation = fields.Char("Occupation", states=_states)
    employment_situation = fields.Selection(
        EMPLOYMENT_SITUATIONS, "Employment Situation", sort=False,
        states=_states)
    marital_status = fields.Selection(
        MARITAL_STATUSES, "Marital Status", sort=False, states=_states)
    family_size = fields.Integer(
        "Persons in the Family", states=_states,
        domain=['OR', ('family_size', '=', None), ('family_size', '>', 0)])
    disability_degree = fields.Selection(
        DISABILITY_DEGREES, "Disability Degree", sort=False, states=_states)
    disability = fields.Text("Disability", states=_states)
    health = fields.Text("Health", states=_states)
    problems = fields.Text("Problems", states=_states)
    needs = fields.Text("Needs", states=_states)
    readiness = fields.Selection(
        READINESS, "Readiness for Change", sort=False, states=_states)
    readiness_notes = fields.Text("Readiness Notes", states=_states)
    feasibility = fields.Text(
        "Justification and Feasibility", states=_states,
        help="How justified and feasible the requested services and "
        "supporting actions are.")
    fee_information_given = fields.Boolean(
        "Informed about Fees", states=_states,
        help="The applicant was told about fees, discount entitlements and "
        "their amounts.")
    lines = fields.One2Many(
        'cus.needs.assessment.line', 'assessment', "Services",
        states=_states)
    signed_date = fields.Date("Signed On", readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'signed'), ('signed', 'draft')}
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'signed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'sign': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_place(cls):
        return 'office'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_coordinator(cls):
        return Transaction().context.get('employee')

    @fields.depends('application', '_parent_application.client',
        methods=['on_change_client'])
    def on_change_application(self):
        if self.application and not self.client:
            self.client = self.application.client
            self.on_change_client()

    @fields.depends('client', 'name', 'pesel', 'birth_date', 'address',
        'phone', 'occupation', 'employment_situation', 'marital_status',
        'family_size', 'disability_degree', 'disability', 'health',
        'problems')
    def on_change_client(self):
        "Fill the diagnosis from the client's record where known"
        client = self.client
        if not client:
            return
        address = client.address_get()
        values = {
            'name': client.name,
            'pesel': client.pesel,
            'birth_date': client.birth_date,
            'address': address.full_address if address else None,
            'phone': client.phone,
            'occupation': client.occupation,
            'employment_situation': client.employment_situation,
            'marital_status': client.marital_status,
            'family_size': client.household_size,
            'disability_degree': client.disability_degree,
            'disability': client.disability_description,
            'health': client.health_condition,
            'problems': client.problems,
            }
        for name, value in values.items():
            if not getattr(self, name, None):
                setattr(self, name, value)

    def get_rec_name(self, name):
        return f'{self.name} ({self.date.strftime("%d.%m.%Y")})'

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, assessments):
        cls.write(assessments, {'signed_date': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('signed')
    def sign(cls, assessments):
        Date = Pool().get('ir.date')
        cls.write(assessments, {'signed_date': Date.today()})


class NeedsAssessmentLine(ModelSQL, ModelView):
    "A service used or wanted, stated in the needs diagnosis"
    __name__ = 'cus.needs.assessment.line'
    __string__ = "Needs Assessment Line"

    assessment = fields.Many2One(
        'cus.needs.assessment', "Assessment", required=True,
        ondelete='CASCADE')
    kind = fields.Selection(LINE_KINDS, "Kind", required=True, sort=False)
    service = fields.Many2One(
        'cus.service', "Service", ondelete='RESTRICT',
        help="Leave empty for a service outside the CUS catalogue.")
    description = fields.Char(
        "Description", states={'required': ~Eval('service')})
    unit = fields.Many2One('product.uom', "Unit", ondelete='RESTRICT')
    quantity = fields.Float(
        "Quantity", digits=(16, 2),
        domain=['OR', ('quantity', '=', None), ('quantity', '>', 0)])
    frequency = fields.Char("Frequency", help="E.g. \"twice a week\".")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('assessment')

    @classmethod
    def default_kind(cls):
        return 'wanted'

    @fields.depends('service', 'unit')
    def on_change_service(self):
        if self.service and not self.unit:
            self.unit = self.service.unit
