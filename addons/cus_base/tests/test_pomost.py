# This file is part of the CUS back office.
import datetime as dt
import json
import unittest
from pathlib import Path
from unittest.mock import patch

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from .. import pomost
from ..pomost import PomostAccessError, PomostImportError, guess_target
from .tools import create_user, rolled_back_on_error, valid_pesel

HEADER = [
    'Lp.', 'Nazwisko', 'Imię', 'PESEL', 'Data urodzenia', 'Płeć', 'Ulica',
    'Nr domu', 'Nr lokalu', 'Kod pocztowy', 'Miejscowość', 'Telefon',
    'Stan cywilny', 'Liczba osób w rodzinie', 'Nr sprawy']
ANNA = valid_pesel(dt.date(1948, 3, 21), serial=412, female=True)
JOZEF = valid_pesel(dt.date(1939, 11, 2), serial=77)
ZOFIA = valid_pesel(dt.date(2001, 7, 9), serial=305, female=True)
README = Path(__file__).resolve().parents[3] / 'README.md'


def csv_file(rows, header=HEADER, encoding='cp1250', delimiter=';'):
    lines = [delimiter.join(header)] + [delimiter.join(r) for r in rows]
    return ('\r\n'.join(lines) + '\r\n').encode(encoding)


def row(last, first, pesel, birth='', sex='', street='', number='',
        flat='', postal='', city='', phone='', marital='', family='',
        case='S/1'):
    return ['1', last, first, pesel, birth, sex, street, number, flat,
        postal, city, phone, marital, family, case]


VALID_ROWS = [
    row("Kowalska", "Anna", ANNA, '21.03.1948', 'K', "Żeromskiego", '12',
        '4', '27-200', "Starachowice", '501 234 567', 'wdowa', '1'),
    row("Wójcik", "Józef", JOZEF, '1939-11-02', 'M', "Kościelna", '3', '',
        '27200', "Starachowice", '', 'żonaty', '2'),
    row("Zięba", "Zofia", ZOFIA, '', 'kobieta', "Złota", '1a', '', '',
        "Wąchock", '+48 41 274 00 00', 'panna', '3'),
    ]


class PomostImportTestCase(unittest.TestCase):
    "Test the import of clients from Pomost"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_base')

    def _wizard(self, data, encoding='auto', delimiter='auto',
            only_valid=False, targets=None):
        """Run the wizard up to the preview; returns (wizard, columns,
        preview) where columns and preview are the values shown"""
        pool = Pool()
        Wizard = pool.get('cus.pomost.import', type='wizard')
        Column = pool.get('cus.pomost.import.column')
        session_id, _, _ = Wizard.create()
        wizard = Wizard(session_id)
        wizard.start.file = data
        wizard.start.file_name = 'pomost.csv'
        wizard.start.encoding = encoding
        wizard.start.delimiter = delimiter
        wizard.start.only_valid = only_valid
        columns = wizard.default_columns(None)['lines']
        for line in columns:
            if targets and line['header'] in targets:
                line['target'] = targets[line['header']]
        wizard.columns.lines = [Column(**l) for l in columns]
        preview = wizard.default_preview(None)
        wizard.preview.only_valid = preview['only_valid']
        return wizard, columns, preview

    def _import(self, wizard):
        pool = Pool()
        Log = pool.get('cus.pomost.import.log')
        self.assertEqual(wizard.transition_import_(), 'open_')
        return Log(wizard.preview.log.id)

    def _coordinator(self):
        return create_user('kipus', ['group_cus_coordinator'])

    def _client(self, pesel):
        Party = Pool().get('party.party')
        party, = Party.search([('pesel', '=', pesel)])
        return party

    def _count(self, model):
        return Pool().get(model).search([], count=True)

    def test_headers_recognised(self):
        "Test the Polish headers and their variants are recognised"
        for header, target in [
                ('Nazwisko', 'last_name'), ('NAZWISKO', 'last_name'),
                ('Imię', 'first_name'), ('Imie', 'first_name'),
                ('IMIĘ', 'first_name'), (' imię ', 'first_name'),
                ('PESEL', 'pesel'), ('Nr PESEL', 'pesel'),
                ('Data urodzenia', 'birth_date'),
                ('DATA_URODZENIA', 'birth_date'),
                ('Płeć', 'sex'), ('PLEC', 'sex'),
                ('Ulica', 'street'), ('Nr domu', 'building_number'),
                ('Nr. domu', 'building_number'),
                ('Nr lokalu', 'unit_number'),
                ('Kod pocztowy', 'postal_code'),
                ('Miejscowość', 'city'), ('MIEJSCOWOSC', 'city'),
                ('Telefon', 'phone'), ('Stan cywilny', 'marital_status'),
                ('Liczba osób w rodzinie', 'family_size'),
                ('LICZBA OSÓB W RODZINIE', 'family_size'),
                ('Lp.', None), ('Nr sprawy', None)]:
            with self.subTest(header=header):
                self.assertEqual(guess_target(header), target)

    @with_transaction()
    def test_read_windows_1250_and_utf8(self):
        "Test the same file in Windows-1250 and UTF-8 reads the same"
        cp1250 = csv_file(VALID_ROWS, encoding='cp1250')
        utf8 = b'\xef\xbb\xbf' + csv_file(
            VALID_ROWS, encoding='utf-8', delimiter=',')
        self.assertNotEqual(cp1250, utf8)
        header, rows, encoding, delimiter = pomost.read_csv(cp1250)
        self.assertEqual((encoding, delimiter), ('cp1250', ';'))
        header8, rows8, encoding, delimiter = pomost.read_csv(utf8)
        self.assertEqual((encoding, delimiter), ('utf-8', ','))
        self.assertEqual(header, HEADER)
        self.assertEqual(header8, HEADER)
        self.assertEqual(rows, rows8)
        self.assertEqual(rows[0][0], 2)
        self.assertEqual(rows[1][1][1], "Wójcik")
        with self.assertRaises(PomostImportError) as cm:
            pomost.read_csv(cp1250, encoding='utf-8')
        self.assertIn('UTF-8', cm.exception.message)

    @with_transaction()
    def test_mapping_prefilled(self):
        "Test the mapping step proposes the fields of the Pomost headers"
        with Transaction().set_user(self._coordinator().id):
            _, columns, _ = self._wizard(csv_file(VALID_ROWS))
        self.assertEqual(
            [(c['number'], c['header'], c['target']) for c in columns], [
                (1, 'Lp.', None), (2, 'Nazwisko', 'last_name'),
                (3, 'Imię', 'first_name'), (4, 'PESEL', 'pesel'),
                (5, 'Data urodzenia', 'birth_date'), (6, 'Płeć', 'sex'),
                (7, 'Ulica', 'street'), (8, 'Nr domu', 'building_number'),
                (9, 'Nr lokalu', 'unit_number'),
                (10, 'Kod pocztowy', 'postal_code'),
                (11, 'Miejscowość', 'city'), (12, 'Telefon', 'phone'),
                (13, 'Stan cywilny', 'marital_status'),
                (14, 'Liczba osób w rodzinie', 'family_size'),
                (15, 'Nr sprawy', None)])
        self.assertEqual(columns[1]['sample'], "Kowalska")

    @with_transaction()
    def test_mapping_checked(self):
        "Test a mapping without PESEL or with a field twice is refused"
        data = csv_file(VALID_ROWS)
        with Transaction().set_user(self._coordinator().id):
            with self.assertRaises(PomostImportError) as cm:
                self._wizard(data, targets={'PESEL': None})
            self.assertIn('PESEL', cm.exception.message)
            with self.assertRaises(PomostImportError) as cm:
                self._wizard(data, targets={'Nr sprawy': 'city'})
            self.assertIn(
                '"Miejscowość", "Nr sprawy"', cm.exception.message)
            with self.assertRaises(PomostImportError):
                self._wizard(data, targets={'Nazwisko': None, 'Imię': None})
            with self.assertRaises(PomostImportError):
                self._wizard(data, targets={'Nr sprawy': 'name'})

    @with_transaction()
    def test_import_windows_1250(self):
        "Test a Windows-1250 file creates social assistance clients"
        pool = Pool()
        Party = pool.get('party.party')
        user = self._coordinator()
        with Transaction().set_user(user.id):
            wizard, _, preview = self._wizard(csv_file(VALID_ROWS))
            self.assertEqual(
                (preview['encoding'], preview['lines'],
                    preview['valid_lines'], preview['refused_lines'],
                    preview['new_clients'], preview['known_clients']),
                ('cp1250', 3, 3, 0, 3, 0))
            self.assertEqual(preview['errors'], [])
            log = self._import(wizard)
        self.assertEqual(
            (log.state, log.created, log.updated, log.lines),
            ('done', 3, 0, 3))
        self.assertEqual(log.create_uid, user)
        self.assertEqual((log.phase, log.progress), ('finished', 1.0))
        self.assertIn('Nazwisko → Last Name', log.columns)

        anna = self._client(ANNA)
        self.assertEqual(anna.name, "Anna Kowalska")
        self.assertTrue(anna.cus_client)
        self.assertEqual(anna.client_category, 'social_assistance')
        self.assertTrue(anna.former_ops_client)
        self.assertEqual(anna.birth_date, dt.date(1948, 3, 21))
        self.assertEqual(anna.sex, 'female')
        self.assertEqual(anna.marital_status, 'widowed')
        self.assertEqual(anna.pomost_family_size, 1)
        address, = anna.addresses
        self.assertEqual(
            (address.street_name, address.building_number,
                address.unit_number, address.postal_code, address.city),
            ("Żeromskiego", '12', '4', '27-200', "Starachowice"))
        phone, = anna.contact_mechanisms
        self.assertEqual((phone.type, phone.value), ('phone', '+48501234567'))

        jozef = self._client(JOZEF)
        self.assertEqual(jozef.name, "Józef Wójcik")
        self.assertEqual(jozef.sex, 'male')
        self.assertEqual(jozef.marital_status, 'married')
        self.assertEqual(jozef.addresses[0].postal_code, '27-200')
        self.assertEqual(jozef.contact_mechanisms, ())
        zofia = self._client(ZOFIA)
        self.assertEqual(zofia.birth_date, dt.date(2001, 7, 9))
        self.assertEqual(zofia.marital_status, 'single')
        self.assertEqual(
            zofia.contact_mechanisms[0].value, '+48412740000')
        self.assertEqual(
            Party.search([('former_ops_client', '=', True)], count=True), 3)

    @with_transaction()
    def test_import_utf8(self):
        "Test a UTF-8 file with BOM, commas and capital letters"
        user = self._coordinator()
        rows = [
            row("NOWAK", "ŁUKASZ", valid_pesel(dt.date(1990, 1, 5), 1),
                '05.01.1990', 'M', "UL. ŚWIĘTOKRZYSKA", '7', '', '27-200',
                "STARACHOWICE", '', 'Kawaler', '4'),
            ]
        data = b'\xef\xbb\xbf' + csv_file(
            rows, encoding='utf-8', delimiter=',')
        with Transaction().set_user(user.id):
            wizard, _, preview = self._wizard(data)
            self.assertEqual(
                (preview['encoding'], preview['delimiter']), ('utf-8', ','))
            log = self._import(wizard)
        self.assertEqual((log.state, log.created), ('done', 1))
        party = self._client(rows[0][3])
        self.assertEqual(party.name, "Łukasz Nowak")
        self.assertEqual(party.addresses[0].city, "Starachowice")
        self.assertEqual(party.addresses[0].street_name, "Ul. Świętokrzyska")

    def _bad_rows(self):
        bad_checksum = ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)
        future = (dt.date.today() + dt.timedelta(days=3)).strftime(
            '%d.%m.%Y')
        return [
            VALID_ROWS[0],                                       # line 2
            row("Nowak", "Jan", bad_checksum),                   # line 3
            row("Nowak", "Jan", '4803211'),                      # line 4
            row("Lis", "Ewa", JOZEF, birth='32.13.1939'),        # line 5
            row("Lis", "Ewa", ZOFIA, birth=future),              # line 6
            row("", "Ewa", valid_pesel(dt.date(1960, 1, 1), 9)),  # line 7
            row("Maj", "Olga", valid_pesel(dt.date(1961, 2, 2), 8),
                birth='03.02.1961', sex='K'),                    # line 8
            row("Bąk", "Ida", valid_pesel(dt.date(1962, 3, 3), 7),
                postal='27 2000', phone='12'),                   # line 9
            row("Gil", "Jan", valid_pesel(dt.date(1950, 5, 5), 6),
                family='dużo', marital='?'),                     # line 10
            row("Sowa", "Jan", valid_pesel(dt.date(1951, 6, 6), 5),
                sex='X') + ['nadmiar'],                          # line 11
            row("Kos", "Jan", valid_pesel(dt.date(1952, 7, 7), 4)),  # 12
            ]

    @with_transaction()
    def test_preview_errors_per_line(self):
        "Test the preview lists the refused lines with their reasons"
        user = self._coordinator()
        with Transaction().set_user(user.id):
            _, _, preview = self._wizard(csv_file(self._bad_rows()))
        self.assertEqual(
            (preview['lines'], preview['valid_lines'],
                preview['refused_lines']), (11, 2, 9))
        errors = {}
        for error in preview['errors']:
            errors.setdefault(error['line'], []).append(error['message'])
        self.assertEqual(sorted(errors), [3, 4, 5, 6, 7, 8, 9, 10, 11])
        # The PESEL messages of the client's form (party.identifier)
        self.assertIn('check digit is wrong', errors[3][0])
        self.assertIn('exactly 11 digits', errors[4][0])
        self.assertEqual(errors[5], [
                'The column "Data urodzenia" does not hold a date: '
                '"32.13.1939" (write DD.MM.YYYY or YYYY-MM-DD).'])
        self.assertIn('is in the future', errors[6][0])
        self.assertEqual(errors[7], ['The column "Nazwisko" is empty.'])
        self.assertEqual(len(errors[8]), 2)
        self.assertIn(
            'The birth date 03.02.1961 does not match the PESEL', errors[8][0])
        self.assertIn('The sex of the column "Płeć"', errors[8][1])
        self.assertIn('postal code "27 2000"', errors[9][0])
        self.assertIn('phone number "12"', errors[9][1])
        self.assertIn('"dużo", which is not a whole number', errors[10][1])
        self.assertIn('"?", which is not a known marital', errors[10][0])
        self.assertEqual(errors[11], [
                'The line has 16 columns but the header has 15.'])

    @with_transaction()
    def test_refusal_writes_nothing(self):
        "Test nothing is written when a line is refused"
        user = self._coordinator()
        parties = self._count('party.party')
        with Transaction().set_user(user.id):
            wizard, _, _ = self._wizard(csv_file(self._bad_rows()))
            with self.assertRaises(PomostImportError) as cm, \
                    rolled_back_on_error():
                wizard.transition_import_()
        self.assertEqual(
            cm.exception.message,
            '9 of the 11 lines of the file are refused, so nothing was '
            'imported. Correct the file, or choose to import only the valid '
            'lines.')
        self.assertEqual(self._count('party.party'), parties)
        self.assertEqual(self._count('party.identifier'), 0)
        self.assertEqual(self._count('cus.pomost.import.log'), 0)

    @with_transaction()
    def test_only_valid_lines(self):
        "Test the valid lines are imported when the user chooses so"
        user = self._coordinator()
        with Transaction().set_user(user.id):
            wizard, _, preview = self._wizard(
                csv_file(self._bad_rows()), only_valid=True)
            self.assertTrue(preview['only_valid'])
            log = self._import(wizard)
        self.assertEqual(
            (log.state, log.lines, log.valid_lines, log.refused_lines,
                log.created, log.updated), ('done', 11, 2, 9, 2, 0))
        self.assertTrue(log.errors.startswith(
                'Line 3: The PESEL "%s" is not valid' % (
                    ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10))))
        self.assertIn('Line 11: The line has 16 columns', log.errors)
        Party = Pool().get('party.party')
        self.assertEqual(
            sorted(p.name for p in Party.search([('cus_client', '=', True)])),
            ["Anna Kowalska", "Jan Kos"])

    @with_transaction()
    def test_duplicate_pesel_refused(self):
        "Test a PESEL on several lines refuses all of them"
        user = self._coordinator()
        rows = VALID_ROWS + [
            row("Kowalska", "Anna Maria", ANNA, city="Radom")]
        with Transaction().set_user(user.id):
            wizard, _, preview = self._wizard(
                csv_file(rows), only_valid=True)
            self.assertEqual(
                [(e['line'], e['message']) for e in preview['errors']], [
                    (2, 'The PESEL "%s" is also on line 5 of the file.'
                        % ANNA),
                    (5, 'The PESEL "%s" is also on line 2 of the file.'
                        % ANNA),
                    ])
            log = self._import(wizard)
        self.assertEqual((log.created, log.refused_lines), (2, 2))
        Party = Pool().get('party.party')
        self.assertEqual(Party.search([('pesel', '=', ANNA)]), [])

    @with_transaction()
    def test_update_by_pesel(self):
        "Test a known PESEL updates the client and keeps what is not given"
        pool = Pool()
        Party = pool.get('party.party')
        user = self._coordinator()
        anna, other = Party.create([{
                    'name': "Anna Kowalska-Nowak",
                    'cus_client': True,
                    'client_category': 'resident',
                    'pesel': ANNA,
                    'marital_status': 'married',
                    'occupation': "krawcowa",
                    'health_condition': "cukrzyca",
                    'addresses': [('create', [{
                                    'street_name': "Radomska",
                                    'building_number': '8',
                                    'unit_number': '2',
                                    'postal_code': '27-200',
                                    'city': "Starachowice",
                                    }])],
                    'contact_mechanisms': [('create', [{
                                    'type': 'phone', 'value': '501234567'}])],
                    }, {
                    # a party that is not a client yet
                    'name': "J. Wójcik",
                    'pesel': JOZEF,
                    }])
        rows = [
            row("Kowalska", "Anna", ANNA, city="Wąchock",
                phone='501-234-567', marital='wdowa', family='2'),
            row("Wójcik", "Józef", JOZEF, phone='600 100 200'),
            ]
        with Transaction().set_user(user.id):
            wizard, _, preview = self._wizard(csv_file(rows))
            self.assertEqual(
                (preview['new_clients'], preview['known_clients']), (0, 2))
            log = self._import(wizard)
        self.assertEqual((log.created, log.updated), (0, 2))
        anna, other = Party.browse([anna, other])
        self.assertEqual(anna.name, "Anna Kowalska")
        self.assertTrue(anna.former_ops_client)
        self.assertEqual(anna.client_category, 'resident')
        self.assertEqual(anna.marital_status, 'widowed')
        self.assertEqual(anna.pomost_family_size, 2)
        self.assertEqual(anna.occupation, "krawcowa")
        self.assertEqual(anna.health_condition, "cukrzyca")
        self.assertEqual(anna.birth_date, dt.date(1948, 3, 21))
        address, = anna.addresses
        self.assertEqual(
            (address.street_name, address.building_number,
                address.unit_number, address.postal_code, address.city),
            ("Radomska", '8', '2', '27-200', "Wąchock"))
        # The same number written otherwise is not added again.
        self.assertEqual(len(anna.contact_mechanisms), 1)
        self.assertTrue(other.cus_client)
        self.assertEqual(other.client_category, 'social_assistance')
        self.assertTrue(other.former_ops_client)
        self.assertEqual(other.name, "Józef Wójcik")
        self.assertEqual(
            [m.value for m in other.contact_mechanisms], ['+48600100200'])
        self.assertEqual(self._count('party.identifier'), 2)

    @with_transaction()
    def test_finance_refused(self):
        "Test finance (and the community organiser) may not import"
        pool = Pool()
        Wizard = pool.get('cus.pomost.import', type='wizard')
        finance = create_user('fin', ['group_cus_finance'])
        community = create_user('osl', ['group_cus_community'])
        data = csv_file(VALID_ROWS)
        coordinator = self._coordinator()
        with Transaction().set_user(coordinator.id):
            wizard, _, _ = self._wizard(data)
        for user in [finance, community]:
            with self.subTest(user=user.login):
                with Transaction().set_user(user.id):
                    # The groups of the wizard's action, as a client call
                    with self.assertRaises(AccessError):
                        Wizard.create()
                    # The wizard's own check, whatever the way in
                    with self.assertRaises(PomostAccessError):
                        wizard.default_start(None)
                    with self.assertRaises(PomostAccessError), \
                            rolled_back_on_error():
                        wizard.transition_import_()
        self.assertEqual(self._count('cus.pomost.import.log'), 0)
        for group in ['group_cus_director', 'group_cus_organiser']:
            with self.subTest(group=group):
                user = create_user(group[10:], [group])
                with Transaction().set_user(user.id):
                    Wizard.create()
                    wizard.default_start(None)

    @with_transaction()
    def test_large_file_queued(self):
        "Test a large file is imported by a queued task"
        pool = Pool()
        Log = pool.get('cus.pomost.import.log')
        Queue = pool.get('ir.queue')
        user = self._coordinator()
        parties = self._count('party.party')
        with patch.object(pomost, 'SYNC_LINES', 2), \
                Transaction().set_user(user.id):
            wizard, _, _ = self._wizard(csv_file(VALID_ROWS))
            log = self._import(wizard)
        self.assertEqual(log.state, 'queued')
        self.assertEqual((log.phase, log.progress), ('waiting', 0.0))
        self.assertEqual(self._count('party.party'), parties)
        task, = Queue.search([('name', '=', 'default')])
        self.assertEqual(
            (task.data['model'], task.data['method'],
                list(task.data['instances']), task.data['user']),
            ('cus.pomost.import.log', 'process', [log.id], user.id))
        self.assertTrue(task.data['context']['pomost_progress'])
        with Transaction().set_context(task.data['context']):
            Log.process([log])
        log = Log(log.id)
        self.assertEqual((log.state, log.created), ('done', 3))
        self.assertEqual((log.phase, log.progress), ('finished', 1.0))
        # A second run does nothing
        Log.process([log])
        self.assertEqual(self._count('party.identifier'), 3)
        self.assertEqual(
            json.loads(log.mapping)[3], ['PESEL', 'pesel'])

    @with_transaction()
    def test_polish_messages(self):
        "Test the refusals are in Polish for a Polish user"
        pool = Pool()
        Lang = pool.get('ir.lang')
        polish, = Lang.search([('code', '=', 'pl')])
        Lang.load_translations([polish])
        user = self._coordinator()
        with Transaction().set_context(language='pl'), \
                Transaction().set_user(user.id):
            wizard, _, preview = self._wizard(csv_file(self._bad_rows()))
            with self.assertRaises(PomostImportError) as cm, \
                    rolled_back_on_error():
                wizard.transition_import_()
        messages = {e['line']: e['message'] for e in preview['errors']}
        self.assertIn('cyfra kontrolna', messages[3])
        self.assertEqual(messages[7], 'Kolumna "Nazwisko" jest pusta.')
        self.assertIn('9 z 11 wierszy pliku', cm.exception.message)

    @unittest.skipUnless(README.exists(), "README.md not beside the addons")
    @with_transaction()
    def test_readme_example(self):
        "Test the example of the README imports as documented"
        text = README.read_text(encoding='utf-8')
        section = text[text.index('## Import from Pomost'):]
        example = section.split('```\n')[1]
        user = self._coordinator()
        with Transaction().set_user(user.id):
            wizard, columns, preview = self._wizard(example.encode('cp1250'))
            self.assertEqual(
                [c['header'] for c in columns if not c['target']], ['Lp.'])
            self.assertEqual(
                (preview['valid_lines'], preview['refused_lines']), (2, 0))
            log = self._import(wizard)
        self.assertEqual(log.created, 2)
        self.assertEqual(self._client(JOZEF).name, "Józef Wójcik")
        self.assertEqual(
            self._client(ANNA).addresses[0].street_name, "Żeromskiego")
