# This file is part of the CUS back office.
"""Import of clients exported from Pomost, the social assistance system

The wizard `cus.pomost.import` reads a CSV export (Polish headers,
Windows-1250 or UTF-8), lets the user map its columns, checks every line and
shows the refused ones, then creates or updates the clients by PESEL. The
import itself is `cus.pomost.import.log|process`: run at once for small files
and queued for large ones, with its progress kept on the log.
"""
import csv
import dataclasses
import datetime as dt
import io
import json
import re
import unicodedata

from sql.operators import Equal
from stdnum.pl import pesel as stdnum_pesel

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .model import ServerFieldsCopyMixin
from .party import MARITAL_STATUSES, _client_states

# The groups that may import clients.
IMPORT_GROUPS = [
    'group_cus_coordinator', 'group_cus_organiser', 'group_cus_director']
# Clients created or updated per batch (one search of existing PESELs each).
BATCH = 500
# Files of up to this many lines are imported at once by the wizard; larger
# ones are queued (trytond-worker) and show their progress on the log.
SYNC_LINES = 2000
# Refused lines listed in the preview and kept in the text of the log.
PREVIEW_ERRORS = 1000
LOG_ERRORS = 10000

ENCODINGS = [
    ('auto', "Automatic"),
    ('utf-8', "UTF-8"),
    ('cp1250', "Windows-1250"),
    ]
DELIMITERS = [
    ('auto', "Automatic"),
    (';', "Semicolon (;)"),
    (',', "Comma (,)"),
    ('\t', "Tab"),
    ('|', "Vertical Bar (|)"),
    ]
TARGETS = [
    (None, ""),
    ('last_name', "Last Name"),
    ('first_name', "First Name"),
    ('name', "Full Name (First and Last)"),
    ('pesel', "PESEL"),
    ('birth_date', "Birth Date"),
    ('sex', "Sex"),
    ('marital_status', "Marital Status"),
    ('occupation', "Occupation"),
    ('family_size', "Family Size"),
    ('street', "Street"),
    ('building_number', "Building Number"),
    ('unit_number', "Flat Number"),
    ('postal_code', "Postal Code"),
    ('city', "City"),
    ('phone', "Phone"),
    ]
# The headers of a Pomost export (and their usual variants), normalised by
# _normalise: lower case, no diacritics, words separated by one space.
HEADERS = {
    'nazwisko': 'last_name',
    'imie': 'first_name',
    'imie pierwsze': 'first_name',
    'pierwsze imie': 'first_name',
    'imie i nazwisko': 'name',
    'pesel': 'pesel',
    'nr pesel': 'pesel',
    'numer pesel': 'pesel',
    'data urodzenia': 'birth_date',
    'data ur': 'birth_date',
    'plec': 'sex',
    'stan cywilny': 'marital_status',
    'zawod': 'occupation',
    'zawod wyuczony': 'occupation',
    'liczba osob w rodzinie': 'family_size',
    'liczba czlonkow rodziny': 'family_size',
    'liczba osob w gospodarstwie domowym': 'family_size',
    'wielkosc rodziny': 'family_size',
    'ulica': 'street',
    'nr domu': 'building_number',
    'numer domu': 'building_number',
    'nr budynku': 'building_number',
    'numer budynku': 'building_number',
    'nr lokalu': 'unit_number',
    'numer lokalu': 'unit_number',
    'nr mieszkania': 'unit_number',
    'numer mieszkania': 'unit_number',
    'kod pocztowy': 'postal_code',
    'kod': 'postal_code',
    'miejscowosc': 'city',
    'miasto': 'city',
    'telefon': 'phone',
    'nr telefonu': 'phone',
    'numer telefonu': 'phone',
    'tel': 'phone',
    }
SEXES = {
    'k': 'female', 'kobieta': 'female', 'z': 'female', 'zenska': 'female',
    'f': 'female', 'female': 'female',
    'm': 'male', 'mezczyzna': 'male', 'meska': 'male', 'male': 'male',
    }
MARITAL = {
    'kawaler': 'single', 'panna': 'single', 'wolny': 'single',
    'wolna': 'single', 'stanu wolnego': 'single', 'niezonaty': 'single',
    'niezamezna': 'single',
    'zonaty': 'married', 'zamezna': 'married', 'malzenstwo': 'married',
    'w zwiazku malzenskim': 'married',
    'konkubinat': 'cohabiting', 'w konkubinacie': 'cohabiting',
    'zwiazek nieformalny': 'cohabiting',
    'w zwiazku nieformalnym': 'cohabiting',
    'separacja': 'separated', 'w separacji': 'separated',
    'rozwiedziony': 'divorced', 'rozwiedziona': 'divorced',
    'rozwodnik': 'divorced', 'rozwodka': 'divorced',
    'wdowiec': 'widowed', 'wdowa': 'widowed', 'owdowialy': 'widowed',
    'owdowiala': 'widowed',
    }
MARITAL.update({k: k for k, _ in MARITAL_STATUSES if k})
DATE_FORMATS = [
    '%Y-%m-%d', '%d.%m.%Y', '%d-%m-%Y', '%d/%m/%Y', '%Y.%m.%d', '%Y/%m/%d']
# Targets whose values go to the party, the address, the contacts.
PARTY_TARGETS = ['birth_date', 'sex', 'marital_status', 'occupation']
ADDRESS_TARGETS = {
    'street': 'street_name',
    'building_number': 'building_number',
    'unit_number': 'unit_number',
    'postal_code': 'postal_code',
    'city': 'city',
    }
NAME_TARGETS = ['last_name', 'first_name', 'name']


class PomostImportError(UserError):
    pass


class PomostAccessError(AccessError):
    pass


class _Refused(Exception):
    "A cell that cannot be imported, with the message to show"


def _normalise(text):
    "Lower case without diacritics, words separated by one space"
    text = (text or '').strip().lower().replace('ł', 'l')
    text = unicodedata.normalize('NFKD', text)
    text = ''.join(c for c in text if not unicodedata.combining(c))
    return ' '.join(re.sub(r'[^a-z0-9]+', ' ', text).split())


def _proper(value):
    "Names written in capitals (as some exports do) in usual case"
    return value.title() if value.isupper() else value


def guess_target(header):
    "The target field of a Pomost column header, or None"
    return HEADERS.get(_normalise(header))


def check_import_access():
    "Refuse users outside the groups that may import clients"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    if Transaction().user == 0:
        return
    allowed = {ModelData.get_id('cus_base', x) for x in IMPORT_GROUPS}
    if not allowed & set(User.get_groups()):
        raise PomostAccessError(gettext('cus_base.msg_pomost_access'))


def read_csv(data, encoding='auto', delimiter='auto'):
    """Decode and split a Pomost CSV file

    Returns (header, rows, encoding, delimiter): rows are (line number,
    cells) without the empty lines, encoding and delimiter those used.
    """
    if isinstance(data, str):
        data = data.encode('utf-8')
    data = bytes(data or b'')
    if encoding == 'auto':
        try:
            text = data.decode('utf-8-sig')
            encoding = 'utf-8'
        except UnicodeDecodeError:
            text = data.decode('cp1250', errors='replace')
            encoding = 'cp1250'
    else:
        try:
            text = data.decode(
                'utf-8-sig' if encoding == 'utf-8' else encoding)
        except UnicodeDecodeError:
            raise PomostImportError(gettext(
                    'cus_base.msg_pomost_encoding',
                    encoding=dict(ENCODINGS)[encoding]))
    first_line = text.split('\n', 1)[0]
    if delimiter == 'auto':
        counts = {d: first_line.count(d) for d, _ in DELIMITERS[1:]}
        delimiter = max(counts, key=counts.get)
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter)
    header, rows = None, []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
            else:
                rows.append((reader.line_num, cells))
    except csv.Error as exception:
        raise PomostImportError(gettext(
                'cus_base.msg_pomost_csv',
                line=reader.line_num, error=str(exception)))
    if not header or not rows:
        raise PomostImportError(gettext('cus_base.msg_pomost_empty'))
    return header, rows, encoding, delimiter


@dataclasses.dataclass
class CheckResult:
    "The lines of a file once checked"
    lines: int = 0
    # {target: value, 'line': n} of each line that can be imported
    valid: list = dataclasses.field(default_factory=list)
    # (line, [messages]) of each refused line, in line order
    refused: list = dataclasses.field(default_factory=list)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    pomost_family_size = fields.Integer(
        "Family Size in Pomost", states=_client_states,
        domain=['OR',
            ('pomost_family_size', '=', None),
            ('pomost_family_size', '>', 0),
            ],
        help="The number of persons in the client's family as recorded "
        "by social assistance (Pomost), when imported from there.")


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Party = pool.get('party.party')
        # The personal data of a client besides the name; the sex, the
        # client category and the former MOPS flag stay for the statistics.
        return super().to_erase(party_id) + [
            (Party, [('id', '=', party_id)], True,
                ['pomost_family_size', 'birth_date', 'marital_status',
                    'occupation', 'employment_situation',
                    'disability_degree', 'disability_description',
                    'health_condition', 'problems'],
                [None] * 9),
            ]


class PomostImportLog(ServerFieldsCopyMixin, ModelSQL, ModelView):
    "Import of clients from Pomost"
    __name__ = 'cus.pomost.import.log'
    __string__ = "Import from Pomost"
    _rec_name = 'file_name'

    file_name = fields.Char("File Name", readonly=True)
    file = fields.Binary("File", filename='file_name', readonly=True)
    encoding = fields.Selection(
        ENCODINGS[1:], "Encoding", readonly=True, required=True)
    delimiter = fields.Selection(
        DELIMITERS[1:], "Delimiter", readonly=True, required=True)
    only_valid = fields.Boolean(
        "Import Only Valid Lines", readonly=True,
        help="The valid lines were to be imported even if others were "
        "refused.")
    mapping = fields.Text(
        "Mapping", readonly=True,
        help="The header and the chosen field of each column (JSON).")
    columns = fields.Function(fields.Text("Columns"), 'get_columns')
    state = fields.Selection([
            ('queued', "Queued"),
            ('done', "Done"),
            ('refused', "Refused"),
            ], "State", readonly=True, required=True, sort=False)
    phase = fields.Function(fields.Selection([
                ('waiting', "Waiting"),
                ('checking', "Checking Lines"),
                ('importing', "Importing"),
                ('finished', "Finished"),
                ('failed', "Failed"),
                ], "Phase", sort=False,
            help="Reload the record to follow a queued import."),
        'get_progress')
    progress = fields.Function(fields.Float(
            "Progress", digits=(1, 4),
            help="Reload the record to follow a queued import."),
        'get_progress')
    lines_done = fields.Function(
        fields.Integer("Lines Processed"), 'get_progress')
    failure = fields.Function(fields.Text("Failure"), 'get_progress')
    lines = fields.Integer("Lines", readonly=True)
    valid_lines = fields.Integer("Valid Lines", readonly=True)
    refused_lines = fields.Integer("Refused Lines", readonly=True)
    created = fields.Integer("Clients Created", readonly=True)
    updated = fields.Integer(
        "Clients Updated", readonly=True,
        help="Lines whose PESEL was already recorded: their non-empty cells "
        "that differ were written.")
    errors = fields.Text("Reasons for Refusal", readonly=True)
    finished_at = fields.Timestamp("Finished At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_state(cls):
        return 'queued'

    @classmethod
    def default_encoding(cls):
        return 'utf-8'

    @classmethod
    def default_delimiter(cls):
        return ';'

    @classmethod
    def default_only_valid(cls):
        return False

    @classmethod
    def dump_mapping(cls, header, targets):
        return json.dumps(
            [[h, t] for h, t in zip(header, targets)], ensure_ascii=False)

    def load_mapping(self):
        return [t for _, t in json.loads(self.mapping or '[]')]

    @classmethod
    def get_columns(cls, logs, name):
        pool = Pool()
        Column = pool.get('cus.pomost.import.column')
        labels = dict(Column.fields_get(['target'])['target']['selection'])
        result = {}
        for log in logs:
            result[log.id] = '\n'.join(
                f'{i}. {h} → {labels.get(t, t) if t else "—"}'
                for i, (h, t) in enumerate(
                    json.loads(log.mapping or '[]'), 1))
        return result

    @classmethod
    def get_progress(cls, logs, names):
        pool = Pool()
        Progress = pool.get('cus.pomost.import.progress')
        by_log = {}
        for sub_logs in grouped_slice(logs, backend.MAX_QUERY_PARAMS):
            for progress in Progress.search([
                        ('log', 'in', [l.id for l in sub_logs]),
                        ]):
                by_log[progress.log.id] = progress
        result = {n: {} for n in names}
        for log in logs:
            progress = by_log.get(log.id)
            if log.state != 'queued':
                values = {
                    'phase': 'finished', 'progress': 1.0,
                    'lines_done': log.lines, 'failure': None,
                    }
            elif progress:
                values = {
                    'phase': progress.phase,
                    'progress': progress.progress,
                    'lines_done': progress.lines_done,
                    'failure': progress.failure,
                    }
            else:
                values = {
                    'phase': 'waiting', 'progress': 0.0,
                    'lines_done': 0, 'failure': None,
                    }
            for name in names:
                result[name][log.id] = values[name]
        return result

    @classmethod
    def check_rows(cls, header, rows, targets):
        """Check the rows of a file mapped to targets (one per column)

        Every cell of a mapped column is parsed; the PESEL is checked by
        party.identifier (the same messages as a client's form); a PESEL
        that appears on several lines refuses all of them.
        """
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        columns = [(i, t, header[i]) for i, t in enumerate(targets) if t]
        mapped = {t: label for _, t, label in columns}
        required = [t for t in ['pesel'] + NAME_TARGETS if t in mapped]
        width = len(header)
        result = CheckResult(lines=len(rows))
        lines_of = {}
        checked = []
        for line, cells in rows:
            errors = []
            values = {'line': line}
            if len(cells) > width:
                errors.append(gettext(
                        'cus_base.msg_pomost_columns_count',
                        count=len(cells), header=width))
            else:
                for i, target, label in columns:
                    value = cells[i].strip() if i < len(cells) else ''
                    if not value:
                        if target in required:
                            errors.append(gettext(
                                    'cus_base.msg_pomost_required',
                                    column=label))
                        continue
                    try:
                        values[target] = cls.parse_value(
                            target, value, label, today)
                    except _Refused as refusal:
                        errors.append(str(refusal))
                errors.extend(cls.check_values(values, mapped))
            if 'pesel' in values:
                lines_of.setdefault(values['pesel'], []).append(line)
            checked.append((values, errors))
        for values, errors in checked:
            pesel = values.get('pesel')
            if pesel and len(lines_of[pesel]) > 1:
                errors.append(gettext(
                        'cus_base.msg_pomost_pesel_twice',
                        pesel=pesel,
                        lines=', '.join(str(n) for n in lines_of[pesel]
                            if n != values['line'])))
            if errors:
                result.refused.append((values['line'], errors))
            else:
                result.valid.append(values)
        return result

    @classmethod
    def parse_value(cls, target, value, label, today):
        "The value of a non-empty cell, or raise _Refused"
        pool = Pool()
        Identifier = pool.get('party.identifier')
        if target == 'pesel':
            identifier = Identifier(type='pl_pesel', code=value)
            try:
                identifier.check_code()
            except UserError as exception:
                raise _Refused(exception.message)
            return stdnum_pesel.compact(value)
        elif target == 'birth_date':
            text = value.split()[0].split('T')[0]
            for format_ in DATE_FORMATS:
                try:
                    date = dt.datetime.strptime(text, format_).date()
                    break
                except ValueError:
                    continue
            else:
                raise _Refused(gettext(
                        'cus_base.msg_pomost_date',
                        column=label, value=value))
            if date > today:
                raise _Refused(gettext(
                        'cus_base.msg_pomost_date_future',
                        column=label, value=value))
            return date
        elif target == 'sex':
            sex = SEXES.get(_normalise(value))
            if not sex:
                raise _Refused(gettext(
                        'cus_base.msg_pomost_sex',
                        column=label, value=value))
            return sex
        elif target == 'marital_status':
            key = _normalise(value)
            status = MARITAL.get(key) or MARITAL.get(key.split(' ')[0])
            if not status:
                raise _Refused(gettext(
                        'cus_base.msg_pomost_marital_status',
                        column=label, value=value))
            return status
        elif target == 'family_size':
            try:
                size = int(value)
            except ValueError:
                size = None
            if size is None or not 1 <= size <= 99:
                raise _Refused(gettext(
                        'cus_base.msg_pomost_number',
                        column=label, value=value))
            return size
        elif target == 'postal_code':
            match = re.fullmatch(r'(\d{2})\s*-?\s*(\d{3})', value)
            if not match:
                raise _Refused(gettext(
                        'cus_base.msg_pomost_postal_code',
                        column=label, value=value))
            return '%s-%s' % match.groups()
        elif target == 'phone':
            phone = re.sub(r'[\s\-./()]', '', value)
            if phone.startswith('00'):
                phone = '+' + phone[2:]
            elif len(phone) == 9 and phone.isdigit():
                phone = '+48' + phone
            elif len(phone) == 11 and phone.startswith('48'):
                phone = '+' + phone
            if not re.fullmatch(r'\+\d{9,15}', phone):
                raise _Refused(gettext(
                        'cus_base.msg_pomost_phone',
                        column=label, value=value))
            return phone
        elif target in {'last_name', 'first_name', 'name', 'street', 'city'}:
            return _proper(' '.join(value.split()))
        return value

    @classmethod
    def check_values(cls, values, mapped):
        "Messages of the values of a line that contradict each other"
        errors = []
        pesel = values.get('pesel')
        if pesel:
            birth_date = stdnum_pesel.get_birth_date(pesel)
            if values.get('birth_date') and values['birth_date'] != birth_date:
                errors.append(gettext(
                        'cus_base.msg_pomost_birth_date_pesel',
                        column=mapped['birth_date'],
                        date=values['birth_date'].strftime('%d.%m.%Y'),
                        pesel=pesel,
                        pesel_date=birth_date.strftime('%d.%m.%Y')))
            sex = ('male' if stdnum_pesel.get_gender(pesel) == 'M'
                else 'female')
            if values.get('sex') and values['sex'] != sex:
                errors.append(gettext(
                        'cus_base.msg_pomost_sex_pesel',
                        column=mapped['sex'], pesel=pesel))
        return errors

    @classmethod
    def existing_parties(cls, pesels):
        "The id of the party of each PESEL already recorded"
        pool = Pool()
        Identifier = pool.get('party.identifier')
        identifier = Identifier.__table__()
        cursor = Transaction().connection.cursor()
        result = {}
        for sub_pesels in grouped_slice(
                sorted(set(pesels)), backend.MAX_QUERY_PARAMS):
            cursor.execute(*identifier.select(
                    identifier.code_compact, identifier.party,
                    where=(identifier.type == 'pl_pesel')
                    & Equal(identifier.active, True)
                    & SQL_OPERATORS['in'](
                        identifier.code_compact, list(sub_pesels))))
            result.update(cursor)
        return result

    @classmethod
    def import_clients(cls, rows, progress=None):
        """Create or update a client for each checked row, by PESEL

        Returns the numbers of clients created and updated. A batch of
        rows costs one search of the PESELs already recorded, one create
        and one write.
        """
        pool = Pool()
        Country = pool.get('country.country')
        poland = Country.search([('code', '=', 'PL')], limit=1)
        poland = poland[0].id if poland else None
        created = updated = done = 0
        for batch in grouped_slice(rows, BATCH):
            batch = list(batch)
            existing = cls.existing_parties([r['pesel'] for r in batch])
            new, known = [], []
            for row in batch:
                if row['pesel'] in existing:
                    known.append((existing[row['pesel']], row))
                else:
                    new.append(row)
            created += cls._create_clients(new, poland)
            updated += cls._update_clients(known, poland)
            done += len(batch)
            if progress:
                progress('importing', done)
        return created, updated

    @classmethod
    def _name(cls, row):
        if row.get('name'):
            return row['name']
        if row.get('last_name'):
            return ' '.join(
                filter(None, [row.get('first_name'), row['last_name']]))

    @classmethod
    def _party_values(cls, row):
        values = {t: row[t] for t in PARTY_TARGETS if t in row}
        if 'family_size' in row:
            values['pomost_family_size'] = row['family_size']
        if name := cls._name(row):
            values['name'] = name
        return values

    @classmethod
    def _address_values(cls, row):
        return {f: row[t] for t, f in ADDRESS_TARGETS.items() if t in row}

    @classmethod
    def _create_clients(cls, rows, country):
        pool = Pool()
        Party = pool.get('party.party')
        vlist = []
        for row in rows:
            pesel = row['pesel']
            values = cls._party_values(row)
            values.update({
                    'cus_client': True,
                    'client_category': 'social_assistance',
                    'former_ops_client': True,
                    'identifiers': [('create', [{
                                    'type': 'pl_pesel', 'code': pesel}])],
                    })
            # Set here what the PESEL tells, which spares the identifier
            # a write of every new party (Identifier.fill_from_pesel).
            values.setdefault('birth_date', stdnum_pesel.get_birth_date(pesel))
            values.setdefault('sex',
                'male' if stdnum_pesel.get_gender(pesel) == 'M' else 'female')
            if address := cls._address_values(row):
                address['country'] = country
                values['addresses'] = [('create', [address])]
            if row.get('phone'):
                values['contact_mechanisms'] = [('create', [{
                                'type': 'phone', 'value': row['phone']}])]
            vlist.append(values)
        if not vlist:
            return 0
        # The party codes of the batch in one call (what preprocess_values
        # of the party module would take one by one).
        if sequence := Party._code_sequence():
            for values, code in zip(vlist, sequence.get_many(len(vlist))):
                values['code'] = code
        Party.create(vlist)
        return len(vlist)

    @classmethod
    def _update_clients(cls, rows, country):
        """Overwrite the mapped non-empty values; empty cells erase nothing

        Only the values that differ are written, so a client whose data did
        not change since the last import is not written at all.
        """
        pool = Pool()
        Party = pool.get('party.party')
        Address = pool.get('party.address')
        ContactMechanism = pool.get('party.contact_mechanism')
        if not rows:
            return 0

        def changed(current, values):
            return {k: v for k, v in values.items() if current[k] != v}

        # Read only the compared fields: a browse would read every column of
        # the parties and addresses.
        party_fields = [
            'name', 'cus_client', 'former_ops_client', 'client_category',
            'pomost_family_size', *PARTY_TARGETS, 'addresses']
        if any(r.get('phone') for _, r in rows):
            party_fields.append('contact_mechanisms')
        parties = {p['id']: p
            for p in Party.read([p for p, _ in rows], party_fields)}
        first_addresses = [parties[p]['addresses'][0] for p, r in rows
            if parties[p]['addresses'] and cls._address_values(r)]
        addresses = {a['id']: a for a in Address.read(
                first_addresses, list(ADDRESS_TARGETS.values()))}
        phones_of = {}
        mechanisms = [m for p, r in rows if r.get('phone')
            for m in parties[p]['contact_mechanisms']]
        for mechanism in ContactMechanism.read(
                mechanisms, ['party', 'type', 'value']):
            if mechanism['type'] in {'phone', 'mobile'}:
                phones_of.setdefault(mechanism['party'], set()).add(
                    re.sub(r'[^\d+]', '', mechanism['value'] or ''))

        to_write, addresses_write, addresses_create, phones = [], [], [], []
        for party_id, row in rows:
            party = parties[party_id]
            values = cls._party_values(row)
            values.update({'cus_client': True, 'former_ops_client': True})
            if not party['client_category']:
                values['client_category'] = 'social_assistance'
            if values := changed(party, values):
                to_write.extend([[Party(party_id)], values])
            if address := cls._address_values(row):
                if party['addresses']:
                    first = party['addresses'][0]
                    if address := changed(addresses[first], address):
                        addresses_write.extend([[Address(first)], address])
                else:
                    address.update({'party': party_id, 'country': country})
                    addresses_create.append(address)
            if phone := row.get('phone'):
                known = phones_of.get(party_id, set())
                if phone not in known and phone[3:] not in known:
                    phones.append({
                            'party': party_id, 'type': 'phone',
                            'value': phone})
        if to_write:
            Party.write(*to_write)
        if addresses_write:
            Address.write(*addresses_write)
        if addresses_create:
            Address.create(addresses_create)
        if phones:
            ContactMechanism.create(phones)
        return len(rows)

    @classmethod
    def format_errors(cls, refused, limit):
        lines = []
        for line, errors in refused:
            for error in errors:
                if len(lines) >= limit:
                    break
                lines.append(gettext(
                        'cus_base.msg_pomost_line', line=line, message=error))
        count = sum(len(e) for _, e in refused)
        if count > len(lines):
            lines.append(gettext(
                    'cus_base.msg_pomost_more_errors',
                    count=count - len(lines)))
        return '\n'.join(lines)

    @classmethod
    def process(cls, logs):
        "Check and import the file of each queued log"
        for log in logs:
            if log.state == 'queued':
                log._process()

    def _process(self):
        progress = _ProgressReporter(self)
        try:
            header, rows, _, _ = read_csv(
                self.file, self.encoding, self.delimiter)
            progress.total = len(rows)
            progress('checking', 0)
            result = self.check_rows(header, rows, self.load_mapping())
            values = {
                'lines': result.lines,
                'valid_lines': len(result.valid),
                'refused_lines': len(result.refused),
                'errors': self.format_errors(result.refused, LOG_ERRORS),
                'finished_at': dt.datetime.now(),
                }
            if ((result.refused and not self.only_valid)
                    or not result.valid):
                values.update({'state': 'refused', 'created': 0, 'updated': 0})
            else:
                progress('importing', 0)
                created, updated = self.import_clients(
                    result.valid, progress=progress)
                values.update({
                        'state': 'done',
                        'created': created,
                        'updated': updated,
                        })
            self.write([self], values)
        except Exception as exception:
            progress.fail(exception)
            raise


class _ProgressReporter:
    """Keep the progress of a queued import on its progress record

    The import runs in one transaction (all or nothing), so its progress is
    written in a transaction of its own, committed at once, for the user to
    see it while the import goes on. Only for a log the import was queued
    for (context pomost_progress), whose record is committed, and not on
    SQLite where the import holds the only write lock.
    """

    def __init__(self, log):
        self.log_id = log.id
        self.total = 0
        self.enabled = (
            Transaction().context.get('pomost_progress')
            and backend.name != 'sqlite')

    def __call__(self, phase, done):
        if not self.enabled:
            return
        if phase == 'checking':
            fraction = 0.0
        else:
            fraction = 0.05 + 0.95 * done / max(self.total, 1)
        self._write({
                'phase': phase, 'lines_done': done,
                'progress': round(fraction, 4)})

    def fail(self, exception):
        if not self.enabled:
            return
        message = getattr(exception, 'message', None) or repr(exception)
        try:
            self._write({'phase': 'failed', 'failure': message})
        except Exception:
            pass

    def _write(self, values):
        pool = Pool()
        Log = pool.get('cus.pomost.import.log')
        Progress = pool.get('cus.pomost.import.progress')
        with Transaction().new_transaction() as transaction:
            if not Log.search([('id', '=', self.log_id)]):
                # Not committed (the import does not run from the queue)
                self.enabled = False
                return
            records = Progress.search([('log', '=', self.log_id)])
            if records:
                Progress.write(records, values)
            else:
                Progress.create([dict(values, log=self.log_id)])
            transaction.commit()


class PomostImportProgress(ModelSQL):
    "Progress of an import from Pomost"
    __name__ = 'cus.pomost.import.progress'
    __string__ = "Progress of an Import from Pomost"

    log = fields.Many2One(
        'cus.pomost.import.log', "Import", required=True, ondelete='CASCADE')
    phase = fields.Selection([
            ('checking', "Checking Lines"),
            ('importing', "Importing"),
            ('failed', "Failed"),
            ], "Phase", required=True)
    lines_done = fields.Integer("Lines Processed")
    progress = fields.Float("Progress", digits=(1, 4))
    failure = fields.Text("Failure")


class PomostImportStart(ModelView):
    "Import Clients from Pomost"
    __name__ = 'cus.pomost.import.start'
    __string__ = "Import Clients from Pomost"

    file = fields.Binary(
        "File", filename='file_name', required=True,
        help="A CSV export of clients from Pomost with a header line. "
        "Recognised headers: Nazwisko, Imię, Imię i nazwisko, PESEL, "
        "Data urodzenia, Płeć, Stan cywilny, Zawód, Liczba osób w rodzinie, "
        "Ulica, Nr domu, Nr lokalu, Kod pocztowy, Miejscowość, Telefon "
        "(case and Polish letters do not matter). The PESEL and the last "
        "name (or the full name) are required; other columns may be "
        "mapped in the next step or are ignored.")
    file_name = fields.Char("File Name")
    encoding = fields.Selection(
        ENCODINGS, "Encoding", required=True,
        help="Automatic: UTF-8 when the file is valid UTF-8, otherwise "
        "Windows-1250 (the usual encoding of Pomost exports).")
    delimiter = fields.Selection(
        DELIMITERS, "Delimiter", required=True,
        help="Automatic: the most frequent of ; , tab and | in the header.")
    only_valid = fields.Boolean(
        "Import Only Valid Lines",
        help="Import the valid lines even when other lines are refused. "
        "By default nothing is imported when any line is refused.")

    @classmethod
    def default_encoding(cls):
        return 'auto'

    @classmethod
    def default_delimiter(cls):
        return 'auto'

    @classmethod
    def default_only_valid(cls):
        return False


class PomostImportColumns(ModelView):
    "Import Clients from Pomost"
    __name__ = 'cus.pomost.import.columns'
    __string__ = "Columns of a Pomost File"

    lines = fields.One2Many(
        'cus.pomost.import.column', None, "Columns",
        help="The field of the client that each column of the file fills. "
        "Columns without a field are ignored.")


class PomostImportColumn(ModelView):
    "Column of a Pomost File"
    __name__ = 'cus.pomost.import.column'
    __string__ = "Column of a Pomost File"

    number = fields.Integer("Number", readonly=True)
    header = fields.Char("Column", readonly=True)
    sample = fields.Char(
        "First Value", readonly=True,
        help="The value of the column on the first line of the file.")
    target = fields.Selection(
        TARGETS, "Field", sort=False,
        help="Last Name, First Name (or Full Name) and PESEL are needed. "
        "Existing clients found by PESEL are updated with the non-empty "
        "cells only. Dates as DD.MM.YYYY or YYYY-MM-DD; sex K or M; postal "
        "code 00-000.")


class PomostImportPreview(ModelView):
    "Import Clients from Pomost"
    __name__ = 'cus.pomost.import.preview'
    __string__ = "Preview of an Import from Pomost"

    encoding = fields.Selection(ENCODINGS, "Encoding", readonly=True)
    delimiter = fields.Selection(DELIMITERS, "Delimiter", readonly=True)
    lines = fields.Integer("Lines", readonly=True)
    valid_lines = fields.Integer("Valid Lines", readonly=True)
    refused_lines = fields.Integer("Refused Lines", readonly=True)
    new_clients = fields.Integer(
        "New Clients", readonly=True,
        help="Valid lines whose PESEL is not recorded yet.")
    known_clients = fields.Integer(
        "Clients to Update", readonly=True,
        help="Valid lines whose PESEL belongs to a recorded party.")
    only_valid = fields.Boolean(
        "Import Only Valid Lines",
        states={'invisible': ~Eval('refused_lines')},
        help="Import the valid lines and leave the refused ones out.")
    errors = fields.One2Many(
        'cus.pomost.import.preview.error', None, "Reasons for Refusal",
        readonly=True)
    errors_note = fields.Char("Note", readonly=True)
    log = fields.Many2One('cus.pomost.import.log', "Import", readonly=True)


class PomostImportPreviewError(ModelView):
    "Refused Line of a Pomost File"
    __name__ = 'cus.pomost.import.preview.error'
    __string__ = "Refused Line of a Pomost File"

    line = fields.Integer("Line", readonly=True)
    message = fields.Char("Reason", readonly=True)


class PomostImport(Wizard):
    "Import Clients from Pomost"
    __name__ = 'cus.pomost.import'

    start = StateView(
        'cus.pomost.import.start', 'cus_base.pomost_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Next", 'columns', 'tryton-forward', default=True),
            ])
    columns = StateView(
        'cus.pomost.import.columns',
        'cus_base.pomost_import_columns_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Back", 'start', 'tryton-back'),
            Button("Check", 'preview', 'tryton-forward', default=True),
            ])
    preview = StateView(
        'cus.pomost.import.preview',
        'cus_base.pomost_import_preview_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Back", 'columns', 'tryton-back'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    open_ = StateAction('cus_base.act_pomost_import_log_form')

    def default_start(self, fields):
        check_import_access()
        if self.start.file:
            return {
                'file': self.start.file,
                'file_name': self.start.file_name,
                'encoding': self.start.encoding,
                'delimiter': self.start.delimiter,
                'only_valid': self.start.only_valid,
                }
        return {}

    def _read(self):
        return read_csv(
            self.start.file, self.start.encoding, self.start.delimiter)

    def default_columns(self, fields):
        header, rows, _, _ = self._read()
        _, first = rows[0]
        previous = {
            (c.number, c.header): c.target for c in self.columns.lines or []}
        lines = []
        for number, name in enumerate(header, 1):
            key = (number, name)
            lines.append({
                    'number': number,
                    'header': name,
                    'sample': (
                        first[number - 1] if number <= len(first) else ''),
                    'target': (previous[key] if key in previous
                        else guess_target(name)),
                    })
        return {'lines': lines}

    def _targets(self, header):
        "The target of each column of header, checked"
        pool = Pool()
        Column = pool.get('cus.pomost.import.column')
        chosen = {c.number: c.target for c in self.columns.lines or []}
        targets = [chosen.get(n) for n in range(1, len(header) + 1)]
        labels = dict(Column.fields_get(['target'])['target']['selection'])
        for target in set(filter(None, targets)):
            columns = [h for h, t in zip(header, targets) if t == target]
            if len(columns) > 1:
                raise PomostImportError(gettext(
                        'cus_base.msg_pomost_target_twice',
                        target=labels[target],
                        columns='", "'.join(columns)))
        if 'pesel' not in targets:
            raise PomostImportError(gettext(
                    'cus_base.msg_pomost_pesel_unmapped'))
        if 'last_name' not in targets and 'name' not in targets:
            raise PomostImportError(gettext(
                    'cus_base.msg_pomost_name_unmapped'))
        if 'name' in targets and (
                'last_name' in targets or 'first_name' in targets):
            raise PomostImportError(gettext(
                    'cus_base.msg_pomost_name_twice'))
        return targets

    def _check(self):
        pool = Pool()
        Log = pool.get('cus.pomost.import.log')
        header, rows, encoding, delimiter = self._read()
        targets = self._targets(header)
        result = Log.check_rows(header, rows, targets)
        return header, targets, result, encoding, delimiter

    def default_preview(self, fields):
        pool = Pool()
        Log = pool.get('cus.pomost.import.log')
        _, _, result, encoding, delimiter = self._check()
        known = Log.existing_parties([r['pesel'] for r in result.valid])
        errors = []
        for line, messages in result.refused:
            for message in messages:
                errors.append({'line': line, 'message': message})
        count = len(errors)
        note = None
        if count > PREVIEW_ERRORS:
            errors = errors[:PREVIEW_ERRORS]
            note = gettext(
                'cus_base.msg_pomost_preview_more',
                shown=PREVIEW_ERRORS, count=count)
        return {
            'encoding': encoding,
            'delimiter': delimiter,
            'lines': result.lines,
            'valid_lines': len(result.valid),
            'refused_lines': len(result.refused),
            'new_clients': len(result.valid) - len(known),
            'known_clients': len(known),
            'only_valid': self.start.only_valid,
            'errors': errors,
            'errors_note': note,
            }

    def transition_import_(self):
        pool = Pool()
        Log = pool.get('cus.pomost.import.log')
        check_import_access()
        header, targets, result, encoding, delimiter = self._check()
        if not result.valid:
            raise PomostImportError(gettext(
                    'cus_base.msg_pomost_nothing_valid',
                    total=result.lines))
        if result.refused and not self.preview.only_valid:
            raise PomostImportError(gettext(
                    'cus_base.msg_pomost_refused',
                    refused=len(result.refused), total=result.lines))
        log = Log(
            file=self.start.file,
            file_name=self.start.file_name,
            encoding=encoding,
            delimiter=delimiter,
            only_valid=bool(self.preview.only_valid),
            mapping=Log.dump_mapping(header, targets),
            lines=result.lines,
            valid_lines=len(result.valid),
            refused_lines=len(result.refused),
            )
        log.save()
        if result.lines <= SYNC_LINES:
            Log.process([log])
        else:
            with Transaction().set_context(pomost_progress=True):
                Log.__queue__.process([log])
        self.preview.log = log
        return 'open_'

    def do_open_(self, action):
        # The form first: the user follows the import there.
        action['views'].reverse()
        return action, {'res_id': [self.preview.log.id]}
