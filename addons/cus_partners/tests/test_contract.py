# This file is part of the CUS back office.
import datetime as dt
import unittest
from decimal import Decimal

from cus_base.tests.tools import rolled_back_on_error
from cus_ipus.tests.tools import create_ipus_fixture, create_staff_user

from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

D = dt.date


class PartnersFixture:
    "A provider with an active contract and approved plans to order from"

    def _fixture(self):
        pool = Pool()
        Party = pool.get('party.party')
        Date = pool.get('ir.date')
        fx = create_ipus_fixture()
        provider, other = Party.create([{
                    'name': "Spółdzielnia Socjalna \"Starachowiczanka\"",
                    'cus_provider': True,
                    'provider_kind': 'social_cooperative',
                    'accreditation': "Akredytacja OPS 12/2020",
                    'accreditation_expiry': Date.today() + dt.timedelta(
                        days=365),
                    'provided_services': [('add', [
                                fx['care'].id, fx['taxi'].id,
                                fx['one_off'].id])],
                    }, {
                    'name': "Fundacja Pomocna Dłoń",
                    'cus_provider': True,
                    'provider_kind': 'ngo',
                    'provided_services': [('add', [fx['care'].id])],
                    }])
        fx['provider'], fx['other_provider'] = provider, other
        fx['contract'] = self._contract(fx, provider, [
                (fx['care'], Decimal('45.50'), 300, Decimal('20')),
                (fx['taxi'], Decimal('30'), 10, Decimal('50')),
                (fx['one_off'], Decimal('100'), 5, None),
                ], value_cap=Decimal('20000'))
        return fx

    def _contract(self, fx, provider, lines, value_cap=None,
            start=D(2021, 1, 1), end=D(2022, 12, 31), activate=True):
        Contract = Pool().get('cus.contract')
        contract, = Contract.create([{
                    'provider': provider.id,
                    'mode': 'coop_15a',
                    'start_date': start,
                    'end_date': end,
                    'value_cap': value_cap,
                    'lines': [('create', [{
                                    'service': s.id,
                                    'unit_price': p,
                                    'max_quantity': q,
                                    'allowed_deviation': d,
                                    } for s, p, q, d in lines])],
                    }])
        if activate:
            Contract.activate([contract])
        return contract

    def _line(self, fx, service, contract=None):
        contract = contract or fx['contract']
        line, = [l for l in contract.lines if l.service == service]
        return line

    def _application(self, fx, path='ipus', date=D(2021, 3, 10),
            lines=None):
        Application = Pool().get('cus.application')
        if lines is None:
            lines = [{'service': fx['care'].id, 'quantity': 1}]
        application, = Application.create([{
                    'client': fx['client'].id,
                    'application_date': date,
                    'path': path,
                    'declaration_conditions': True,
                    'lines': [('create', lines)],
                    }])
        Application.submit([application])
        Application.qualify([application])
        return application

    def _plan(self, fx, lines=None, provider=True, run=True, **values):
        "The annex 2 plan, approved and running"
        Ipus = Pool().get('cus.ipus')
        if lines is None:
            lines = [{
                    'service': fx['care'].id, 'start_date': D(2021, 4, 1),
                    'end_date': D(2021, 12, 31), 'per_week': 6,
                    'quantity': 234, 'schedule': "6 godzin tygodniowo",
                    }, {
                    'service': fx['taxi'].id, 'start_date': D(2021, 7, 1),
                    'end_date': D(2021, 12, 31), 'per_month': 2,
                    'per_year': 6, 'quantity': 6,
                    'schedule': "2 przejazdy w miesiącu, max. 6 w roku",
                    }]
            if provider:
                for line in lines:
                    line['provider'] = fx['provider'].id
        with set_company(fx['company']):
            plan, = Ipus.create([dict({
                            'client': fx['client'].id,
                            'application': self._application(fx).id,
                            'coordinator': fx['coordinator'].id,
                            'drawn_up_date': D(2021, 3, 20),
                            'valid_from': D(2021, 4, 1),
                            'valid_to': D(2021, 12, 31),
                            'expected_effects': "Samodzielne życie w domu",
                            'lines': [('create', lines)],
                            }, **values)])
            Ipus.approve([plan])
            if run:
                Ipus.run([plan])
        return plan

    def _orders(self, fx, plan, send=True):
        Order = Pool().get('cus.service.order')
        orders = Order.create_from_ipus_lines(plan.lines)
        if send:
            Order.send(orders)
        return orders

    def _deliver(self, fx, order, dates, quantity=1, confirm=True):
        Delivery = Pool().get('cus.service.delivery')
        values = {
            'client': order.client.id, 'service': order.service.id,
            'quantity': quantity}
        if order.ipus_line:
            values['line'] = order.ipus_line.id
        else:
            values['application_line'] = order.application_line.id
        deliveries = Delivery.create([
                dict(values, date=d) for d in dates])
        if confirm:
            Delivery.confirm(deliveries)
        return deliveries

    def _run_wizard(self, name, user, model, records, state, data=None):
        "Run a wizard as the client would, through its RPC calls"
        Wizard = Pool().get(name, type='wizard')
        context = {
            'active_model': model, 'active_ids': [r.id for r in records],
            'active_id': records[0].id}
        with Transaction().set_context(context), \
                Transaction().set_user(user.id):
            # create is checked like any RPC call, execute checks itself
            with check_access():
                session_id, _, _ = Wizard.create()
            return Wizard.execute(session_id, data or {}, state)

    def _percent(self, value):
        Lang = Pool().get('ir.lang')
        return Lang.get().format_number(Decimal(value), digits=1) + ' %'

    def _amount(self, value):
        Lang = Pool().get('ir.lang')
        return Lang.get().format_number(Decimal(value), digits=2)

    def _users(self, fx):
        company = fx['company']
        return {
            'director': create_staff_user(
                'dyr', 'group_cus_director', company),
            'organiser': create_staff_user(
                'ous', 'group_cus_organiser', company),
            'coordinator': create_staff_user(
                'kipus', 'group_cus_coordinator', company,
                fx['coordinator']),
            'other_coordinator': create_staff_user(
                'kipus2', 'group_cus_coordinator', company,
                fx['other_coordinator']),
            'finance': create_staff_user(
                'fin', 'group_cus_finance', company),
            }


class ContractTestCase(PartnersFixture, unittest.TestCase):
    "Test the consumption of contracts"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    @with_transaction()
    def test_consumption_figures(self):
        "Test ordered, delivered and remaining figures of lines and contract"
        pool = Pool()
        Contract = pool.get('cus.contract')
        Line = pool.get('cus.contract.line')
        Order = pool.get('cus.service.order')
        fx = self._fixture()
        plan = self._plan(fx)
        care_order, taxi_order = self._orders(fx, plan)
        self._deliver(fx, care_order, [D(2021, 4, d) for d in [5, 6, 7]],
            quantity=2)
        self._deliver(fx, care_order, [D(2021, 4, 8)], quantity=1.5,
            confirm=False)
        self._deliver(fx, taxi_order, [D(2021, 7, 2)])
        # A cancelled order does not count
        draft, = Order.create_from_ipus_lines(
            self._plan(fx, lines=[{
                        'service': fx['one_off'].id,
                        'start_date': D(2021, 7, 1),
                        'end_date': D(2021, 7, 31), 'quantity': 2}],
                provider=False).lines)
        Order.cancel([draft])

        care, taxi, one_off = Line.browse([
                self._line(fx, fx['care']), self._line(fx, fx['taxi']),
                self._line(fx, fx['one_off'])])
        self.assertEqual(care.ordered_quantity, 234)
        self.assertEqual(care.ordered_value, Decimal('10647.00'))
        self.assertEqual(care.delivered_quantity, 6)
        self.assertEqual(care.delivered_value, Decimal('273.00'))
        self.assertEqual(care.remaining_quantity, 66)
        self.assertEqual(care.remaining_value, Decimal('3003.00'))
        self.assertEqual(care.consumption, Decimal('78.00'))
        self.assertEqual(
            (taxi.ordered_quantity, taxi.delivered_quantity,
                taxi.remaining_quantity), (6, 1, 4))
        self.assertEqual(taxi.ordered_value, Decimal('180.00'))
        self.assertEqual(taxi.delivered_value, Decimal('30.00'))
        self.assertEqual(
            (one_off.ordered_quantity, one_off.ordered_value), (0, 0))

        contract = Contract(fx['contract'].id)
        self.assertEqual(contract.max_value, Decimal('20000.00'))
        self.assertEqual(contract.ordered_value, Decimal('10827.00'))
        self.assertEqual(contract.delivered_value, Decimal('303.00'))
        self.assertEqual(contract.remaining_value, Decimal('9173.00'))
        self.assertEqual(contract.consumption, Decimal('54.14'))

    @with_transaction()
    def test_line_warning_at_80_and_block_above_100(self):
        "Test a line at 80 % warns and above 100 % refuses the order"
        pool = Pool()
        Order = pool.get('cus.service.order')
        Warning = pool.get('res.user.warning')
        fx = self._fixture()
        contract = self._contract(fx, fx['provider'], [
                (fx['care'], Decimal('40'), 290, Decimal('20'))],
            start=D(2021, 1, 1), end=D(2021, 12, 31))
        fx['contract'].terminate([fx['contract']])
        plan = self._plan(fx, lines=[{
                    'service': fx['care'].id, 'start_date': D(2021, 4, 1),
                    'end_date': D(2021, 12, 31), 'per_week': 6,
                    'quantity': 234, 'provider': fx['provider'].id}])
        order, = self._orders(fx, plan, send=False)
        self.assertEqual(order.contract_line.contract, contract)
        # 234 / 290 = 80.7 %
        with self.assertRaises(UserWarning) as cm, rolled_back_on_error():
            Order.send([order])
        self.assertIn(self._percent('80.7'), str(cm.exception))
        self.assertIn('234 of 290', str(cm.exception))
        order = Order(order.id)
        self.assertEqual(order.state, 'draft')
        Warning.skip(cm.exception.name)
        Order.send([order])
        self.assertEqual(order.state, 'sent')
        self.assertTrue(order.number.startswith('ZL/'))

        # A second client's order for 60 more hours goes above 100 %
        other = self._plan(fx, lines=[{
                    'service': fx['care'].id, 'start_date': D(2021, 10, 1),
                    'end_date': D(2021, 12, 31), 'per_week': 6,
                    'quantity': 60, 'provider': fx['provider'].id}])
        second, = self._orders(fx, other, send=False)
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Order.send([second])
        self.assertNotIsInstance(cm.exception, UserWarning)
        self.assertIn(self._percent('101.4'), str(cm.exception))
        self.assertIn('294 of 290', str(cm.exception))
        self.assertEqual(Order(second.id).state, 'draft')

    @with_transaction()
    def test_value_cap_warning_and_block(self):
        "Test the contract's value cap warns at 80 % and blocks above"
        pool = Pool()
        Order = pool.get('cus.service.order')
        Warning = pool.get('res.user.warning')
        fx = self._fixture()
        fx['contract'].terminate([fx['contract']])
        # 234 h x 40 zł = 9 360 zł of a cap of 11 000 zł: 85 %
        self._contract(fx, fx['provider'], [
                (fx['care'], Decimal('40'), 1000, Decimal('20'))],
            value_cap=Decimal('11000'))
        plan = self._plan(fx, lines=[{
                    'service': fx['care'].id, 'start_date': D(2021, 4, 1),
                    'end_date': D(2021, 12, 31), 'per_week': 6,
                    'quantity': 234, 'provider': fx['provider'].id}])
        order, = self._orders(fx, plan, send=False)
        with self.assertRaises(UserWarning) as cm, rolled_back_on_error():
            Order.send([order])
        self.assertIn(self._percent('85.1'), str(cm.exception))
        self.assertIn('value cap', str(cm.exception))
        Warning.skip(cm.exception.name)
        Order.send([Order(order.id)])
        self.assertEqual(Order(order.id).state, 'sent')

        other = self._plan(fx, lines=[{
                    'service': fx['care'].id, 'start_date': D(2021, 7, 1),
                    'end_date': D(2021, 12, 31), 'per_week': 6,
                    'quantity': 45, 'provider': fx['provider'].id}])
        second, = self._orders(fx, other, send=False)
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Order.send([second])
        self.assertNotIsInstance(cm.exception, UserWarning)
        self.assertIn(self._percent('101.5'), str(cm.exception))
        self.assertIn('%s zł of %s zł' % (
                self._amount('11160'), self._amount('11000')),
            str(cm.exception))

    @with_transaction()
    def test_contract_with_orders_stays_active(self):
        "Test a contract with orders cannot go back to draft"
        Contract = Pool().get('cus.contract')
        fx = self._fixture()
        self._orders(fx, self._plan(fx), send=False)
        with self.assertRaises(UserError):
            Contract.draft([fx['contract']])
        self.assertEqual(fx['contract'].state, 'active')

    @with_transaction()
    def test_roles_on_contracts(self):
        "Test Finance reads contracts but only the organiser activates them"
        pool = Pool()
        Contract = pool.get('cus.contract')
        fx = self._fixture()
        users = self._users(fx)
        draft = self._contract(fx, fx['provider'], [
                (fx['care'], Decimal('40'), 100, None)], activate=False)
        with Transaction().set_user(users['finance'].id), check_access():
            contracts = Contract.search([])
            self.assertEqual(len(contracts), 2)
            self.assertEqual(
                Contract(fx['contract'].id).ordered_value, Decimal(0))
            with self.assertRaises(AccessButtonError):
                Contract.activate([Contract(draft.id)])
            with self.assertRaises(AccessError):
                Contract.write([Contract(draft.id)], {'notes': "x"})
        with Transaction().set_user(users['coordinator'].id), check_access():
            with self.assertRaises(AccessButtonError):
                Contract.activate([Contract(draft.id)])
        with Transaction().set_user(users['organiser'].id), check_access():
            Contract.activate([Contract(draft.id)])
        self.assertEqual(Contract(draft.id).state, 'active')

