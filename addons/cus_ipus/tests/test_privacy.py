# This file is part of the CUS back office.
import datetime as dt
import io
import re
import unittest
import zipfile

from dateutil.relativedelta import relativedelta
from sql.aggregate import Count, Sum

from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access, inactive_records

from cus_base.tests.tools import create_user, valid_pesel

from .tools import create_ipus_fixture

D = dt.date


def document_text(report):
    oext, content, _, _ = report
    assert oext == 'odt', oext
    with zipfile.ZipFile(io.BytesIO(content)) as odt:
        xml = odt.read('content.xml').decode('utf-8')
    return re.sub(r'<[^>]+>', ' ', xml)


class PrivacyTestCase(unittest.TestCase):
    "Test the consents, the access export and the retention of the cases"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_ipus')

    def _client(self, name, birth_date, serial, **values):
        Party = Pool().get('party.party')
        client, = Party.create([dict({
                        'name': name, 'cus_client': True,
                        'client_category': 'resident',
                        'pesel': valid_pesel(birth_date, serial=serial),
                        }, **values)])
        return client

    def _case(self, fx, client, start, close=True, text="Opieka"):
        """An application, a plan of care from start for a year with two
        deliveries, a monitoring contact and a complaint; closed a month
        after its end when close"""
        pool = Pool()
        Application = pool.get('cus.application')
        Ipus = pool.get('cus.ipus')
        Delivery = pool.get('cus.service.delivery')
        Monitoring = pool.get('cus.ipus.monitoring')
        Complaint = pool.get('cus.complaint')
        end = start + relativedelta(years=1, days=-1)
        application, = Application.create([{
                    'client': client.id, 'application_date': start,
                    'path': 'ipus', 'declaration_conditions': True,
                    'description': "Wniosek: %s" % text,
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'quantity': 1}])],
                    }])
        Application.submit([application])
        Application.qualify([application])
        # as if decided on the day of the application
        Application.write([application], {'decision_date': start})
        plan, = Ipus.create([{
                    'client': client.id,
                    'application': application.id,
                    'coordinator': fx['coordinator'].id,
                    'valid_from': start, 'valid_to': end,
                    'drawn_up_date': start,
                    'needs': "Potrzeby: %s" % text,
                    'expected_effects': "Efekty: %s" % text,
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'start_date': start, 'end_date': end,
                                    'per_week': 6, 'quantity': 40,
                                    'scope': "Zakres: %s" % text,
                                    }])],
                    }])
        Ipus.approve([plan])
        Ipus.run([plan])
        line, = plan.lines
        deliveries = Delivery.create([{
                    'line': line.id, 'client': client.id,
                    'service': fx['care'].id,
                    'date': start + dt.timedelta(days=d), 'quantity': q,
                    'notes': "Uwagi: %s" % text,
                    } for d, q in [(10, 3), (40, 5)]])
        Delivery.confirm(deliveries)
        Monitoring.create([{
                    'plan': plan.id, 'date': start + dt.timedelta(days=60),
                    'kind': 'phone', 'findings': "Ustalenia: %s" % text}])
        Complaint.create([{
                    'kind': 'complaint', 'received_date': start
                    + dt.timedelta(days=70), 'person': client.id,
                    'subject': "Skarga: %s" % text,
                    'description': "Opis skargi: %s" % text}])
        if close:
            Ipus.write([plan], {
                    'summary_date': end + dt.timedelta(days=30),
                    'course_and_results': "Przebieg: %s" % text,
                    'outcome': 'achieved'})
            Ipus.close([plan])
        return plan

    def _figures(self, fx):
        "What the reports count: deliveries, quantities, plans, counters"
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Ipus = pool.get('cus.ipus')
        Service = pool.get('cus.service')
        cursor = Transaction().connection.cursor()
        delivery = Delivery.__table__()
        plan = Ipus.__table__()
        cursor.execute(*delivery.select(
                delivery.service, delivery.state, Count(delivery.id),
                Sum(delivery.quantity),
                group_by=[delivery.service, delivery.state]))
        deliveries = sorted(cursor)
        cursor.execute(*plan.select(plan.state, Count(plan.id),
                group_by=[plan.state]))
        plans = sorted(cursor)
        Transaction().cache.clear()
        care = Service(fx['care'].id)
        return deliveries, plans, (care.persons, care.granted, care.used)

    @with_transaction()
    def test_retention_anonymises_expired_cases(self):
        "Test an expired closed case is anonymised and the figures stay"
        pool = Pool()
        Party = pool.get('party.party')
        Rule = pool.get('cus.retention.rule')
        Run = pool.get('cus.retention.run')
        Ipus = pool.get('cus.ipus')
        Delivery = pool.get('cus.service.delivery')
        Application = pool.get('cus.application')
        Complaint = pool.get('cus.complaint')
        ModelData = pool.get('ir.model.data')
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            old = self._client("Stara Sprawa", D(1941, 3, 12), 31,
                health_condition="Choroba starej sprawy",
                contact_mechanisms=[('create', [
                                {'type': 'phone', 'value': '600111222'}])],
                addresses=[('create', [
                                {'street': "Długa 5", 'city': "Koszalin",
                                    'postal_code': "75-001"}])])
            recent = self._client("Nowa Sprawa", D(1950, 5, 6), 32)
            running = self._client("Trwa Sprawa", D(1960, 7, 8), 33)
            old_plan = self._case(fx, old, D(2020, 1, 1), text="stara")
            recent_plan = self._case(fx, recent, D(2024, 1, 1), text="nowa")
            self._case(fx, running, D(2020, 1, 1), close=False, text="trwa")
        before = self._figures(fx)

        rule = Rule(ModelData.get_id('cus_ipus', 'retention_rule_closed_plans'))
        Rule.write([rule], {'period_years': 3})
        # today - 3 years: the old case (last record in 2021) is expired,
        # the recent one (closed in 2025) is not, the running one stays.
        run, = Rule.apply([rule])
        self.assertEqual((run.persons, run.records), (1, 1))
        self.assertEqual(before, self._figures(fx))

        Transaction().cache.clear()
        old = Party(old.id)
        self.assertEqual(old.name, "Anonymised Person")
        self.assertIsNone(old.pesel)
        self.assertIsNone(old.health_condition)
        self.assertEqual(old.birth_date, D(1941, 3, 1))
        self.assertEqual(old.sex, 'male')
        self.assertEqual(old.anonymised_on, pool.get('ir.date').today())
        self.assertFalse(old.active)
        with inactive_records():
            address, = pool.get('party.address').search(
                [('party', '=', old.id)])
            contact, = pool.get('party.contact_mechanism').search(
                [('party', '=', old.id)])
        # the city stays for the figures by area
        self.assertEqual(address.city, "Koszalin")
        self.assertIsNone(address.street)
        self.assertIsNone(address.postal_code)
        self.assertEqual(contact.value, '****')
        plan = Ipus(old_plan.id)
        self.assertEqual(plan.state, 'closed')
        self.assertIsNone(plan.needs)
        self.assertIsNone(plan.course_and_results)
        self.assertIsNone(plan.lines[0].scope)
        self.assertEqual(plan.lines[0].quantity, 40)
        self.assertEqual(
            {d.notes for d in Delivery.search([('client', '=', old.id)])},
            {None})
        self.assertIsNone(Application.search(
                [('client', '=', old.id)])[0].description)
        self.assertEqual(Complaint.search(
                [('person', '=', old.id)])[0].subject, '****')
        # The history of the plan and of the party lost the texts too.
        cursor = Transaction().connection.cursor()
        history = Ipus.__table_history__()
        cursor.execute(*history.select(Count(history.id),
                where=(history.id == old_plan.id)
                & ((history.needs != None)  # noqa: E711
                    | (history.expected_effects != None))))  # noqa: E711
        self.assertEqual(cursor.fetchone()[0], 0)
        cursor.execute(*history.select(Count(history.id),
                where=history.id == old_plan.id))
        self.assertGreater(cursor.fetchone()[0], 0)

        for party, plan in [(recent, recent_plan)]:
            party = Party(party.id)
            self.assertEqual(party.name, "Nowa Sprawa")
            self.assertTrue(party.pesel)
            self.assertEqual(Ipus(plan.id).needs, "Potrzeby: nowa")
        self.assertEqual(Party(running.id).name, "Trwa Sprawa")

        again, = Rule.apply([rule])
        self.assertEqual((again.persons, again.records), (0, 0))
        self.assertEqual(before, self._figures(fx))
        self.assertEqual(len(Run.search([('rule', '=', rule.id)])), 2)

    @with_transaction()
    def test_retention_roles(self):
        "Test the director runs the rules and the other roles are refused"
        pool = Pool()
        Rule = pool.get('cus.retention.rule')
        Run = pool.get('cus.retention.run')
        rules = Rule.search([])
        self.assertEqual({r.kind for r in rules}, {
                'pomost_logs', 'audit_access', 'closed_plans',
                'refused_applications', 'enquiries', 'survey_responses'})
        director = create_user('a2director', ['group_cus_director'])
        with Transaction().set_user(director.id), check_access():
            Rule.run_now(Rule.search([]))
            self.assertEqual(len(Run.search([])), 6)
        for group in ['group_cus_coordinator', 'group_cus_community',
                'group_cus_finance']:
            user = create_user('a2' + group[10:], [group])
            with Transaction().set_user(user.id), check_access():
                with self.assertRaises(AccessError):
                    Rule.search([])
                with self.assertRaises(AccessError):
                    Run.search([])
        organiser = create_user('a2organiser', ['group_cus_organiser'])
        with Transaction().set_user(organiser.id), check_access():
            self.assertEqual(len(Rule.search([])), 6)
            with self.assertRaises(AccessError):
                Rule.write(Rule.search([]), {'period_years': 1})
            with self.assertRaises(AccessButtonError):
                Rule.run_now(Rule.search([]))

    @with_transaction()
    def test_subject_access_export(self):
        "Test the export holds the case of the person and nothing else"
        pool = Pool()
        Report = pool.get('cus_base.report_subject_access', type='report')
        data = {'action_id': pool.get('ir.model.data').get_id(
                'cus_base', 'report_subject_access')}
        fx = create_ipus_fixture()
        with set_company(fx['company']):
            anna = self._client("Anna Pierwsza", D(1945, 1, 2), 41)
            jan = self._client("Jan Drugi", D(1946, 3, 4), 42)
            anna_plan = self._case(fx, anna, D(2024, 1, 1), text="annowa")
            jan_plan = self._case(fx, jan, D(2024, 1, 1), text="janowa")
        organiser = create_user('a2organiser', ['group_cus_organiser'])
        with Transaction().set_user(organiser.id), check_access():
            text = document_text(Report.execute([anna.id], data))
        for expected in ["Anna Pierwsza", anna_plan.number,
                "Wniosek: annowa", "Potrzeby: annowa", "Zakres: annowa",
                "Uwagi: annowa", "Ustalenia: annowa", "Skarga: annowa",
                "Przebieg: annowa", "Usługi opiekuńcze"]:
            self.assertIn(expected, text)
        self.assertNotIn("janowa", text)
        self.assertNotIn("Jan Drugi", text)
        self.assertNotIn(jan_plan.number, text)

    @with_transaction()
    def test_online_application_consent(self):
        "Test the consent of an online application is recorded on its client"
        pool = Pool()
        Application = pool.get('cus.application')
        Consent = pool.get('cus.client.consent')
        fx = create_ipus_fixture()
        client = fx['client']
        given = dt.datetime(2025, 3, 4, 10, 30)
        application, = Application.create([{
                    'client': client.id, 'application_date': D(2025, 3, 4),
                    'channel': 'online', 'path': 'ipus',
                    'online_consent': True, 'online_consent_at': given,
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'quantity': 1}])],
                    }])
        consent, = Consent.search([('client', '=', client.id)])
        self.assertEqual(consent.channel, 'online')
        self.assertEqual(consent.given_on, D(2025, 3, 4))
        self.assertEqual(consent.purpose, 'services')
        self.assertEqual(consent.application, application)
        # A second online application does not record a second consent.
        Application.copy([application])
        self.assertEqual(len(Consent.search([('client', '=', client.id)])), 1)
