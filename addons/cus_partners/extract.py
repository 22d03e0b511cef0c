# This file is part of the CUS back office.
"""Pseudonymised extract for the external evaluator

The wizard "Evaluator Extract" (cus.evaluator.extract, for the director and
the organiser) gives, for a period, one row per person, case and service:

* the person only through a pseudonym, an age band, the sex, the client
  category and the former MOPS flag;
* the case (the individual plan with all its updates, or the application of
  the one-off and short paths) through its own pseudonym, its path, and for
  a plan its state and closing outcome;
* the service (package, code, name, kind, unit), the units granted and the
  units delivered (confirmed deliveries only), the number of deliveries and
  of months with a delivery, the first and last delivery dates, the units
  delivered since the start of the support, the average satisfaction of
  the person's monitoring contacts in the period and the averages of the
  scale answers of the satisfaction questionnaires the person answered in
  the period (all of them and per indicator of the Koszalin programme).

No name, PESEL, birth date, address, phone, e-mail, free text (notes,
descriptions, needs, health, problems, findings...), coordinator or plan
and application numbers: every value comes from the columns named in
`EvaluatorExtractReport.extract_query`, and the test scans every cell and
byte of both formats for the personal data of a hand-built set.

Pseudonyms are HMAC-SHA256 with a secret key kept by the CUS, truncated to
16 hexadecimal characters after "K-" (64 bits: no collision to fear among
the clients of a city). The message is the PESEL ("pesel:<11 digits>"),
so that a person keeps the pseudonym across databases (a migration, a
restored copy, a second system of the CUS using the same key) and across
re-registration of the same person; without a PESEL it is the record
number ("party:<id>"), stable in this database only. Without the key the
pseudonym cannot be reversed, even though PESEL numbers are few enough to
be tried one by one: that is why the hash is keyed.

The key is the `[cus] pseudonym_key` of the trytond configuration file
when set (it wins: the CUS can keep it outside the database and its
backups, and share it between databases); otherwise the `pseudonym_key` of
the CUS configuration, generated at the first extract with
`secrets.token_bytes` and stored as hexadecimal, readable only by the
director and the CUS administrator (field access). In both cases the HMAC
key is the UTF-8 text of the key, so copying the stored key into the
configuration file keeps every pseudonym.

XLSX (xlsxwriter in constant memory through cus_base.xlsx) or CSV (a ZIP
with the data and the dictionary, written while the rows are fetched), each
with the data dictionary in the user's language. The rows come from one SQL
query that aggregates the grants and the deliveries; Python only turns each
row into pseudonyms, an age band and labels while it streams.
"""
import csv
import datetime as dt
import hashlib
import hmac
import io
import secrets
import zipfile
from decimal import ROUND_HALF_UP, Decimal

from cus_base.format import format_date, format_number
from cus_base.xlsx import Column, XlsxReport, selection_labels
from sql import Cast, Literal, Null, Union
from sql.aggregate import Avg, Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce
from sql.functions import Extract

from trytond import config
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import sqlite_apply_types
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateReport, StateTransition, StateView, Wizard)

# The key: at least this many characters; a new one has KEY_BYTES of
# randomness (64 hexadecimal characters).
KEY_MIN_LENGTH = 32
KEY_BYTES = 32
PERSON_PREFIX = 'K-'
PERSON_LENGTH = 16
CASE_PREFIXES = {'ipus': 'P-', 'application': 'W-'}
CASE_LENGTH = 12
FINGERPRINT_LENGTH = 8
# Bands of age on the last day of the period (the lower bound of the last
# band has no upper bound)
AGE_BANDS = [
    (0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74),
    (75, 84), (85, None)]
# Plans whose lines count as granted; their latest such version gives the
# state and the outcome of the case.
GRANTING_PLAN_STATES = ['approved', 'running', 'closed']
# The order of the persons: an affine permutation of the record numbers
# modulo a prime with coefficients from the key, so that the rows of a
# person stay together without telling in which order the persons were
# registered.
ORDER_PRIME = 2147483647
CSV_DELIMITER = ';'
CSV_FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')
FETCH_SIZE = 1000

# The columns of the data: (code, kind of cell, width, values). The codes
# are the stable names of the columns for the evaluator's programs, the same
# in every language; their descriptions are the messages
# msg_extract_column_<code>. values is a (model, field) whose selection
# lists the values, or the suffix of a msg_extract_type_* message.
COLUMNS = [
    ('pseudonim', 'text', 20, 'pseudonym'),
    ('grupa_wieku', 'text', 11, 'age_band'),
    ('plec', 'text', 11, ('party.party', 'sex')),
    ('kategoria_klienta', 'text', 24, ('party.party', 'client_category')),
    ('byly_klient_mops', 'integer', 10, 'flag'),
    ('sciezka', 'text', 26, ('cus.application', 'path')),
    ('sprawa', 'text', 16, 'case'),
    ('stan_planu', 'text', 14, ('cus.ipus', 'state')),
    ('rezultat_planu', 'text', 24, ('cus.ipus', 'outcome')),
    ('pakiet', 'text', 24, 'text'),
    ('kod_uslugi', 'text', 10, 'text'),
    ('usluga', 'text', 32, 'text'),
    ('rodzaj_uslugi', 'text', 22, ('cus.service', 'service_kind')),
    ('jednostka', 'text', 9, 'text'),
    ('przyznano', 'number', 11, 'number'),
    ('przyznano_od', 'date', 11, 'date'),
    ('przyznano_do', 'date', 11, 'date'),
    ('zrealizowano', 'number', 12, 'number'),
    ('liczba_realizacji', 'integer', 10, 'integer'),
    ('liczba_miesiecy', 'integer', 10, 'integer'),
    ('pierwsza_realizacja', 'date', 11, 'date'),
    ('ostatnia_realizacja', 'date', 11, 'date'),
    ('zrealizowano_narastajaco', 'number', 12, 'number'),
    ('zadowolenie_monitoring', 'number', 12, 'satisfaction'),
    ('liczba_ocen_monitoring', 'integer', 10, 'integer'),
    ('ankieta_srednia', 'number', 12, 'survey'),
    ('ankieta_zadowolenie', 'number', 12, 'survey'),
    ('ankieta_terminowosc', 'number', 12, 'survey'),
    ('ankieta_kompetencje', 'number', 12, 'survey'),
    ('ankieta_dostepnosc', 'number', 12, 'survey'),
    ('ankieta_procedury', 'number', 12, 'survey'),
    ('liczba_ankiet', 'integer', 10, 'integer'),
    ]
# The columns of the survey indicators (the question tags of cus_ipus'
# questionnaires)
SURVEY_DIMENSIONS = [
    ('ankieta_zadowolenie', 'satisfaction'),
    ('ankieta_terminowosc', 'timeliness'),
    ('ankieta_kompetencje', 'competence'),
    ('ankieta_dostepnosc', 'availability'),
    ('ankieta_procedury', 'clarity'),
    ]
COLUMN_CODES = [c[0] for c in COLUMNS]


class PseudonymKeyError(UserError):
    pass


class PseudonymKeyValidationError(ValidationError):
    pass


class ExtractPeriodError(UserError):
    pass


def _message(name, **variables):
    return gettext('cus_partners.msg_extract_' + name, **variables)


def age_band(birth_date, date):
    "The band of the age on the date of a person born on birth_date"
    if not birth_date:
        return None
    age = date.year - birth_date.year - (
        (date.month, date.day) < (birth_date.month, birth_date.day))
    for low, high in AGE_BANDS:
        if high is None:
            return f'{low}+'
        if age <= high:
            return f'{low}\u2013{high}'


def age_band_labels():
    return [age_band(dt.date(2000, 1, 1), dt.date(2000 + low, 1, 1))
        for low, _ in AGE_BANDS]


def _date(value):
    "A date from SQLite text or a date"
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _number(value, digits=2):
    if value is None:
        return None
    return Decimal(str(value)).quantize(
        Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


class Pseudonymiser:
    """Keyed pseudonyms: HMAC-SHA256 of "<domain>:<value>" with the key,
    in upper-case hexadecimal, truncated"""

    def __init__(self, key):
        self._key = key.encode('utf-8')

    def _digest(self, domain, value):
        return hmac.new(
            self._key, f'{domain}:{value}'.encode('utf-8'),
            hashlib.sha256).hexdigest().upper()

    def person(self, pesel, party_id):
        if pesel:
            digest = self._digest('pesel', pesel)
        else:
            digest = self._digest('party', party_id)
        return PERSON_PREFIX + digest[:PERSON_LENGTH]

    def case(self, kind, number):
        if not number:
            return None
        return CASE_PREFIXES[kind] + self._digest(kind, number)[:CASE_LENGTH]

    def fingerprint(self):
        "Tells whether two extracts share a key without telling the key"
        return self._digest('key', 'fingerprint')[:FINGERPRINT_LENGTH]

    def order_coefficients(self):
        "(a, b) of the order a × id + b mod ORDER_PRIME, a ≠ 0"
        digest = self._digest('order', 'person')
        a = 1 + int(digest[:16], 16) % (ORDER_PRIME - 1)
        b = int(digest[16:32], 16) % ORDER_PRIME
        return a, b


class Configuration(metaclass=PoolMeta):
    __name__ = 'cus.configuration'

    pseudonym_key = fields.Char(
        "Pseudonym Key", strip=True,
        help="The secret from which the evaluator extract computes the "
        "pseudonyms of the persons: generated at the first extract, keep it "
        "secret and do not change it, or every pseudonym changes. "
        "The key of the server configuration ([cus] pseudonym_key) wins "
        "when it is set.")

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if not field_names or 'pseudonym_key' in field_names:
            for configuration in configurations:
                key = configuration.pseudonym_key
                if key and len(key) < KEY_MIN_LENGTH:
                    raise PseudonymKeyValidationError(gettext(
                            'cus_partners.msg_extract_key_short',
                            length=KEY_MIN_LENGTH))

    @classmethod
    def pseudonymisation_key(cls, create=False):
        """The key of the pseudonyms: from the server configuration when
        set, else from the CUS configuration, generated when create (which
        needs a read-write transaction)"""
        key = config.get('cus', 'pseudonym_key', default=None)
        if key:
            key = key.strip()
            if len(key) < KEY_MIN_LENGTH:
                raise PseudonymKeyError(gettext(
                        'cus_partners.msg_extract_key_config_short',
                        length=KEY_MIN_LENGTH))
            return key
        with without_check_access():
            key = cls(1).pseudonym_key
            if not key and create:
                # Two first extracts at once must not make two keys: the
                # table lock restarts the transaction, which then reads the
                # key the other one may have committed.
                cls.lock()
                configuration = cls(1)
                key = configuration.pseudonym_key
                if not key:
                    key = secrets.token_bytes(KEY_BYTES).hex()
                    configuration.pseudonym_key = key
                    configuration.save()
        if not key:
            raise PseudonymKeyError(gettext(
                    'cus_partners.msg_extract_key_missing'))
        return key


class EvaluatorExtractStart(ModelView):
    "Evaluator Extract"
    __name__ = 'cus.evaluator.extract.start'
    __string__ = "Evaluator Extract"

    start_date = fields.Date(
        "Start Date", required=True,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date", required=True,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ],
        help="The age bands are computed on this day.")
    file_format = fields.Selection([
            ('xlsx', "Spreadsheet (XLSX)"),
            ('csv', "CSV Files (ZIP)"),
            ], "Format", required=True, sort=False)

    @classmethod
    def default_start_date(cls):
        today = Pool().get('ir.date').today()
        return dt.date(today.year - 1, 1, 1)

    @classmethod
    def default_end_date(cls):
        today = Pool().get('ir.date').today()
        return dt.date(today.year - 1, 12, 31)

    @classmethod
    def default_file_format(cls):
        return 'xlsx'


class EvaluatorExtract(Wizard):
    "Evaluator Extract"
    __name__ = 'cus.evaluator.extract'

    start = StateView('cus.evaluator.extract.start',
        'cus_partners.evaluator_extract_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'prepare', 'tryton-print', default=True),
            ])
    prepare = StateTransition()
    export = StateReport('cus_partners.report_evaluator_extract')

    def transition_prepare(self):
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        Report = pool.get(
            'cus_partners.report_evaluator_extract', type='report')
        # The groups of the report action say who may make the extract:
        # the others are refused before a key is made.
        Report.check_access(Report.action_report(), None, [])
        if self.start.start_date > self.start.end_date:
            raise ExtractPeriodError(gettext(
                    'cus_partners.msg_extract_period',
                    start=format_date(self.start.start_date),
                    end=format_date(self.start.end_date)))
        # The report runs in a read-only transaction: the key is made here.
        Configuration.pseudonymisation_key(create=True)
        return 'export'

    def do_export(self, action):
        return action, {
            'start_date': self.start.start_date.isoformat(),
            'end_date': self.start.end_date.isoformat(),
            'file_format': self.start.file_format,
            }

    def transition_export(self):
        return 'end'


class EvaluatorExtractReport(XlsxReport):
    "Pseudonymised extract for the external evaluator"
    __name__ = 'cus_partners.report_evaluator_extract'

    @classmethod
    def _execute(cls, records, header, data, action):
        with Transaction().set_context(Transaction().context):
            start, end, file_format = cls.parse_data(data)
            if file_format == 'csv':
                return 'zip', cls.render_csv(start, end)
            return 'xlsx', cls.render_xlsx(records, data, title=action.name)

    @classmethod
    def action_report(cls):
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        ModelData = pool.get('ir.model.data')
        return ActionReport(ModelData.get_id(
                'cus_partners', 'report_evaluator_extract'))

    @classmethod
    def parse_data(cls, data):
        try:
            start = _date(data['start_date'])
            end = _date(data['end_date'])
        except (KeyError, TypeError, ValueError):
            raise ExtractPeriodError(gettext(
                    'cus_partners.msg_extract_period_missing'))
        if start > end:
            raise ExtractPeriodError(gettext(
                    'cus_partners.msg_extract_period',
                    start=format_date(start), end=format_date(end)))
        file_format = data.get('file_format') or 'xlsx'
        if file_format not in {'xlsx', 'csv'}:
            file_format = 'xlsx'
        return start, end, file_format

    @classmethod
    def pseudonymiser(cls):
        Configuration = Pool().get('cus.configuration')
        return Pseudonymiser(Configuration.pseudonymisation_key())

    # The query

    @classmethod
    def facts_query(cls, start, end):
        """The grants overlapping the period and the confirmed deliveries up
        to its end, as rows (client, path, case_ref, service, granted,
        grant_start, grant_end, grants, delivered, deliveries, month,
        first_date, last_date, cumulative), ready to be summed"""
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        IpusLine = pool.get('cus.ipus.line')
        Application = pool.get('cus.application')
        ApplicationLine = pool.get('cus.application.line')
        Delivery = pool.get('cus.service.delivery')

        # Typed NULLs: PostgreSQL types the columns of a UNION from its
        # first branches.
        def no_date():
            return Cast(Null, 'DATE')

        def grant(client, path, case_ref, service, quantity, first, last):
            return [
                client.as_('client'), path.as_('path'),
                case_ref.as_('case_ref'), service.as_('service'),
                quantity.as_('granted'), first.as_('grant_start'),
                last.as_('grant_end'), Literal(1).as_('grants'),
                Literal(0).as_('delivered'), Literal(0).as_('deliveries'),
                Cast(Null, 'NUMERIC').as_('month'),
                no_date().as_('first_date'), no_date().as_('last_date'),
                Literal(0).as_('cumulative'),
                ]

        def delivered(delivery, path, case_ref):
            in_period = delivery.date >= start
            month = (Extract('YEAR', delivery.date) * 12
                + Extract('MONTH', delivery.date))
            return [
                delivery.client.as_('client'), path.as_('path'),
                case_ref.as_('case_ref'), delivery.service.as_('service'),
                Literal(0).as_('granted'), no_date().as_('grant_start'),
                no_date().as_('grant_end'), Literal(0).as_('grants'),
                Case((in_period, delivery.quantity),
                    else_=Literal(0)).as_('delivered'),
                Case((in_period, Literal(1)),
                    else_=Literal(0)).as_('deliveries'),
                Case((in_period, month), else_=Null).as_('month'),
                Case((in_period, delivery.date), else_=Null).as_(
                    'first_date'),
                Case((in_period, delivery.date), else_=Null).as_(
                    'last_date'),
                delivery.quantity.as_('cumulative'),
                ]

        ipus = Cast(Literal('ipus'), 'VARCHAR')
        plan = Ipus.__table__()
        line = IpusLine.__table__()
        plan_grants = line.join(plan, condition=plan.id == line.plan).select(
            *grant(plan.client, ipus, plan.number, line.service,
                line.quantity, line.start_date, line.end_date),
            where=plan.state.in_(GRANTING_PLAN_STATES)
            & (plan.number != Null)
            & (line.start_date <= end) & (line.end_date >= start))

        application = Application.__table__()
        app_line = ApplicationLine.__table__()
        app_start = Coalesce(app_line.start_date, application.application_date)
        application_grants = app_line.join(application,
            condition=application.id == app_line.application).select(
            *grant(application.client, application.path, application.number,
                app_line.service, app_line.quantity, app_start,
                Coalesce(app_line.end_date, app_start)),
            where=(application.state == 'qualified')
            & application.path.in_(['one_off', 'short'])
            & (app_line.state == 'granted')
            & (app_start <= end)
            & (Coalesce(app_line.end_date, app_start) >= start))

        delivery = Delivery.__table__()
        d_line = IpusLine.__table__()
        d_plan = Ipus.__table__()
        plan_deliveries = (delivery
            .join(d_line, condition=d_line.id == delivery.line)
            .join(d_plan, condition=d_plan.id == d_line.plan)
            .select(*delivered(delivery, ipus, d_plan.number),
                where=(delivery.state == 'confirmed')
                & (delivery.date <= end)))

        a_delivery = Delivery.__table__()
        d_app_line = ApplicationLine.__table__()
        d_application = Application.__table__()
        application_deliveries = (a_delivery
            .join(d_app_line,
                condition=d_app_line.id == a_delivery.application_line)
            .join(d_application,
                condition=d_application.id == d_app_line.application)
            .select(*delivered(
                    a_delivery, d_application.path, d_application.number),
                where=(a_delivery.state == 'confirmed')
                & (a_delivery.date <= end)))
        return Union(plan_grants, application_grants, plan_deliveries,
            application_deliveries, all_=True)

    @classmethod
    def extract_query(cls, start, end, order=(1, 0)):
        """The rows of the extract, one per client, case and service, with
        only the columns needed to write them (no name, no free text)"""
        pool = Pool()
        Party = pool.get('party.party')
        Identifier = pool.get('party.identifier')
        Service = pool.get('cus.service')
        Package = pool.get('cus.service.package')
        Uom = pool.get('product.uom')
        Ipus = pool.get('cus.ipus')
        Monitoring = pool.get('cus.ipus.monitoring')

        facts = cls.facts_query(start, end)
        rows = facts.select(
            facts.client.as_('client'), facts.path.as_('path'),
            facts.case_ref.as_('case_ref'), facts.service.as_('service'),
            Sum(facts.granted).as_('granted'),
            Min(facts.grant_start).as_('grant_start'),
            Max(facts.grant_end).as_('grant_end'),
            Sum(facts.delivered).as_('delivered'),
            Sum(facts.deliveries).as_('deliveries'),
            Count(facts.month, distinct=True).as_('months'),
            Min(facts.first_date).as_('first_date'),
            Max(facts.last_date).as_('last_date'),
            Sum(facts.cumulative).as_('cumulative'),
            group_by=[
                facts.client, facts.path, facts.case_ref, facts.service],
            having=(Sum(facts.grants) > 0) | (Sum(facts.deliveries) > 0))

        identifier = Identifier.__table__()
        pesel = identifier.select(
            identifier.party.as_('party'),
            Min(identifier.code_compact).as_('code'),
            where=identifier.type == 'pl_pesel',
            group_by=[identifier.party])

        # The state and outcome of a plan: those of its latest version that
        # was approved (an update in draft or cancelled does not count).
        version = Ipus.__table__()
        versions = version.select(
            version.number.as_('number'),
            Max(version.version).as_('version'),
            where=(version.number != Null)
            & version.state.in_(GRANTING_PLAN_STATES + ['superseded']),
            group_by=[version.number])
        plan = Ipus.__table__()
        current = versions.join(plan,
            condition=(plan.number == versions.number)
            & (plan.version == versions.version)).select(
                plan.number.as_('number'), plan.state.as_('state'),
                plan.outcome.as_('outcome'))

        monitoring = Monitoring.__table__()
        monitored = Ipus.__table__()
        satisfaction = monitoring.join(monitored,
            condition=monitored.id == monitoring.plan).select(
                monitored.client.as_('client'),
                Avg(monitoring.satisfaction).as_('average'),
                Count(monitoring.satisfaction).as_('scores'),
                where=(monitoring.date >= start) & (monitoring.date <= end)
                & (monitoring.satisfaction != Null),
                group_by=[monitored.client])

        surveys = cls.survey_query(start, end)

        party = Party.__table__()
        service = Service.__table__()
        package = Package.__table__()
        uom = Uom.__table__()
        a, b = order
        query = (rows
            .join(party, condition=party.id == rows.client)
            .join(pesel, 'LEFT', condition=pesel.party == rows.client)
            .join(service, condition=service.id == rows.service)
            .join(package, 'LEFT', condition=package.id == service.package)
            .join(uom, 'LEFT', condition=uom.id == service.unit)
            .join(current, 'LEFT',
                condition=(rows.path == 'ipus')
                & (current.number == rows.case_ref))
            .join(satisfaction, 'LEFT',
                condition=satisfaction.client == rows.client)
            .join(surveys, 'LEFT', condition=surveys.client == rows.client)
            .select(
                rows.client.as_('client'),
                pesel.code.as_('pesel'),
                party.birth_date.as_('birth_date'),
                party.sex.as_('sex'),
                party.client_category.as_('client_category'),
                party.former_ops_client.as_('former_ops_client'),
                rows.path.as_('path'),
                rows.case_ref.as_('case_ref'),
                current.state.as_('plan_state'),
                current.outcome.as_('outcome'),
                package.name.as_('package'),
                service.code.as_('service_code'),
                service.name.as_('service_name'),
                service.service_kind.as_('service_kind'),
                uom.symbol.as_('unit'),
                rows.granted.as_('granted'),
                rows.grant_start.as_('grant_start'),
                rows.grant_end.as_('grant_end'),
                rows.delivered.as_('delivered'),
                rows.deliveries.as_('deliveries'),
                rows.months.as_('months'),
                rows.first_date.as_('first_date'),
                rows.last_date.as_('last_date'),
                rows.cumulative.as_('cumulative'),
                satisfaction.average.as_('satisfaction'),
                satisfaction.scores.as_('scores'),
                surveys.average.as_('survey_average'),
                *[getattr(surveys, d).as_('survey_' + d)
                    for _, d in SURVEY_DIMENSIONS],
                surveys.responses.as_('survey_responses'),
                order_by=[
                    (Cast(rows.client, 'BIGINT') * a + b) % ORDER_PRIME,
                    rows.client, rows.path, rows.case_ref,
                    service.code, service.id]))
        sqlite_apply_types(query, [
                None, None, 'DATE', None, None, None, None, None, None,
                None, None, None, None, None, None, None, 'DATE', 'DATE',
                None, None, None, 'DATE', 'DATE', None, None, None]
            + [None] * (len(SURVEY_DIMENSIONS) + 2))
        return query

    @classmethod
    def survey_query(cls, start, end):
        """The averages of the scale answers (1-5) of the questionnaires
        each client answered in the period: of all of them and of each
        indicator, with the number of responses"""
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Answer = pool.get('cus.survey.answer')
        Question = pool.get('cus.survey.question')
        response = Response.__table__()
        answer = Answer.__table__()
        question = Question.__table__()
        return (response
            .join(answer, condition=answer.response == response.id)
            .join(question, condition=question.id == answer.question)
            .select(
                response.client.as_('client'),
                Avg(answer.scale).as_('average'),
                *[Avg(Case(
                            (question.dimension == d, answer.scale),
                            else_=Null)).as_(d)
                    for _, d in SURVEY_DIMENSIONS],
                Count(response.id, distinct=True).as_('responses'),
                where=(response.state == 'answered')
                & (response.answered_date >= start)
                & (response.answered_date <= end)
                & (question.kind == 'scale')
                & (answer.scale != Null),
                group_by=[response.client]))

    @classmethod
    def rows(cls, start, end, pseudonymiser=None):
        """The rows of the extract in the order of COLUMNS, streamed from
        the cursor"""
        pseudonymiser = pseudonymiser or cls.pseudonymiser()
        labels = {
            code: cls._selection(*values)
            for code, _, _, values in COLUMNS if isinstance(values, tuple)}
        cursor = Transaction().connection.cursor()
        cursor.execute(*cls.extract_query(
                start, end, pseudonymiser.order_coefficients()))
        person_of = {}
        while True:
            fetched = cursor.fetchmany(FETCH_SIZE)
            if not fetched:
                break
            for (client, pesel, birth_date, sex, category, former_ops, path,
                    case_ref, plan_state, outcome, package, service_code,
                    service_name, service_kind, unit, granted, grant_start,
                    grant_end, delivered, deliveries, months, first_date,
                    last_date, cumulative, satisfaction, scores,
                    *surveys, responses) in fetched:
                # The rows of a person follow each other: one pseudonym
                # computed per person, memory kept constant.
                if client not in person_of:
                    person_of.clear()
                    person_of[client] = pseudonymiser.person(pesel, client)
                kind = 'ipus' if path == 'ipus' else 'application'
                yield (
                    person_of[client],
                    age_band(_date(birth_date), end),
                    labels['plec'].get(sex),
                    labels['kategoria_klienta'].get(category),
                    1 if former_ops else 0,
                    labels['sciezka'].get(path),
                    pseudonymiser.case(kind, case_ref),
                    labels['stan_planu'].get(plan_state),
                    labels['rezultat_planu'].get(outcome),
                    package,
                    service_code,
                    service_name,
                    labels['rodzaj_uslugi'].get(service_kind),
                    unit,
                    _number(granted or 0),
                    _date(grant_start),
                    _date(grant_end),
                    _number(delivered or 0),
                    int(deliveries or 0),
                    int(months or 0),
                    _date(first_date),
                    _date(last_date),
                    _number(cumulative or 0),
                    _number(satisfaction),
                    int(scores or 0),
                    *[_number(v) for v in surveys],
                    int(responses or 0),
                    )

    @classmethod
    def _selection(cls, model, name):
        "{value: label} of a selection field, without the empty value"
        return {k: v for k, v in selection_labels(model, name).items() if k}

    # The dictionary

    @classmethod
    def dictionary_titles(cls):
        return [_message('dictionary_column'),
            _message('dictionary_description'),
            _message('dictionary_values')]

    @classmethod
    def dictionary_rows(cls, start, end, pseudonymiser, row_count,
            person_count):
        "The description of each column, then what the extract is"
        for code, _, _, values in COLUMNS:
            if isinstance(values, tuple):
                text = '; '.join(cls._selection(*values).values())
            elif values == 'age_band':
                text = '; '.join(age_band_labels())
            else:
                text = _message('type_' + values)
            yield (code, _message('column_' + code), text)
        yield (None, None, None)
        yield (_message('meta_period'),
            f'{format_date(start)}\u2013{format_date(end)}', None)
        yield (_message('meta_created'),
            format_date(Pool().get('ir.date').today()), None)
        yield (_message('meta_rows'), str(row_count), None)
        yield (_message('meta_persons'), str(person_count), None)
        yield (_message('meta_key'), pseudonymiser.fingerprint(), None)
        yield (_message('meta_rule'), _message('meta_rule_text'), None)

    # The files

    @classmethod
    def write_workbook(cls, book, records, data):
        start, end, _ = cls.parse_data(data)
        pseudonymiser = cls.pseudonymiser()
        columns = [Column(code, kind, width=width)
            for code, kind, width, _ in COLUMNS]
        sheet = book.sheet(_message('sheet_data'), columns)
        dictionary = book.sheet(_message('sheet_dictionary'), [
                Column(t, width=w) for t, w in zip(
                    cls.dictionary_titles(), [26, 90, 60])],
            autofilter=False)
        row_count = person_count = 0
        last = None
        for row in cls.rows(start, end, pseudonymiser):
            sheet.write_row(row)
            row_count += 1
            if row[0] != last:
                person_count += 1
                last = row[0]
        for row in cls.dictionary_rows(
                start, end, pseudonymiser, row_count, person_count):
            dictionary.write_row(row)

    @classmethod
    def render_csv(cls, start, end):
        """A ZIP with the data and the dictionary as CSV files: UTF-8 with a
        byte order mark, ";" between the values, a decimal comma and ISO
        dates, as Polish spreadsheets and csv2 readers expect"""
        pseudonymiser = cls.pseudonymiser()
        output = io.BytesIO()
        row_count = person_count = 0
        with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as archive:
            with archive.open(_message('file_data'), 'w') as raw, \
                    io.TextIOWrapper(
                        raw, encoding='utf-8-sig', newline='') as text:
                writer = csv.writer(text, delimiter=CSV_DELIMITER,
                    lineterminator='\r\n')
                writer.writerow(COLUMN_CODES)
                last = None
                for row in cls.rows(start, end, pseudonymiser):
                    writer.writerow([cls._csv_value(v) for v in row])
                    row_count += 1
                    if row[0] != last:
                        person_count += 1
                        last = row[0]
            with archive.open(_message('file_dictionary'), 'w') as raw, \
                    io.TextIOWrapper(
                        raw, encoding='utf-8-sig', newline='') as text:
                writer = csv.writer(text, delimiter=CSV_DELIMITER,
                    lineterminator='\r\n')
                writer.writerow(cls.dictionary_titles())
                for row in cls.dictionary_rows(
                        start, end, pseudonymiser, row_count, person_count):
                    writer.writerow([cls._csv_value(v) for v in row])
        return output.getvalue()

    @staticmethod
    def _csv_value(value):
        if value is None:
            return ''
        if isinstance(value, bool):
            return '1' if value else '0'
        if isinstance(value, int):
            return str(value)
        if isinstance(value, (Decimal, float)):
            return format_number(value, strip=True, grouping=False)
        if isinstance(value, dt.date):
            return value.isoformat()
        value = str(value)
        # A spreadsheet must not take a text for a formula
        if value.startswith(CSV_FORMULA_STARTS):
            return "'" + value
        return value
