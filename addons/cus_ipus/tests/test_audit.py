# This file is part of the CUS back office.
import datetime as dt
import unittest

from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, without_check_access

from cus_base.tests.tools import as_user

from .tools import create_ipus_fixture, create_staff_user

D = dt.date


class AuditTestCase(unittest.TestCase):
    "Test the audit of the reads and printouts of plans and diagnoses"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_ipus')

    def _plan(self, fx):
        Ipus = Pool().get('cus.ipus')
        with set_company(fx['company']):
            plan, = Ipus.create([{
                        'client': fx['client'].id,
                        'coordinator': fx['coordinator'].id,
                        'drawn_up_date': D(2021, 3, 25),
                        'valid_from': D(2021, 4, 1),
                        'valid_to': D(2021, 12, 31),
                        'needs': "Pomoc w codziennych czynnościach.",
                        'lines': [('create', [{
                                        'service': fx['care'].id,
                                        'start_date': D(2021, 4, 1),
                                        'end_date': D(2021, 12, 31),
                                        'per_week': 6, 'quantity': 234,
                                        'scope': "Opieka higieniczna.",
                                        }])],
                        }])
        return plan

    def _rows(self):
        Access = Pool().get('cus.audit.access')
        with without_check_access():
            return Access.search([], order=[('id', 'ASC')])

    @with_transaction()
    def test_plan_read_logged_with_its_lines(self):
        "Test reading a plan and its lines logs both with the client"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Line = pool.get('cus.ipus.line')
        fx = create_ipus_fixture()
        plan = self._plan(fx)
        user = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        with as_user(user):
            # the list: no sensitive field
            Ipus.search_read([], fields_names=[
                    'number', 'client.rec_name', 'valid_from', 'state'])
            self.assertEqual(self._rows(), [])
            # the form
            Ipus.read([plan.id], ['number', 'needs', 'lines'])
            Line.read([l.id for l in plan.lines], ['service', 'scope'])
        plan_row, line_row = self._rows()
        self.assertEqual(plan_row.record, plan)
        self.assertEqual(plan_row.field_names, 'lines,needs')
        self.assertEqual(plan_row.client, fx['client'])
        self.assertEqual(line_row.record, plan.lines[0])
        self.assertEqual(line_row.field_names, 'scope,service')
        self.assertEqual(line_row.client, fx['client'])
        self.assertEqual(line_row.user, user)

    @with_transaction()
    def test_assessment_read_logged(self):
        "Test reading the content of a diagnosis is logged"
        pool = Pool()
        Assessment = pool.get('cus.needs.assessment')
        fx = create_ipus_fixture()
        assessment, = Assessment.create([{
                    'client': fx['client'].id,
                    'date': D(2021, 3, 15),
                    'name': fx['client'].name,
                    'coordinator': fx['coordinator'].id,
                    'health': "Po udarze.",
                    }])
        user = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        with as_user(user):
            Assessment.read([assessment.id], ['date', 'name', 'state'])
            self.assertEqual(self._rows(), [])
            Assessment.read([assessment.id], ['name', 'health'])
        row, = self._rows()
        self.assertEqual(row.record, assessment)
        self.assertEqual(row.field_names, 'health')
        self.assertEqual(row.client, fx['client'])

    @with_transaction()
    def test_printing_logged(self):
        "Test printing a plan is logged as a printout"
        pool = Pool()
        Report = pool.get('cus_ipus.report_ipus', type='report')
        fx = create_ipus_fixture()
        plan = self._plan(fx)
        user = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        with as_user(user):
            ext, content, _, _ = Report.execute([plan.id], {})
        self.assertEqual(ext, 'odt')
        row, = self._rows()
        self.assertEqual(row.kind, 'print')
        self.assertEqual(row.record, plan)
        self.assertEqual(row.client, fx['client'])
        self.assertEqual(row.user, user)
        self.assertIn('needs', row.field_names.split(','))
        # Printing by root (e.g. a mailing cron) is not a user's read
        with Transaction().set_user(0):
            Report.execute([plan.id], {})
        self.assertEqual(len(self._rows()), 1)

    @with_transaction()
    def test_trail_of_a_plan(self):
        "Test the history of a plan shows its reads and its changes"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Trail = pool.get('cus.audit.trail')
        ModelData = pool.get('ir.model.data')
        fx = create_ipus_fixture()
        plan = self._plan(fx)
        other = self._plan(fx)
        user = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        director = create_staff_user(
            'dyrektor', 'group_cus_director', fx['company'])
        with as_user(user):
            Ipus.read([plan.id, other.id], ['needs'])
            Ipus.write([Ipus(plan.id)], {'needs': "Opieka i transport."})
        Transaction()._store_log_records()
        action = pool.get('ir.action.act_window')(
            ModelData.get_id('cus_ipus', 'act_audit_trail_ipus'))
        # The domain of the relate of the plan form
        domain = PYSONDecoder({'active_id': plan.id}).decode(action.domain)
        with as_user(director):
            rows = Trail.search(domain)
        self.assertEqual({r.event for r in rows}, {'read', 'write'})
        self.assertTrue(all(r.record == plan for r in rows))

    @with_transaction()
    def test_register_lists_the_readers_of_the_diagnoses(self):
        "Test the register shows who reads the diagnoses and the plans"
        from cus_base.xlsx import read_xlsx
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Report = pool.get(
            'cus_base.report_processing_register', type='report')
        fx = create_ipus_fixture()
        director = create_staff_user(
            'dyrektor', 'group_cus_director', fx['company'])
        with as_user(director):
            _, content, _, _ = Report.execute([], {
                    'action_id': ModelData.get_id(
                        'cus_base', 'report_processing_register')})
        access = read_xlsx(content)["Access to the Data"]
        rows = {(r[0], r[1]): r for r in access[1:]}
        assessment = rows[
            "Applications and needs assessment", "Needs Assessment"]
        self.assertIn("Plan Coordinator", assessment[2])
        self.assertNotIn("CUS Finance", assessment[2])
        self.assertNotIn("Community Organiser", assessment[2])
        self.assertEqual(assessment[5:7], ["Yes", "Yes"])
        # the lines follow the access of their diagnosis (__access__)
        line = rows[
            "Applications and needs assessment", "Needs Assessment Line"]
        self.assertEqual(line[2], assessment[2])
        plan = rows[
            "Individual plans and services",
            "Individual Plan of Social Services"]
        self.assertIn("Plan Coordinator", plan[3])
        self.assertNotIn("CUS Finance", plan[2])
