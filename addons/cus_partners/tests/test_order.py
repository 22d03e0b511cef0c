# This file is part of the CUS back office.
import datetime as dt
import json
import unittest
from decimal import Decimal

from cus_base.tests.tools import rolled_back_on_error

from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .test_contract import PartnersFixture

D = dt.date


class OrderTestCase(PartnersFixture, unittest.TestCase):
    "Test the service orders"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    def _short_application(self, fx):
        return self._application(fx, path='short', date=D(2021, 5, 4),
            lines=[{
                    'service': fx['care'].id, 'quantity': 20,
                    'start_date': D(2021, 5, 10),
                    'end_date': D(2021, 7, 9)}])

    @with_transaction()
    def test_order_from_plan_line(self):
        "Test orders are made from the lines of an approved plan"
        pool = Pool()
        Order = pool.get('cus.service.order')
        fx = self._fixture()
        plan = self._plan(fx)
        care, taxi = Order.create_from_ipus_lines(plan.lines)
        self.assertEqual(care.ipus_line, plan.lines[0])
        self.assertEqual(care.client, fx['client'])
        self.assertEqual(care.service, fx['care'])
        self.assertEqual(care.contract_line, self._line(fx, fx['care']))
        self.assertEqual(care.contract, fx['contract'])
        self.assertEqual(care.provider, fx['provider'])
        self.assertEqual(care.unit_price, Decimal('45.50'))
        self.assertEqual(
            (care.start_date, care.end_date, care.per_week, care.quantity),
            (D(2021, 4, 1), D(2021, 12, 31), 6, 234))
        self.assertEqual(care.schedule, "6 godzin tygodniowo")
        self.assertEqual(care.amount, Decimal('10647.00'))
        self.assertEqual(taxi.per_month, 2)
        self.assertEqual(care.state, 'draft')
        self.assertIsNone(care.number)
        self.assertEqual(Order.search([
                    ('provider', '=', fx['provider'].id)], count=True), 2)
        # Lines already ordered are skipped
        self.assertEqual(Order.create_from_ipus_lines(plan.lines), [])

        Order.send([care, taxi])
        self.assertEqual((care.state, taxi.state), ('sent', 'sent'))
        self.assertTrue(care.number.startswith('ZL/'))
        self.assertEqual(care.sent_date, Pool().get('ir.date').today())
        Order.accept([care])
        Order.do([care])
        self.assertEqual(care.state, 'done')

    @with_transaction()
    def test_order_from_short_application(self):
        "Test an order is made from a granted line of a short path"
        pool = Pool()
        Order = pool.get('cus.service.order')
        fx = self._fixture()
        application = self._short_application(fx)
        self.assertEqual(application.lines[0].state, 'granted')
        organiser = self._users(fx)['organiser']
        action = self._run_wizard('cus.service.order.create', organiser,
            'cus.application', [application], 'open_')
        order, = Order.browse(action['actions'][0][1]['res_id'])
        self.assertEqual(order.application_line, application.lines[0])
        self.assertIsNone(order.ipus_line)
        self.assertEqual(
            (order.start_date, order.end_date, order.quantity),
            (D(2021, 5, 10), D(2021, 7, 9), 20))
        self.assertEqual(order.provider, fx['provider'])
        Order.send([order])
        self.assertEqual(order.state, 'sent')
        # The delivery of the application line goes to the order
        delivery, = self._deliver(fx, order, [D(2021, 5, 12)], quantity=3)
        self.assertEqual(delivery.order, order)
        self.assertEqual(delivery.provider, fx['provider'])
        self.assertEqual(Order(order.id).delivered_quantity, 3)

    @with_transaction()
    def test_expired_accreditation_blocks_sending(self):
        "Test an expired accreditation blocks the sending of an order"
        pool = Pool()
        Order = pool.get('cus.service.order')
        Party = pool.get('party.party')
        Date = pool.get('ir.date')
        fx = self._fixture()
        order, _ = self._orders(fx, self._plan(fx), send=False)
        Party.write([fx['provider']], {
                'accreditation_expiry': Date.today() - dt.timedelta(days=1)})
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Order.send([order])
        self.assertIn('accreditation', str(cm.exception))
        self.assertEqual(Order(order.id).state, 'draft')
        Party.write([fx['provider']], {
                'accreditation_expiry': Date.today() + dt.timedelta(days=1)})
        Order.send([Order(order.id)])
        self.assertEqual(Order(order.id).state, 'sent')

    @with_transaction()
    def test_sending_checks_contract(self):
        "Test sending checks the contract's period and state and the offer"
        pool = Pool()
        Order = pool.get('cus.service.order')
        Contract = pool.get('cus.contract')
        Party = pool.get('party.party')
        fx = self._fixture()
        order, _ = self._orders(fx, self._plan(fx), send=False)
        Order.write([order], {'end_date': D(2023, 1, 31)})
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Order.send([order])
        self.assertIn('period', str(cm.exception))
        order = Order(order.id)
        Order.write([order], {'end_date': D(2021, 12, 31)})
        Party.write([fx['provider']], {
                'provided_services': [('remove', [fx['care'].id])]})
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Order.send([order])
        self.assertIn('does not offer', str(cm.exception))
        Party.write([fx['provider']], {
                'provided_services': [('add', [fx['care'].id])]})
        Contract.terminate([fx['contract']])
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Order.send([Order(order.id)])
        self.assertIn('not active', str(cm.exception))

    @with_transaction()
    def test_plan_provider_must_match_contract(self):
        "Test the order's contract is with the provider of the plan line"
        pool = Pool()
        Order = pool.get('cus.service.order')
        fx = self._fixture()
        plan = self._plan(fx, lines=[{
                    'service': fx['care'].id, 'start_date': D(2021, 4, 1),
                    'end_date': D(2021, 12, 31), 'per_week': 6,
                    'quantity': 234,
                    'provider': fx['other_provider'].id}])
        with self.assertRaises(UserError) as cm:
            Order.create_from_ipus_lines(plan.lines)
        self.assertIn(fx['other_provider'].name, str(cm.exception))

    @with_transaction()
    def test_plan_update_repoints_order(self):
        "Test an update of the plan moves the order and logs the change"
        pool = Pool()
        Order = pool.get('cus.service.order')
        Ipus = pool.get('cus.ipus')
        Line = pool.get('cus.ipus.line')
        Delivery = pool.get('cus.service.delivery')
        Notification = pool.get('res.notification')
        fx = self._fixture()
        users = self._users(fx)
        plan = self._plan(fx)
        care, taxi = self._orders(fx, plan)
        delivery, = self._deliver(fx, care, [D(2021, 5, 5)], quantity=6)

        update = plan.make_update("Poprawa stanu zdrowia")
        new_care, new_taxi = update.lines
        Line.write([new_care], {
                'per_week': 4, 'quantity': 156,
                'schedule': "4 godziny tygodniowo"})
        Line.delete([new_taxi])
        Ipus.approve([update])

        care, taxi = Order.browse([care, taxi])
        self.assertEqual(care.ipus_line, new_care)
        self.assertEqual((care.per_week, care.quantity), (4, 156))
        self.assertEqual(care.schedule, "4 godziny tygodniowo")
        self.assertEqual(care.state, 'sent')
        self.assertTrue(care.changed)
        change, = care.changes
        self.assertEqual(change.plan, Ipus(update.id))
        self.assertFalse(change.acknowledged)
        self.assertIn("was updated", change.description)
        self.assertNotIn("zdrowia", change.description)
        self.assertIn("234 → 156", change.description)
        self.assertIn("6 → 4", change.description)
        # The service dropped from the plan is flagged for the provider
        self.assertEqual(taxi.ipus_line, plan.lines[1])
        self.assertTrue(taxi.changed)
        self.assertIn("no longer includes", taxi.changes[0].description)
        # The delivery followed the plan and stays on the order
        delivery = Delivery(delivery.id)
        self.assertEqual(delivery.line, new_care)
        self.assertEqual(delivery.order, care)
        # The organisers are told
        notification, = Notification.search([
                ('user', '=', users['organiser'].id),
                ('model', '=', 'cus.service.order'),
                ])
        self.assertEqual(
            set(json.loads(notification.records)), {care.id, taxi.id})
        # Finance reads what changed, not the plan behind it
        Change = pool.get('cus.service.order.change')
        with Transaction().set_user(users['finance'].id), check_access():
            change, = Change.read([change.id], ['description'])
            self.assertIn("234 → 156", change['description'])
            with self.assertRaises(AccessError):
                Change.read([change['id']], ['plan'])
        Order.acknowledge([care])
        self.assertFalse(Order(care.id).changed)
        self.assertTrue(Order(care.id).changes[0].acknowledged)

    @with_transaction()
    def test_delivery_linked_to_order(self):
        "Test deliveries are linked to and checked against their order"
        pool = Pool()
        Order = pool.get('cus.service.order')
        Delivery = pool.get('cus.service.delivery')
        fx = self._fixture()
        plan = self._plan(fx)
        care, taxi = self._orders(fx, plan, send=False)
        # No order is sent yet: the delivery has none
        loose, = Delivery.create([{
                    'line': taxi.ipus_line.id, 'client': fx['client'].id,
                    'service': fx['taxi'].id, 'date': D(2021, 7, 1),
                    'quantity': 1}])
        self.assertIsNone(loose.order)
        Delivery.delete([loose])
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            Delivery.create([{
                        'line': care.ipus_line.id, 'order': care.id,
                        'client': fx['client'].id,
                        'service': fx['care'].id, 'date': D(2021, 4, 5),
                        'quantity': 1}])
        self.assertIn('not sent', str(cm.exception))
        Order.send([care, taxi])

        delivery, = self._deliver(
            fx, taxi, [D(2021, 7, 2)], confirm=False)
        self.assertEqual(delivery.order, taxi)
        self.assertEqual(delivery.provider, fx['provider'])
        self.assertEqual(Order(taxi.id).reported_quantity, 1)
        Delivery.confirm([delivery])
        taxi = Order(taxi.id)
        self.assertEqual(
            (taxi.delivered_quantity, taxi.reported_quantity), (1, 0))
        self.assertEqual(taxi.delivered_amount, Decimal('30.00'))

        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            Delivery.create([{
                        'line': taxi.ipus_line.id, 'order': taxi.id,
                        'provider': fx['other_provider'].id,
                        'client': fx['client'].id,
                        'service': fx['taxi'].id, 'date': D(2021, 8, 2),
                        'quantity': 1}])
        self.assertIn(fx['provider'].name, str(cm.exception))
        # The order of 6 rides takes no more than 6
        Order.write([taxi], {'quantity': 3})
        self._deliver(fx, taxi, [D(2021, 8, 2), D(2021, 8, 3)])
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            self._deliver(fx, taxi, [D(2021, 9, 2)])
        self.assertIn('exceed the ordered quantity', str(cm.exception))
        # An order with deliveries is not cancelled
        with self.assertRaises(UserError), rolled_back_on_error():
            Order.cancel([Order(taxi.id)])

    @with_transaction()
    def test_deviation_alerts(self):
        "Test a month of deliveries far from the schedule raises an alert"
        pool = Pool()
        Order = pool.get('cus.service.order')
        Deviation = pool.get('cus.service.order.deviation')
        Cron = pool.get('ir.cron')
        fx = self._fixture()
        care, taxi = self._orders(fx, self._plan(fx))
        # April: 30 of the 275 days of 234 h (6 h a week) = 25.53 h
        # ordered, 20 % of deviation allowed
        self._deliver(fx, care, [D(2021, 4, d) for d in range(1, 31, 7)],
            quantity=4)
        # July: 1 ride of the 6 rides over 6 months
        self._deliver(fx, taxi, [D(2021, 7, 5)])
        alert, = Order.check_deviations(D(2021, 4, 15))
        self.assertEqual(alert.order, care)
        self.assertEqual(alert.month, D(2021, 4, 1))
        self.assertEqual(alert.ordered, 25.53)
        self.assertEqual(alert.delivered, 20)
        self.assertEqual(alert.deviation, Decimal('21.65'))
        self.assertEqual(alert.allowed, Decimal('20'))
        self.assertEqual(alert.provider, fx['provider'])
        self.assertEqual(Deviation.search([
                    ('provider', '=', fx['provider'].id)]), [alert])
        self.assertEqual(
            Order.check_deviations(D(2021, 7, 1), orders=[taxi]), [])
        # Computed again, the alert is not duplicated; corrected, it goes
        Order.check_deviations(D(2021, 4, 1))
        self.assertEqual(Deviation.search([], count=True), 1)
        self._deliver(fx, care, [D(2021, 4, 30)], quantity=4)
        self.assertEqual(Order.check_deviations(D(2021, 4, 1)), [])
        self.assertEqual(Deviation.search([], count=True), 0)
        # From the button, every complete month of the order is checked
        Order.compute_deviations([care])
        self.assertEqual(
            {d.month for d in Deviation.search([])},
            {D(2021, m, 1) for m in range(5, 13)})
        self.assertIn(
            'cus.service.order|check_deviations',
            dict(Cron.fields_get(['method'])['method']['selection']))

    @with_transaction()
    def test_order_roles(self):
        "Test who creates, sends and reads the orders"
        pool = Pool()
        Order = pool.get('cus.service.order')
        fx = self._fixture()
        users = self._users(fx)
        plan = self._plan(fx)
        other_plan = self._plan(fx, lines=[{
                    'service': fx['one_off'].id,
                    'start_date': D(2021, 7, 1),
                    'end_date': D(2021, 7, 31), 'quantity': 2}],
            provider=False, coordinator=fx['other_coordinator'].id)

        def run_wizard(role):
            return self._run_wizard('cus.service.order.create', users[role],
                'cus.ipus', [plan], 'open_')

        for role in ['coordinator', 'finance']:
            with self.assertRaises(AccessError, msg=role), \
                    rolled_back_on_error():
                run_wizard(role)
        self.assertEqual(Order.search([], count=True), 0)
        run_wizard('organiser')
        orders = Order.search([])
        self.assertEqual(len(orders), 2)
        other, = Order.create_from_ipus_lines(other_plan.lines)

        with Transaction().set_user(users['coordinator'].id), check_access():
            with self.assertRaises(AccessButtonError):
                Order.send(Order.browse(orders))
            with self.assertRaises(AccessError):
                Order.create([{
                            'ipus_line': plan.lines[0].id,
                            'contract_line': orders[0].contract_line.id,
                            'client': fx['client'].id,
                            'service': fx['care'].id,
                            'start_date': D(2021, 4, 1),
                            'end_date': D(2021, 4, 30), 'quantity': 1}])
            # He reads the orders of his plans only
            self.assertEqual(set(Order.search([])), set(orders))
            with self.assertRaises(AccessError):
                Order.read([other.id], ['quantity'])
        with Transaction().set_user(
                users['other_coordinator'].id), check_access():
            self.assertEqual(Order.search([]), [Order(other.id)])
        with Transaction().set_user(users['finance'].id), check_access():
            self.assertEqual(len(Order.search([])), 3)
            order, = Order.read([orders[0].id], [
                    'client.rec_name', 'amount', 'delivered_amount'])
            self.assertEqual(order['client.']['rec_name'], fx['client'].name)
            with self.assertRaises(AccessError):
                Order.read([orders[0].id], ['ipus_line'])
            fields = Order.fields_view_get(view_type='form')['fields']
            self.assertNotIn('ipus_line', fields)
            self.assertIn('client', fields)
            with self.assertRaises(AccessButtonError):
                Order.send(Order.browse(orders))
            with self.assertRaises(AccessError):
                Order.write(Order.browse(orders), {'notes': "x"})
        with Transaction().set_user(users['organiser'].id), check_access():
            Order.send(Order.browse(orders))
        self.assertEqual({o.state for o in Order.browse(orders)}, {'sent'})
        # Sent orders change only through the plan
        with Transaction().set_user(users['director'].id), check_access():
            with self.assertRaises(UserError):
                Order.write(Order.browse(orders[:1]), {'quantity': 1})
            Order.write(Order.browse(orders[:1]), {'notes': "Pilne"})
