# This file is part of the CUS back office.
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from cus_base.format import round_amount
from cus_base.model import RecNameSearchMixin, ServerFieldsCopyMixin
from sql import Null
from sql.aggregate import Sum

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .order import _sequence

STATES = [
    ('draft', "Draft"),
    ('computed', "Computed"),
    ('approved', "Approved"),
    ('paid', "Paid"),
    ]


class SettlementError(UserError):
    pass


class SettlementDeleteError(AccessError):
    pass


class Settlement(
        ServerFieldsCopyMixin, RecNameSearchMixin, Workflow, ModelSQL,
        ModelView):
    "Monthly statement of a provider (rozliczenie)"
    __name__ = 'cus.settlement'
    __string__ = "Settlement"
    _rec_name_search = ['number', 'provider']
    _rec_name = 'number'
    _history = True

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char("Number", readonly=True)
    provider = fields.Many2One(
        'party.party', "Provider", required=True, ondelete='RESTRICT',
        domain=[('cus_provider', '=', True)], states=_states)
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
            ],
        help="Confirmed deliveries up to this date not settled yet are "
        "included.")
    lines = fields.One2Many(
        'cus.settlement.line', 'settlement', "Lines", readonly=True)
    amount = fields.Function(
        fields.Numeric("Amount", digits=(16, 2)), 'get_amount')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    notes = fields.Text("Notes")
    computed_by = fields.Many2One('res.user', "Computed By", readonly=True)
    approved_by = fields.Many2One('res.user', "Approved By", readonly=True)
    approved_date = fields.Date("Approved On", readonly=True)
    payment_date = fields.Date(
        "Payment Date", readonly=True,
        states={'required': Eval('state') == 'paid'})
    payment_reference = fields.Char(
        "Payment Reference", readonly=True,
        states={'required': Eval('state') == 'paid'},
        help="The reference of the bank transfer.")
    paid_by = fields.Many2One('res.user', "Paid By", readonly=True)
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
                    where=t.state.in_(['draft', 'computed', 'approved'])),
                })
        cls._order = [('end_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'computed'),
            ('computed', 'computed'),
            ('computed', 'draft'),
            ('computed', 'approved'),
            ('approved', 'paid'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'compute': {
                    'invisible': ~Eval('state').in_(['draft', 'computed']),
                    'icon': 'tryton-refresh',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'computed',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'pay': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_start_date(cls):
        end = cls.default_end_date()
        return end.replace(day=1)

    @classmethod
    def default_end_date(cls):
        today = Pool().get('ir.date').today()
        return today.replace(day=1) - dt.timedelta(days=1)

    @classmethod
    def get_currency(cls, settlements, name):
        return Pool().get('cus.service').get_currency(settlements, name)

    @classmethod
    def get_amount(cls, settlements, name):
        pool = Pool()
        Line = pool.get('cus.settlement.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        result = {s.id: Decimal(0) for s in settlements}
        for sub_ids in grouped_slice(list(result), backend.MAX_QUERY_PARAMS):
            query = line.select(
                line.settlement, Sum(line.amount).as_('amount'),
                where=SQL_OPERATORS['in'](line.settlement, list(sub_ids)),
                group_by=[line.settlement])
            if backend.name == 'sqlite':
                sqlite_apply_types(query, [None, 'NUMERIC'])
            cursor.execute(*query)
            for id_, amount in cursor:
                result[id_] = round_amount(amount)
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
            values['number'] = _sequence(
                Configuration(1), 'settlement_sequence',
                'sequence_settlement').get()
        return values

    @classmethod
    def check_modification(cls, mode, settlements, values=None,
            external=False):
        super().check_modification(
            mode, settlements, values=values, external=external)
        if mode == 'delete':
            for settlement in settlements:
                if settlement.state != 'draft':
                    raise SettlementDeleteError(gettext(
                            'cus_partners.msg_settlement_delete',
                            settlement=settlement.rec_name))

    @classmethod
    def copy(cls, settlements, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'lines', 'computed_by', 'approved_by',
                'approved_date', 'payment_date', 'payment_reference',
                'paid_by']:
            default.setdefault(name, None)
        return super().copy(settlements, default=default)

    @classmethod
    def _unsettled_deliveries(cls, provider, end_date, exclude=()):
        """Confirmed deliveries under the provider's orders up to the date
        and not in any settlement: [(delivery, order, quantity)]"""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Order = pool.get('cus.service.order')
        ContractLine = pool.get('cus.contract.line')
        Contract = pool.get('cus.contract')
        Relation = pool.get('cus.settlement.line-cus.service.delivery')
        delivery = Delivery.__table__()
        order = Order.__table__()
        contract_line = ContractLine.__table__()
        contract = Contract.__table__()
        relation = Relation.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*delivery.join(order,
                condition=delivery.order == order.id
                ).join(contract_line,
                condition=order.contract_line == contract_line.id
                ).join(contract,
                condition=contract_line.contract == contract.id
                ).join(relation, 'LEFT',
                condition=relation.delivery == delivery.id
                ).select(
                    delivery.id, delivery.order, delivery.quantity,
                    where=(delivery.state == 'confirmed')
                    & (contract.provider == provider.id)
                    & (delivery.date <= end_date)
                    & (relation.id == Null),
                    order_by=[delivery.order, delivery.date, delivery.id]))
        return [r for r in cursor if r[0] not in exclude]

    @classmethod
    @ModelView.button
    @Workflow.transition('computed')
    def compute(cls, settlements):
        """Settle the confirmed deliveries at the prices of the orders

        A delivery belongs to one settlement line at most: the unique
        relation refuses a second one."""
        pool = Pool()
        Line = pool.get('cus.settlement.line')
        Order = pool.get('cus.service.order')
        cls.lock(settlements)
        Line.delete([l for s in settlements for l in s.lines])
        taken = set()
        lines = []
        for settlement in settlements:
            rows = cls._unsettled_deliveries(
                settlement.provider, settlement.end_date, taken)
            if not rows:
                raise SettlementError(gettext(
                        'cus_partners.msg_settlement_nothing',
                        settlement=settlement.rec_name,
                        provider=settlement.provider.rec_name,
                        date=settlement.end_date.strftime('%d.%m.%Y')))
            by_order = defaultdict(list)
            for delivery_id, order_id, quantity in rows:
                by_order[order_id].append((delivery_id, quantity))
                taken.add(delivery_id)
            for order in Order.browse(sorted(by_order)):
                deliveries = by_order[order.id]
                quantity = round(sum(q for _, q in deliveries), 2)
                lines.append(Line(
                        settlement=settlement, order=order,
                        service=order.service, quantity=quantity,
                        unit_price=order.unit_price,
                        amount=round_amount(
                            Decimal(str(quantity)) * order.unit_price),
                        deliveries=[d for d, _ in deliveries]))
        Line.save(lines)
        cls.write(settlements, {'computed_by': Transaction().user})

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, settlements):
        pool = Pool()
        Line = pool.get('cus.settlement.line')
        Line.delete([l for s in settlements for l in s.lines])
        cls.write(settlements, {'computed_by': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, settlements):
        Date = Pool().get('ir.date')
        cls.write(settlements, {
                'approved_by': Transaction().user,
                'approved_date': Date.today(),
                })

    @classmethod
    @ModelView.button_action('cus_partners.wizard_settlement_pay')
    def pay(cls, settlements):
        pass

    @classmethod
    @Workflow.transition('paid')
    def paid(cls, settlements, payment_date, reference):
        "Record the payment of approved settlements"
        cls.write(settlements, {
                'payment_date': payment_date,
                'payment_reference': reference,
                'paid_by': Transaction().user,
                })


class SettlementLine(ModelSQL, ModelView):
    "The deliveries of one order in a settlement"
    __name__ = 'cus.settlement.line'
    __string__ = "Settlement Line"

    settlement = fields.Many2One(
        'cus.settlement', "Settlement", required=True, ondelete='CASCADE')
    order = fields.Many2One(
        'cus.service.order', "Order", required=True, ondelete='RESTRICT')
    client = fields.Function(
        fields.Many2One('party.party', "Client"), 'get_client')
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='RESTRICT')
    quantity = fields.Float("Quantity", digits=(16, 2), required=True)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    unit_price = fields.Numeric("Unit Price", digits=(16, 2), required=True)
    amount = fields.Numeric("Amount", digits=(16, 2), required=True)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    deliveries = fields.Many2Many(
        'cus.settlement.line-cus.service.delivery', 'line', 'delivery',
        "Deliveries", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('settlement')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.settlement, Index.Range())),
                Index(t, (t.order, Index.Range())),
                })
        cls._order = [('settlement', 'DESC'), ('id', 'ASC')]

    def get_client(self, name):
        return self.order.client.id

    def get_unit(self, name):
        return self.service.unit.id

    @classmethod
    def get_currency(cls, lines, name):
        return Pool().get('cus.service').get_currency(lines, name)

    def get_rec_name(self, name):
        return f'{self.settlement.rec_name} - {self.order.rec_name}'

    @classmethod
    def copy(cls, lines, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('deliveries', None)
        return super().copy(lines, default=default)


class SettlementLineDelivery(ModelSQL):
    "A delivery settled by a settlement line"
    __name__ = 'cus.settlement.line-cus.service.delivery'

    line = fields.Many2One(
        'cus.settlement.line', "Settlement Line", required=True,
        ondelete='CASCADE')
    delivery = fields.Many2One(
        'cus.service.delivery', "Delivery", required=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('line')
        t = cls.__table__()
        cls._sql_constraints += [
            ('delivery_unique', Unique(t, t.delivery),
                'cus_partners.msg_settlement_delivery_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.line, Index.Range())))


class SettlementPayStart(ModelView):
    "Payment of a settlement"
    __name__ = 'cus.settlement.pay.start'
    __string__ = "Settlement Payment"

    payment_date = fields.Date("Payment Date", required=True)
    reference = fields.Char(
        "Reference", required=True,
        help="The reference of the bank transfer.")

    @classmethod
    def default_payment_date(cls):
        return Pool().get('ir.date').today()


class SettlementPay(Wizard):
    "Record the payment of settlements"
    __name__ = 'cus.settlement.pay'

    start = StateView('cus.settlement.pay.start',
        'cus_partners.settlement_pay_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Pay", 'pay', 'tryton-ok', default=True),
            ])
    pay = StateTransition()

    def transition_pay(self):
        pool = Pool()
        Settlement = pool.get('cus.settlement')
        Button = pool.get('ir.model.button')
        User = pool.get('res.user')
        # The wizard may be opened by administrators; paying is for the
        # groups of the Pay button.
        groups = Button.get_groups(Settlement.__name__, 'pay')
        if (Transaction().user and groups
                and not groups & set(User.get_groups())):
            raise AccessButtonError(gettext(
                    'ir.msg_access_button_error', button='pay',
                    **Settlement.__names__()))
        settlements = [s for s in self.records if s.state == 'approved']
        if len(settlements) != len(self.records):
            raise SettlementError(gettext(
                    'cus_partners.msg_settlement_pay_state'))
        Settlement.paid(
            settlements, self.start.payment_date, self.start.reference)
        return 'end'
