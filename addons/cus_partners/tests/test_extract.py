# This file is part of the CUS back office.
import csv
import datetime as dt
import hashlib
import hmac
import io
import re
import unittest
import zipfile
from decimal import Decimal

from cus_base.tests.tools import rolled_back_on_error, valid_pesel
from cus_base.xlsx import read_xlsx
from cus_ipus.tests.tools import create_ipus_fixture, create_staff_user

from trytond import config
from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.modules.company.tests import create_employee, set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from ..extract import (
    COLUMN_CODES, PseudonymKeyError, age_band, age_band_labels)

D = dt.date
START, END = D(2021, 1, 1), D(2021, 12, 31)
EXCEL_EPOCH = D(1899, 12, 30)

# The people of the hand-built set, with everything that must not leak
PEOPLE = {
    'a': {
        'name': "Zdzisława Pruszczyńska-Wielgosz",
        'birth_date': D(1941, 3, 12), 'female': True, 'serial': 417,
        'client_category': 'resident', 'former_ops_client': True,
        'street': "ul. Osobliwa 17 m. 3", 'city': "Zawichost-Górny",
        'postal_code': "27-299", 'phone': "+48 601 234 567",
        'email': "zdzislawa.pruszczynska@example.org",
        'health_condition': "Przewlekła niewydolność serca TAJNE-ZDROWIE",
        'problems': "Samotność po śmierci męża TAJNY-PROBLEM",
        'disability_description': "Niedosłuch OPIS-NIEPELNOSPRAWNOSCI",
        'occupation': "Emerytowana szwaczka UNIKAT-ZAWOD",
        },
    'b': {
        'name': "Kacper Żółtowąs-Brzęczyszczykiewicz",
        # No PESEL: a child registered with the birth date only
        'birth_date': D(2005, 6, 30), 'sex': 'male', 'pesel': False,
        'client_category': 'hybrid', 'former_ops_client': False,
        'street': "ul. Kręta 5", 'city': "Bodzentyn-Dolny",
        'postal_code': "26-010", 'phone': "+48 512 987 654",
        'email': "kacper.zoltowas@example.net",
        'health_condition': "Astma oskrzelowa ZDROWIE-DZIECKA",
        'problems': "Trudności szkolne PROBLEM-SZKOLNY",
        },
    'c': {
        'name': "Bronisława Ćwierćmałek-Źdźbło",
        # 65 on the last day of the period, not 64
        'birth_date': D(1956, 12, 31), 'female': True, 'serial': 902,
        'client_category': 'social_assistance', 'former_ops_client': True,
        'street': "os. Słoneczne 44/12", 'city': "Mirzec-Kolonia",
        'postal_code': "27-220", 'phone': "+48 41 274 11 99",
        'email': "b.cwiercmalek@example.com",
        'health_condition': "Cukrzyca typu 2 CUKRZYCA-POUFNE",
        'problems': "Zadłużenie czynszowe DLUG-POUFNY",
        },
    # Outside the period: must not be in the extract at all
    'd': {
        'name': "Hieronim Pędziwiatr-Mglisty",
        'birth_date': D(1950, 1, 15), 'female': False, 'serial': 333,
        'client_category': 'resident', 'former_ops_client': False,
        'street': "ul. Mglista 9", 'city': "Pawłów-Wieś",
        'postal_code': "27-225", 'phone': "+48 690 111 222",
        'email': "h.pedziwiatr@example.org",
        'health_condition': "NIEWIDOCZNE-ZDROWIE-D",
        'problems': "NIEWIDOCZNY-PROBLEM-D",
        },
    }
COORDINATOR = "Bożydar Koordynatorski-Unikat"
FREE_TEXTS = [
    "OPIS-WNIOSKU-UNIKAT", "OPIS-JEDNORAZOWY-UNIKAT", "POTRZEBY-UNIKAT",
    "EFEKT-OCZEKIWANY-UNIKAT", "KONTROLA-UNIKAT", "ZAKRES-UNIKAT",
    "MIEJSCE-UNIKAT", "HARMONOGRAM-UNIKAT", "NOTATKA-REALIZACJI-UNIKAT",
    "POWOD-ODRZUCENIA-UNIKAT", "USTALENIA-UNIKAT", "DZIALANIE-UNIKAT",
    "PRZEBIEG-UNIKAT", "POWOD-AKTUALIZACJI-UNIKAT", "NOTATKA-B-UNIKAT",
    "UWAGI-POZYCJI-UNIKAT", "SKIEROWANIE-KIERUNKI-UNIKAT",
    "ODPOWIEDZ-ANKIETY-UNIKAT",
    ]


def expected_pseudonym(key, pesel=None, party_id=None):
    message = f'pesel:{pesel}' if pesel else f'party:{party_id}'
    return 'K-' + hmac.new(key.encode(), message.encode(),
        hashlib.sha256).hexdigest().upper()[:16]


class ExtractTestCase(unittest.TestCase):
    "Test the pseudonymised extract for the external evaluator"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    # The hand-built set

    def _people(self, fx):
        pool = Pool()
        Party = pool.get('party.party')
        people = {}
        for code, person in PEOPLE.items():
            values = {
                'name': person['name'], 'cus_client': True,
                'client_category': person['client_category'],
                'former_ops_client': person['former_ops_client'],
                'health_condition': person['health_condition'],
                'problems': person['problems'],
                'disability_description': person.get(
                    'disability_description'),
                'occupation': person.get('occupation'),
                'addresses': [('create', [{
                                'street_unstructured': person['street'],
                                'city': person['city'],
                                'postal_code': person['postal_code'],
                                }])],
                'contact_mechanisms': [('create', [
                            {'type': 'phone', 'value': person['phone']},
                            {'type': 'email', 'value': person['email']},
                            ])],
                }
            if person.get('pesel', True):
                values['pesel'] = valid_pesel(person['birth_date'],
                    serial=person['serial'], female=person['female'])
            else:
                values['birth_date'] = person['birth_date']
                values['sex'] = person['sex']
            party, = Party.create([values])
            people[code] = party
        return people

    def _fixture(self):
        """Three clients in 2021: an IPUS with care and taxi, closed with
        its outcome and monitored; a one-off loan; a plan updated once (the
        update grants more). A fourth client only in 2022."""
        pool = Pool()
        Application = pool.get('cus.application')
        Ipus = pool.get('cus.ipus')
        Delivery = pool.get('cus.service.delivery')
        Monitoring = pool.get('cus.ipus.monitoring')
        Survey = pool.get('cus.survey')
        Response = pool.get('cus.survey.response')
        Answer = pool.get('cus.survey.answer')
        fx = create_ipus_fixture()
        people = self._people(fx)
        fx['people'] = people
        coordinator = create_employee(fx['company'], COORDINATOR)
        fx['coordinator_party'] = coordinator.party

        def deliver(line, date, quantity, state='confirmed', **values):
            origin = ({'line': line.id} if line.__name__ == 'cus.ipus.line'
                else {'application_line': line.id})
            client = (line.plan.client if line.__name__ == 'cus.ipus.line'
                else line.application.client)
            delivery, = Delivery.create([dict(origin,
                        client=client.id, service=line.service.id,
                        date=date, quantity=quantity, **values)])
            if state == 'confirmed':
                Delivery.confirm([delivery])
            elif state == 'rejected':
                Delivery.write([delivery], {
                        'rejection_reason': "POWOD-ODRZUCENIA-UNIKAT"})
                Delivery.reject([delivery])
            return delivery

        # A: an application on the IPUS path, the plan, deliveries,
        # monitoring and the closing
        application, = Application.create([{
                    'client': people['a'].id,
                    'application_date': D(2021, 3, 10),
                    'path': 'ipus',
                    'declaration_conditions': True,
                    'description': "OPIS-WNIOSKU-UNIKAT",
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'quantity': 1,
                                    'notes': "UWAGI-POZYCJI-UNIKAT"}])],
                    }])
        Application.submit([application])
        Application.qualify([application])
        with set_company(fx['company']):
            plan_a, = Ipus.create([{
                        'client': people['a'].id,
                        'application': application.id,
                        'coordinator': coordinator.id,
                        'drawn_up_date': D(2021, 3, 20),
                        'valid_from': D(2021, 4, 1),
                        'valid_to': D(2021, 12, 31),
                        'needs': "POTRZEBY-UNIKAT",
                        'expected_effects': "EFEKT-OCZEKIWANY-UNIKAT",
                        'check_notes': "KONTROLA-UNIKAT",
                        'osl_directions': "SKIEROWANIE-KIERUNKI-UNIKAT",
                        'lines': [('create', [{
                                        'service': fx['care'].id,
                                        'start_date': D(2021, 4, 1),
                                        'end_date': D(2021, 12, 31),
                                        'per_week': 6, 'quantity': 234,
                                        'scope': "ZAKRES-UNIKAT",
                                        'place': "MIEJSCE-UNIKAT",
                                        'schedule': "HARMONOGRAM-UNIKAT",
                                        }, {
                                        'service': fx['taxi'].id,
                                        'start_date': D(2021, 4, 1),
                                        'end_date': D(2021, 12, 31),
                                        'per_month': 2, 'quantity': 6,
                                        }])],
                        }])
            Ipus.approve([plan_a])
            Ipus.run([plan_a])
        care, taxi = plan_a.lines
        deliver(care, D(2021, 4, 5), 2,
            notes="NOTATKA-REALIZACJI-UNIKAT")
        deliver(care, D(2021, 4, 12), 2)
        deliver(care, D(2021, 5, 10), 3)
        deliver(care, D(2021, 6, 1), 5, state='reported')
        deliver(care, D(2021, 6, 2), 4, state='rejected')
        deliver(taxi, D(2021, 4, 20), 1)
        Monitoring.create([{
                    'plan': plan_a.id, 'date': D(2021, 5, 15),
                    'kind': 'visit', 'satisfaction': 4,
                    'findings': "USTALENIA-UNIKAT",
                    'action': "DZIALANIE-UNIKAT",
                    }, {
                    'plan': plan_a.id, 'date': D(2021, 7, 1),
                    'kind': 'phone', 'satisfaction': 5,
                    }, {
                    'plan': plan_a.id, 'date': D(2021, 8, 2),
                    'kind': 'phone',
                    }])
        # A questionnaire answered on paper in October
        survey, = Survey.create([{
                    'name': "Ankieta zadowolenia klienta",
                    'sending': 'periodic', 'period_months': 6,
                    'questions': [('create', [{
                                    'text': "Jak ocenia Pan/Pani usługi?",
                                    'kind': 'scale',
                                    'dimension': 'satisfaction',
                                    }, {
                                    'text': "Czy usługi były na czas?",
                                    'kind': 'scale',
                                    'dimension': 'timeliness',
                                    }, {
                                    'text': "Jak ocenia Pan/Pani opiekunów?",
                                    'kind': 'scale', 'required': False,
                                    'dimension': 'competence',
                                    }, {
                                    'text': "Co możemy poprawić?",
                                    'kind': 'text', 'required': False,
                                    }])],
                    }])
        response, = Survey.send_to(survey, [plan_a], date=D(2021, 10, 1))
        for answer in response.answers:
            value = {1: 5, 2: 3}.get(answer.sequence)
            if value:
                Answer.write([answer], {'scale': value})
            elif answer.question.kind == 'text':
                Answer.write([answer], {'text': "ODPOWIEDZ-ANKIETY-UNIKAT"})
        Response.write([response], {'answered_date': D(2021, 10, 5)})
        Response.record_paper([Response(response.id)])
        Ipus.write([plan_a], {
                'summary_date': D(2021, 12, 20),
                'course_and_results': "PRZEBIEG-UNIKAT",
                'outcome': 'achieved',
                })
        Ipus.close([plan_a])

        # B: a one-off loan, without a plan
        one_off, = Application.create([{
                    'client': people['b'].id,
                    'application_date': D(2021, 9, 1),
                    'path': 'one_off',
                    'declaration_conditions': True,
                    'description': "OPIS-JEDNORAZOWY-UNIKAT",
                    'lines': [('create', [{
                                    'service': fx['one_off'].id,
                                    'quantity': 1}])],
                    }])
        Application.submit([one_off])
        Application.qualify([one_off])
        loan, = one_off.lines
        self.assertEqual(loan.state, 'granted')
        deliver(loan, D(2021, 9, 9), 1, notes="NOTATKA-B-UNIKAT")

        # C: a plan updated once; the update grants 3 visits instead of 2
        with set_company(fx['company']):
            plan_c, = Ipus.create([{
                        'client': people['c'].id,
                        'coordinator': coordinator.id,
                        'drawn_up_date': D(2021, 1, 20),
                        'valid_from': D(2021, 2, 1),
                        'valid_to': D(2021, 12, 31),
                        'expected_effects': "EFEKT-OCZEKIWANY-UNIKAT",
                        'lines': [('create', [{
                                        'service': fx['handyman'].id,
                                        'start_date': D(2021, 2, 1),
                                        'end_date': D(2021, 12, 31),
                                        'unit_duration': 2, 'quantity': 2,
                                        }])],
                        }])
            Ipus.approve([plan_c])
        deliver(plan_c.lines[0], D(2021, 3, 3), 1)
        with set_company(fx['company']):
            update = plan_c.make_update("POWOD-AKTUALIZACJI-UNIKAT")
            IpusLine = pool.get('cus.ipus.line')
            IpusLine.write(list(update.lines), {'quantity': 3})
            Ipus.approve([update])
        update = Ipus(update.id)
        self.assertEqual(update.state, 'approved')
        self.assertEqual(Ipus(plan_c.id).state, 'superseded')
        deliver(update.lines[0], D(2021, 10, 10), 1)

        # D: only in 2022
        with set_company(fx['company']):
            plan_d, = Ipus.create([{
                        'client': people['d'].id,
                        'coordinator': coordinator.id,
                        'drawn_up_date': D(2022, 1, 20),
                        'valid_from': D(2022, 2, 1),
                        'valid_to': D(2022, 6, 30),
                        'expected_effects': "EFEKT-OCZEKIWANY-UNIKAT",
                        'lines': [('create', [{
                                        'service': fx['taxi'].id,
                                        'start_date': D(2022, 2, 1),
                                        'end_date': D(2022, 6, 30),
                                        'per_month': 1, 'quantity': 5,
                                        }])],
                        }])
            Ipus.approve([plan_d])
        deliver(plan_d.lines[0], D(2022, 3, 1), 1)

        fx['plans'] = {'a': plan_a, 'c': plan_c, 'c2': update, 'd': plan_d}
        fx['applications'] = [application, one_off]
        return fx

    def _users(self, fx):
        company = fx['company']
        return {
            'director': create_staff_user(
                'dyr', 'group_cus_director', company),
            'organiser': create_staff_user(
                'ous', 'group_cus_organiser', company),
            'coordinator': create_staff_user(
                'kipus', 'group_cus_coordinator', company,
                fx['coordinator']),
            'community': create_staff_user(
                'osl', 'group_cus_community', company),
            'finance': create_staff_user(
                'fin', 'group_cus_finance', company),
            'admin': create_staff_user(
                'adm', 'group_cus_admin', company),
            }

    def _polish(self):
        Lang = Pool().get('ir.lang')
        polish, = Lang.search([('code', '=', 'pl')])
        Lang.load_translations([polish])
        return Transaction().set_context(language='pl')

    # Running the extract

    def _run_wizard(self, user, start=START, end=END, file_format='xlsx'):
        "The wizard then the report, as the user through RPC would"
        pool = Pool()
        Wizard = pool.get('cus.evaluator.extract', type='wizard')
        Report = pool.get(
            'cus_partners.report_evaluator_extract', type='report')
        with Transaction().set_user(user.id), check_access():
            session_id, _, _ = Wizard.create()
            result = Wizard.execute(session_id, {
                    'start': {
                        'start_date': start, 'end_date': end,
                        'file_format': file_format,
                        },
                    }, 'prepare')
            Wizard.delete(session_id)
            (action, data), = result['actions']
            self.assertEqual(
                action['report_name'],
                'cus_partners.report_evaluator_extract')
            oext, content, _, name = Report.execute([], dict(
                    data, action_id=action['id']))
        return oext, bytes(content), name

    def _extract(self, start=START, end=END, file_format='xlsx'):
        "The report as root (the key must exist)"
        Report = Pool().get(
            'cus_partners.report_evaluator_extract', type='report')
        with Transaction().set_user(0):
            oext, content, _, _ = Report.execute([], {
                    'start_date': start.isoformat(),
                    'end_date': end.isoformat(),
                    'file_format': file_format})
        return oext, bytes(content)

    def _xlsx_table(self, content):
        sheets = read_xlsx(content)
        data, dictionary = list(sheets.values())
        header, rows = data[0], data[1:]
        return [dict(zip(header, r + [None] * (len(header) - len(r))))
            for r in rows], dictionary, header

    def _csv_table(self, content):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            files = [archive.read(n).decode('utf-8-sig') for n in names]
        data = list(csv.reader(io.StringIO(files[0]), delimiter=';'))
        dictionary = list(csv.reader(io.StringIO(files[1]), delimiter=';'))
        header, rows = data[0], data[1:]
        return [dict(zip(header, r)) for r in rows], dictionary, header, names

    def _key(self):
        Configuration = Pool().get('cus.configuration')
        return Configuration(1).pseudonym_key

    # The tests

    def test_age_band(self):
        "Test the age bands on the last day of the period"
        end = D(2021, 12, 31)
        for birth, band in [
                (D(2004, 1, 1), '0\u201317'),
                (D(2003, 12, 31), '18\u201324'),
                (D(1997, 1, 1), '18\u201324'),
                (D(1996, 12, 31), '25\u201334'),
                (D(1956, 12, 31), '65\u201374'),
                (D(1957, 1, 1), '55\u201364'),
                (D(1937, 1, 1), '75\u201384'),
                (D(1936, 12, 31), '85+'),
                (D(2022, 3, 1), '0\u201317'),
                ]:
            self.assertEqual(age_band(birth, end), band, msg=birth)
        self.assertIsNone(age_band(None, end))
        self.assertEqual(age_band_labels(), [
                '0\u201317', '18\u201324', '25\u201334', '35\u201344',
                '45\u201354', '55\u201364', '65\u201374', '75\u201384',
                '85+'])

    @with_transaction()
    def test_no_personal_data_leaks(self):
        "Test no name, PESEL, birth date, address, contact or text leaks"
        pool = Pool()
        Party = pool.get('party.party')
        fx = self._fixture()
        users = self._users(fx)
        with self._polish():
            oext, xlsx, _ = self._run_wizard(users['director'])
            self.assertEqual(oext, 'xlsx')
            oext, archive, _ = self._run_wizard(
                users['organiser'], file_format='csv')
            self.assertEqual(oext, 'zip')

        forbidden = set(FREE_TEXTS) | {COORDINATOR}
        forbidden |= set(COORDINATOR.replace('-', ' ').split())
        digits = []
        serials = set()
        for code, person in PEOPLE.items():
            party = fx['people'][code]
            forbidden.add(person['name'])
            forbidden |= {w for w in re.split(r'[\s-]+', person['name'])
                if len(w) > 3}
            for field in ['street', 'city', 'postal_code', 'phone', 'email',
                    'health_condition', 'problems', 'disability_description',
                    'occupation']:
                if person.get(field):
                    forbidden.add(person[field])
            forbidden.add(re.sub(r'\D', '', person['phone'])[-9:])
            forbidden.add(person['email'].split('@')[0])
            birth = person['birth_date']
            forbidden |= {birth.isoformat(), birth.strftime('%d.%m.%Y'),
                birth.strftime('%Y%m%d'), birth.strftime('%d%m%Y')}
            serials.add(Decimal((birth - EXCEL_EPOCH).days))
            self.assertEqual(Party(party.id).birth_date, birth)
            if party.pesel:
                forbidden.add(party.pesel)
                digits.append(party.pesel)
        # The fixture's own client and coordinator are not in the extract
        forbidden |= {fx['client'].name, fx['client'].pesel,
            "Anna Koordynator"}
        for plan in fx['plans'].values():
            forbidden.add(plan.number)
        for application in fx['applications']:
            forbidden.add(application.number)
        self.assertEqual(len(digits), 3)

        # Every byte of every part of both files, uncompressed
        texts, csv_texts = [], []
        for content, target in [(xlsx, texts), (archive, csv_texts)]:
            with zipfile.ZipFile(io.BytesIO(content)) as files:
                for name in files.namelist():
                    target.append(files.read(name).decode('utf-8-sig'))
        texts += csv_texts
        # Every cell
        cells = []
        for rows in read_xlsx(xlsx).values():
            for row in rows:
                cells.extend(row)
        table, dictionary, _, _ = self._csv_table(archive)
        for row in table:
            cells.extend(row.values())
        for row in dictionary:
            cells.extend(row)
        self.assertTrue(cells)
        cell_texts = [str(c) for c in cells if c is not None]
        for value in forbidden:
            for text in texts + cell_texts:
                self.assertNotIn(value.casefold(), text.casefold(),
                    msg=f'{value!r} leaks')
        # No 6 consecutive digits of a PESEL (its birth date part, its
        # serial...) in any value, with or without separators (the XML of
        # the spreadsheet has other numbers: widths, sizes...)
        for pesel in digits:
            windows = {pesel[i:i + 6] for i in range(len(pesel) - 5)}
            for text in cell_texts + csv_texts:
                compact = re.sub(r'[\s.\-/]', '', text)
                for window in windows:
                    self.assertNotIn(window, compact,
                        msg=f'digits of PESEL {pesel} leak')
        # No birth date as a spreadsheet date
        for cell in cells:
            if isinstance(cell, Decimal):
                self.assertNotIn(cell, serials)

    @with_transaction()
    def test_values(self):
        "Test the quantities, age bands, outcomes and satisfaction"
        fx = self._fixture()
        users = self._users(fx)
        with self._polish():
            _, xlsx, name = self._run_wizard(users['director'])
        self.assertEqual(name, "Ekstrakt dla ewaluatora")
        key = self._key()
        self.assertEqual(len(key), 64)
        int(key, 16)
        table, dictionary, header = self._xlsx_table(xlsx)
        self.assertEqual(header, COLUMN_CODES)
        people = fx['people']
        pseudonym = {
            'a': expected_pseudonym(key, pesel=people['a'].pesel),
            'b': expected_pseudonym(key, party_id=people['b'].id),
            'c': expected_pseudonym(key, pesel=people['c'].pesel),
            'd': expected_pseudonym(key, pesel=people['d'].pesel),
            }
        by_person = {}
        for row in table:
            by_person.setdefault(row['pseudonim'], []).append(row)
        # One pseudonym per person, D outside the period
        self.assertEqual(set(by_person),
            {pseudonym['a'], pseudonym['b'], pseudonym['c']})
        self.assertEqual(len(table), 4)

        a_care, a_taxi = sorted(by_person[pseudonym['a']],
            key=lambda r: r['usluga'] != fx['care'].name)
        self.assertEqual(a_care['usluga'], fx['care'].name)
        self.assertEqual(a_care['kod_uslugi'], fx['care'].code)
        self.assertEqual(a_care['grupa_wieku'], '75\u201384')
        self.assertEqual(a_care['plec'], "Kobieta")
        self.assertEqual(a_care['kategoria_klienta'], "Mieszkaniec")
        self.assertEqual(a_care['byly_klient_mops'], 1)
        self.assertEqual(a_care['sciezka'],
            "IPUS (od 3 do 12 miesięcy)")
        self.assertTrue(a_care['sprawa'].startswith('P-'))
        self.assertEqual(len(a_care['sprawa']), 14)
        self.assertEqual(a_care['sprawa'], a_taxi['sprawa'])
        self.assertEqual(a_care['stan_planu'], "Zamknięty")
        self.assertEqual(a_care['rezultat_planu'], "Cele osiągnięte")
        self.assertEqual(a_care['jednostka'], 'h')
        self.assertEqual(a_care['przyznano'], 234)
        self.assertEqual(a_care['zrealizowano'], 7)
        self.assertEqual(a_care['liczba_realizacji'], 3)
        self.assertEqual(a_care['liczba_miesiecy'], 2)
        serial = lambda d: Decimal((d - EXCEL_EPOCH).days)  # noqa: E731
        self.assertEqual(a_care['przyznano_od'], serial(D(2021, 4, 1)))
        self.assertEqual(a_care['przyznano_do'], serial(D(2021, 12, 31)))
        self.assertEqual(
            a_care['pierwsza_realizacja'], serial(D(2021, 4, 5)))
        self.assertEqual(
            a_care['ostatnia_realizacja'], serial(D(2021, 5, 10)))
        self.assertEqual(a_care['zrealizowano_narastajaco'], 7)
        self.assertEqual(a_care['zadowolenie_monitoring'], Decimal('4.5'))
        self.assertEqual(a_care['liczba_ocen_monitoring'], 2)
        # The questionnaire: all the scale answers, and per indicator
        self.assertEqual(a_care['ankieta_srednia'], 4)
        self.assertEqual(a_care['ankieta_zadowolenie'], 5)
        self.assertEqual(a_care['ankieta_terminowosc'], 3)
        self.assertIsNone(a_care['ankieta_kompetencje'])
        self.assertIsNone(a_care['ankieta_dostepnosc'])
        self.assertEqual(a_care['liczba_ankiet'], 1)
        self.assertEqual(a_taxi['ankieta_zadowolenie'], 5)
        self.assertEqual(a_taxi['przyznano'], 6)
        self.assertEqual(a_taxi['zrealizowano'], 1)
        self.assertEqual(a_taxi['jednostka'], 'kurs')
        self.assertEqual(a_taxi['zadowolenie_monitoring'], Decimal('4.5'))

        b, = by_person[pseudonym['b']]
        self.assertEqual(b['grupa_wieku'], '0\u201317')
        self.assertEqual(b['plec'], "Mężczyzna")
        self.assertEqual(b['byly_klient_mops'], 0)
        self.assertEqual(b['sciezka'], "Usługa jednorazowa")
        self.assertTrue(b['sprawa'].startswith('W-'))
        self.assertIsNone(b['stan_planu'])
        self.assertIsNone(b['rezultat_planu'])
        self.assertEqual(b['przyznano'], 1)
        self.assertEqual(b['przyznano_od'], serial(D(2021, 9, 1)))
        self.assertEqual(b['zrealizowano'], 1)
        self.assertEqual(b['pierwsza_realizacja'], serial(D(2021, 9, 9)))
        self.assertIsNone(b['zadowolenie_monitoring'])
        self.assertEqual(b['liczba_ocen_monitoring'], 0)
        self.assertIsNone(b['ankieta_srednia'])
        self.assertEqual(b['liczba_ankiet'], 0)

        # The update replaces the grant of its previous version; the
        # deliveries of both versions are one case
        c, = by_person[pseudonym['c']]
        self.assertEqual(c['grupa_wieku'], '65\u201374')
        self.assertEqual(c['stan_planu'], "Zatwierdzony")
        self.assertEqual(c['przyznano'], 3)
        self.assertEqual(c['zrealizowano'], 2)
        self.assertEqual(c['liczba_realizacji'], 2)
        self.assertEqual(c['liczba_miesiecy'], 2)
        self.assertEqual(c['pierwsza_realizacja'], serial(D(2021, 3, 3)))
        self.assertEqual(c['ostatnia_realizacja'], serial(D(2021, 10, 10)))

        # The dictionary: every column described, in Polish
        self.assertEqual(dictionary[0], ["Kolumna", "Opis", "Wartości"])
        described = {r[0]: r for r in dictionary[1:] if r}
        for code in COLUMN_CODES:
            self.assertTrue(described[code][1], msg=code)
        self.assertTrue(
            described['pseudonim'][1].startswith("Pseudonim osoby"))
        self.assertIn("Kobieta", described['plec'][2])
        self.assertIn("85+", described['grupa_wieku'][2])
        self.assertEqual(described["Liczba osób"][1], '3')
        self.assertEqual(described["Liczba wierszy danych"][1], '4')
        self.assertEqual(
            described["Okres ekstraktu"][1], "01.01.2021\u201331.12.2021")

        # A later start: the cumulative units keep what came before
        _, xlsx = self._extract(start=D(2021, 5, 1))
        table, _, _ = self._xlsx_table(xlsx)
        care, = [r for r in table if r['pseudonim'] == pseudonym['a']
            and r['kod_uslugi'] == fx['care'].code]
        self.assertEqual(care['zrealizowano'], 3)
        self.assertEqual(care['liczba_realizacji'], 1)
        self.assertEqual(care['liczba_miesiecy'], 1)
        self.assertEqual(care['pierwsza_realizacja'], serial(D(2021, 5, 10)))
        self.assertEqual(care['zrealizowano_narastajaco'], 7)
        # The taxi was granted over the period but not delivered in it
        taxi, = [r for r in table if r['pseudonim'] == pseudonym['a']
            and r['kod_uslugi'] == fx['taxi'].code]
        self.assertEqual(taxi['zrealizowano'], 0)
        self.assertIsNone(taxi['pierwsza_realizacja'])
        self.assertEqual(taxi['zrealizowano_narastajaco'], 1)
        # Satisfaction of the period only
        self.assertEqual(care['zadowolenie_monitoring'], Decimal('4.5'))
        _, xlsx = self._extract(start=D(2021, 6, 1))
        table, _, _ = self._xlsx_table(xlsx)
        care, = [r for r in table if r['pseudonim'] == pseudonym['a']
            and r['kod_uslugi'] == fx['care'].code]
        self.assertEqual(care['zadowolenie_monitoring'], 5)
        self.assertEqual(care['liczba_ocen_monitoring'], 1)
        self.assertEqual(care['ankieta_srednia'], 4)
        _, xlsx = self._extract(end=D(2021, 9, 30))
        table, _, _ = self._xlsx_table(xlsx)
        care, = [r for r in table if r['pseudonim'] == pseudonym['a']
            and r['kod_uslugi'] == fx['care'].code]
        self.assertIsNone(care['ankieta_srednia'])
        self.assertEqual(care['liczba_ankiet'], 0)

    @with_transaction()
    def test_csv(self):
        "Test the CSV files carry the same rows as the spreadsheet"
        fx = self._fixture()
        users = self._users(fx)
        with self._polish():
            _, xlsx, _ = self._run_wizard(users['director'])
            oext, archive, _ = self._run_wizard(
                users['director'], file_format='csv')
        self.assertEqual(oext, 'zip')
        table, dictionary, header, names = self._csv_table(archive)
        self.assertEqual(names, ['ekstrakt.csv', 'slownik.csv'])
        self.assertEqual(header, COLUMN_CODES)
        with zipfile.ZipFile(io.BytesIO(archive)) as files:
            self.assertTrue(files.read('ekstrakt.csv').startswith(
                    '\ufeff'.encode('utf-8')))
        xlsx_table, _, _ = self._xlsx_table(xlsx)
        self.assertEqual([r['pseudonim'] for r in table],
            [r['pseudonim'] for r in xlsx_table])
        care, = [r for r in table if r['kod_uslugi'] == fx['care'].code]
        self.assertEqual(care['przyznano'], '234')
        self.assertEqual(care['zadowolenie_monitoring'], '4,5')
        self.assertEqual(care['pierwsza_realizacja'], '2021-04-05')
        self.assertEqual(care['byly_klient_mops'], '1')
        self.assertEqual(dictionary[0], ["Kolumna", "Opis", "Wartości"])
        self.assertEqual([r[0] for r in dictionary[1:len(COLUMN_CODES) + 1]],
            COLUMN_CODES)

    @with_transaction()
    def test_pseudonyms_stable_and_keyed(self):
        "Test pseudonyms are stable between exports and change with the key"
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        fx = self._fixture()
        users = self._users(fx)
        self.assertIsNone(self._key())
        _, first, _ = self._run_wizard(users['director'])
        key = self._key()
        self.assertTrue(key)
        _, second, _ = self._run_wizard(users['organiser'])
        self.assertEqual(self._key(), key)
        first, first_dictionary, _ = self._xlsx_table(first)
        second, second_dictionary, _ = self._xlsx_table(second)
        self.assertEqual(first, second)
        persons = [r['pseudonim'] for r in first]
        cases = {r['sprawa'] for r in first}
        self.assertEqual(len(set(persons)), 3)
        for pseudonym in persons:
            self.assertRegex(pseudonym, r'^K-[0-9A-F]{16}$')
        fingerprint = first_dictionary[-2][1]
        self.assertEqual(second_dictionary[-2][1], fingerprint)

        # Another key: other pseudonyms for everyone, and another key
        # identifier
        Configuration.write([Configuration(1)], {'pseudonym_key': 'k' * 40})
        _, other = self._extract()
        other, other_dictionary, _ = self._xlsx_table(other)
        self.assertEqual(len(other), len(first))
        self.assertFalse(set(persons) & {r['pseudonim'] for r in other})
        self.assertFalse(cases & {r['sprawa'] for r in other})
        self.assertNotEqual(other_dictionary[-2][1], fingerprint)
        order = lambda r: (r['kod_uslugi'], r['przyznano'])  # noqa: E731
        for row, other_row in zip(
                sorted(first, key=order), sorted(other, key=order)):
            self.assertEqual(
                {k: v for k, v in row.items()
                    if k not in {'pseudonim', 'sprawa'}},
                {k: v for k, v in other_row.items()
                    if k not in {'pseudonim', 'sprawa'}})

        # A short key is refused
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Configuration.write(
                [Configuration(1)], {'pseudonym_key': 'short'})

    @with_transaction()
    def test_configuration_key_wins(self):
        "Test the key of the server configuration wins over the stored one"
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        fx = self._fixture()
        users = self._users(fx)
        stored = 'S' * 48
        Configuration.write([Configuration(1)], {'pseudonym_key': stored})
        server_key = 'server-side secret of the CUS, long enough'
        previous = config.get('cus', 'pseudonym_key')
        if not config.has_section('cus'):
            config.add_section('cus')
        try:
            config.set('cus', 'pseudonym_key', server_key)
            _, content, _ = self._run_wizard(users['director'])
            config.set('cus', 'pseudonym_key', 'too short')
            with self.assertRaises(PseudonymKeyError):
                self._extract()
        finally:
            # set clears the cache of the values, remove_section does not
            config.set('cus', 'pseudonym_key', previous or '')
        table, _, _ = self._xlsx_table(content)
        a = fx['people']['a']
        self.assertIn(expected_pseudonym(server_key, pesel=a.pesel),
            {r['pseudonim'] for r in table})
        self.assertNotIn(expected_pseudonym(stored, pesel=a.pesel),
            {r['pseudonim'] for r in table})
        self.assertEqual(self._key(), stored)
        # Copying the stored key into the configuration keeps the
        # pseudonyms
        _, content = self._extract()
        table, _, _ = self._xlsx_table(content)
        self.assertIn(expected_pseudonym(stored, pesel=a.pesel),
            {r['pseudonim'] for r in table})

    @with_transaction()
    def test_roles(self):
        "Test only the director and the organiser make the extract"
        pool = Pool()
        Report = pool.get(
            'cus_partners.report_evaluator_extract', type='report')
        ModelData = pool.get('ir.model.data')
        Configuration = pool.get('cus.configuration')
        report_id = ModelData.get_id(
            'cus_partners', 'report_evaluator_extract')
        fx = self._fixture()
        users = self._users(fx)
        data = {
            'start_date': START.isoformat(), 'end_date': END.isoformat(),
            'file_format': 'csv', 'action_id': report_id}
        for role in ['coordinator', 'community', 'finance', 'admin']:
            with self.assertRaises(AccessError, msg=role), \
                    rolled_back_on_error():
                self._run_wizard(users[role])
            with Transaction().set_user(users[role].id), check_access():
                with self.assertRaises(AccessError, msg=role), \
                        rolled_back_on_error():
                    Report.execute([], data)
        # Refused before the key was made
        self.assertIsNone(self._key())
        for role in ['director', 'organiser']:
            oext, content, _ = self._run_wizard(users[role])
            self.assertEqual(oext, 'xlsx')
            self.assertTrue(self._xlsx_table(content)[0])
            with Transaction().set_user(users[role].id), check_access():
                oext, content, _, _ = Report.execute([], data)
            self.assertEqual(oext, 'zip')

        # The key: read by the director and the CUS administrator only
        key = self._key()
        for role in ['director', 'admin']:
            with Transaction().set_user(users[role].id), check_access():
                record, = Configuration.read([1], ['pseudonym_key'])
                self.assertEqual(record['pseudonym_key'], key)
        for role in ['coordinator', 'organiser', 'community', 'finance']:
            with Transaction().set_user(users[role].id), check_access():
                with self.assertRaises(AccessError, msg=role), \
                        rolled_back_on_error():
                    Configuration.read([1], ['pseudonym_key'])
                # The rest of the configuration stays readable
                Configuration.read([1], ['service_sequence'])
                view = Configuration.fields_view_get(view_type='form')
                self.assertNotIn('pseudonym_key', view['fields'])
        with Transaction().set_user(users['director'].id), check_access():
            with self.assertRaises(AccessError), rolled_back_on_error():
                Configuration.write(
                    [Configuration(1)], {'pseudonym_key': 'x' * 40})
        with Transaction().set_user(users['admin'].id), check_access():
            Configuration.write(
                [Configuration(1)], {'pseudonym_key': 'y' * 40})
        self.assertEqual(self._key(), 'y' * 40)

    @with_transaction()
    def test_period(self):
        "Test the period of the extract"
        pool = Pool()
        Start = pool.get('cus.evaluator.extract.start')
        Date = pool.get('ir.date')
        Report = pool.get(
            'cus_partners.report_evaluator_extract', type='report')
        fx = self._fixture()
        users = self._users(fx)
        year = Date.today().year - 1
        self.assertEqual(Start.default_start_date(), D(year, 1, 1))
        self.assertEqual(Start.default_end_date(), D(year, 12, 31))
        with self.assertRaises(UserError), rolled_back_on_error():
            self._run_wizard(users['director'], start=END, end=START)
        self._run_wizard(users['director'])
        with self.assertRaises(UserError), Transaction().set_user(0):
            Report.execute([], {'file_format': 'xlsx'})
        # An empty period gives the headers and the dictionary
        _, content = self._extract(start=D(2019, 1, 1), end=D(2019, 12, 31))
        table, dictionary, header = self._xlsx_table(content)
        self.assertEqual(table, [])
        self.assertEqual(header, COLUMN_CODES)
