# This file is part of the CUS back office.
import datetime as dt
import io
import re
import unittest
import zipfile

from cus_base.tests.tools import create_user, valid_pesel

from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .tools import create_activity, create_osl_fixture, run_plan

D = dt.date


def document_text(report):
    oext, content, _, _ = report
    with zipfile.ZipFile(io.BytesIO(content)) as odt:
        xml = odt.read('content.xml').decode('utf-8')
    return re.sub(r'<[^>]+>', ' ', xml)


class PrivacyTestCase(unittest.TestCase):
    "Test the community work in the access export and in retention"

    @classmethod
    def setUpClass(cls):
        activate_module(['cus_osl', 'cus_ipus'])

    def _client(self, name, birth_date, serial):
        Party = Pool().get('party.party')
        client, = Party.create([{
                    'name': name, 'cus_client': True,
                    'client_category': 'resident',
                    'pesel': valid_pesel(birth_date, serial=serial)}])
        return client

    def _fixture(self):
        pool = Pool()
        Party = pool.get('party.party')
        Participation = pool.get('cus.osl.activity.participation')
        Community = pool.get('cus.osl.community')
        Hours = pool.get('cus.osl.volunteer.hours')
        fx = create_osl_fixture()
        plan = run_plan(fx['plan'])
        anna = self._client("Anna Klubowa", D(1944, 2, 3), 51)
        jan = self._client("Jan Sąsiad", D(1945, 4, 5), 52)
        volunteer, = Party.create([{
                    'name': "Wiesia Wolontariuszka", 'osl_volunteer': True}])
        club = create_activity(plan, "Klub Seniora w Łazach",
            community=fx['seniors'], quarters=['2021-Q3'])
        walk = create_activity(plan, "Spacer nordic walking",
            community=fx['wzgorze'], quarters=['2021-Q3'])
        Participation.create([{
                    'activity': club.id, 'party': anna.id,
                    'note': "Przychodzi z sąsiadką"}, {
                    'activity': walk.id, 'party': jan.id,
                    'note': "Potrzebuje kijków"}])
        Community.write([fx['seniors']], {
                'clients': [('add', [anna.id])]})
        Hours.create([{
                    'volunteer': volunteer.id, 'supported_party': anna.id,
                    'date': D(2021, 8, 2), 'hours': 2,
                    'description': "Zakupy dla pani Anny"}, {
                    'volunteer': volunteer.id, 'supported_party': jan.id,
                    'date': Pool().get('ir.date').today(), 'hours': 3,
                    'description': "Wizyta u pana Jana"}])
        return fx, anna, jan

    @with_transaction()
    def test_subject_access_export(self):
        "Test the export holds the person's community work only"
        pool = Pool()
        Report = pool.get('cus_base.report_subject_access', type='report')
        data = {'action_id': pool.get('ir.model.data').get_id(
                'cus_base', 'report_subject_access')}
        fx, anna, jan = self._fixture()
        director = create_user('a2director', ['group_cus_director'])
        with Transaction().set_user(director.id), check_access():
            text = document_text(Report.execute([anna.id], data))
        for expected in ["Klub Seniora w Łazach", "Przychodzi z sąsiadką",
                "Seniorzy Łazy", "Zakupy dla pani Anny",
                "Wiesia Wolontariuszka"]:
            self.assertIn(expected, text)
        for other in ["Spacer nordic walking", "Potrzebuje kijków",
                "Wizyta u pana Jana", "Jan Sąsiad"]:
            self.assertNotIn(other, text)

    @with_transaction()
    def test_retention_counts_community_work(self):
        "Test recent volunteering support keeps a person in retention"
        pool = Pool()
        Party = pool.get('party.party')
        Rule = pool.get('cus.retention.rule')
        Ipus = pool.get('cus.ipus')
        fx, anna, jan = self._fixture()
        # Both have the same old closed plan; only Jan was helped this year.
        from cus_ipus.tests.tools import create_ipus_fixture
        from trytond.modules.company.tests import set_company
        ipx = create_ipus_fixture()
        with set_company(ipx['company']):
            for client in [anna, jan]:
                plan, = Ipus.create([{
                            'client': client.id,
                            'coordinator': ipx['coordinator'].id,
                            'valid_from': D(2020, 1, 1),
                            'valid_to': D(2020, 6, 30),
                            'drawn_up_date': D(2020, 1, 1),
                            'expected_effects': "Samodzielność",
                            'lines': [('create', [{
                                            'service': ipx['care'].id,
                                            'start_date': D(2020, 1, 1),
                                            'end_date': D(2020, 6, 30),
                                            'per_week': 6,
                                            'quantity': 10}])],
                            }])
                Ipus.approve([plan])
                Ipus.run([plan])
                Ipus.write([plan], {
                        'summary_date': D(2020, 7, 10),
                        'course_and_results': "Zakończony",
                        'outcome': 'achieved'})
                Ipus.close([plan])
        rule, = Rule.search([('kind', '=', 'closed_plans')])
        Rule.write([rule], {'period_years': 3})
        run, = Rule.apply([rule])
        self.assertEqual(run.persons, 1)
        Transaction().cache.clear()
        self.assertEqual(Party(jan.id).name, "Jan Sąsiad")
        anna = Party(anna.id)
        self.assertEqual(anna.name, "Anonymised Person")
        Participation = pool.get('cus.osl.activity.participation')
        participation, = Participation.search([('party', '=', anna.id)])
        self.assertIsNone(participation.note)
        self.assertEqual(
            participation.activity.name, "Klub Seniora w Łazach")
