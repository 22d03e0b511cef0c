# This file is part of the CUS back office.
import datetime as dt
import unittest
from decimal import Decimal

from cus_base.tests.tools import rolled_back_on_error

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .test_contract import PartnersFixture

D = dt.date


class SettlementTestCase(PartnersFixture, unittest.TestCase):
    "Test the settlements of the providers"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    def _setup(self):
        "Orders of a plan and of a one-off application, with deliveries"
        pool = Pool()
        Order = pool.get('cus.service.order')
        fx = self._fixture()
        care, taxi = self._orders(fx, self._plan(fx))
        application = self._application(
            fx, path='one_off', date=D(2021, 4, 10),
            lines=[{'service': fx['one_off'].id, 'quantity': 1}])
        loan, = Order.create_from_application_lines(application.lines)
        Order.send([loan])
        fx.update(care_order=care, taxi_order=taxi, loan_order=loan)
        fx['deliveries'] = {
            'care': self._deliver(
                fx, care, [D(2021, 4, d) for d in [6, 13, 20]],
                quantity=1.5),
            'care_may': self._deliver(
                fx, care, [D(2021, 5, 4)], quantity=2, confirm=False),
            'loan': self._deliver(fx, loan, [D(2021, 4, 10)]),
            'taxi': self._deliver(fx, taxi, [D(2021, 7, 2)]),
            }
        return fx

    def _settlement(self, fx, start, end, compute=True):
        Settlement = Pool().get('cus.settlement')
        settlement, = Settlement.create([{
                    'provider': fx['provider'].id,
                    'start_date': start, 'end_date': end}])
        if compute:
            Settlement.compute([settlement])
        return settlement

    def _pay(self, settlements, user, date=D(2021, 5, 20), reference="PRZ"):
        self._run_wizard(
            'cus.settlement.pay', user, 'cus.settlement', settlements, 'pay',
            {'start': {'payment_date': date, 'reference': reference}})

    @with_transaction()
    def test_settlement_built_once(self):
        "Test a settlement prices the confirmed deliveries once"
        pool = Pool()
        Settlement = pool.get('cus.settlement')
        Line = pool.get('cus.settlement.line')
        Delivery = pool.get('cus.service.delivery')
        fx = self._setup()
        april = self._settlement(fx, D(2021, 4, 1), D(2021, 4, 30))
        self.assertEqual(april.state, 'computed')
        self.assertTrue(april.number.startswith('RZ/'))
        care, loan = april.lines
        self.assertEqual(
            (care.order, care.quantity, care.unit_price, care.amount),
            (fx['care_order'], 4.5, Decimal('45.50'), Decimal('204.75')))
        self.assertEqual(len(care.deliveries), 3)
        self.assertEqual((loan.order, loan.amount),
            (fx['loan_order'], Decimal('100.00')))
        self.assertEqual(april.amount, Decimal('304.75'))
        delivery = Delivery(fx['deliveries']['care'][0].id)
        self.assertEqual(delivery.settlement_line, care)
        self.assertEqual(Delivery.search([
                    ('settlement_line', '=', None),
                    ('state', '=', 'confirmed')]),
            [Delivery(fx['deliveries']['taxi'][0].id)])

        # Computing again gives the same; another statement gets nothing
        Settlement.compute([april])
        self.assertEqual(Settlement(april.id).amount, Decimal('304.75'))
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            self._settlement(fx, D(2021, 4, 1), D(2021, 4, 30))
        self.assertIn('no confirmed deliveries', str(cm.exception))

        # A later statement takes what was confirmed late
        Delivery.confirm(fx['deliveries']['care_may'])
        july = self._settlement(fx, D(2021, 7, 1), D(2021, 7, 31))
        self.assertEqual(
            sorted((l.order.id, l.quantity) for l in july.lines),
            sorted([(fx['care_order'].id, 2), (fx['taxi_order'].id, 1)]))
        self.assertEqual(july.amount, Decimal('121.00'))
        # Reset to draft, its deliveries are free again
        Settlement.draft([july])
        self.assertEqual(Settlement(july.id).lines, ())
        self.assertEqual(
            self._settlement(fx, D(2021, 7, 1), D(2021, 7, 31)).amount,
            Decimal('121.00'))

    @with_transaction()
    def test_delivery_settled_once(self):
        "Test the database refuses a delivery in two settlement lines"
        pool = Pool()
        Line = pool.get('cus.settlement.line')
        fx = self._setup()
        april = self._settlement(fx, D(2021, 4, 1), D(2021, 4, 30))
        delivery = fx['deliveries']['care'][0]
        # Last statement: a failed insert spoils the SQLite test savepoint
        with self.assertRaises(UserError) as cm:
            Line.create([{
                        'settlement': april.id, 'order': fx['care_order'].id,
                        'service': fx['care'].id, 'quantity': 1.5,
                        'unit_price': Decimal('45.50'),
                        'amount': Decimal('68.25'),
                        'deliveries': [('add', [delivery.id])]}])
        self.assertIn('settled only once', str(cm.exception))

    @with_transaction()
    def test_settlement_approved_and_paid_by_finance(self):
        "Test Finance approves and pays; the orders show the figures"
        pool = Pool()
        Settlement = pool.get('cus.settlement')
        Line = pool.get('cus.settlement.line')
        Order = pool.get('cus.service.order')
        fx = self._setup()
        users = self._users(fx)
        with Transaction().set_user(users['organiser'].id), check_access():
            april, = Settlement.create([{
                        'provider': fx['provider'].id,
                        'start_date': D(2021, 4, 1),
                        'end_date': D(2021, 4, 30)}])
            Settlement.compute([april])
            with self.assertRaises(AccessButtonError):
                Settlement.approve([Settlement(april.id)])
        with Transaction().set_user(users['finance'].id), check_access():
            with self.assertRaises(AccessError):
                Settlement.create([{
                            'provider': fx['provider'].id,
                            'start_date': D(2021, 5, 1),
                            'end_date': D(2021, 5, 31)}])
            with self.assertRaises(AccessButtonError):
                Settlement.compute([Settlement(april.id)])
            with self.assertRaises(AccessError):
                Settlement.write([Settlement(april.id)], {'notes': "x"})
            line, = Line.read([april.lines[0].id], [
                    'order.rec_name', 'client.rec_name', 'amount'])
            self.assertEqual(line['amount'], Decimal('204.75'))
            with self.assertRaises(AccessError):
                Line.read([april.lines[0].id], ['deliveries'])
            Settlement.approve([Settlement(april.id)])
        april = Settlement(april.id)
        self.assertEqual(april.state, 'approved')
        self.assertEqual(april.approved_by, users['finance'])
        for role in ['organiser', 'coordinator']:
            with self.assertRaises(AccessError, msg=role), \
                    rolled_back_on_error():
                self._pay([april], users[role])
        self.assertEqual(Settlement(april.id).state, 'approved')
        with Transaction().set_user(users['coordinator'].id), check_access():
            with self.assertRaises(AccessError):
                Settlement.search([])
        self._pay([april], users['finance'], D(2021, 5, 20), "PRZ/05/2021")
        april = Settlement(april.id)
        self.assertEqual(april.state, 'paid')
        self.assertEqual(
            (april.payment_date, april.payment_reference, april.paid_by),
            (D(2021, 5, 20), "PRZ/05/2021", users['finance']))

        care, taxi, loan = Order.browse(
            [fx['care_order'], fx['taxi_order'], fx['loan_order']])
        self.assertEqual(
            (care.amount, care.delivered_amount, care.settled_amount,
                care.paid_amount),
            (Decimal('10647.00'), Decimal('204.75'), Decimal('204.75'),
                Decimal('204.75')))
        self.assertEqual(
            (taxi.amount, taxi.delivered_amount, taxi.settled_amount,
                taxi.paid_amount),
            (Decimal('180.00'), Decimal('30.00'), 0, 0))
        self.assertEqual(
            (loan.amount, loan.delivered_amount, loan.settled_amount,
                loan.paid_amount), (Decimal('100.00'),) * 4)
        self.assertEqual((care.difference, taxi.difference,
                loan.difference), (True, True, False))
        with Transaction().set_user(users['finance'].id), check_access():
            self.assertEqual(
                set(Order.search([('difference', '=', True)])),
                {care, taxi})
            self.assertEqual(
                Order.search([('difference', '=', False)]), [loan])

    @with_transaction()
    def test_settlement_deletion(self):
        "Test only a draft settlement is deleted"
        Settlement = Pool().get('cus.settlement')
        fx = self._setup()
        april = self._settlement(fx, D(2021, 4, 1), D(2021, 4, 30))
        with self.assertRaises(AccessError):
            Settlement.delete([april])
        Settlement.draft([april])
        Settlement.delete([april])
