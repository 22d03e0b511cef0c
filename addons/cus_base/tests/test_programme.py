# This file is part of the CUS back office.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .tools import create_service, create_user, valid_pesel


class ProgrammeTestCase(unittest.TestCase):
    "Test the programme of social services and the service base"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_base')

    def _programme(self, lines=True, **values):
        Programme = Pool().get('cus.programme')
        service = create_service()
        values.setdefault('name', "PUS 2021-2023")
        values.setdefault('start_date', dt.date(2021, 4, 1))
        values.setdefault('end_date', dt.date(2023, 4, 30))
        if lines:
            values['lines'] = [('create', [{
                            'service': service.id,
                            'planned_persons': 40,
                            'planned_quantity': 480,
                            'unit_price': Decimal('35.50'),
                            }])]
        programme, = Programme.create([values])
        return programme

    @with_transaction()
    def test_codes_from_sequences(self):
        "Test services and programmes are numbered"
        programme = self._programme()
        self.assertTrue(programme.code.startswith('PUS/'))
        self.assertTrue(programme.lines[0].service.code.startswith('US-'))

    @with_transaction()
    def test_workflow(self):
        "Test a programme is adopted, run and closed"
        Programme = Pool().get('cus.programme')
        programme = self._programme()
        self.assertEqual(programme.planned_amount, Decimal('17040.00'))
        Programme.adopt([programme])
        self.assertEqual(programme.state, 'adopted')
        self.assertEqual(programme.adopted_by.id, Transaction().user)
        self.assertTrue(programme.adopted_date)
        Programme.run([programme])
        self.assertEqual(programme.state, 'running')
        Programme.close([programme])
        self.assertEqual(programme.state, 'closed')

    @with_transaction()
    def test_adopt_without_lines(self):
        "Test a programme without lines cannot be adopted"
        Programme = Pool().get('cus.programme')
        programme = self._programme(lines=False)
        with self.assertRaises(UserError) as cm:
            Programme.adopt([programme])
        self.assertIn('without lines', str(cm.exception))
        self.assertEqual(programme.state, 'draft')

    @with_transaction()
    def test_adopt_inactive_service(self):
        "Test a programme with an inactive service cannot be adopted"
        pool = Pool()
        Programme = pool.get('cus.programme')
        Service = pool.get('cus.service')
        programme = self._programme()
        Service.write([programme.lines[0].service], {'active': False})
        with self.assertRaises(UserError) as cm:
            Programme.adopt([programme])
        self.assertIn('no longer active', str(cm.exception))

    @with_transaction()
    def test_line_outside_period(self):
        "Test a line cannot lie outside the programme period"
        Line = Pool().get('cus.programme.line')
        programme = self._programme()
        with self.assertRaises(ValidationError) as cm:
            Line.write(list(programme.lines), {
                    'start_date': dt.date(2024, 1, 1)})
        self.assertIn('within the period', str(cm.exception))

    @with_transaction()
    def test_period_order(self):
        "Test a programme cannot end before it starts"
        with self.assertRaises(ValidationError):
            self._programme(end_date=dt.date(2020, 1, 1))

    @with_transaction()
    def test_shortened_programme_checks_lines(self):
        "Test shortening a programme checks the periods of its lines"
        pool = Pool()
        Programme = pool.get('cus.programme')
        Line = pool.get('cus.programme.line')
        programme = self._programme()
        Line.write(list(programme.lines), {
                'end_date': dt.date(2022, 12, 31)})
        with self.assertRaises(ValidationError):
            Programme.write([programme], {'end_date': dt.date(2022, 6, 30)})

    @with_transaction()
    def test_delete_only_draft(self):
        "Test an adopted programme cannot be deleted"
        Programme = Pool().get('cus.programme')
        programme = self._programme()
        Programme.adopt([programme])
        with self.assertRaises(AccessError):
            Programme.delete([programme])

    @with_transaction()
    def test_reset_to_draft(self):
        "Test an adopted programme can go back to draft"
        Programme = Pool().get('cus.programme')
        programme = self._programme()
        Programme.adopt([programme])
        Programme.draft([programme])
        self.assertEqual(programme.state, 'draft')
        self.assertIsNone(programme.adopted_by)

    @with_transaction()
    def test_coordinator_cannot_adopt(self):
        "Test a plan coordinator is refused the adoption of a programme"
        Programme = Pool().get('cus.programme')
        programme = self._programme()
        coordinator = create_user('kipus', ['group_cus_coordinator'])
        with Transaction().set_user(coordinator.id), check_access():
            with self.assertRaises(AccessButtonError):
                Programme.adopt([Programme(programme.id)])
        self.assertEqual(programme.state, 'draft')

    @with_transaction()
    def test_director_and_organiser_adopt(self):
        "Test the director and the organiser may adopt a programme"
        Programme = Pool().get('cus.programme')
        for login, group in [
                ('dyrektor', 'group_cus_director'),
                ('ous', 'group_cus_organiser')]:
            programme = self._programme(name=login)
            user = create_user(login, [group])
            with Transaction().set_user(user.id), check_access():
                Programme.adopt([Programme(programme.id)])
            self.assertEqual(Programme(programme.id).state, 'adopted')

    @with_transaction()
    def test_finance_reads_catalogue_not_health(self):
        "Test Finance reads the catalogue but not a client's health"
        pool = Pool()
        Party = pool.get('party.party')
        Service = pool.get('cus.service')
        Programme = pool.get('cus.programme')
        programme = self._programme()
        client, = Party.create([{
                    'name': "Jan Kowalski", 'cus_client': True,
                    'client_category': 'resident',
                    'pesel': valid_pesel(dt.date(1940, 1, 1)),
                    'health_condition': "Cukrzyca",
                    'disability_degree': 'moderate',
                    }])
        finance = create_user('finanse', ['group_cus_finance'])
        coordinator = create_user('kipus', ['group_cus_coordinator'])
        with Transaction().set_user(finance.id), check_access():
            self.assertTrue(Service.search([]))
            self.assertEqual(Programme.search([]), [programme])
            Party.read([client.id], ['name'])
            for field in ['health_condition', 'disability_degree',
                    'problems', 'disability_description']:
                with self.assertRaises(AccessError):
                    Party.read([client.id], [field])
            with self.assertRaises(AccessError):
                Service.create([{'name': "X", 'unit': client.id}])
            with self.assertRaises(AccessError):
                Party.write([Party(client.id)], {'name': "Y"})
        with Transaction().set_user(coordinator.id), check_access():
            data, = Party.read([client.id], ['health_condition'])
            self.assertEqual(data['health_condition'], "Cukrzyca")

    @with_transaction()
    def test_quota_consistency(self):
        "Test a service cannot allow more a month than a year"
        with self.assertRaises(ValidationError) as cm:
            create_service(max_per_month=10, max_per_year=6)
        self.assertIn('inconsistent', str(cm.exception))
        service = create_service(
            name="Złota Rączka", max_per_year=4, max_unit_duration=2)
        self.assertEqual(service.max_per_year, 4)

    @with_transaction()
    def test_fee_required_when_paid(self):
        "Test a paid service needs a fee and a free one has none"
        with self.assertRaises(ValidationError):
            create_service(fee_type='paid')
        with self.assertRaises(ValidationError):
            create_service(fee_type='free', fee_amount=Decimal('5'))
        service = create_service(fee_type='co_paid', fee_amount=Decimal('5'))
        self.assertEqual(service.fee_amount, Decimal('5'))
