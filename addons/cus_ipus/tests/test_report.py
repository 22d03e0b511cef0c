# This file is part of the CUS back office.
import datetime as dt
import io
import shutil
import unittest
import zipfile
from decimal import Decimal

from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from cus_ipus.report import (
    NBSP, format_date, format_money, format_number, format_period,
    selection_label)

from cus_base.tests.tools import as_user

from .tools import create_ipus_fixture, create_staff_user

D = dt.date
SOFFICE = shutil.which('soffice') or shutil.which('libreoffice')

SCHEDULES = [
    "6 godzin tygodniowo",
    "2 przejazdy w miesiącu, max. 6 przejazdów w roku",
    "4 usługi w roku po max 2 godziny",
    ]


def odt_content(report_name, ids):
    "Execute the report and return its content.xml as text"
    Report = Pool().get(report_name, type='report')
    ext, content, _, name = Report.execute(ids, {})
    assert ext == 'odt', ext
    with zipfile.ZipFile(io.BytesIO(content)) as odt:
        assert odt.read('mimetype') == (
            b'application/vnd.oasis.opendocument.text')
        return odt.read('content.xml').decode('utf-8')


class ReportTestCase(unittest.TestCase):
    "Test the Polish printouts: needs diagnosis, IPUS and service card"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_ipus')

    def _fixture(self):
        "The annex fixture with the contact data that the printouts show"
        pool = Pool()
        Party = pool.get('party.party')
        fx = create_ipus_fixture()
        Party.write([fx['company'].party], {
                'name': "Centrum Usług Społecznych w Starachowicach",
                'addresses': [('create', [{
                                'street': "ul. Majówka 21 a",
                                'postal_code': "27-200",
                                'city': "Starachowice"}])],
                'contact_mechanisms': [('create', [
                            {'type': 'phone', 'value': "41 275 00 00"},
                            {'type': 'email', 'value': "cus@example.pl"}])],
                })
        Party.write([fx['client']], {
                'addresses': [('create', [{
                                'street': "ul. Kościelna 5/3",
                                'postal_code': "27-200",
                                'city': "Starachowice"}])],
                'contact_mechanisms': [('create', [
                            {'type': 'phone', 'value': "600 100 200"}])],
                })
        Party.write([fx['coordinator'].party], {
                'contact_mechanisms': [('create', [
                            {'type': 'phone', 'value': "41 275 00 12"}])],
                })
        fx['provider'], = Party.create([{
                    'name': "Spółdzielnia Socjalna Pomocna Dłoń",
                    'addresses': [('create', [{
                                    'street': "ul. Radomska 7",
                                    'postal_code': "27-200",
                                    'city': "Starachowice"}])],
                    'contact_mechanisms': [('create', [
                                {'type': 'phone', 'value': "41 274 11 22"},
                                {'type': 'email',
                                    'value': "biuro@pomocnadlon.pl"}])],
                    }])
        pool.get('cus.service').write([fx['care']], {
                'availability_days': ['mon', 'tue', 'wed', 'thu', 'fri'],
                'availability_from': dt.time(7, 0),
                'availability_to': dt.time(19, 30),
                'rules': "Regulamin usług opiekuńczych.",
                })
        pool.get('cus.service').write([fx['taxi']], {
                'fee_type': 'co_paid',
                'fee_amount': Decimal('1234.5'),
                'quota_note': "Kurs to przejazd tam i z powrotem "
                "tego samego dnia.",
                })
        # The plan coordinator prints; the administrator sees no plan.
        fx['user'] = create_staff_user(
            'kipus', 'group_cus_coordinator', fx['company'],
            fx['coordinator'])
        return fx

    def _plan(self, fx, approve=True):
        "The sample plan of annex 2"
        Ipus = Pool().get('cus.ipus')
        plan, = Ipus.create([{
                    'client': fx['client'].id,
                    'coordinator': fx['coordinator'].id,
                    'diagnosis_date': D(2021, 3, 15),
                    'drawn_up_date': D(2021, 3, 25),
                    'valid_from': D(2021, 4, 1),
                    'valid_to': D(2021, 12, 31),
                    'expected_effects': "Samodzielne życie w domu.\n"
                    "Wyjście z izolacji.",
                    'check_frequency': 'quarterly',
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'provider': fx['provider'].id,
                                    'start_date': D(2021, 4, 1),
                                    'end_date': D(2021, 12, 31),
                                    'per_week': 6, 'quantity': 234,
                                    'schedule': SCHEDULES[0],
                                    'scope': "Pomoc w zaspokajaniu "
                                    "codziennych potrzeb życiowych.\n"
                                    "Opieka higieniczna.",
                                    'place': "Miejsce zamieszkania",
                                    }, {
                                    'service': fx['taxi'].id,
                                    'start_date': D(2021, 7, 1),
                                    'end_date': D(2021, 12, 31),
                                    'per_month': 2, 'per_year': 6,
                                    'quantity': 6,
                                    'schedule': SCHEDULES[1],
                                    'scope': "Kurs z miejsca zamieszkania "
                                    "do miejsca docelowego oraz kurs z "
                                    "miejsca docelowego do miejsca "
                                    "zamieszkania w ciągu jednego dnia",
                                    'place': "Teren miasta Starachowice",
                                    }, {
                                    'service': fx['handyman'].id,
                                    'start_date': D(2021, 5, 1),
                                    'end_date': D(2021, 12, 20),
                                    'per_year': 4, 'unit_duration': 2,
                                    'quantity': 4,
                                    'schedule': SCHEDULES[2],
                                    'scope': "Drobne naprawy, konserwacje "
                                    "– bez zakupu materiałów",
                                    'place': "Miejsce zamieszkania",
                                    }])],
                    }])
        if approve:
            Ipus.approve([plan])
        return plan

    def test_formats(self):
        "Test the Polish formats of the printouts"
        self.assertEqual(format_date(D(2021, 4, 1)), '01.04.2021')
        self.assertEqual(format_date(None), '')
        self.assertEqual(
            format_period(D(2021, 4, 1), D(2021, 12, 31)), '04-12.2021')
        self.assertEqual(
            format_period(D(2021, 7, 1), D(2021, 7, 31)), '07.2021')
        self.assertEqual(
            format_period(D(2021, 10, 1), D(2022, 3, 31)),
            '10.2021–03.2022')
        self.assertEqual(
            format_period(D(2021, 5, 1), D(2021, 12, 20)),
            '01.05.2021–20.12.2021')
        self.assertEqual(
            format_money(Decimal('1234.5')), f'1{NBSP}234,50{NBSP}zł')
        self.assertEqual(format_money(Decimal('7')), f'7,00{NBSP}zł')
        self.assertEqual(
            format_money(Decimal('1087960')),
            f'1{NBSP}087{NBSP}960,00{NBSP}zł')
        self.assertEqual(format_number(234.0), '234')
        self.assertEqual(format_number(2.5), '2,5')
        self.assertEqual(format_number(None), '')

    @with_transaction()
    def test_needs_assessment(self):
        "Test the printout of the needs diagnosis"
        pool = Pool()
        Assessment = pool.get('cus.needs.assessment')
        fx = self._fixture()
        with set_company(fx['company']):
            assessment, = Assessment.create([{
                        'client': fx['client'].id,
                        'coordinator': fx['coordinator'].id,
                        'date': D(2021, 3, 15),
                        'place': 'home',
                        'name': "Stanisław Wójcik",
                        'pesel': fx['client'].pesel,
                        'birth_date': D(1941, 3, 12),
                        'address': "ul. Kościelna 5/3\n27-200 Starachowice",
                        'phone': "600 100 200",
                        'occupation': "Ślusarz",
                        'employment_situation': 'retired',
                        'marital_status': 'widowed',
                        'family_size': 1,
                        'disability_degree': 'moderate',
                        'disability': "Ograniczona sprawność ruchowa",
                        'health': "Nadciśnienie.\nPo udarze (2019).",
                        'problems': "Samotność, trudności z zakupami",
                        'needs': "Pomoc w codziennych czynnościach",
                        'readiness': 'ready',
                        'fee_information_given': True,
                        'lines': [('create', [{
                                        'kind': 'used',
                                        'description': "Posiłki z MOPS",
                                        'quantity': 5,
                                        'frequency': "w dni robocze",
                                        }, {
                                        'kind': 'wanted',
                                        'service': fx['care'].id,
                                        'unit': fx['care'].unit.id,
                                        'quantity': 6,
                                        'frequency': "tygodniowo",
                                        }, {
                                        'kind': 'wanted',
                                        'service': fx['taxi'].id,
                                        'unit': fx['taxi'].unit.id,
                                        'quantity': 2,
                                        'frequency': "w miesiącu",
                                        }])],
                        }])
        with as_user(fx['user']):
            content = odt_content(
                'cus_ipus.report_needs_assessment', [assessment.id])
        for text in [
                "INDYWIDUALNA DIAGNOZA POTRZEB",
                "Centrum Usług Społecznych w Starachowicach",
                "Stanisław Wójcik", fx['client'].pesel,
                "12.03.1941", "15.03.2021",
                "ul. Kościelna 5/3, 27-200 Starachowice",
                "600 100 200", "Ślusarz",
                selection_label(assessment, 'employment_situation'),
                selection_label(assessment, 'marital_status'),
                selection_label(assessment, 'disability_degree'),
                selection_label(assessment, 'readiness'),
                selection_label(assessment, 'place'),
                "Nadciśnienie.", "Po udarze (2019).",
                "Samotność, trudności z zakupami",
                "Pomoc w codziennych czynnościach",
                "RODZAJ USŁUG, Z KTÓRYCH KORZYSTA",
                "RODZAJ USŁUG, Z KTÓRYCH CHCIAŁBY SKORZYSTAĆ",
                "Jednostka miary", "Częstotliwość",
                "Posiłki z MOPS", "w dni robocze",
                "Usługi opiekuńcze", fx['care'].unit.name, "tygodniowo",
                "Taksówka dla seniora", "w miesiącu",
                "stanowi jednocześnie wniosek klienta",
                "data, podpis klienta", "data, podpis koordynatora",
                "Anna Koordynator",
                ]:
            self.assertIn(text, content)
        # Labels, not the stored values
        self.assertNotIn('>widowed<', content)
        # Every field of the template was replaced
        self.assertNotIn('text:placeholder', content)

    @with_transaction()
    def test_ipus(self):
        "Test the IPUS is printed as annex 2"
        fx = self._fixture()
        with set_company(fx['company']):
            plan = self._plan(fx)
        with as_user(fx['user']):
            content = odt_content('cus_ipus.report_ipus', [plan.id])
        for text in [
                "INDYWIDUALNY PLAN USŁUG SPOŁECZNYCH NR " + plan.number,
                "SPORZĄDZANY NA PODSTAWIE INDYWIDUALNEJ DIAGNOZY POTRZEB",
                "PRZEPROWADZONEJ W DNIU 15.03.2021",
                "Stanowiący kontrakt między stronami w zakresie usług "
                "społecznych realizowanych przez Centrum Usług Społecznych "
                "w Starachowicach, ul. Majówka 21 a, 27-200 Starachowice.",
                "IMIĘ I NAZWISKO UCZESTNIKA:", "Stanisław Wójcik",
                "ADRES, NUMER TELEFONU UCZESTNIKA:",
                "ul. Kościelna 5/3, 27-200 Starachowice, tel. 600 100 200",
                "PESEL UCZESTNIKA:", fx['client'].pesel,
                "IMIĘ I NAZWISKO, NUMER TELEFONU KOORDYNATORA PLANU:",
                "Anna Koordynator, tel. 41 275 00 12",
                "DATA SPORZĄDZENIA/AKTUALIZACJI:", "25.03.2021",
                "TERMIN OBOWIĄZYWANIA:", "od 01.04.2021 do 31.12.2021",
                "OCZEKIWANE EFEKTY POPRAWY SYTUACJI ŻYCIOWEJ:",
                "Samodzielne życie w domu.", "Wyjście z izolacji.",
                "CZĘSTOTLIWOŚĆ KONTROLI JAKOŚCI USŁUG",
                selection_label(plan, 'check_frequency'),
                "ZAŁĄCZNIKI DO PLANU",
                "REGULAMINY POSZCZEGÓLNYCH USŁUG, REGULAMIN UCZESTNIKA, "
                "OŚWIADCZENIA",
                "Lp", "Nazwa usługi", "Okres świadczenia usługi",
                "Harmonogram świadczenia usługi",
                "Zakres świadczonej usługi", "Miejsce świadczenia usługi",
                "Usługi opiekuńcze", "Taksówka dla seniora",
                "Mobilny konserwator",
                "04-12.2021", "07-12.2021", "01.05.2021–20.12.2021",
                *SCHEDULES,
                "Opieka higieniczna.", "Teren miasta Starachowice",
                "Plan sporządzono w dwóch jednobrzmiących egzemplarzach, "
                "po jednym dla każdej ze stron.",
                "Informacje dotyczące podmiotów świadczących usługi oraz "
                "dane szczegółowe zostaną przekazane na Karcie Usług.",
                "data, Uczestnik", "data, Centrum Usług Społecznych",
                ]:
            self.assertIn(text, content)
        self.assertNotIn("Aktualizacja", content)
        self.assertNotIn('text:placeholder', content)
        # The lines in the order of the plan
        positions = [content.index(s) for s in SCHEDULES]
        self.assertEqual(positions, sorted(positions))

    @with_transaction()
    def test_ipus_update(self):
        "Test an update of a plan is printed as such"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        Date = pool.get('ir.date')
        fx = self._fixture()
        with set_company(fx['company']):
            plan = self._plan(fx)
            update = plan.make_update("Pogorszenie stanu zdrowia")
            Ipus.approve([update])
        with as_user(fx['user']):
            content = odt_content('cus_ipus.report_ipus', [update.id])
        self.assertIn(
            "INDYWIDUALNY PLAN USŁUG SPOŁECZNYCH NR " + plan.number, content)
        self.assertIn(
            format_date(Date.today()) + " – Aktualizacja nr 1 planu", content)

    @with_transaction()
    def test_service_card(self):
        "Test the service card gives the providers' contact data"
        fx = self._fixture()
        with set_company(fx['company']):
            plan = self._plan(fx)
        with as_user(fx['user']):
            content = odt_content('cus_ipus.report_service_card', [plan.id])
        for text in [
                "KARTA USŁUG",
                "DO INDYWIDUALNEGO PLANU USŁUG SPOŁECZNYCH NR " + plan.number,
                "Stanisław Wójcik", fx['client'].pesel,
                "Anna Koordynator, tel. 41 275 00 12",
                "od 01.04.2021 do 31.12.2021",
                # The care line's provider
                "Spółdzielnia Socjalna Pomocna Dłoń",
                "ul. Radomska 7, 27-200 Starachowice",
                "41 274 11 22", "biuro@pomocnadlon.pl",
                "Regulamin usług opiekuńczych.",
                # The lines without provider are delivered by the CUS
                "41 275 00 00", "cus@example.pl",
                "01.07.2021–31.12.2021",
                *SCHEDULES,
                "Miejsce zamieszkania", "Teren miasta Starachowice",
                "Usługa bezpłatna",
                "Usługa częściowo odpłatna: 1\u00a0234,50\u00a0zł",
                "Kurs to przejazd tam i z powrotem tego samego dnia.",
                "data, Centrum Usług Społecznych",
                ]:
            self.assertIn(text, content)
        self.assertNotIn('text:placeholder', content)
        # The days in the week's order, as a range
        days = dict(Pool().get('cus.service').fields_get(
                ['availability_days'])['availability_days']['selection'])
        self.assertIn(
            f"{days['mon']}–{days['fri']}, godz. 7:00–19:30", content)

    @with_transaction()
    def test_print_access(self):
        "Test only those who may read a plan print it"
        fx = self._fixture()
        with set_company(fx['company']):
            plan = self._plan(fx, approve=False)
        other = create_staff_user(
            'kipus2', 'group_cus_coordinator', fx['company'],
            fx['other_coordinator'])
        finance = create_staff_user(
            'finanse', 'group_cus_finance', fx['company'])
        with as_user(fx['user']):
            content = odt_content('cus_ipus.report_ipus', [plan.id])
        self.assertIn("Stanisław Wójcik", content)
        for user in [other, finance]:
            with as_user(user):
                for name in [
                        'cus_ipus.report_ipus',
                        'cus_ipus.report_service_card']:
                    with self.assertRaises(AccessError):
                        odt_content(name, [plan.id])

    @unittest.skipUnless(SOFFICE, "LibreOffice is not installed")
    @with_transaction()
    def test_ipus_pdf(self):
        "Test the IPUS converts to PDF with LibreOffice"
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        ModelData = pool.get('ir.model.data')
        fx = self._fixture()
        action = ActionReport(
            ModelData.get_id('cus_ipus', 'report_ipus'))
        action.extension = 'pdf'
        action.save()
        with set_company(fx['company']):
            plan = self._plan(fx)
        with as_user(fx['user']):
            Report = pool.get('cus_ipus.report_ipus', type='report')
            ext, content, _, _ = Report.execute([plan.id], {})
        self.assertEqual(ext, 'pdf')
        self.assertTrue(bytes(content).startswith(b'%PDF'))

