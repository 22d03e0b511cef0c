# This file is part of the CUS back office.
import datetime as dt
import io
import unittest
import zipfile
from decimal import Decimal

from cus_base.xlsx import read_xlsx
from cus_ipus.tests.tools import create_staff_user

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .test_contract import PartnersFixture

D = dt.date


class ProgrammeReportTestCase(PartnersFixture, unittest.TestCase):
    "Test the yearly report and the final information on a programme"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    def _data(self):
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Report = pool.get('cus.programme.report')
        fx = self._fixture()
        plan = self._plan(fx)
        care, taxi = self._orders(fx, plan)
        # 2 × 2 hours confirmed: 4 hours × 45,50 zł
        self._deliver(fx, care, [D(2021, 4, 5), D(2021, 4, 6)], quantity=2)
        # not counted: reported only, rejected, or in 2022
        self._deliver(fx, care, [D(2021, 4, 7)], confirm=False)
        rejected, = self._deliver(fx, care, [D(2021, 4, 8)], confirm=False)
        rejected.rejection_reason = "Brak potwierdzenia"
        rejected.save()
        Delivery.reject([rejected])
        self._deliver(fx, taxi, [D(2021, 7, 2)])
        report, = Report.create([{
                    'programme': fx['programme'].id,
                    'kind': 'yearly',
                    'start_date': D(2021, 1, 1),
                    'end_date': D(2021, 12, 31),
                    'conclusions': "Usługi opiekuńcze są najbardziej "
                    "potrzebne.",
                    }])
        return fx, plan, report

    def _section(self, report, key):
        section, = [s for s in report.sections() if s.key == key]
        return section

    @with_transaction()
    def test_figures(self):
        "Test the figures of the sections against known answers"
        fx, plan, report = self._data()
        persons = dict(self._section(report, 'persons').rows)
        self.assertEqual(persons["Persons using the services"], 1)
        self.assertEqual(
            persons["of whom not former social assistance clients"], 1)
        self.assertEqual(persons["Client category: Resident"], 1)
        self.assertEqual(persons["Age: 75–84"], 1)

        services = {r[1]: r for r in self._section(report, 'services').rows}
        care = services[fx['care'].rec_name]
        self.assertEqual(care[3:6], (1, 1000, 4))
        self.assertEqual(care[7], Decimal('182.00'))
        taxi = services[fx['taxi'].rec_name]
        self.assertEqual((taxi[3], taxi[5], taxi[7]), (1, 1, Decimal('30.00')))
        handyman = services[fx['handyman'].rec_name]
        self.assertEqual((handyman[3], handyman[5]), (0, 0))

        plans = dict(self._section(report, 'plans').rows)
        self.assertEqual(plans["Plans drawn up"], 1)
        self.assertEqual(plans["Plan updates"], 0)
        self.assertEqual(plans["Persons with a plan in force"], 1)
        self.assertEqual(plans["Plans closed"], 0)

        providers = self._section(report, 'providers').rows
        self.assertEqual(len(providers), 1)
        name, _, contracts, persons_, quantity, value = providers[0]
        self.assertEqual(name, fx['provider'].rec_name)
        self.assertEqual((contracts, persons_, quantity), (1, 1, 5))
        self.assertEqual(value, Decimal('212.00'))

        # The indicators by quarter and for the year, as the dashboard
        indicators = self._section(report, 'indicators')
        self.assertEqual(
            [c for c, _ in indicators.columns[1:]],
            ["Q1 2021", "Q2 2021", "Q3 2021", "Q4 2021", "Whole period"])
        rows = {r[0]: r[1:] for r in indicators.rows}
        self.assertEqual(rows["Persons using services"],
            (0, 1, 1, 0, 1))
        self.assertEqual(rows["Individual plans (IPUS)"], (0, 1, 1, 1, 1))

        # No questionnaire sent: the five survey indicators without answers
        surveys = self._section(report, 'surveys').rows
        self.assertEqual(len(surveys), 5)
        self.assertEqual({r[1:] for r in surveys}, {(None, 0, 0, None)})

        # Another year has none of it
        report.start_date, report.end_date = D(2022, 1, 1), D(2022, 12, 31)
        self.assertEqual(
            dict(self._section(report, 'persons').rows)[
                "Persons using the services"], 0)

    @with_transaction()
    def test_period_from_programme(self):
        "Test the period is filled from the programme and the kind"
        pool = Pool()
        Report = pool.get('cus.programme.report')
        fx = self._fixture()
        report = Report(programme=fx['programme'], kind='final',
            date=D(2024, 2, 1))
        report.on_change_programme()
        self.assertEqual(
            (report.start_date, report.end_date),
            (fx['programme'].start_date, fx['programme'].end_date))
        report.kind = 'yearly'
        report.on_change_kind()
        self.assertEqual(
            (report.start_date, report.end_date),
            (D(2023, 1, 1), D(2023, 12, 31)))

    @with_transaction()
    def test_documents(self):
        "Test the ODT document and the XLSX annexes carry the figures"
        pool = Pool()
        Document = pool.get('cus_partners.report_programme', type='report')
        Annexes = pool.get(
            'cus_partners.report_programme_annexes', type='report')
        fx, plan, report = self._data()
        director = create_staff_user(
            'dyr', 'group_cus_director', fx['company'])
        with Transaction().set_context(company=fx['company'].id), \
                Transaction().set_user(director.id):
            extension, content, _, _ = Document.execute([report.id], {})
            annexes = Annexes.execute([report.id], {})
        self.assertEqual(extension, 'odt')
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = archive.read('content.xml').decode('utf-8')
        for text in ["Przebieg realizacji programu", "Skuteczność",
                fx['care'].rec_name, "182,00", "Usługi opiekuńcze są "
                "najbardziej potrzebne.", "PUS"]:
            self.assertIn(text, xml)

        extension, content, _, _ = annexes
        self.assertEqual(extension, 'xlsx')
        sheets = read_xlsx(content)
        self.assertEqual(list(sheets), [
                "Persons", "Services delivered", "Individual plans",
                "Budget execution", "Providers", "Indicators",
                "Satisfaction surveys"])
        services = sheets["Services delivered"]
        care, = [r for r in services if r[1] == fx['care'].rec_name]
        self.assertEqual(care[5], Decimal(4))
        self.assertEqual(care[7], Decimal('182.00'))

    @with_transaction()
    def test_roles(self):
        "Test the director writes reports, finance reads, others refused"
        pool = Pool()
        Report = pool.get('cus.programme.report')
        fx, plan, report = self._data()
        company = fx['company']
        director = create_staff_user('dyr', 'group_cus_director', company)
        finance = create_staff_user('fin', 'group_cus_finance', company)
        coordinator = create_staff_user(
            'koo', 'group_cus_coordinator', company)
        community = create_staff_user('osl', 'group_cus_community', company)
        with Transaction().set_user(director.id), check_access():
            Report.write([Report(report.id)], {'summary': "Dobrze."})
            Report.do([Report(report.id)])
        with Transaction().set_user(finance.id), check_access():
            self.assertEqual(Report.search([], count=True), 1)
            with self.assertRaises(AccessError):
                Report.write([Report(report.id)], {'summary': "Źle."})
        for user in [coordinator, community]:
            with Transaction().set_user(user.id), check_access():
                with self.assertRaises(AccessError):
                    Report.search([])
        # A done report is kept
        with self.assertRaises(AccessError):
            Report.delete([Report(report.id)])


class ProgrammeReportOslTestCase(unittest.TestCase):
    "Test the community work in the programme report (with cus_osl)"

    @classmethod
    def setUpClass(cls):
        activate_module(['cus_partners', 'cus_osl'])

    @with_transaction()
    def test_community_section(self):
        "Test the done community activities by community and area"
        from cus_ipus.tests.tools import create_ipus_fixture
        from cus_osl.tests.tools import (
            create_activity, create_osl_fixture, run_plan)
        pool = Pool()
        Report = pool.get('cus.programme.report')
        fx = create_ipus_fixture()
        osl = create_osl_fixture(company=fx['company'])
        plan = run_plan(osl['plan'])
        create_activity(plan, "Spacer po osiedlu", osl['wzgorze'],
            quarters=['2021-Q2'], state='done', done_date=D(2021, 5, 10),
            participants=12)
        create_activity(plan, "Piknik", osl['wzgorze'],
            quarters=['2021-Q3'], state='done', done_date=D(2021, 8, 20),
            participants=40)
        create_activity(plan, "Kampania", None, area='networking',
            quarters=['2021-Q2'], state='done', done_date=D(2021, 6, 1),
            participants=5)
        create_activity(plan, "Festyn 2022", osl['ostrowiecka'],
            quarters=['2022-Q2'], state='done', done_date=D(2022, 5, 1),
            participants=99)
        create_activity(plan, "Zaplanowane", osl['seniors'],
            quarters=['2021-Q4'])
        report, = Report.create([{
                    'programme': fx['programme'].id, 'kind': 'yearly',
                    'start_date': D(2021, 1, 1), 'end_date': D(2021, 12, 31),
                    }])
        section, = [s for s in report.sections() if s.key == 'community']
        rows = {(r[0], r[1]): r[2:] for r in section.rows}
        self.assertEqual(rows[("Wzgórze", "Animation")], (2, 52))
        self.assertEqual(rows[("City-wide", "Networking")], (1, 5))
        self.assertEqual(len(rows), 3)
        # The supporting activities are among the indicators too
        indicators, = [
            s for s in report.sections() if s.key == 'indicators']
        figures = {r[0]: r[-1] for r in indicators.rows}
        self.assertEqual(
            figures["Supporting activities (community work)"], 3)
