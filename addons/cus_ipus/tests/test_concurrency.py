# This file is part of the CUS back office.
"""Approving or updating a plan that someone else approved or updated
meanwhile

Two transactions at once are tested with a real trytond in
tests/faults/test_concurrency.py: the loser waits for the winner's lock (the
approval and the update lock the plan, trytond 8 restarts the transaction
with the rows locked from its start), then reads the winner's result. These
tests check what it reads then: the second approval is refused with the
module's message (not the generic refusal of the button's states), the
second update finds the first one pending, and nothing is changed twice."""
import datetime as dt
import unittest

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .tools import create_ipus_fixture, create_staff_user

D = dt.date


class IpusConcurrencyTestCase(unittest.TestCase):
    "Test the second of two approvals or updates of a plan"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_ipus')

    def _plan(self, fx):
        pool = Pool()
        Application = pool.get('cus.application')
        Ipus = pool.get('cus.ipus')
        application, = Application.create([{
                    'client': fx['client'].id,
                    'application_date': D(2021, 6, 10),
                    'path': 'ipus',
                    'declaration_conditions': True,
                    'lines': [('create', [
                                {'service': fx['care'].id, 'quantity': 1}])],
                    }])
        Application.submit([application])
        Application.qualify([application])
        plan, = Ipus.create([{
                    'client': fx['client'].id,
                    'application': application.id,
                    'coordinator': fx['coordinator'].id,
                    'drawn_up_date': D(2021, 6, 20),
                    'valid_from': D(2021, 4, 1),
                    'valid_to': D(2021, 12, 31),
                    'expected_effects': "Samodzielne życie w domu",
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'start_date': D(2021, 4, 1),
                                    'end_date': D(2021, 12, 31),
                                    'per_week': 6, 'quantity': 234,
                                    }])],
                    }])
        return plan

    def _users(self, fx):
        organiser = create_staff_user(
            'org_c', 'group_cus_organiser', fx['company'])
        director = create_staff_user(
            'dir_c', 'group_cus_director', fx['company'])
        return organiser, director

    @with_transaction()
    def test_second_approval_refused(self):
        "Test the second approval of a plan is refused with the message"
        Ipus = Pool().get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx)
            organiser, director = self._users(fx)
            with Transaction().set_user(organiser.id), check_access():
                Ipus.approve([Ipus(plan.id)])
            plan = Ipus(plan.id)
            approved = (plan.state, plan.number, plan.approved_by,
                plan.approved_date)
            self.assertEqual(plan.state, 'approved')

            # The director's client still shows the draft: the button is
            # pressed on the approved plan.
            with Transaction().set_user(director.id), check_access():
                with self.assertRaises(UserError) as cm:
                    Ipus.approve([Ipus(plan.id)])
            self.assertEqual(cm.exception.message, gettext(
                    'cus_ipus.msg_ipus_approve_not_draft',
                    plan=plan.rec_name))
            plan = Ipus(plan.id)
            self.assertEqual(
                (plan.state, plan.number, plan.approved_by,
                    plan.approved_date), approved)
            self.assertEqual(plan.approved_by, organiser)

    @with_transaction()
    def test_second_approval_of_update_refused(self):
        "Test an update approved twice supersedes and moves only once"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Delivery = pool.get('cus.service.delivery')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx)
            Ipus.approve([plan])
            Ipus.run([plan])
            delivery, = Delivery.create([{
                        'line': plan.lines[0].id, 'client': fx['client'].id,
                        'service': fx['care'].id, 'date': D(2021, 5, 5),
                        'quantity': 6}])
            Delivery.confirm([delivery])
            update = plan.make_update("Pogorszenie stanu zdrowia")
            organiser, director = self._users(fx)
            with Transaction().set_user(organiser.id), check_access():
                Ipus.approve([Ipus(update.id)])
            with Transaction().set_user(director.id), check_access():
                with self.assertRaises(UserError) as cm:
                    Ipus.approve([Ipus(update.id)])
            self.assertEqual(cm.exception.message, gettext(
                    'cus_ipus.msg_ipus_approve_not_draft',
                    plan=Ipus(update.id).rec_name))
            versions = Ipus.search([('client', '=', fx['client'].id)])
            self.assertEqual(
                sorted((p.version, p.state) for p in versions),
                [(1, 'superseded'), (2, 'running')])
            update = Ipus(update.id)
            self.assertEqual(Delivery(delivery.id).line, update.lines[0])
            self.assertEqual(update.lines[0].delivered, 6)

    @with_transaction()
    def test_second_update_refused(self):
        "Test an update launched after another one finds it pending"
        Ipus = Pool().get('cus.ipus')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            plan = self._plan(fx)
            Ipus.approve([plan])
            first = Ipus(plan.id).make_update("Zmiana A")
            with self.assertRaises(UserError) as cm:
                Ipus(plan.id).make_update("Zmiana B")
            self.assertEqual(cm.exception.message, gettext(
                    'cus_ipus.msg_ipus_update_pending',
                    plan=Ipus(plan.id).rec_name))
            self.assertEqual(
                Ipus.search([('previous_version', '=', plan.id)]), [first])
