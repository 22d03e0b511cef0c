# This file is part of the CUS back office.
import datetime as dt
import unittest

from cus_base.tests.tools import valid_pesel

from trytond.exceptions import UserError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from .tools import create_ipus_fixture, create_staff_user

D = dt.date


class WaitingListTestCase(unittest.TestCase):
    "Test the capacity of services and their waiting lists"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_ipus')

    def _setup(self, capacity=300):
        pool = Pool()
        ProgrammeLine = pool.get('cus.programme.line')
        Party = pool.get('party.party')
        fx = create_ipus_fixture()
        ProgrammeLine.write(
            [l for l in fx['programme'].lines
                if l.service in {fx['care'], fx['one_off']}],
            {'planned_quantity': capacity})
        fx['clients'] = [fx['client']] + Party.create([{
                    'name': name, 'cus_client': True,
                    'client_category': 'resident',
                    'pesel': valid_pesel(D(1939, 1, 1 + i), serial=i),
                    } for i, name in enumerate(
                    ["Zofia Kamińska", "Jan Lewandowski"], 1)])
        return fx

    def _approved_plan(self, fx, client, application_date, quantity=234):
        pool = Pool()
        Application = pool.get('cus.application')
        Ipus = pool.get('cus.ipus')
        application, = Application.create([{
                    'client': client.id, 'application_date': application_date,
                    'path': 'ipus', 'declaration_conditions': True,
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'quantity': quantity}])],
                    }])
        Application.submit([application])
        Application.qualify([application])
        plan, = Ipus.create([{
                    'client': client.id, 'application': application.id,
                    'coordinator': fx['coordinator'].id,
                    'drawn_up_date': application_date + dt.timedelta(days=5),
                    'valid_from': D(2021, 4, 1), 'valid_to': D(2021, 12, 31),
                    'expected_effects': "Pomoc w domu",
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'start_date': D(2021, 4, 1),
                                    'end_date': D(2021, 12, 31),
                                    'per_week': 6, 'quantity': quantity}])],
                    }])
        Ipus.approve([plan])
        Ipus.run([plan])
        return plan

    @with_transaction()
    def test_full_service_queues_in_application_order(self):
        "Test a full service queues plans in the order of applications"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Waiting = pool.get('cus.service.waiting')
        Notification = pool.get('res.notification')
        Service = pool.get('cus.service')
        fx = self._setup()
        user = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        first, second, third = fx['clients']
        with set_company(fx['company']):
            plan_a = self._approved_plan(fx, first, D(2021, 3, 1))
            # The later application is approved first but queues behind
            plan_c = self._approved_plan(fx, third, D(2021, 3, 20))
            plan_b = self._approved_plan(fx, second, D(2021, 3, 10))
        self.assertEqual(plan_a.lines[0].state, 'open')
        self.assertEqual(plan_b.lines[0].state, 'waiting')
        self.assertEqual(plan_c.lines[0].state, 'waiting')
        entries = Waiting.search([('service', '=', fx['care'].id)])
        self.assertEqual(
            [(e.client, e.position) for e in entries],
            [(second, 1), (third, 2)])
        care = Service(fx['care'].id)
        self.assertEqual((care.granted, care.waiting), (234, 2))

        # Closing the first plan frees the place: the next in line is
        # offered it and the coordinator told
        Ipus.write([plan_a], {
                'summary_date': D(2021, 12, 20),
                'course_and_results': "Zakończony", 'outcome': 'achieved'})
        Ipus.close([plan_a])
        entry_b, entry_c = Waiting.browse(entries)
        self.assertEqual(entry_b.state, 'offered')
        self.assertEqual(entry_c.state, 'waiting')
        self.assertEqual(entry_c.position, 2)
        self.assertTrue(Notification.search([('user', '=', user.id)]))
        Waiting.accept([entry_b])
        self.assertEqual(plan_b.lines[0].state, 'open')
        self.assertEqual(entry_c.position, 1)

    @with_transaction()
    def test_accept_needs_capacity(self):
        "Test an entry cannot be accepted when the place is taken"
        pool = Pool()
        Waiting = pool.get('cus.service.waiting')
        fx = self._setup()
        first, second, _ = fx['clients']
        with set_company(fx['company']):
            self._approved_plan(fx, first, D(2021, 3, 1))
            self._approved_plan(fx, second, D(2021, 3, 10))
        entry, = Waiting.search([])
        Waiting.offer([entry])
        with self.assertRaises(UserError):
            Waiting.accept([entry])

    @with_transaction()
    def test_one_off_application_queues(self):
        "Test a one-off application over capacity waits for its turn"
        pool = Pool()
        Application = pool.get('cus.application')
        Waiting = pool.get('cus.service.waiting')
        fx = self._setup(capacity=1)
        applications = Application.create([{
                    'client': c.id, 'application_date': D(2021, 3, i + 1),
                    'path': 'one_off', 'declaration_conditions': True,
                    'lines': [('create', [{
                                    'service': fx['one_off'].id,
                                    'quantity': 1}])],
                    } for i, c in enumerate(fx['clients'][:2])])
        Application.submit(applications)
        Application.qualify(applications)
        self.assertEqual(
            [a.lines[0].state for a in applications], ['granted', 'waiting'])
        entry, = Waiting.search([])
        self.assertEqual(entry.application_line, applications[1].lines[0])
        Waiting.withdraw([entry])
        self.assertEqual(applications[1].lines[0].state, 'withdrawn')

    @with_transaction()
    def test_update_does_not_count_twice(self):
        "Test an update is not queued because of its own previous version"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        fx = self._setup(capacity=250)
        with set_company(fx['company']):
            plan = self._approved_plan(fx, fx['client'], D(2021, 3, 1))
            update = plan.make_update("Zmiana dni")
            Ipus.approve([update])
        self.assertEqual(update.state, 'running')
        self.assertEqual(update.lines[0].state, 'open')
