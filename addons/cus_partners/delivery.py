# This file is part of the CUS back office.
from sql.aggregate import Sum

from cus_base.format import format_quantity
from cus_ipus.exceptions import DeliveryValidationError

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .order import DELIVERY_STATES

# Orders to which a new delivery is attached by default.
RUNNING_ORDER_STATES = ['sent', 'accepted']


class ServiceDelivery(metaclass=PoolMeta):
    __name__ = 'cus.service.delivery'

    order = fields.Many2One(
        'cus.service.order', "Order", ondelete='RESTRICT',
        domain=[
            ('client', '=', Eval('client', -1)),
            ('service', '=', Eval('service', -1)),
            ],
        states={'readonly': Eval('state') != 'reported'},
        help="The order of the provider; filled from the order of the plan "
        "or application line when left empty.")
    settlement_line = fields.Function(
        fields.Many2One('cus.settlement.line', "Settlement Line"),
        'get_settlement_line', searcher='search_settlement_line')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.order, Index.Range()), (t.state, Index.Equality())))

    @fields.depends('order', 'provider', '_parent_order.provider')
    def on_change_order(self):
        if self.order and not self.provider:
            self.provider = self.order.provider

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Order = pool.get('cus.service.order')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('order'):
            for field in ['line', 'application_line']:
                origin = values.get(field)
                if origin is None:
                    continue
                field = 'ipus_line' if field == 'line' else field
                orders = Order.search([
                        (field, '=', origin),
                        ('state', 'in', RUNNING_ORDER_STATES),
                        ], order=[('start_date', 'ASC'), ('id', 'ASC')])
                date = values.get('date')
                for order in orders:
                    if date and not (
                            order.start_date <= date <= order.end_date):
                        continue
                    values['order'] = order.id
                    break
        if mode == 'create' and values.get('order') and not values.get(
                'provider'):
            values['provider'] = Order(values['order']).provider.id
        return values

    @classmethod
    def get_settlement_line(cls, deliveries, name):
        pool = Pool()
        Relation = pool.get('cus.settlement.line-cus.service.delivery')
        relation = Relation.__table__()
        cursor = Transaction().connection.cursor()
        result = dict.fromkeys(map(int, deliveries))
        for sub_ids in grouped_slice(
                list(result), backend.MAX_QUERY_PARAMS):
            cursor.execute(*relation.select(
                    relation.delivery, relation.line,
                    where=SQL_OPERATORS['in'](
                        relation.delivery, list(sub_ids))))
            result.update(cursor)
        return result

    @classmethod
    def search_settlement_line(cls, name, clause):
        pool = Pool()
        Relation = pool.get('cus.settlement.line-cus.service.delivery')
        Line = pool.get('cus.settlement.line')
        relation = Relation.__table__()
        nested = clause[0][len(name) + 1:]
        _, operator, value, *extra = clause
        if not nested and value is None and operator in {'=', '!='}:
            return [('id', 'not in' if operator == '=' else 'in',
                    relation.select(relation.delivery))]
        if not nested:
            nested = 'rec_name' if isinstance(value, str) else 'id'
        lines = Line.search([(nested, operator, value, *extra)], query=True)
        return [('id', 'in', relation.select(relation.delivery,
                    where=relation.line.in_(lines)))]

    @classmethod
    def validate_fields(cls, deliveries, field_names):
        super().validate_fields(deliveries, field_names)
        if not field_names or field_names & {
                'order', 'provider', 'line', 'application_line', 'quantity',
                'service', 'client', 'date', 'state'}:
            cls.check_orders(
                [d for d in deliveries if d.order and d.state != 'rejected'])

    @classmethod
    def check_orders(cls, deliveries):
        "Deliveries match their order and stay within its quantity"
        for delivery in deliveries:
            delivery.check_order()
        orders = {d.order for d in deliveries}
        if not orders:
            return
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        totals = {}
        for sub_orders in grouped_slice(
                list(orders), backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(
                    table.order, Sum(table.quantity),
                    where=SQL_OPERATORS['in'](
                        table.order, [o.id for o in sub_orders])
                    & (table.state != 'rejected'),
                    group_by=[table.order]))
            totals.update(cursor)
        for order in orders:
            total = totals.get(order.id) or 0
            if total > order.quantity + 1e-6:
                raise DeliveryValidationError(gettext(
                        'cus_partners.msg_delivery_exceeds_order',
                        order=order.rec_name,
                        ordered=format_quantity(order.quantity), total=format_quantity(total)))

    def _order_error(self, msg_id, **values):
        return DeliveryValidationError(gettext(
                'cus_partners.' + msg_id, delivery=self.rec_name,
                order=self.order.rec_name, **values))

    def check_order(self):
        order = self.order
        if order.state not in DELIVERY_STATES:
            raise self._order_error('msg_delivery_order_state')
        versions = set()
        line = order.ipus_line
        while line and line not in versions:
            versions.add(line)
            line = line.origin
        if order.ipus_line:
            matches = self.line in versions
        else:
            matches = self.application_line == order.application_line
        if (not matches or self.service != order.service
                or self.client != order.client):
            raise self._order_error('msg_delivery_order_mismatch')
        if self.provider != order.provider:
            raise self._order_error('msg_delivery_order_provider',
                provider=order.provider.rec_name)
        if not (order.start_date <= self.date <= order.end_date):
            raise self._order_error('msg_delivery_order_period',
                start=order.start_date.strftime('%d.%m.%Y'),
                end=order.end_date.strftime('%d.%m.%Y'))
