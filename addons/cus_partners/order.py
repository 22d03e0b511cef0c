# This file is part of the CUS back office.
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from cus_base.format import CENT, format_quantity, round_amount
from cus_base.model import RecNameSearchMixin, ServerFieldsCopyMixin
from cus_ipus.ipus import max_quantity
from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from sql.functions import Abs, Round

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, Id, If
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction, check_access
from trytond.wizard import StateAction, Wizard

from .contract import format_percent

STATES = [
    ('draft', "Draft"),
    ('sent', "Sent"),
    ('accepted', "Accepted"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]
# Orders the provider works on: a plan update changes them.
OPEN_STATES = ['draft', 'sent', 'accepted']
# Orders against which deliveries are reported.
DELIVERY_STATES = ['sent', 'accepted', 'done']
# What a plan update carries over to the order.
FOLLOWED_FIELDS = [
    'start_date', 'end_date', 'per_week', 'per_month', 'per_year',
    'quantity', 'schedule']
# Fields that users may still change on an order sent to the provider.
ORDER_FREE_FIELDS = {'notes', 'state', 'number', 'changed', 'sent_by',
    'sent_date'}


class OrderError(UserError):
    pass


class OrderValidationError(ValidationError):
    pass


class OrderDeleteError(AccessError):
    pass


def _date(value):
    return value.strftime('%d.%m.%Y') if value else '…'


def _month_bounds(date):
    start = date.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


def _sequence(config, name, xml_id):
    "The configured sequence, or the default one of the module"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Sequence = pool.get('ir.sequence')
    sequence = getattr(config, name, None)
    if not sequence:
        sequence = Sequence(ModelData.get_id('cus_partners', xml_id))
    return sequence


class Configuration(metaclass=PoolMeta):
    __name__ = 'cus.configuration'

    order_sequence = fields.Many2One(
        'ir.sequence', "Service Order Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('cus_partners', 'sequence_type_order')),
            ],
        help="Numbers the service orders when they are sent.")
    settlement_sequence = fields.Many2One(
        'ir.sequence', "Settlement Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('cus_partners', 'sequence_type_settlement')),
            ],
        help="Numbers the settlements of the providers.")

    @classmethod
    def _default_sequence(cls, xml_id):
        ModelData = Pool().get('ir.model.data')
        try:
            return ModelData.get_id('cus_partners', xml_id)
        except KeyError:
            return None

    @classmethod
    def default_order_sequence(cls):
        return cls._default_sequence('sequence_order')

    @classmethod
    def default_settlement_sequence(cls):
        return cls._default_sequence('sequence_settlement')


class Order(
        ServerFieldsCopyMixin, RecNameSearchMixin, Workflow, ModelSQL,
        ModelView):
    "Order of a service from a provider (zlecenie)"
    __name__ = 'cus.service.order'
    __string__ = "Service Order"
    _rec_name_search = ['number', 'client', 'service']
    _rec_name = 'number'
    _history = True

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char(
        "Number", readonly=True, help="Given when the order is sent.")
    contract_line = fields.Many2One(
        'cus.contract.line', "Contract Line", required=True,
        ondelete='RESTRICT',
        domain=[
            If(Eval('state') == 'draft', [
                    ('contract.state', '=', 'active'),
                    ('service', '=', Eval('service', -1)),
                    ('contract.provider.provided_services', '=',
                        Eval('service', -1)),
                    ], []),
            ],
        states=_states,
        help="An active contract with a provider offering the service.")
    contract = fields.Function(
        fields.Many2One('cus.contract', "Contract"),
        'get_contract_fields', searcher='search_contract_fields')
    provider = fields.Function(
        fields.Many2One('party.party', "Provider"),
        'get_contract_fields', searcher='search_contract_fields')
    client = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        domain=[('cus_client', '=', True)], states=_states)
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='RESTRICT',
        states=_states)
    ipus_line = fields.Many2One(
        'cus.ipus.line', "Plan Line", ondelete='RESTRICT',
        domain=[
            ('service', '=', Eval('service', -1)),
            ('plan.client', '=', Eval('client', -1)),
            If(Eval('state') == 'draft',
                ('plan.state', 'in', ['approved', 'running']),
                ()),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            'required': ~Eval('application_line'),
            'invisible': Bool(Eval('application_line')),
            },
        help="The line of an approved individual plan.")
    application_line = fields.Many2One(
        'cus.application.line', "Application Line", ondelete='RESTRICT',
        domain=[
            ('service', '=', Eval('service', -1)),
            ('application.client', '=', Eval('client', -1)),
            ('application.path', 'in', ['one_off', 'short']),
            If(Eval('state') == 'draft', [
                    ('application.state', '=', 'qualified'),
                    ('state', '=', 'granted'),
                    ], []),
            ],
        states={
            'readonly': Eval('state') != 'draft',
            'required': ~Eval('ipus_line'),
            'invisible': Bool(Eval('ipus_line')),
            },
        help="A granted service of a one-off or short-path application.")
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
    quantity = fields.Float(
        "Quantity", digits=(16, 2), required=True, states=_states,
        domain=[('quantity', '>', 0)],
        help="The units ordered for the whole period.")
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    schedule = fields.Text(
        "Schedule", states=_states,
        help="The schedule the provider follows, as on the plan.")
    place = fields.Char("Place", states=_states)
    unit_price = fields.Numeric(
        "Unit Price", digits=(16, 2), required=True, readonly=True,
        help="The price of the contract line.")
    amount = fields.Function(
        fields.Numeric(
            "Planned Value", digits=(16, 2),
            help="The ordered quantity at the contract price."),
        'on_change_with_amount')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    notes = fields.Text("Notes")
    delivered_quantity = fields.Function(
        fields.Float(
            "Delivered", digits=(16, 2),
            help="The confirmed deliveries of the order."),
        'get_figures')
    reported_quantity = fields.Function(
        fields.Float(
            "Reported", digits=(16, 2),
            help="Deliveries reported and not yet confirmed."),
        'get_figures')
    delivered_amount = fields.Function(
        fields.Numeric("Delivered Value", digits=(16, 2)), 'get_figures')
    settled_amount = fields.Function(
        fields.Numeric(
            "Settled Value", digits=(16, 2),
            help="The value of the approved or paid settlements."),
        'get_figures')
    paid_amount = fields.Function(
        fields.Numeric("Paid Value", digits=(16, 2)), 'get_figures')
    difference = fields.Function(
        fields.Boolean(
            "Difference",
            help="The planned, delivered, settled and paid values are not "
            "all the same."),
        'get_figures', searcher='search_difference')
    changed = fields.Boolean(
        "Changed", readonly=True,
        help="The order changed since the provider last acknowledged it.")
    changes = fields.One2Many(
        'cus.service.order.change', 'order', "Changes", readonly=True)
    deviations = fields.One2Many(
        'cus.service.order.deviation', 'order', "Deviations", readonly=True)
    sent_by = fields.Many2One('res.user', "Sent By", readonly=True)
    sent_date = fields.Date("Sent On", readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.contract_line, Index.Range())),
                Index(t, (t.ipus_line, Index.Range())),
                Index(t, (t.application_line, Index.Range())),
                Index(t, (t.client, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(OPEN_STATES)),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'sent'),
            ('sent', 'draft'),
            ('sent', 'accepted'),
            ('accepted', 'done'),
            ('draft', 'cancelled'),
            ('sent', 'cancelled'),
            ('accepted', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': ~Eval('state').in_(['sent', 'cancelled']),
                    'icon': If(Eval('state') == 'cancelled',
                        'tryton-undo', 'tryton-back'),
                    'depends': ['state'],
                    },
                'send': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'accept': {
                    'invisible': Eval('state') != 'sent',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'accepted',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'acknowledge': {
                    'invisible': ~Eval('changed', False),
                    'icon': 'tryton-ok',
                    'depends': ['changed'],
                    },
                'compute_deviations': {
                    'invisible': ~Eval('state').in_(DELIVERY_STATES),
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_changed(cls):
        return False

    @fields.depends('contract_line', '_parent_contract_line.unit_price')
    def on_change_contract_line(self):
        if self.contract_line:
            self.unit_price = self.contract_line.unit_price

    @fields.depends('ipus_line', 'client', 'service',
        '_parent_ipus_line.service', '_parent_ipus_line.plan',
        '_parent_ipus_line.start_date', '_parent_ipus_line.end_date',
        '_parent_ipus_line.per_week', '_parent_ipus_line.per_month',
        '_parent_ipus_line.per_year', '_parent_ipus_line.quantity',
        '_parent_ipus_line.schedule', '_parent_ipus_line.place')
    def on_change_ipus_line(self):
        line = self.ipus_line
        if line:
            self.client = line.plan.client
            self.service = line.service
            for name in FOLLOWED_FIELDS + ['place']:
                setattr(self, name, getattr(line, name))

    @fields.depends('application_line', 'client', 'service',
        '_parent_application_line.service',
        '_parent_application_line.application',
        '_parent_application_line.start_date',
        '_parent_application_line.end_date',
        '_parent_application_line.quantity')
    def on_change_application_line(self):
        line = self.application_line
        if line:
            self.client = line.application.client
            self.service = line.service
            self.start_date = (
                line.start_date or line.application.application_date)
            self.end_date = line.end_date or self.start_date
            self.quantity = line.quantity

    @fields.depends('service', '_parent_service.unit')
    def on_change_with_unit(self, name=None):
        return self.service.unit if self.service else None

    @fields.depends('quantity', 'unit_price')
    def on_change_with_amount(self, name=None):
        if self.quantity is not None and self.unit_price is not None:
            return round_amount(
                Decimal(str(self.quantity)) * self.unit_price)

    @classmethod
    def get_currency(cls, orders, name):
        return Pool().get('cus.service').get_currency(orders, name)

    @classmethod
    def get_contract_fields(cls, orders, names):
        result = {n: {} for n in names}
        for order in orders:
            contract = order.contract_line.contract
            if 'contract' in names:
                result['contract'][order.id] = contract.id
            if 'provider' in names:
                result['provider'][order.id] = contract.provider.id
        return result

    @classmethod
    def search_contract_fields(cls, name, clause):
        nested = clause[0][len(name):]
        return [('contract_line.contract' + (
                    '' if name == 'contract' else '.provider') + nested,
                *clause[1:])]

    def get_rec_name(self, name):
        number = self.number or f'({self.id})'
        return f'{number} {self.service.rec_name} - {self.client.rec_name}'

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'cancelled', 'muted',
                    If(Eval('changed', False), 'warning', ''))),
            ]

    @classmethod
    def _figures_query(cls, where=None):
        """Planned, delivered, settled and paid figures per order

        Columns: order, planned value, delivered quantity, reported
        quantity, delivered value, settled value, paid value."""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        SettlementLine = pool.get('cus.settlement.line')
        Settlement = pool.get('cus.settlement')
        order = cls.__table__()
        delivery = Delivery.__table__()
        line = SettlementLine.__table__()
        settlement = Settlement.__table__()
        numeric = cls.unit_price.sql_cast

        deliveries = delivery.select(
            delivery.order.as_('order'),
            Sum(delivery.quantity, filter_=delivery.state == 'confirmed'
                ).as_('delivered'),
            Sum(delivery.quantity, filter_=delivery.state == 'reported'
                ).as_('reported'),
            where=(delivery.order != Null)
            & delivery.state.in_(['confirmed', 'reported']),
            group_by=[delivery.order])
        settlements = line.join(settlement,
            condition=line.settlement == settlement.id
            ).select(
                line.order.as_('order'),
                Sum(line.amount).as_('settled'),
                Sum(line.amount, filter_=settlement.state == 'paid'
                    ).as_('paid'),
                where=settlement.state.in_(['approved', 'paid']),
                group_by=[line.order])
        query = order.join(deliveries, 'LEFT',
            condition=deliveries.order == order.id
            ).join(settlements, 'LEFT',
                condition=settlements.order == order.id
                ).select(
                    order.id.as_('order'),
                    (numeric(order.quantity) * order.unit_price
                        ).as_('planned'),
                    Coalesce(deliveries.delivered, 0).as_('delivered'),
                    Coalesce(deliveries.reported, 0).as_('reported'),
                    (numeric(Coalesce(deliveries.delivered, 0))
                        * order.unit_price).as_('delivered_amount'),
                    Coalesce(settlements.settled, 0).as_('settled'),
                    Coalesce(settlements.paid, 0).as_('paid'),
                    where=where)
        return order, query

    @classmethod
    def get_figures(cls, orders, names):
        cursor = Transaction().connection.cursor()
        result = {n: {} for n in names}
        ids = [o.id for o in orders]
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            order, query = cls._figures_query()
            query.where = SQL_OPERATORS['in'](order.id, list(sub_ids))
            if backend.name == 'sqlite':
                sqlite_apply_types(query, [None, 'NUMERIC', None, None,
                        'NUMERIC', 'NUMERIC', 'NUMERIC'])
            cursor.execute(*query)
            for (id_, planned, delivered, reported, delivered_amount,
                    settled, paid) in cursor:
                amounts = list(map(round_amount, [
                            planned, delivered_amount, settled, paid]))
                values = {
                    'delivered_quantity': delivered,
                    'reported_quantity': reported,
                    'delivered_amount': amounts[1],
                    'settled_amount': amounts[2],
                    'paid_amount': amounts[3],
                    'difference': any(
                        abs(a - b) > CENT
                        for a, b in zip(amounts, amounts[1:])),
                    }
                for name in names:
                    result[name][id_] = values[name]
        return result

    @classmethod
    def search_difference(cls, name, clause):
        _, operator, value = clause[:3]
        if operator not in {'=', '!='}:
            raise ValueError(f"Unsupported operator {operator!r}")
        wanted = bool(value) == (operator == '=')
        order, query = cls._figures_query()
        # A float bound: SQLite binds a Decimal as text, which compares
        # above any number.
        cent = float(CENT)
        planned, delivered, settled, paid = [
            Round(c, 2) for c in [query.planned, query.delivered_amount,
                query.settled, query.paid]]
        figures = query.select(
            query.order,
            where=(Abs(planned - delivered) > cent)
            | (Abs(delivered - settled) > cent)
            | (Abs(settled - paid) > cent))
        return [('id', 'in' if wanted else 'not in', figures)]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        ContractLine = pool.get('cus.contract.line')
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and values.get('contract_line')
                and values.get('unit_price') is None):
            values['unit_price'] = ContractLine(
                values['contract_line']).unit_price
        return values

    @classmethod
    def check_modification(cls, mode, orders, values=None, external=False):
        super().check_modification(
            mode, orders, values=values, external=external)
        if mode == 'delete':
            for order in orders:
                if order.state not in {'draft', 'cancelled'}:
                    raise OrderDeleteError(gettext(
                            'cus_partners.msg_order_delete',
                            order=order.rec_name))
        elif mode == 'write' and external:
            changed = set(values) - ORDER_FREE_FIELDS
            for order in orders:
                if order.state != 'draft' and changed:
                    raise OrderError(gettext(
                            'cus_partners.msg_order_change_sent',
                            order=order.rec_name))

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('changed', False)
        default.setdefault('changes', None)
        default.setdefault('deviations', None)
        default.setdefault('sent_by', None)
        default.setdefault('sent_date', None)
        return super().copy(orders, default=default)

    @classmethod
    def validate_fields(cls, orders, field_names):
        super().validate_fields(orders, field_names)
        if not field_names or field_names & {
                'ipus_line', 'application_line', 'contract_line', 'client',
                'service'}:
            for order in orders:
                order.check_origin()

    def _error(self, msg_id, **values):
        return OrderValidationError(gettext(
                'cus_partners.' + msg_id, order=self.rec_name, **values))

    def check_origin(self):
        "The order is made for one plan or application line of its client"
        origin = self.ipus_line or self.application_line
        if bool(self.ipus_line) == bool(self.application_line):
            raise self._error('msg_order_origin')
        if self.ipus_line:
            client = self.ipus_line.plan.client
        else:
            client = self.application_line.application.client
        if origin.service != self.service or client != self.client:
            raise self._error('msg_order_origin_mismatch',
                origin=origin.rec_name)
        if self.contract_line.service != self.service:
            raise self._error('msg_order_contract_service',
                line=self.contract_line.rec_name)
        provider = self.ipus_line.provider if self.ipus_line else None
        if provider and provider != self.contract_line.contract.provider:
            raise self._error('msg_order_provider_mismatch',
                provider=provider.rec_name,
                contract=self.contract_line.contract.rec_name)

    def check_sendable(self):
        "What must hold to send the order to the provider"
        Date = Pool().get('ir.date')
        contract = self.contract_line.contract
        provider = contract.provider
        if contract.state != 'active':
            raise self._error('msg_order_contract_inactive',
                contract=contract.rec_name)
        if (self.start_date < contract.start_date
                or self.end_date > contract.end_date):
            raise self._error('msg_order_contract_period',
                contract=contract.rec_name,
                start=_date(contract.start_date),
                end=_date(contract.end_date))
        if self.service not in provider.provided_services:
            raise self._error('msg_order_provider_service',
                provider=provider.rec_name, service=self.service.rec_name)
        provider.check_accreditation(max(Date.today(), self.start_date))
        if self.ipus_line:
            line = self.ipus_line
            if (line.plan.state not in {'approved', 'running'}
                    or line.state != 'open'):
                raise self._error('msg_order_plan_not_open',
                    plan=line.plan.rec_name)
        else:
            line = self.application_line
            if (line.application.state != 'qualified'
                    or line.state != 'granted'):
                raise self._error('msg_order_application_not_granted',
                    application=line.application.rec_name)

    @classmethod
    def set_number(cls, orders):
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        sequence = _sequence(
            Configuration(1), 'order_sequence', 'sequence_order')
        to_number = [o for o in orders if not o.number]
        for order, number in zip(
                to_number, sequence.get_many(len(to_number))):
            order.number = number
        cls.save(to_number)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, orders):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, orders):
        pool = Pool()
        ContractLine = pool.get('cus.contract.line')
        Date = pool.get('ir.date')
        cls.lock(orders)
        for order in orders:
            order.check_sendable()
        ContractLine.check_consumption(orders)
        cls.set_number(orders)
        cls.write(orders, {
                'sent_by': Transaction().user,
                'sent_date': Date.today(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('accepted')
    def accept(cls, orders):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, orders):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, orders):
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        deliveries = Delivery.search([
                ('order', 'in', [o.id for o in orders]),
                ('state', '!=', 'rejected'),
                ], limit=1)
        if deliveries:
            delivery, = deliveries
            raise OrderError(gettext(
                    'cus_partners.msg_order_cancel_deliveries',
                    order=delivery.order.rec_name))

    @classmethod
    @ModelView.button
    def acknowledge(cls, orders):
        pool = Pool()
        Change = pool.get('cus.service.order.change')
        Change.write(Change.search([
                    ('order', 'in', [o.id for o in orders]),
                    ('acknowledged', '=', False),
                    ]), {'acknowledged': True})
        cls.write(orders, {'changed': False})

    @classmethod
    @ModelView.button
    def compute_deviations(cls, orders):
        "Check every complete month of the orders up to today"
        Date = Pool().get('ir.date')
        current, _ = _month_bounds(Date.today())
        months = set()
        for order in orders:
            month = order.start_date.replace(day=1)
            while month < current and month <= order.end_date:
                months.add(month)
                month, _ = _month_bounds(month + dt.timedelta(days=31))
        for month in sorted(months):
            cls.check_deviations(month, orders=orders)

    # Creation from the plans and the applications

    @classmethod
    def _existing(cls, field, lines):
        "The lines that already have an order not cancelled"
        if not lines:
            return set()
        return {getattr(o, field) for o in cls.search([
                    (field, 'in', [l.id for l in lines]),
                    ('state', '!=', 'cancelled'),
                    ])}

    @classmethod
    def _new_order(cls, contract_line, origin, client, start, end,
            quantity, **values):
        contract = contract_line.contract
        order_start = max(start, contract.start_date)
        order_end = min(end, contract.end_date)
        if (order_start, order_end) != (start, end):
            # The contract covers part of the period only
            limit = max_quantity(
                order_start, order_end, values.get('per_week'),
                values.get('per_month'), values.get('per_year'))
            if limit is None:
                share = (((order_end - order_start).days + 1)
                    / ((end - start).days + 1))
                limit = round(quantity * share, 2)
            quantity = min(quantity, limit)
        order = cls(
            contract_line=contract_line, client=client,
            service=contract_line.service, start_date=order_start,
            end_date=order_end, quantity=quantity,
            unit_price=contract_line.unit_price, state='draft', **values)
        setattr(order, origin[0], origin[1])
        return order

    @classmethod
    def create_from_ipus_lines(cls, lines):
        """Draft orders for the open lines of approved or running plans

        Lines already ordered are skipped, and so are the lines without
        provider for which no contract exists (delivered by the CUS)."""
        pool = Pool()
        ContractLine = pool.get('cus.contract.line')
        lines = [l for l in lines
            if l.plan.state in {'approved', 'running'} and l.state == 'open']
        existing = cls._existing('ipus_line', lines)
        orders = []
        for line in lines:
            if line in existing:
                continue
            contract_line = ContractLine.find(
                line.service, line.start_date, line.end_date, line.provider)
            if not contract_line:
                if line.provider:
                    raise OrderError(gettext(
                            'cus_partners.msg_order_no_contract_provider',
                            service=line.service.rec_name,
                            provider=line.provider.rec_name,
                            date=_date(line.start_date)))
                continue
            orders.append(cls._new_order(
                    contract_line, ('ipus_line', line), line.plan.client,
                    line.start_date, line.end_date, line.quantity,
                    per_week=line.per_week, per_month=line.per_month,
                    per_year=line.per_year, schedule=line.schedule,
                    place=line.place))
        cls.save(orders)
        return orders

    @classmethod
    def create_from_application_lines(cls, lines):
        "Draft orders for the granted lines of one-off and short paths"
        pool = Pool()
        ContractLine = pool.get('cus.contract.line')
        lines = [l for l in lines
            if l.application.path in {'one_off', 'short'}
            and l.application.state == 'qualified' and l.state == 'granted']
        existing = cls._existing('application_line', lines)
        orders = []
        for line in lines:
            if line in existing:
                continue
            start = line.start_date or line.application.application_date
            end = line.end_date or start
            contract_line = ContractLine.find(line.service, start, end)
            if not contract_line:
                continue
            orders.append(cls._new_order(
                    contract_line, ('application_line', line),
                    line.application.client, start, end, line.quantity))
        cls.save(orders)
        return orders

    # Plan updates

    @classmethod
    def follow_plan_updates(cls, updates):
        """Move the open orders of the previous versions to the updates

        Each order is re-pointed to the new version of its line and takes
        its period, schedule and quantity; what changed is logged for the
        provider and the organisers are notified."""
        pool = Pool()
        ContractLine = pool.get('cus.contract.line')
        Change = pool.get('cus.service.order.change')
        Date = pool.get('ir.date')
        today = Date.today()
        new_lines = {}
        removed = []
        for plan in updates:
            successors = {l.origin: l for l in plan.lines if l.origin}
            new_lines.update(successors)
            removed.extend(
                l for l in plan.previous_version.lines
                if l not in successors)
        orders = cls.search([
                ('ipus_line', 'in', [l.id for l in new_lines] + [
                        l.id for l in removed]),
                ('state', 'in', OPEN_STATES),
                ])
        if not orders:
            return
        cls.lock(orders)
        to_save, changes, to_cancel = [], [], []
        # The reason of the update stays out of the log: it may reveal the
        # client's health, and the log is for the provider.
        for order in orders:
            plan = order.ipus_line.plan.next_version
            new_line = new_lines.get(order.ipus_line)
            if not new_line:
                if order.state == 'draft':
                    to_cancel.append(order)
                    continue
                description = gettext(
                    'cus_partners.msg_order_change_removed',
                    plan=order.ipus_line.plan.rec_name)
                order.changed = True
                changes.append(Change(
                        order=order, date=today, description=description,
                        plan=plan, acknowledged=False))
                to_save.append(order)
                continue
            differences = order._follow_line(new_line)
            order.ipus_line = new_line
            to_save.append(order)
            # A draft is not with the provider yet: it just follows.
            if differences and order.state != 'draft':
                order.changed = True
                changes.append(Change(
                        order=order, date=today, plan=new_line.plan,
                        acknowledged=False,
                        description='\n'.join([gettext(
                                    'cus_partners.msg_order_change_update',
                                    plan=new_line.plan.rec_name)]
                            + differences)))
        cls.save(to_save)
        Change.save(changes)
        if to_cancel:
            cls.cancel(to_cancel)
        committed = [o for o in to_save if o.state != 'draft']
        if committed:
            ContractLine.check_consumption(committed, block=False)
        if changes:
            cls.notify_changes([c.order for c in changes])

    def _follow_line(self, line):
        "Take the values of the plan line and describe what changed"
        differences = []
        for name in FOLLOWED_FIELDS:
            old, new = getattr(self, name), getattr(line, name)
            if old == new:
                continue
            setattr(self, name, new)
            if isinstance(new, dt.date) or isinstance(old, dt.date):
                old, new = _date(old), _date(new)
            elif isinstance(new, float) or isinstance(old, float):
                old = format_quantity(old) if old is not None else '—'
                new = format_quantity(new) if new is not None else '—'
            else:
                old, new = old or '—', new or '—'
            differences.append(gettext(
                    'cus_partners.msg_order_change_field',
                    field=self.__names__(name)['field'],
                    old=old, new=new))
        if line.provider and line.provider != self.provider:
            differences.append(gettext(
                    'cus_partners.msg_order_change_provider',
                    provider=line.provider.rec_name))
        return differences

    @classmethod
    def notify_changes(cls, orders):
        "Tell the organisers that orders changed with a plan update"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Notification = pool.get('res.notification')
        User = pool.get('res.user')
        group = ModelData.get_id('cus_base', 'group_cus_organiser')
        users = User.search([('groups', '=', group)])
        orders = sorted(set(orders), key=lambda o: o.id)
        to_create = []
        for user in users:
            context = {}
            if user.language:
                context['language'] = user.language.code
            with Transaction().set_context(context):
                label = gettext(
                    'cus_partners.msg_order_changed_notification',
                    count=len(orders))
            to_create.append({
                    'user': user.id,
                    'label': label,
                    'description': ', '.join(o.rec_name for o in orders),
                    'icon': 'tryton-refresh',
                    'model': cls.__name__,
                    'records': json.dumps([o.id for o in orders]),
                    })
        Notification.create(to_create)

    # Deviations

    def ordered_in(self, start, end):
        "The quantity the order schedules between the dates"
        start, end = max(start, self.start_date), min(end, self.end_date)
        if start > end:
            return 0
        days = (end - start).days + 1
        period_days = (self.end_date - self.start_date).days + 1
        limits = [self.quantity * days / period_days]
        if self.per_week is not None:
            limits.append(self.per_week * days / 7)
        if self.per_month is not None:
            month_days = (_month_bounds(start)[1] - start.replace(
                    day=1)).days + 1
            limits.append(self.per_month * min(days / month_days, 1))
        return min(limits)

    @classmethod
    def check_deviations(cls, date=None, orders=None):
        """Record the orders whose confirmed deliveries in the month of the
        date depart from the schedule by more than the allowed deviation

        Run monthly by the cron for the previous month. Returns the alerts
        of the month."""
        pool = Pool()
        Date = pool.get('ir.date')
        Deviation = pool.get('cus.service.order.deviation')
        Delivery = pool.get('cus.service.delivery')
        if date is None:
            date = Date.today().replace(day=1) - dt.timedelta(days=1)
        start, end = _month_bounds(date)
        domain = [
            ('state', 'in', DELIVERY_STATES),
            ('start_date', '<=', end),
            ('end_date', '>=', start),
            ]
        if orders is not None:
            domain.append(('id', 'in', [o.id for o in orders]))
        orders = cls.search(domain, order=[('id', 'ASC')])

        delivered = defaultdict(float)
        delivery = Delivery.__table__()
        cursor = Transaction().connection.cursor()
        for sub_orders in grouped_slice(orders, backend.MAX_QUERY_PARAMS):
            cursor.execute(*delivery.select(
                    delivery.order, Sum(delivery.quantity),
                    where=SQL_OPERATORS['in'](
                        delivery.order, [o.id for o in sub_orders])
                    & (delivery.state == 'confirmed')
                    & (delivery.date >= start) & (delivery.date <= end),
                    group_by=[delivery.order]))
            delivered.update(cursor)

        existing = {}
        for sub_orders in grouped_slice(orders, backend.MAX_QUERY_PARAMS):
            existing.update(((d.order, d) for d in Deviation.search([
                            ('order', 'in', [o.id for o in sub_orders]),
                            ('month', '=', start),
                            ])))
        to_save, to_delete = [], []
        for order in orders:
            allowed = order.contract_line.allowed_deviation
            if allowed is None:
                allowed = order.service.allowed_deviation
            ordered = order.ordered_in(start, end)
            alert = existing.get(order)
            if allowed is None or not ordered:
                if alert:
                    to_delete.append(alert)
                continue
            quantity = delivered.get(order.id) or 0
            deviation = round_amount(
                Decimal(str(abs(quantity - ordered) / ordered * 100)))
            if deviation > allowed:
                if not alert:
                    alert = Deviation(order=order, month=start)
                alert.ordered = round(ordered, 2)
                alert.delivered = quantity
                alert.deviation = deviation
                alert.allowed = allowed
                to_save.append(alert)
            elif alert:
                to_delete.append(alert)
        Deviation.save(to_save)
        Deviation.delete(to_delete)
        return to_save


class OrderChange(ModelSQL, ModelView):
    "A change of an order sent to the provider"
    __name__ = 'cus.service.order.change'
    __string__ = "Service Order Change"

    order = fields.Many2One(
        'cus.service.order', "Order", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    plan = fields.Many2One(
        'cus.ipus', "Plan Version", ondelete='SET NULL',
        help="The plan update that changed the order.")
    description = fields.Text("Description", required=True)
    acknowledged = fields.Boolean(
        "Acknowledged",
        help="The provider has seen the change.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('order')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.order, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_acknowledged(cls):
        return False


class OrderDeviation(ModelSQL, ModelView):
    "Confirmed deliveries of a month departing from the ordered schedule"
    __name__ = 'cus.service.order.deviation'
    __string__ = "Service Order Deviation"

    order = fields.Many2One(
        'cus.service.order', "Order", required=True, ondelete='CASCADE')
    provider = fields.Function(
        fields.Many2One('party.party', "Provider"),
        'get_order_fields', searcher='search_order_fields')
    service = fields.Function(
        fields.Many2One('cus.service', "Service"),
        'get_order_fields', searcher='search_order_fields')
    client = fields.Function(
        fields.Many2One('party.party', "Client"),
        'get_order_fields', searcher='search_order_fields')
    month = fields.Date("Month", required=True, help="Its first day.")
    ordered = fields.Float(
        "Ordered", digits=(16, 2), required=True,
        help="The quantity the schedule of the order gives the month.")
    delivered = fields.Float(
        "Delivered", digits=(16, 2), required=True,
        help="The confirmed deliveries of the month.")
    deviation = fields.Numeric(
        "Deviation", digits=(16, 2), required=True, help="In %.")
    allowed = fields.Numeric(
        "Allowed Deviation", digits=(5, 2), required=True, help="In %.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('order')
        t = cls.__table__()
        cls._sql_constraints += [
            ('order_month_unique', Unique(t, t.order, t.month),
                'cus_partners.msg_deviation_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.month, Index.Range())))
        cls._order = [('month', 'DESC'), ('id', 'DESC')]

    @classmethod
    def get_order_fields(cls, deviations, names):
        result = {n: {} for n in names}
        for deviation in deviations:
            order = deviation.order
            for name in names:
                result[name][deviation.id] = getattr(order, name).id
        return result

    @classmethod
    def search_order_fields(cls, name, clause):
        return [('order.' + clause[0], *clause[1:])]

    def get_rec_name(self, name):
        return '%s %s (%s %%)' % (
            self.month.strftime('%m.%Y'), self.order.rec_name,
            format_percent(self.deviation))


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('cus.service.order|check_deviations',
                "Check the Deviations of the Service Orders"))


class OrderCreate(Wizard):
    "Create service orders from plans or applications"
    __name__ = 'cus.service.order.create'
    start_state = 'open_'
    open_ = StateAction('cus_partners.act_order_form')

    def do_open_(self, action):
        pool = Pool()
        Order = pool.get('cus.service.order')
        ModelAccess = pool.get('ir.model.access')
        model = self.model.__name__
        # Only those who may create orders (organiser, director) get any.
        with check_access():
            ModelAccess.check(Order.__name__, 'create')
        orders = self._create_orders(Order, model)
        if not orders:
            raise OrderError(gettext('cus_partners.msg_order_none_created'))
        action['views'].reverse()
        return action, {'res_id': [o.id for o in orders]}

    def _create_orders(self, Order, model):
        if model == 'cus.ipus':
            orders = Order.create_from_ipus_lines(
                [l for p in self.records for l in p.lines])
        elif model == 'cus.ipus.line':
            orders = Order.create_from_ipus_lines(self.records)
        elif model == 'cus.application':
            orders = Order.create_from_application_lines(
                [l for a in self.records for l in a.lines])
        else:
            orders = Order.create_from_application_lines(self.records)
        return orders
