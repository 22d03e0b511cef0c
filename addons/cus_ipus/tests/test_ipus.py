# This file is part of the CUS back office.
import datetime as dt
import unittest

from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from cus_base.tests.tools import rolled_back_on_error

from .tools import create_ipus_fixture, create_staff_user

D = dt.date


class IpusTestCase(unittest.TestCase):
    "Test applications, individual plans and deliveries"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_ipus')

    def _application(self, fx, path='ipus', date=D(2021, 6, 10), lines=None,
            submit=True, qualify=True):
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
        if submit:
            Application.submit([application])
        if qualify:
            Application.qualify([application])
        return application

    def _plan(self, fx, lines, valid_from=D(2021, 4, 1),
            valid_to=D(2021, 12, 31), **values):
        Ipus = Pool().get('cus.ipus')
        application = values.pop('application', None) or self._application(fx)
        values.setdefault('drawn_up_date', D(2021, 6, 20))
        plan, = Ipus.create([dict({
                        'client': fx['client'].id,
                        'application': application.id,
                        'coordinator': fx['coordinator'].id,
                        'valid_from': valid_from,
                        'valid_to': valid_to,
                        'expected_effects': "Samodzielne życie w domu",
                        'lines': [('create', lines)],
                        }, **values)])
        return plan

    def _annex_lines(self, fx):
        "The three lines of the sample plan of annex 2"
        return [{
                'service': fx['care'].id, 'start_date': D(2021, 4, 1),
                'end_date': D(2021, 12, 31), 'per_week': 6, 'quantity': 234,
                'schedule': "6 godzin tygodniowo",
                }, {
                'service': fx['taxi'].id, 'start_date': D(2021, 7, 1),
                'end_date': D(2021, 12, 31), 'per_month': 2, 'per_year': 6,
                'quantity': 6,
                'schedule': "2 przejazdy w miesiącu, max. 6 przejazdów w roku",
                }, {
                'service': fx['handyman'].id, 'start_date': D(2021, 5, 1),
                'end_date': D(2021, 12, 31), 'per_year': 4,
                'unit_duration': 2, 'quantity': 4,
                'schedule': "4 usługi w roku po max 2 godziny",
                }]

    # Applications

    @with_transaction()
    def test_application_workflow(self):
        "Test an application is numbered on submission and qualified"
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            application = self._application(fx, qualify=False)
            self.assertTrue(application.number.startswith('WN/'))
            self.assertEqual(application.state, 'submitted')
            Application = Pool().get('cus.application')
            Application.qualify([application])
            self.assertEqual(application.state, 'qualified')
            self.assertEqual(application.decision_date, Pool().get(
                    'ir.date').today())

    @with_transaction()
    def test_application_qualify_needs_declaration(self):
        "Test qualification needs the applicant's declaration"
        Application = Pool().get('cus.application')
        fx = create_ipus_fixture()
        application = self._application(fx, qualify=False)
        application.declaration_conditions = False
        application.save()
        with self.assertRaises(UserError):
            Application.qualify([application])
        self.assertEqual(application.state, 'submitted')

    @with_transaction()
    def test_application_refuse_and_refer_need_reasons(self):
        "Test refusal and referral need their reasons"
        Application = Pool().get('cus.application')
        fx = create_ipus_fixture()
        application = self._application(fx, qualify=False)
        with self.assertRaises(UserError):
            Application.refuse([application])
        with self.assertRaises(UserError):
            Application.refer([application])
        application.refusal_reason = "Poza programem"
        application.save()
        Application.refuse([application])
        self.assertEqual(application.state, 'refused')
        Application.submit([application])
        application.referred_to = "Dział świadczeń rodzinnych"
        application.referral_reason = "Sprawa zasiłku"
        application.save()
        Application.refer([application])
        self.assertEqual(application.state, 'referred')

    @with_transaction()
    def test_short_path_at_most_three_months(self):
        "Test a short-path service lasts less than 3 months"
        fx = create_ipus_fixture()
        with self.assertRaises(UserError):
            self._application(fx, path='short', lines=[{
                        'service': fx['care'].id, 'quantity': 10,
                        'start_date': D(2021, 1, 1),
                        'end_date': D(2021, 4, 15)}])

    @with_transaction()
    def test_plan_deadline_and_risk(self):
        "Test the plan deadline, countdown and the list of applications at risk"
        pool = Pool()
        Application = pool.get('cus.application')
        Date = pool.get('ir.date')
        fx = create_ipus_fixture()
        today = Date.today()
        late = self._application(fx, date=today - dt.timedelta(days=25))
        fresh = self._application(fx, date=today - dt.timedelta(days=2))
        one_off = self._application(
            fx, path='one_off', date=today - dt.timedelta(days=40),
            lines=[{'service': fx['one_off'].id, 'quantity': 1}])
        self.assertEqual(late.ipus_deadline, late.application_date
            + dt.timedelta(days=30))
        self.assertEqual(late.days_left, 5)
        self.assertTrue(late.at_risk)
        self.assertEqual(fresh.days_left, 28)
        self.assertFalse(fresh.at_risk)
        self.assertIsNone(one_off.ipus_deadline)
        self.assertFalse(one_off.at_risk)
        self.assertEqual(Application.search([('at_risk', '=', True)]), [late])
        # An approved plan takes the application off the list
        with set_company(fx['company']):
            self._approve(self._plan(
                    fx, self._annex_lines(fx)[:1], application=late))
        self.assertEqual(Application.search([('at_risk', '=', True)]), [])

    def _approve(self, plan):
        Ipus = Pool().get('cus.ipus')
        Ipus.approve([plan])
        return plan

    # Plans

    @with_transaction()
    def test_annex_plan_approved_and_run(self):
        "Test the sample plan of annex 2 is approved and runs"
        Ipus = Pool().get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx, self._annex_lines(fx))
            self._approve(plan)
            self.assertEqual(plan.state, 'approved')
            self.assertTrue(plan.number.startswith('IPUS/'))
            Ipus.run([plan])
            self.assertEqual(plan.state, 'running')
            self.assertEqual(
                [l.remaining for l in plan.lines], [234, 6, 4])

    @with_transaction()
    def test_plan_from_application(self):
        "Test a draft plan is prepared from a qualified application"
        pool = Pool()
        Application = pool.get('cus.application')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            application = self._application(fx, lines=[{
                        'service': fx['taxi'].id, 'quantity': 6,
                        'start_date': D(2021, 7, 1),
                        'end_date': D(2021, 12, 31)}])
            action = Application.new_plan([application])
            plan = pool.get('cus.ipus')(action['res_id'][0])
            self.assertEqual(plan.client, fx['client'])
            self.assertEqual(plan.valid_from, D(2021, 7, 1))
            self.assertEqual(plan.valid_to, D(2022, 6, 30))
            line, = plan.lines
            self.assertEqual((line.per_month, line.per_year), (2, 6))
            self.assertEqual(line.quantity, 6)

    @with_transaction()
    def test_coordinator_cannot_approve(self):
        "Test only the director or the organiser approves a plan"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx, self._annex_lines(fx))
        coordinator = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        organiser = create_staff_user(
            'ous', 'group_cus_organiser', fx['company'])
        with Transaction().set_user(coordinator.id), check_access():
            with self.assertRaises(AccessButtonError):
                Ipus.approve([Ipus(plan.id)])
        with Transaction().set_user(organiser.id), check_access():
            Ipus.approve([Ipus(plan.id)])
        self.assertEqual(Ipus(plan.id).state, 'approved')

    @with_transaction()
    def test_duplicate_of_running_programme_is_draft(self):
        "Test a user's duplicate of a running programme is a new draft"
        pool = Pool()
        Programme = pool.get('cus.programme')
        fx = create_ipus_fixture()
        programme = fx['programme']
        organiser = create_staff_user(
            'ousdup', 'group_cus_organiser', fx['company'])
        with Transaction().set_user(organiser.id), check_access():
            with self.assertRaises(AccessError):
                # The state is the server's: a user cannot write it.
                Programme.write([Programme(programme.id)], {'state': 'draft'})
            copy, = Programme.copy([Programme(programme.id)])
        copy = Programme(copy.id)
        self.assertEqual(
            (copy.state, copy.adopted_by, copy.adopted_date),
            ('draft', None, None))
        self.assertEqual(
            [l.service for l in copy.lines],
            [l.service for l in programme.lines])
        self.assertEqual(Programme(programme.id).state, 'running')

    @with_transaction()
    def test_validity_at_most_one_year(self):
        "Test a plan valid for more than a year is refused"
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            with self.assertRaises(ValidationError) as cm:
                self._plan(fx, [], valid_from=D(2021, 4, 1),
                    valid_to=D(2022, 4, 1))
            self.assertIn('one year', str(cm.exception))
            plan = self._plan(fx, [], valid_from=D(2021, 4, 1),
                valid_to=D(2022, 3, 31))
            self.assertEqual(plan.valid_to, D(2022, 3, 31))

    @with_transaction()
    def test_late_plan_needs_justification(self):
        "Test a plan drawn up after 30 days needs a justification"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(
                fx, self._annex_lines(fx)[:1], drawn_up_date=D(2021, 7, 15))
            self.assertTrue(plan.late)
            with self.assertRaises(UserError) as cm:
                Ipus.approve([plan])
            self.assertIn('justification', str(cm.exception))
            plan.late_justification = "Pobyt klienta w szpitalu"
            plan.save()
            Ipus.approve([plan])
            self.assertEqual(plan.state, 'approved')
            on_time = self._plan(fx, self._annex_lines(fx)[:1])
            self.assertFalse(on_time.late)

    @with_transaction()
    def test_line_needs_running_programme(self):
        "Test a line needs a running programme over its whole period"
        pool = Pool()
        Programme = pool.get('cus.programme')
        fx = create_ipus_fixture()
        Programme.close([fx['programme']])
        with set_company(fx['company']):
            with self.assertRaises(ValidationError) as cm:
                self._plan(fx, self._annex_lines(fx)[:1])
            self.assertIn('running programme', str(cm.exception))

    @with_transaction()
    def test_taxi_quota(self):
        "Test the taxi plans at most 2 rides a month and 6 a year"
        fx = create_ipus_fixture()
        taxi = self._annex_lines(fx)[1]
        with set_company(fx['company']):
            for wrong in [{'per_month': 3}, {'per_year': 7},
                    {'quantity': 7}]:
                with self.assertRaises(ValidationError, msg=wrong):
                    self._plan(fx, [dict(taxi, **wrong)])
            # 2 rides a month from July to December would be 12: the year
            # caps it at 6.
            with self.assertRaises(ValidationError) as cm:
                self._plan(fx, [dict(taxi, per_year=None, quantity=12)])
            self.assertIn('at most 6', str(cm.exception))
            self._plan(fx, [taxi])

    @with_transaction()
    def test_handyman_quota(self):
        "Test the handyman: 4 visits a year of at most 2 hours"
        fx = create_ipus_fixture()
        handyman = self._annex_lines(fx)[2]
        with set_company(fx['company']):
            for wrong in [{'unit_duration': 3}, {'quantity': 5},
                    {'unit_duration': None}]:
                with self.assertRaises(ValidationError, msg=wrong):
                    self._plan(fx, [dict(handyman, **wrong)])
            self._plan(fx, [handyman])

    @with_transaction()
    def test_yearly_quota_across_plans(self):
        "Test the yearly quota counts the client's other plans"
        fx = create_ipus_fixture()
        taxi = self._annex_lines(fx)[1]
        with set_company(fx['company']):
            self._approve(self._plan(fx, [dict(taxi, quantity=4)]))
            with self.assertRaises(ValidationError) as cm:
                self._plan(fx, [dict(taxi, quantity=4)])
            self.assertIn('yearly limit', str(cm.exception))
            self._plan(fx, [dict(taxi, quantity=2)])

    @with_transaction()
    def test_approved_plan_changes_only_through_update(self):
        "Test an approved plan is changed only through an update"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Line = pool.get('cus.ipus.line')
        Delivery = pool.get('cus.service.delivery')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._approve(self._plan(fx, self._annex_lines(fx)))
            Ipus.run([plan])
            with self.assertRaises(UserError):
                Ipus.write([plan], {'expected_effects': "Inne"})
            with self.assertRaises(UserError):
                Line.write([plan.lines[0]], {'quantity': 10})
            care = plan.lines[0]
            delivery, = Delivery.create([{
                        'line': care.id, 'client': fx['client'].id,
                        'service': fx['care'].id, 'date': D(2021, 5, 5),
                        'quantity': 6}])
            Delivery.confirm([delivery])

            update = plan.make_update("Pogorszenie stanu zdrowia")
            self.assertEqual(update.version, 2)
            self.assertEqual(update.number, plan.number)
            self.assertEqual(update.previous_version, plan)
            self.assertEqual(update.update_requested_by.id,
                Transaction().user)
            with self.assertRaises(UserError):
                plan.make_update("Druga zmiana")
            Line.write([update.lines[0]], {'per_week': 5, 'quantity': 195})
            Ipus.approve([update])
            plan, update = Ipus.browse([plan, update])
            self.assertEqual(plan.state, 'superseded')
            self.assertEqual(update.state, 'running')
            self.assertEqual(plan.next_version, update)
            # The previous version stays readable as it was
            self.assertEqual(plan.lines[0].quantity, 234)
            self.assertEqual(plan.lines[0].per_week, 6)
            # and the deliveries follow the new version
            self.assertEqual(Delivery(delivery.id).line, update.lines[0])
            self.assertEqual(update.lines[0].delivered, 6)
            self.assertEqual(update.lines[0].remaining, 189)

    @with_transaction()
    def test_plan_history_kept(self):
        "Test the values of a plan are kept in its history"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx, self._annex_lines(fx))
            Ipus.write([plan], {'expected_effects': "Nowe efekty"})
            history = Ipus.__table_history__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*history.select(
                    history.expected_effects, where=history.id == plan.id))
            self.assertEqual(
                [e for e, in cursor],
                ["Samodzielne życie w domu", "Nowe efekty"])

    @with_transaction()
    def test_close_needs_summary(self):
        "Test closing needs the summary and closes the open lines"
        Ipus = Pool().get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._approve(self._plan(fx, self._annex_lines(fx)))
            Ipus.run([plan])
            with self.assertRaises(UserError):
                Ipus.close([plan])
            Ipus.write([plan], {
                    'summary_date': D(2021, 12, 20),
                    'course_and_results': "Plan zrealizowany",
                    'outcome': 'achieved',
                    })
            Ipus.close([plan])
            self.assertEqual(plan.state, 'closed')
            self.assertEqual({l.state for l in plan.lines}, {'closed'})

    # Deliveries and counters

    @with_transaction()
    def test_delivery_rules(self):
        "Test deliveries outside the period, above the grant or closed"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Delivery = pool.get('cus.service.delivery')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._approve(self._plan(fx, self._annex_lines(fx)))
            Ipus.run([plan])
        taxi = plan.lines[1]

        def deliver(date, quantity=1):
            delivery, = Delivery.create([{
                        'line': taxi.id, 'client': fx['client'].id,
                        'service': fx['taxi'].id, 'date': date,
                        'quantity': quantity}])
            return delivery

        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            deliver(D(2021, 6, 30))
        self.assertIn('outside the period', str(cm.exception))
        deliver(D(2021, 7, 2), 5)
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            deliver(D(2021, 8, 2), 2)
        self.assertIn('exceed', str(cm.exception))
        rejected = deliver(D(2021, 8, 2), 1)
        rejected.rejection_reason = "Klient nieobecny"
        rejected.save()
        Delivery.reject([rejected])
        deliver(D(2021, 8, 3), 1)
        plan = Ipus(plan.id)
        Ipus.write([plan], {
                'summary_date': D(2021, 12, 20),
                'course_and_results': "Koniec", 'outcome': 'achieved'})
        Ipus.close([plan])
        with self.assertRaises(ValidationError) as cm:
            Delivery.create([{
                        'line': plan.lines[0].id, 'client': fx['client'].id,
                        'service': fx['care'].id, 'date': D(2021, 9, 1),
                        'quantity': 1}])
        self.assertIn('not open', str(cm.exception))

    @with_transaction()
    def test_one_off_delivery_and_counters(self):
        "Test one-off deliveries and the counters of the service base"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Delivery = pool.get('cus.service.delivery')
        Service = pool.get('cus.service')
        Date = pool.get('ir.date')
        fx = create_ipus_fixture()
        today = Date.today()
        application = self._application(
            fx, path='one_off', date=today - dt.timedelta(days=10),
            lines=[{'service': fx['one_off'].id, 'quantity': 1}])
        # A one-off service of long ago no longer counts as granted now
        self._application(
            fx, path='one_off', date=today - dt.timedelta(days=400),
            lines=[{'service': fx['one_off'].id, 'quantity': 1}])
        loan, = Delivery.create([{
                    'application_line': application.lines[0].id,
                    'client': fx['client'].id, 'service': fx['one_off'].id,
                    'date': today - dt.timedelta(days=9), 'quantity': 1}])
        Delivery.confirm([loan])
        with set_company(fx['company']):
            plan = self._approve(self._plan(fx, self._annex_lines(fx)))
            Ipus.run([plan])
        care = plan.lines[0]
        deliveries = Delivery.create([{
                    'line': care.id, 'client': fx['client'].id,
                    'service': fx['care'].id, 'date': D(2021, 4, d),
                    'quantity': 6} for d in [5, 12, 19]])
        Delivery.confirm(deliveries[:2])
        care_service, one_off = Service.browse([fx['care'], fx['one_off']])
        self.assertEqual(care_service.persons, 1)
        self.assertEqual(care_service.granted, 234)
        self.assertEqual(care_service.used, 12)
        self.assertEqual(care_service.remaining, 222)
        self.assertEqual(
            (one_off.granted, one_off.used, one_off.remaining), (1, 1, 0))
        self.assertEqual(care.delivered, 12)
        self.assertEqual(care.reported, 6)
        self.assertEqual(care.remaining, 216)

    # Roles

    @with_transaction()
    def test_coordinator_sees_own_and_unassigned_plans(self):
        "Test a coordinator sees his plans and unassigned ones only"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            mine = self._plan(fx, [])
            unassigned = self._plan(fx, [], coordinator=None)
            other = self._plan(
                fx, [], coordinator=fx['other_coordinator'].id)
        coordinator = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        director = create_staff_user(
            'dyr', 'group_cus_director', fx['company'])
        finance = create_staff_user(
            'fin', 'group_cus_finance', fx['company'])
        with Transaction().set_user(coordinator.id), check_access():
            self.assertEqual(
                set(Ipus.search([])), {Ipus(mine.id), Ipus(unassigned.id)})
            with self.assertRaises(AccessError):
                Ipus.read([other.id], ['expected_effects'])
        with Transaction().set_user(director.id), check_access():
            self.assertEqual(len(Ipus.search([])), 3)
        with Transaction().set_user(finance.id), check_access():
            for model in ['cus.ipus', 'cus.ipus.line', 'cus.application',
                    'cus.needs.assessment', 'cus.service.delivery']:
                with self.assertRaises(AccessError, msg=model):
                    pool.get(model).search([])
