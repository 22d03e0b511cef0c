# This file is part of the CUS back office.
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from cus_base.format import format_quantity, round_amount
from cus_base.model import RecNameSearchMixin, ServerFieldsCopyMixin
from cus_base.service import COMMISSIONING_MODES
from sql.aggregate import Sum

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Workflow, fields, sequence_ordered)
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction

from .exceptions import (
    ContractDeleteError, ContractError, ContractWarning)

# Orders that commit the contract: sent to the provider and beyond.
COMMITTED_ORDER_STATES = ['sent', 'accepted', 'done']
WARNING_RATIO = Decimal('0.8')


def format_amount(value):
    "An amount in zł in the user's language"
    Lang = Pool().get('ir.lang')
    return Lang.get().format_number(round_amount(value), digits=2) + ' zł'


def format_percent(value):
    "A percentage with one decimal in the user's language"
    Lang = Pool().get('ir.lang')
    return Lang.get().format_number(
        Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP),
        digits=1)


STATES = [
    ('draft', "Draft"),
    ('active', "Active"),
    ('closed', "Closed"),
    ('terminated', "Terminated"),
    ]


class Contract(
        ServerFieldsCopyMixin, RecNameSearchMixin, Workflow, ModelSQL,
        ModelView):
    "Contract with a provider for social services"
    __name__ = 'cus.contract'
    __string__ = "Contract"
    _rec_name_search = ['number', 'reference', 'provider']
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
    max_value = fields.Function(
        fields.Numeric(
            "Maximum Value", digits=(16, 2),
            help="The value cap, or the value of the maximum quantities of "
            "the lines when the contract has no cap."),
        'get_consumption')
    ordered_value = fields.Function(
        fields.Numeric(
            "Ordered Value", digits=(16, 2),
            help="The value of the orders not cancelled."),
        'get_consumption')
    delivered_value = fields.Function(
        fields.Numeric(
            "Delivered Value", digits=(16, 2),
            help="The value of the confirmed deliveries of the orders."),
        'get_consumption')
    remaining_value = fields.Function(
        fields.Numeric(
            "Remaining Value", digits=(16, 2),
            help="The maximum value less the ordered value."),
        'get_consumption')
    consumption = fields.Function(
        fields.Numeric(
            "Consumption", digits=(16, 2),
            help="The ordered value in % of the maximum value."),
        'get_consumption')
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

    @classmethod
    def get_consumption(cls, contracts, names):
        pool = Pool()
        Line = pool.get('cus.contract.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        ids = [c.id for c in contracts]
        max_values = {}
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            query = line.select(
                line.contract,
                Sum(Line.unit_price.sql_cast(line.max_quantity)
                    * line.unit_price).as_('max_value'),
                where=SQL_OPERATORS['in'](line.contract, list(sub_ids)),
                group_by=[line.contract])
            if backend.name == 'sqlite':
                sqlite_apply_types(query, [None, 'NUMERIC'])
            cursor.execute(*query)
            max_values.update(cursor)
        totals = Line.consumption_totals(contract_ids=ids)
        result = {n: {} for n in names}
        for contract in contracts:
            ordered = totals['ordered_value'].get(contract.id, Decimal(0))
            delivered = totals['delivered_value'].get(
                contract.id, Decimal(0))
            max_value = round_amount(
                contract.value_cap if contract.value_cap is not None
                else max_values.get(contract.id) or Decimal(0))
            values = {
                'max_value': max_value,
                'ordered_value': round_amount(ordered),
                'delivered_value': round_amount(delivered),
                'remaining_value': max_value - round_amount(ordered),
                'consumption': (
                    round_amount(ordered * 100 / max_value)
                    if max_value else None),
                }
            for name in names:
                result[name][contract.id] = values[name]
        return result

    def get_rec_name(self, name):
        number = self.number or f'({self.id})'
        return f'{number} {self.provider.rec_name}'

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
        pool = Pool()
        Order = pool.get('cus.service.order')
        orders = Order.search([
                ('contract_line.contract', 'in', [c.id for c in contracts]),
                ('state', '!=', 'cancelled'),
                ], limit=1)
        if orders:
            order, = orders
            raise ContractError(gettext(
                    'cus_partners.msg_contract_draft_orders',
                    contract=order.contract_line.contract.rec_name,
                    order=order.rec_name))
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


class ContractLine(
        RecNameSearchMixin, sequence_ordered(), ModelSQL, ModelView):
    "A service bought under a contract"
    __name__ = 'cus.contract.line'
    __string__ = "Contract Line"
    _rec_name_search = ['contract', 'service']
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
    ordered_quantity = fields.Function(
        fields.Float(
            "Ordered Quantity", digits=(16, 2),
            help="The quantity of the orders not cancelled."),
        'get_consumption')
    ordered_value = fields.Function(
        fields.Numeric("Ordered Value", digits=(16, 2)), 'get_consumption')
    delivered_quantity = fields.Function(
        fields.Float(
            "Delivered Quantity", digits=(16, 2),
            help="The confirmed deliveries of the orders."),
        'get_consumption')
    delivered_value = fields.Function(
        fields.Numeric("Delivered Value", digits=(16, 2)), 'get_consumption')
    remaining_quantity = fields.Function(
        fields.Float(
            "Remaining Quantity", digits=(16, 2),
            help="The maximum quantity less the ordered quantity."),
        'get_consumption')
    remaining_value = fields.Function(
        fields.Numeric("Remaining Value", digits=(16, 2)), 'get_consumption')
    consumption = fields.Function(
        fields.Numeric(
            "Consumption", digits=(16, 2),
            help="The ordered quantity in % of the maximum quantity."),
        'get_consumption')
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

    @classmethod
    def consumption_totals(cls, line_ids=None, contract_ids=None,
            order_states=None, order_ids=None):
        """Ordered and delivered quantities and values, summed in SQL

        Grouped by contract line or by contract. The orders counted are
        those not cancelled, or those in order_states and order_ids.
        Return {name: {key: value}}."""
        pool = Pool()
        Order = pool.get('cus.service.order')
        Delivery = pool.get('cus.service.delivery')
        cursor = Transaction().connection.cursor()
        result = {name: defaultdict(float) for name in [
                'ordered_quantity', 'delivered_quantity']}
        result.update({name: defaultdict(Decimal) for name in [
                'ordered_value', 'delivered_value']})
        if line_ids is not None:
            keys, group_by = line_ids, 'line'
        else:
            keys, group_by = contract_ids, 'contract'

        def queries(sub_keys):
            order = Order.__table__()
            line = cls.__table__()
            delivery = Delivery.__table__()
            key = order.contract_line if group_by == 'line' else line.contract
            where = SQL_OPERATORS['in'](key, list(sub_keys))
            if order_states is None:
                counted = order.state != 'cancelled'
            else:
                counted = order.state.in_(list(order_states) or [None])
                if order_ids:
                    counted |= SQL_OPERATORS['in'](order.id, list(order_ids))
            numeric = Order.unit_price.sql_cast
            value = numeric(order.quantity) * order.unit_price
            ordered = order.join(line,
                condition=order.contract_line == line.id
                ).select(
                    key.as_('key'),
                    Sum(order.quantity).as_('quantity'),
                    Sum(value).as_('value'),
                    where=where & counted,
                    group_by=[key])
            value = numeric(delivery.quantity) * order.unit_price
            delivered = delivery.join(order,
                condition=delivery.order == order.id
                ).join(line, condition=order.contract_line == line.id
                ).select(
                    key.as_('key'),
                    Sum(delivery.quantity).as_('quantity'),
                    Sum(value).as_('value'),
                    where=where & counted
                    & (delivery.state == 'confirmed'),
                    group_by=[key])
            for kind, query in [
                    ('ordered', ordered), ('delivered', delivered)]:
                if backend.name == 'sqlite':
                    sqlite_apply_types(query, [None, None, 'NUMERIC'])
                yield kind, query

        for sub_keys in grouped_slice(keys, backend.MAX_QUERY_PARAMS):
            for kind, query in queries(sub_keys):
                cursor.execute(*query)
                for key, quantity, value in cursor:
                    result[kind + '_quantity'][key] += quantity or 0
                    result[kind + '_value'][key] += value or Decimal(0)
        return result

    @classmethod
    def get_consumption(cls, lines, names):
        totals = cls.consumption_totals(line_ids=[l.id for l in lines])
        result = {n: {} for n in names}
        for line in lines:
            ordered = totals['ordered_quantity'][line.id]
            max_value = round_amount(
                Decimal(str(line.max_quantity)) * line.unit_price)
            values = {
                'ordered_quantity': ordered,
                'ordered_value': round_amount(
                    totals['ordered_value'][line.id]),
                'delivered_quantity': totals['delivered_quantity'][line.id],
                'delivered_value': round_amount(
                    totals['delivered_value'][line.id]),
                'remaining_quantity': line.max_quantity - ordered,
                'remaining_value': max_value - round_amount(
                    totals['ordered_value'][line.id]),
                'consumption': round_amount(
                    Decimal(str(ordered)) * 100
                    / Decimal(str(line.max_quantity))),
                }
            for name in names:
                result[name][line.id] = values[name]
        return result

    @classmethod
    def check_consumption(cls, orders, block=True):
        """Check what the orders commit on their lines and contracts

        The committed orders (sent and beyond) and the given orders count.
        At 80 % of a line's maximum quantity or of the contract's value cap
        a warning asks for confirmation; above 100 % the orders are refused
        with the figures, or only warned about when block is False."""
        pool = Pool()
        Warning = pool.get('res.user.warning')
        lines = list({o.contract_line for o in orders})
        contracts = list({l.contract for l in lines})
        order_ids = [o.id for o in orders]
        by_line = cls.consumption_totals(
            line_ids=[l.id for l in lines],
            order_states=COMMITTED_ORDER_STATES, order_ids=order_ids)
        by_contract = cls.consumption_totals(
            contract_ids=[c.id for c in contracts],
            order_states=COMMITTED_ORDER_STATES, order_ids=order_ids)
        checks = []
        for line in sorted(lines, key=lambda l: l.id):
            quantity = by_line['ordered_quantity'][line.id]
            ratio = Decimal(str(quantity)) / Decimal(str(line.max_quantity))
            checks.append((line, ratio, {
                        'line': line.rec_name,
                        'percent': format_percent(ratio * 100),
                        'ordered': format_quantity(quantity),
                        'maximum': format_quantity(line.max_quantity),
                        'unit': line.unit.symbol if line.unit else '',
                        }))
        for contract in sorted(contracts, key=lambda c: c.id):
            if contract.value_cap is None:
                continue
            value = round_amount(by_contract['ordered_value'][contract.id])
            ratio = value / contract.value_cap
            checks.append((contract, ratio, {
                        'contract': contract.rec_name,
                        'percent': format_percent(ratio * 100),
                        'ordered': format_amount(value),
                        'maximum': format_amount(contract.value_cap),
                        }))
        for record, ratio, values in checks:
            kind = 'line' if record.__name__ == cls.__name__ else 'value'
            if ratio > 1 and block:
                raise ContractError(gettext(
                        f'cus_partners.msg_contract_{kind}_over_limit',
                        **values))
            if ratio >= WARNING_RATIO:
                level = 'over' if ratio > 1 else 'near'
                key = Warning.format(
                    f'cus_contract_{kind}_{level}_limit',
                    [record] + sorted(orders, key=lambda o: o.id))
                if Warning.check(key):
                    raise ContractWarning(key, gettext(
                            f'cus_partners.msg_contract_{kind}_{level}_limit',
                            **values))

    @classmethod
    def find(cls, service, start_date, end_date=None, provider=None):
        """The active contract line for the service on the date

        The provider must offer the service; among several lines those
        covering the whole period come first, then the cheapest."""
        domain = [
            ('contract.state', '=', 'active'),
            ('service', '=', service.id),
            ('contract.provider.provided_services', '=', service.id),
            ('contract.start_date', '<=', start_date),
            ('contract.end_date', '>=', start_date),
            ]
        if provider:
            domain.append(('contract.provider', '=', provider.id))
        lines = cls.search(domain)
        end_date = end_date or start_date

        def key(line):
            return (line.contract.end_date < end_date, line.unit_price,
                line.id)
        return min(lines, key=key, default=None)

    def get_rec_name(self, name):
        return f'{self.contract.rec_name} - {self.service.rec_name}'

