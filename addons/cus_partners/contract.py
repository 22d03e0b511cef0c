# This file is part of the CUS back office.
from cus_base.service import COMMISSIONING_MODES

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import ContractDeleteError, ContractError

STATES = [
    ('draft', "Draft"),
    ('active', "Active"),
    ('closed', "Closed"),
    ('terminated', "Terminated"),
    ]


class Contract(Workflow, ModelSQL, ModelView):
    "Contract with a provider for social services"
    __name__ = 'cus.contract'
    __string__ = "Contract"
    _rec_name = 'number'
    _history = True

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char("Number", readonly=True)
    reference = fields.Char(
        "Reference", states=_states,
        help="The number of the signed agreement.")
    provider = fields.Many2One(
        'party.party', "Provider", required=True, ondelete='RESTRICT',
        domain=[('cus_provider', '=', True)], states=_states)
    mode = fields.Selection(
        [(None, "")] + COMMISSIONING_MODES, "Commissioning Mode",
        required=True, sort=False, states=_states)
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
    value_cap = fields.Numeric(
        "Value Cap", digits=(16, 2), states=_states,
        domain=['OR', ('value_cap', '=', None), ('value_cap', '>', 0)],
        help="The most the contract may cost, in zł.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    lines = fields.One2Many(
        'cus.contract.line', 'contract', "Lines", states=_states)
    notes = fields.Text("Notes")
    activated_by = fields.Many2One('res.user', "Activated By", readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.provider, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'active'])),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'draft'),
            ('active', 'closed'),
            ('active', 'terminated'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'active',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'readonly': ~Eval('lines', []),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'active',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                'terminate': {
                    'invisible': Eval('state') != 'active',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def get_currency(cls, contracts, name):
        return Pool().get('cus.service').get_currency(contracts, name)

    def get_rec_name(self, name):
        number = self.number or f'({self.id})'
        return f'{number} {self.provider.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('number', operator, operand, *extra),
            ('reference', operator, operand, *extra),
            ('provider', operator, operand, *extra),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            values['number'] = Configuration(1).contract_sequence.get()
        return values

    @classmethod
    def check_modification(cls, mode, contracts, values=None,
            external=False):
        super().check_modification(
            mode, contracts, values=values, external=external)
        if mode == 'delete':
            for contract in contracts:
                if contract.state != 'draft':
                    raise ContractDeleteError(gettext(
                            'cus_partners.msg_contract_delete_draft',
                            contract=contract.rec_name))

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('activated_by', None)
        return super().copy(contracts, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, contracts):
        cls.write(contracts, {'activated_by': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, contracts):
        for contract in contracts:
            if not contract.lines:
                raise ContractError(gettext(
                        'cus_partners.msg_contract_no_lines',
                        contract=contract.rec_name))
            contract.provider.check_accreditation(contract.start_date)
        cls.write(contracts, {'activated_by': Transaction().user})

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, contracts):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('terminated')
    def terminate(cls, contracts):
        pass


class ContractLine(sequence_ordered(), ModelSQL, ModelView):
    "A service bought under a contract"
    __name__ = 'cus.contract.line'
    __string__ = "Contract Line"
    _history = True

    _states = {'readonly': Eval('contract_state') != 'draft'}

    contract = fields.Many2One(
        'cus.contract', "Contract", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='RESTRICT',
        states=_states)
    unit_price = fields.Numeric(
        "Unit Price", digits=(16, 2), required=True, states=_states,
        domain=[('unit_price', '>=', 0)])
    max_quantity = fields.Float(
        "Maximum Quantity", digits=(16, 2), required=True, states=_states,
        domain=[('max_quantity', '>', 0)])
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    allowed_deviation = fields.Numeric(
        "Allowed Deviation", digits=(5, 2), states=_states,
        domain=['OR', ('allowed_deviation', '=', None),
            [('allowed_deviation', '>=', 0),
                ('allowed_deviation', '<=', 100)]],
        help="In %: how far the delivered quantity may depart from the "
        "ordered schedule.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    contract_state = fields.Function(
        fields.Selection(STATES, "Contract State"),
        'on_change_with_contract_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('contract')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.service, Index.Range())))

    @fields.depends('contract', '_parent_contract.state')
    def on_change_with_contract_state(self, name=None):
        return self.contract.state if self.contract else None

    @fields.depends('service', '_parent_service.unit')
    def on_change_with_unit(self, name=None):
        return self.service.unit if self.service else None

    @fields.depends('service', 'unit_price', 'allowed_deviation',
        '_parent_service.unit_price', '_parent_service.allowed_deviation')
    def on_change_service(self):
        if self.service:
            if self.unit_price is None:
                self.unit_price = self.service.unit_price
            if self.allowed_deviation is None:
                self.allowed_deviation = self.service.allowed_deviation

    @classmethod
    def get_currency(cls, lines, name):
        return Pool().get('cus.service').get_currency(lines, name)

    def get_rec_name(self, name):
        return f'{self.contract.rec_name} - {self.service.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('contract', operator, operand, *extra),
            ('service', operator, operand, *extra),
            ]
