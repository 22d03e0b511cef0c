# This file is part of the CUS back office.
import datetime as dt
import io
import re
import unittest
import zipfile
from unittest.mock import patch

from cus_base.tests.tools import create_user

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .test_contract import PartnersFixture
from .test_indicator import QUARTERS, YEAR, IndicatorFixture


def document_text(report):
    oext, content, _, _ = report
    with zipfile.ZipFile(io.BytesIO(content)) as odt:
        xml = odt.read('content.xml').decode('utf-8')
    return re.sub(r'<[^>]+>', ' ', xml)


class RetentionIndicatorTestCase(IndicatorFixture, unittest.TestCase):
    "Test the anonymisation keeps the indicators"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    @with_transaction()
    def test_indicators_unchanged(self):
        "Test the indicators are the same before and after anonymisation"
        pool = Pool()
        Indicator = pool.get('cus.indicator')
        Rule = pool.get('cus.retention.rule')
        Party = pool.get('party.party')
        self._fixture()
        Ipus = pool.get('cus.ipus')
        # The cases of the data set end: their plans are closed.
        plans = Ipus.search([('state', '=', 'running')])
        self.assertTrue(plans)
        Ipus.write(plans, {
                'summary_date': YEAR[1], 'outcome': 'achieved',
                'course_and_results': "Zakończony"})
        Ipus.close(plans)
        before = Indicator.compute([YEAR] + list(QUARTERS))
        scores = Indicator.compute_scores([YEAR])
        rules = Rule.search([])
        # Every record of the data set (2023, the decisions of today) is past
        # a period of 0 years tomorrow.
        Rule.write(rules, {'period_years': 0})
        Date = pool.get('ir.date')
        tomorrow = Date.today() + dt.timedelta(days=1)
        with patch.object(Date, 'today', lambda timezone=None: tomorrow):
            runs = Rule.apply(rules)
        anonymised = Party.search([
                ('anonymised_on', '!=', None), ('active', '=', False)])
        self.assertTrue(anonymised)
        self.assertEqual(sum(r.persons for r in runs), len(anonymised))
        Transaction().cache.clear()
        self.assertEqual(before, Indicator.compute([YEAR] + list(QUARTERS)))
        self.assertEqual(scores, Indicator.compute_scores([YEAR]))


class SubjectAccessOrdersTestCase(PartnersFixture, unittest.TestCase):
    "Test the orders in the personal data export"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    @with_transaction()
    def test_export_names_the_providers(self):
        "Test the export names the providers that received the data"
        pool = Pool()
        Order = pool.get('cus.service.order')
        Report = pool.get('cus_base.report_subject_access', type='report')
        data = {'action_id': pool.get('ir.model.data').get_id(
                'cus_base', 'report_subject_access')}
        fx = self._fixture()
        plan = self._plan(fx)
        orders = Order.create_from_ipus_lines(plan.lines)
        Order.send(orders)
        director = create_user('a2director', ['group_cus_director'])
        with Transaction().set_user(director.id), check_access():
            text = document_text(Report.execute([fx['client'].id], data))
        self.assertIn(fx['provider'].name, text)
        for order in orders:
            self.assertIn(order.number, text)


class RetentionPortalTestCase(unittest.TestCase):
    "Test the retention of the portal attempts"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    @with_transaction()
    def test_old_attempts_deleted(self):
        "Test the attempts older than the period are deleted"
        pool = Pool()
        Attempt = pool.get('cus.portal.attempt')
        Rule = pool.get('cus.retention.rule')
        Attempt.add('jan@example.com')
        Attempt.add('ewa@example.com')
        old, recent = Attempt.search([], order=[('id', 'ASC')])
        table = Attempt.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update([table.create_date],
                [dt.datetime.now() - dt.timedelta(days=800)],
                where=table.id == old.id))
        rule, = Rule.search([('kind', '=', 'portal_attempts')])
        run, = Rule.apply([rule])
        self.assertEqual(run.records, 1)
        self.assertEqual(Attempt.search([]), [recent])
