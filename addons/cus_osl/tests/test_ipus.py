# This file is part of the CUS back office.
"The parts of cus_osl that work with the individual plans (cus_ipus)"
import datetime as dt
import unittest

from cus_base.tests.tools import rolled_back_on_error
from cus_base.xlsx import read_xlsx
from cus_ipus.tests.tools import create_ipus_fixture, create_staff_user

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .tools import (
    as_user, create_activity, create_osl_fixture, create_osl_user, run_plan)

D = dt.date


class OslIpusTestCase(unittest.TestCase):
    "Test the referrals from the individual plans and their summaries"

    @classmethod
    def setUpClass(cls):
        activate_module(['cus_osl', 'cus_ipus'])

    def _fixture(self):
        ipx = create_ipus_fixture()
        fx = create_osl_fixture(company=ipx['company'])
        fx.update(ipx)
        return fx

    def _ipus_plan(self, fx, approve=True):
        "A plan of care for the client of the fixture"
        pool = Pool()
        Application = pool.get('cus.application')
        Ipus = pool.get('cus.ipus')
        application, = Application.create([{
                    'client': fx['client'].id,
                    'application_date': D(2021, 6, 10),
                    'path': 'ipus',
                    'declaration_conditions': True,
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'quantity': 1}])],
                    }])
        Application.submit([application])
        Application.qualify([application])
        plan, = Ipus.create([{
                    'company': fx['company'].id,
                    'client': fx['client'].id,
                    'application': application.id,
                    'coordinator': fx['coordinator'].id,
                    'drawn_up_date': D(2021, 6, 20),
                    'valid_from': D(2021, 7, 1),
                    'valid_to': D(2021, 12, 31),
                    'expected_effects': "Wyjście z samotności",
                    'osl_directions': "Zaprosić do Klubu Seniora",
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'start_date': D(2021, 7, 1),
                                    'end_date': D(2021, 12, 31),
                                    'per_week': 6, 'quantity': 100}])],
                    }])
        if approve:
            Ipus.approve([plan])
        return plan

    def _run_wizard(self, user, records, state, data=None):
        "Run the referral wizard as the client would, through its RPC calls"
        Wizard = Pool().get('cus.osl.refer', type='wizard')
        context = {
            'active_model': 'cus.ipus',
            'active_ids': [r.id for r in records],
            'active_id': records[0].id}
        User = Pool().get('res.user')
        with Transaction().set_user(user.id), \
                Transaction().set_context(
                    User.get_preferences(context_only=True)), \
                Transaction().set_context(context):
            with check_access():
                session_id, _, _ = Wizard.create()
            return Wizard.execute(session_id, data or {}, state)

    @with_transaction()
    def test_referral(self):
        "Test a coordinator refers the client of a plan to a club meeting"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Participation = pool.get('cus.osl.activity.participation')
        Activity = pool.get('cus.osl.activity')
        Date = pool.get('ir.date')
        fx = self._fixture()
        with set_company(fx['company']):
            plan = self._ipus_plan(fx)
            draft = self._ipus_plan(fx, approve=False)
        osl_plan = run_plan(fx['plan'])
        club = create_activity(osl_plan, "Spotkania Klubu Seniora",
            fx['seniors'], quarters=['2021-Q3', '2021-Q4'])
        done = create_activity(osl_plan, "Kwiatek dla seniora",
            fx['seniors'], quarters=['2021-Q3'], state='done',
            done_date=D(2021, 8, 1))
        coordinator = create_staff_user('koordynator',
            'group_cus_coordinator', fx['company'], fx['coordinator'])
        osl = create_osl_user('osl', 'group_cus_community', fx['company'],
            fx['organiser'])

        result = self._run_wizard(coordinator, [plan], 'start')
        self.assertEqual(result['view']['defaults']['client'],
            fx['client'].id)
        self._run_wizard(coordinator, [plan], 'refer', {
                'start': {
                    'ipus': plan.id, 'client': fx['client'].id,
                    'community': fx['seniors'].id,
                    'activity': club.id, 'note': "Potrzebny transport"},
                })
        participation, = Participation.search([])
        self.assertEqual(participation.activity, club)
        self.assertEqual(participation.party, fx['client'])
        self.assertEqual(participation.ipus, plan)
        self.assertEqual(participation.referred_by, fx['coordinator'])
        self.assertEqual(participation.referral_date, Date.today())
        self.assertEqual(participation.note, "Potrzebny transport")
        self.assertFalse(participation.attended)
        self.assertEqual(Ipus(plan.id).osl_participations, (participation,))

        # Only the clients of approved or running plans, only to
        # activities still to come
        with self.assertRaises(UserError), rolled_back_on_error():
            self._run_wizard(coordinator, [draft], 'start')
        with self.assertRaises(UserError), rolled_back_on_error():
            Ipus(plan.id).refer_to_activity(done)
        # The button is the coordinator's
        with as_user(osl):
            with self.assertRaises(AccessError), rolled_back_on_error():
                Ipus.osl_refer([Ipus(plan.id)])

        # The activity records the participation; the organiser does not
        # see the plan
        with as_user(osl):
            Participation.write([Participation(participation.id)], {
                    'attended': True})
            row, = Participation.read([participation.id],
                ['party', 'attended', 'referral_date'])
            self.assertEqual(row['party'], fx['client'].id)
            with self.assertRaises(AccessError), rolled_back_on_error():
                Participation.read([participation.id], ['ipus'])
            self.assertEqual(Activity(club.id).registered_participants, 1)
        with as_user(coordinator):
            row, = Participation.read([participation.id], ['ipus'])
            self.assertEqual(row['ipus'], plan.id)
            with self.assertRaises(AccessError), rolled_back_on_error():
                Activity.write([Activity(club.id)], {'name': "Inne"})
            with self.assertRaises(AccessButtonError), \
                    rolled_back_on_error():
                Activity.cancel([Activity(club.id)])

        # Once per activity (last: the database refuses)
        with self.assertRaises(Exception):
            Ipus(plan.id).refer_to_activity(Activity(club.id))

    def _summaries(self, fx):
        pool = Pool()
        Summary = pool.get('cus.ipus.summary')
        with set_company(fx['company']):
            first, second, draft, old = Summary.create([{
                        'company': fx['company'].id,
                        'start_date': start, 'end_date': end,
                        'osl_directions': directions,
                        } for start, end, directions in [
                        (D(2021, 1, 1), D(2021, 6, 30),
                            "Seniorzy z Łazów potrzebują miejsca spotkań."),
                        (D(2021, 7, 1), D(2021, 12, 31),
                            "Rodziny z Wzgórza: wsparcie sąsiedzkie."),
                        (D(2022, 1, 1), D(2022, 6, 30), "Szkic"),
                        (D(2019, 1, 1), D(2019, 6, 30), "Dawno temu"),
                        ]])
            Summary.compute([first, second, draft, old])
            Summary.done([first, second, old])
        return first, second, draft, old

    @with_transaction()
    def test_plan_shows_summaries(self):
        "Test the plan shows what the half-yearly summaries pass to it"
        Plan = Pool().get('cus.osl.plan')
        fx = self._fixture()
        first, second, draft, old = self._summaries(fx)
        plan = Plan(fx['plan'].id)
        self.assertEqual(plan.ipus_summaries, (first, second))
        self.assertEqual(
            plan.ipus_summary_lines, first.lines + second.lines)
        self.assertTrue(first.lines)
        self.assertEqual(plan.osl_directions,
            "01.01.2021 – 30.06.2021:\n"
            "Seniorzy z Łazów potrzebują miejsca spotkań.\n\n"
            "01.07.2021 – 31.12.2021:\n"
            "Rodziny z Wzgórza: wsparcie sąsiedzkie.")

    @with_transaction()
    def test_report_with_summaries(self):
        "Test the XLSX report carries the summaries of the plan's period"
        pool = Pool()
        Report = pool.get('cus_osl.report_plan_execution', type='report')
        fx = self._fixture()
        first, second, _, _ = self._summaries(fx)
        osl = create_osl_user('osl', 'group_cus_community', fx['company'],
            fx['organiser'])
        with set_company(fx['company']), as_user(osl):
            ext, content, _, _ = Report.execute([fx['plan'].id], {})
        sheets = read_xlsx(content)
        self.assertEqual(list(sheets)[-2:],
            ['Summaries of the Plans', 'Directions'])
        figures = sheets['Summaries of the Plans'][1:]
        self.assertEqual(len(figures), len(first.lines) + len(second.lines))
        self.assertEqual(figures[0][1], first.rec_name)
        self.assertEqual(
            [r[1:] for r in sheets['Directions'][1:]], [
                [first.rec_name,
                    "Seniorzy z Łazów potrzebują miejsca spotkań."],
                [second.rec_name, "Rodziny z Wzgórza: wsparcie sąsiedzkie."],
                ])
