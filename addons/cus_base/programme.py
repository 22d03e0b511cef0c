# This file is part of the CUS back office.
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import (
    ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond import backend
from trytond.model.fields import SQL_OPERATORS
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

from .exceptions import (
    ProgrammeAdoptError, ProgrammeDeleteError, ProgrammeValidationError)
from .model import ServerFieldsCopyMixin

STATES = [
    ('draft', "Draft"),
    ('adopted', "Adopted"),
    ('running', "Running"),
    ('closed', "Closed"),
    ]


class Programme(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "Programme of social services (Program Usług Społecznych)"
    __name__ = 'cus.programme'
    __string__ = "Programme of Social Services"
    _rec_name = 'name'

    _states = {'readonly': Eval('state') != 'draft'}

    code = fields.Char("Code", readonly=True)
    name = fields.Char("Name", required=True, states=_states)
    resolution_number = fields.Char(
        "Council Resolution", states=_states,
        help="The number of the municipal council's resolution.")
    resolution_date = fields.Date("Resolution Date", states=_states)
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
    main_goal = fields.Text("Main Goal", states=_states)
    goals = fields.Text("Operational Goals", states=_states)
    results = fields.Text("Expected Results", states=_states)
    target_groups = fields.Many2Many(
        'cus.programme-cus.target.group', 'programme', 'target_group',
        "Target Groups", states=_states)
    predicted_persons = fields.Integer(
        "Predicted Persons", states=_states,
        domain=['OR', ('predicted_persons', '=', None),
            ('predicted_persons', '>=', 0)],
        help="The predicted number of persons covered by the programme.")
    qualification_conditions = fields.Text(
        "Qualification Conditions", states=_states,
        help="The conditions and mode of qualifying persons.")
    fee_rules = fields.Text(
        "Fees", states=_states, help="The fees for the services.")
    discount_rules = fields.Text(
        "Discounts", states=_states,
        help="Who is entitled to discounts (ulgi) and how large they are.")
    documentation_rules = fields.Text(
        "Documenting Entitlements", states=_states,
        help="How the conditions and discount entitlements are documented.")
    personal_data = fields.Text(
        "Personal Data Required", states=_states,
        help="The personal data needed for qualification, including "
        "data of art. 9(1) and 10 GDPR.")
    lines = fields.One2Many(
        'cus.programme.line', 'programme', "Lines", states=_states)
    planned_amount = fields.Function(fields.Numeric(
            "Planned Amount", digits=(16, 2)),
        'get_planned_amount')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    adopted_by = fields.Many2One(
        'res.user', "Adopted By", readonly=True)
    adopted_date = fields.Date("Adopted On", readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'adopted'),
            ('adopted', 'draft'),
            ('adopted', 'running'),
            ('running', 'closed'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'adopted',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'adopt': {
                    'invisible': Eval('state') != 'draft',
                    'readonly': ~Eval('lines', []),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'run': {
                    'invisible': Eval('state') != 'adopted',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def get_currency(cls, programmes, name):
        return Pool().get('cus.service').get_currency(programmes, name)

    @classmethod
    def get_planned_amount(cls, programmes, name):
        pool = Pool()
        Line = pool.get('cus.programme.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        amounts = dict.fromkeys(map(int, programmes), Decimal(0))
        for sub_ids in grouped_slice(
                list(map(int, programmes)), backend.MAX_QUERY_PARAMS):
            query = line.select(
                line.programme,
                Sum(line.planned_quantity * line.unit_price).as_('amount'),
                where=SQL_OPERATORS['in'](line.programme, list(sub_ids)),
                group_by=line.programme)
            sqlite_apply_types(query, [None, 'NUMERIC'])
            cursor.execute(*query)
            for programme_id, amount in cursor:
                if amount is not None:
                    amounts[programme_id] = Decimal(str(amount)).quantize(
                        Decimal('0.01'))
        return amounts

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('code'):
            values['code'] = Configuration(1).programme_sequence.get()
        return values

    @classmethod
    def check_modification(cls, mode, programmes, values=None,
            external=False):
        super().check_modification(
            mode, programmes, values=values, external=external)
        if mode == 'delete':
            for programme in programmes:
                if programme.state != 'draft':
                    raise ProgrammeDeleteError(gettext(
                            'cus_base.msg_programme_delete_draft',
                            programme=programme.rec_name))

    @classmethod
    def copy(cls, programmes, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', None)
        default.setdefault('adopted_by', None)
        default.setdefault('adopted_date', None)
        return super().copy(programmes, default=default)

    @classmethod
    def validate_fields(cls, programmes, field_names):
        super().validate_fields(programmes, field_names)
        if not field_names or field_names & {'start_date', 'end_date'}:
            Pool().get('cus.programme.line').check_period(
                [l for p in programmes for l in p.lines])

    def check_adoptable(self):
        if not self.lines:
            raise ProgrammeAdoptError(gettext(
                    'cus_base.msg_programme_adopt_no_lines',
                    programme=self.rec_name))
        for line in self.lines:
            if not line.service.active:
                raise ProgrammeAdoptError(gettext(
                        'cus_base.msg_programme_adopt_inactive_service',
                        programme=self.rec_name,
                        service=line.service.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, programmes):
        cls.write(programmes, {'adopted_by': None, 'adopted_date': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('adopted')
    def adopt(cls, programmes):
        pool = Pool()
        Date = pool.get('ir.date')
        for programme in programmes:
            programme.check_adoptable()
        cls.write(programmes, {
                'adopted_by': Transaction().user,
                'adopted_date': Date.today(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, programmes):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, programmes):
        pass


class ProgrammeTargetGroup(ModelSQL):
    __name__ = 'cus.programme-cus.target.group'
    programme = fields.Many2One(
        'cus.programme', "Programme", required=True, ondelete='CASCADE')
    target_group = fields.Many2One(
        'cus.target.group', "Target Group", required=True,
        ondelete='CASCADE')


class ProgrammeLine(sequence_ordered(), ModelSQL, ModelView):
    __name__ = 'cus.programme.line'
    __string__ = "Programme Line"

    _states = {'readonly': Eval('programme_state') != 'draft'}

    programme = fields.Many2One(
        'cus.programme', "Programme", required=True, ondelete='CASCADE',
        states=_states)
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='RESTRICT',
        states=_states)
    target_group = fields.Many2One(
        'cus.target.group', "Target Group", ondelete='RESTRICT',
        states=_states)
    planned_persons = fields.Integer(
        "Planned Persons", states=_states,
        domain=['OR', ('planned_persons', '=', None),
            ('planned_persons', '>=', 0)])
    planned_quantity = fields.Float(
        "Planned Quantity", digits=(16, 2), states=_states,
        domain=['OR', ('planned_quantity', '=', None),
            ('planned_quantity', '>=', 0)])
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    unit_price = fields.Numeric(
        "Unit Price", digits=(16, 2), states=_states,
        domain=['OR', ('unit_price', '=', None), ('unit_price', '>=', 0)])
    planned_amount = fields.Function(fields.Numeric(
            "Planned Amount", digits=(16, 2)),
        'on_change_with_planned_amount')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    start_date = fields.Date(
        "Start Date", states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ],
        help="Leave empty for the start of the programme.")
    end_date = fields.Date(
        "End Date", states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ],
        help="Leave empty for the end of the programme.")
    notes = fields.Text("Notes", states=_states)
    programme_state = fields.Function(
        fields.Selection(STATES, "Programme State"),
        'on_change_with_programme_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('programme')

    @fields.depends('programme', '_parent_programme.state')
    def on_change_with_programme_state(self, name=None):
        return self.programme.state if self.programme else None

    @fields.depends('service', '_parent_service.unit')
    def on_change_with_unit(self, name=None):
        return self.service.unit if self.service else None

    @fields.depends('service', 'unit_price', '_parent_service.unit_price')
    def on_change_service(self):
        if self.service and self.unit_price is None:
            self.unit_price = self.service.unit_price

    @fields.depends('planned_quantity', 'unit_price')
    def on_change_with_planned_amount(self, name=None):
        if self.planned_quantity is None or self.unit_price is None:
            return None
        return (Decimal(str(self.planned_quantity)) * self.unit_price
            ).quantize(Decimal('0.01'))

    @classmethod
    def get_currency(cls, lines, name):
        return Pool().get('cus.service').get_currency(lines, name)

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if not field_names or field_names & {
                'start_date', 'end_date', 'programme'}:
            cls.check_period(lines)

    @classmethod
    def check_period(cls, lines):
        for line in lines:
            programme = line.programme
            for date in filter(None, [line.start_date, line.end_date]):
                if not (programme.start_date <= date <= programme.end_date):
                    raise ProgrammeValidationError(gettext(
                            'cus_base.msg_programme_line_period',
                            service=line.service.rec_name,
                            programme=programme.rec_name))
