# This file is part of the CUS back office.
"""Deterministic generator of a city's CUS data, for the benchmarks.

A "city" is the back office of a centre of social services after some years
of work: clients, providers, the service base, one running programme,
applications (plan path and one-off/short paths), individual plans with
their lines (including updates, i.e. second versions), waiting lists and
service deliveries spread over the years.

Everything is drawn from `random.Random` instances seeded by the parameters,
so the same `CityParams` always give the same rows (and the same ids on a
fresh database).

Loading:

1. a fresh PostgreSQL database is created and the modules are activated with
   `trytond-admin -u cus_ipus --activate-dependencies` (so the tables,
   constraints and the declared `_sql_indexes` are exactly trytond's);
2. the few records that need the ORM's logic (currency, company) are created
   through the ORM and the next numbers of the sequences are read;
3. the bulk rows are generated in Python and loaded with COPY (psycopg 3
   `cursor.copy`) directly into the tables, with create_uid/create_date
   (and write_uid/write_date where a later transition wrote the record),
   one history row per record in the `__history` tables, and the id
   sequences advanced with setval;
4. the ir.sequence counters (party code, service code, programme,
   application and plan numbers) are moved past the generated numbers
   through the ORM, then VACUUM ANALYZE;
5. a JSON marker (generator version, parameters, row counts, hash of the
   module sources) is stored as the comment of the database, so that
   `ensure_database` reuses a database built with the same parameters.

Command line:

    python -m bench.citygen                       # 1 000 000 deliveries
    python -m bench.citygen --deliveries 20000    # a small city
    python -m bench.citygen --deliveries 20000 --rebuild
"""
import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from array import array
from functools import lru_cache
from pathlib import Path

from dateutil.relativedelta import relativedelta

GENERATOR = 'bench.citygen'
GENERATOR_VERSION = 2
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URI = 'postgresql://root@127.0.0.1:5432/'
DEFAULT_MODULES = ('cus_ipus',)
# Module sources whose change may change the schema of a reused database.
SOURCE_DIRS = ('addons/cus_base', 'addons/cus_ipus')
ADMIN = 1  # res.user "admin": the author of the generated records
# Above this many deliveries the foreign keys are not checked while loading
# (session_replication_role = replica); smaller cities are loaded with the
# checks on, which verifies the generator.
TRUST_FK_ABOVE = 200_000


def database_uri():
    return os.environ.get('TRYTOND_DATABASE_URI') or DEFAULT_URI


def _configure_trytond():
    "Point an in-process trytond to PostgreSQL whatever TRYTOND_CONFIG says"
    os.environ.setdefault('TRYTOND_DATABASE_URI', database_uri())
    from trytond import config
    config.set('database', 'uri', database_uri())


def connect(dbname, **kwargs):
    "A plain psycopg connection to dbname on the server of the URI"
    import psycopg
    from psycopg.conninfo import conninfo_to_dict
    uri = database_uri()
    # The URI names no database: it is the server of all trytond databases.
    params = conninfo_to_dict(uri)
    params['dbname'] = dbname
    return psycopg.connect(**params, **kwargs)


# ---------------------------------------------------------------------------
# Parameters

# The default city: Koszalin-sized. Per resident, the other sizes scale
# from these (see `CityParams.for_residents`).
RESIDENTS = 105_000
PER_CITY = {
    'deliveries': 1_000_000,
    'clients': 12_000,
    'plans_per_year': 4_000,
    'providers': 40,
    'coordinators': 25,
    }
# The least of each, for tiny test cities.
MINIMUM = {'clients': 50, 'plans_per_year': 20, 'providers': 5,
    'coordinators': 2}


@dataclasses.dataclass(frozen=True)
class CityParams:
    deliveries: int = 1_000_000
    clients: int = 12_000
    services: int = 60
    plans_per_year: int = 4_000
    years: int = 5
    providers: int = 40
    seed: int = 1
    residents: int = RESIDENTS
    # Employees coordinating the plans (company.employee): each client's
    # plans go to one of them.
    coordinators: int = 25
    # The day the city is looked at: the last day of the generated years.
    as_of: str = '2026-10-31'
    # One row per record in the __history tables, as the ORM writes them.
    history: bool = True
    modules: tuple = DEFAULT_MODULES

    @classmethod
    def for_residents(cls, residents=RESIDENTS, **overrides):
        """The default city scaled to a number of residents

        Deliveries, clients, plans a year, providers and coordinators are
        proportional to the residents (105 000 residents: 1 000 000
        deliveries over 5 years, 12 000 clients, 4 000 plans a year, 40
        providers, 25 coordinators), with a floor for tiny cities; explicit
        values win.
        """
        factor = residents / RESIDENTS
        values = {name: max(MINIMUM.get(name, 1), round(value * factor))
            for name, value in PER_CITY.items()}
        values['residents'] = residents
        values.update({k: v for k, v in overrides.items() if v is not None})
        if 'modules' in values:
            values['modules'] = tuple(values['modules'])
        return cls(**values)

    @classmethod
    def for_size(cls, deliveries=1_000_000, **overrides):
        """The default city scaled to a number of deliveries

        The residents follow the deliveries (105 000 for 1 000 000), and
        the rest the residents (see `for_residents`); explicit values win.
        """
        residents = overrides.pop('residents', None) or max(1, round(
                RESIDENTS * deliveries / PER_CITY['deliveries']))
        values = {
            name: max(MINIMUM.get(name, 1), round(
                    value * deliveries / PER_CITY['deliveries']))
            for name, value in PER_CITY.items()}
        values['deliveries'] = deliveries
        values['residents'] = residents
        values.update({k: v for k, v in overrides.items() if v is not None})
        if 'modules' in values:
            values['modules'] = tuple(values['modules'])
        return cls(**values)

    def to_dict(self):
        values = dataclasses.asdict(self)
        values['modules'] = list(self.modules)
        return values

    @property
    def default_dbname(self):
        return f'cus_bench_{self.deliveries}'


# ---------------------------------------------------------------------------
# Vocabulary

# (name, unit xml id, quantities of one delivery, hours of a unit,
#  deliveries a month in a plan, fee)
SERVICE_TYPES = [
    ("Usługi opiekuńcze", 'product.uom_hour', (1, 1.5, 2, 2, 3), None, 12,
        'co_paid'),
    ("Specjalistyczne usługi opiekuńcze", 'product.uom_hour', (1, 1.5, 2),
        None, 8, 'co_paid'),
    ("Asystencja osobista", 'product.uom_hour', (1, 2, 2, 3, 4), None, 8,
        'free'),
    ("Transport door-to-door", 'cus_base.uom_ride', (1,), None, 4, 'free'),
    ("Posiłek z dowozem", 'cus_base.uom_service', (1, 1, 1, 2), None, 18,
        'co_paid'),
    ("Poradnictwo psychologiczne", 'cus_base.uom_session', (1,), 1.0, 2,
        'free'),
    ("Poradnictwo prawne", 'cus_base.uom_session', (1,), 1.0, 1, 'free'),
    ("Terapia rodzinna", 'cus_base.uom_session', (1,), 1.5, 2, 'free'),
    ("Mediacje rodzinne", 'cus_base.uom_session', (1,), 2.0, 1, 'free'),
    ("Zajęcia w klubie seniora", 'cus_base.uom_session', (1,), 3.0, 6,
        'free'),
    ("Opieka wytchnieniowa", 'product.uom_hour', (2, 4, 4, 6, 8), None, 3,
        'free'),
    ("Wypożyczenie sprzętu rehabilitacyjnego", 'cus_base.uom_loan', (1,),
        None, 0.3, 'free'),
    ("Złota rączka", 'cus_base.uom_visit', (1,), 2.0, 0.5, 'co_paid'),
    ("Teleopieka", 'cus_base.uom_place_month', (1,), None, 1, 'co_paid'),
    ("Dzienny dom pobytu", 'cus_base.uom_place_month', (1,), None, 1,
        'co_paid'),
    ("Rehabilitacja domowa", 'cus_base.uom_visit', (1,), 1.0, 4, 'free'),
    ("Wizyta pielęgniarska", 'cus_base.uom_visit', (1,), 1.0, 3, 'free'),
    ("Trening kompetencji społecznych", 'cus_base.uom_session', (1,), 2.0,
        3, 'free'),
    ("Korepetycje dla dzieci", 'cus_base.uom_session', (1,), 1.0, 4,
        'free'),
    ("Asystent rodziny", 'cus_base.uom_visit', (1,), 2.0, 4, 'free'),
    ]
SERVICE_VARIANTS = [
    "", " dla seniorów", " dla osób z niepełnosprawnościami",
    " dla rodzin z dziećmi"]
# (name, provider_kind of cus_partners)
PROVIDER_KINDS = [
    ("Spółdzielnia Socjalna", 'social_cooperative'),
    ("Fundacja", 'ngo'), ("Stowarzyszenie", 'ngo'),
    ("Centrum Integracji Społecznej", 'other_pes'),
    ("Klub Integracji Społecznej", 'other_pes'),
    ("Przedsiębiorstwo Społeczne", 'social_enterprise')]
PROVIDER_NAMES = [
    "Razem", "Pomocna Dłoń", "Nadzieja", "Przystań", "Dobry Sąsiad",
    "Krok Dalej", "Wspólnota", "Promyk", "Horyzont", "Otwarte Drzwi",
    "Senior+", "Most", "Azymut", "Tęcza", "Dom"]
FIRST_NAMES_F = [
    "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara",
    "Ewa", "Krystyna", "Elżbieta", "Zofia", "Janina", "Teresa", "Jadwiga",
    "Danuta", "Halina", "Irena", "Joanna", "Beata", "Grażyna", "Helena",
    "Stanisława", "Wanda", "Alicja", "Marianna", "Genowefa"]
FIRST_NAMES_M = [
    "Jan", "Stanisław", "Andrzej", "Józef", "Tadeusz", "Jerzy",
    "Zbigniew", "Krzysztof", "Henryk", "Ryszard", "Kazimierz", "Marek",
    "Marian", "Piotr", "Janusz", "Władysław", "Adam", "Wiesław",
    "Zdzisław", "Edward", "Mieczysław", "Roman", "Mirosław", "Grzegorz",
    "Czesław"]
# Surnames in their masculine form; -ski/-cki/-dzki take -a for women.
SURNAMES = [
    "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński",
    "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski",
    "Kozłowski", "Jankowski", "Mazur", "Wojciechowski", "Kwiatkowski",
    "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski", "Zając",
    "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel",
    "Nowakowski", "Majewski", "Olszewski", "Stępień", "Malinowski",
    "Jaworski", "Adamczyk", "Dudek", "Nowicki", "Pawlak", "Górski",
    "Witkowski", "Walczak", "Sikora", "Baran", "Rutkowski", "Michalak",
    "Szewczyk", "Ostrowski", "Tomaszewski", "Pietrzak", "Marciniak",
    "Wróblewski", "Zalewski", "Jakubowski", "Jasiński", "Zawadzki",
    "Sadowski", "Bąk", "Chmielewski", "Włodarczyk", "Borkowski",
    "Czarnecki", "Sawicki", "Sokołowski", "Urbański", "Kubiak",
    "Maciejewski", "Szczepański", "Kucharski", "Wilk", "Kalinowski",
    "Lis", "Mazurek", "Wysocki", "Adamski", "Kaźmierczak", "Wasilewski",
    "Sobczak", "Czerwiński", "Andrzejewski", "Cieślak", "Głowacki"]
CHANNELS = ['office', 'office', 'office', 'home_visit', 'phone', 'online',
    'post']
OUTCOMES = ['achieved'] * 5 + ['partly'] * 3 + ['not_achieved', 'resigned',
    'other']
CLIENT_CATEGORIES = ['resident'] * 6 + ['hybrid'] * 2 + ['social_assistance']


def _female(surname):
    for ending in ('ski', 'cki', 'dzki'):
        if surname.endswith(ending):
            return surname[:-1] + 'a'
    return surname


def pesel(birth, serial, female):
    "A valid PESEL for a birth date, a serial 0-999 and the sex"
    month = birth.month + {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[
        birth.year // 100]
    sex = (serial * 7 + 1) % 10
    if female == (sex % 2 == 1):
        sex = (sex + 1) % 10
    digits = (f'{birth.year % 100:02d}{month:02d}{birth.day:02d}'
        f'{serial:03d}{sex}')
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights)) % 10) % 10
    return digits + str(check)


# ---------------------------------------------------------------------------
# COPY text format

_ESCAPE = str.maketrans({'\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r'})


def _text(value):
    if value is None:
        return '\\N'
    if value is True:
        return 't'
    if value is False:
        return 'f'
    if isinstance(value, str):
        return value.translate(_ESCAPE)
    if isinstance(value, float):
        return repr(value)
    # int, date (ISO), datetime ("YYYY-MM-DD HH:MM:SS")
    return str(value)


@lru_cache(maxsize=None)
def _day(ordinal):
    return dt.date.fromordinal(ordinal).isoformat()


def _stamp(ordinal, hour=10, minute=0):
    return f'{_day(ordinal)} {hour:02d}:{minute:02d}:00'


class Table:
    "Rows of one table, kept as COPY text lines"

    def __init__(self, name, columns):
        self.name = name
        self.columns = list(columns)
        self.lines = []
        self.count = 0
        self.chunks = None  # callable yielding text chunks (big tables)

    def add(self, *values):
        assert len(values) == len(self.columns), (self.name, values)
        self.lines.append('\t'.join(map(_text, values)) + '\n')
        self.count += 1

    def iter_chunks(self, size=5000):
        if self.chunks is not None:
            yield from self.chunks()
            return
        for i in range(0, len(self.lines), size):
            yield ''.join(self.lines[i:i + size])


AUDIT = ['create_uid', 'create_date', 'write_uid', 'write_date']


# ---------------------------------------------------------------------------
# Generator

class _Plan:
    __slots__ = ('id', 'client', 'valid_from', 'valid_to', 'drawn_up',
        'application_date', 'state', 'version', 'previous', 'number',
        'approved_date', 'update_date', 'summary_date', 'lines',
        'application', 'cancelled_from_draft', 'rank', 'coordinator')


class _Line:
    __slots__ = ('id', 'plan', 'sequence', 'service', 'provider', 'start',
        'end', 'state', 'origin', 'rate', 'quantity', 'usage', 'used',
        'deliveries')


class _Application:
    __slots__ = ('id', 'client', 'date', 'path', 'state', 'number',
        'decision_date', 'lines', 'plan', 'rank')


class _AppLine:
    __slots__ = ('id', 'application', 'sequence', 'service', 'start', 'end',
        'state', 'quantity', 'rate', 'usage', 'used', 'deliveries',
        'plan_line')


class City:
    """The rows of a city for the given parameters

    refs: the ids and numbers taken from the database after the modules
    were activated (see `_orm_setup`): 'ids' (next free id per table),
    'uom' (xml id -> id), 'company', 'sequences' (name -> next number).
    """

    def __init__(self, params, refs):
        self.params = params
        self.refs = refs
        self.as_of = dt.date.fromisoformat(params.as_of)
        self.end = self.as_of.toordinal()
        self.start = (self.as_of - relativedelta(years=params.years)
            ).toordinal() + 1
        self.tables = {}
        self.partners = 'cus_partners' in params.modules

    def rng(self, name):
        return random.Random(f'citygen:{self.params.seed}:{name}')

    def table(self, name, columns):
        table = self.tables[name] = Table(name, columns)
        return table

    def next_id(self, table, count):
        "Reserve count ids of table; returns the first"
        first = self.refs['ids'][table]
        self.refs['ids'][table] = first + count
        return first

    def next_number(self, sequence, count=1):
        first = self.refs['sequences'][sequence]
        self.refs['sequences'][sequence] = first + count
        return first

    def generate(self):
        self._services()
        self._parties()
        self._programme()
        self._plans()
        self._applications()
        self._deliveries()
        self._quantities()
        self._plan_rows()
        self._monitoring_rows()
        self._application_rows()
        self._waiting_rows()
        self._programme_lines()
        return self

    def counts(self):
        return {name: t.count for name, t in self.tables.items()}

    # -- service base ------------------------------------------------------
    def _services(self):
        rng = self.rng('services')
        count = self.params.services
        first = self.next_id('cus_service', count)
        number = self.next_number('service', count)
        table = self.table('cus_service', [
                'id', 'active', 'code', 'name', 'description', 'unit',
                'fee_type', 'fee_amount', 'unit_price', 'place_type',
                'max_unit_duration', *AUDIT])
        self.services = []
        ranks = list(range(count))
        rng.shuffle(ranks)
        created = _stamp(self.start - 60)
        for i in range(count):
            kind = SERVICE_TYPES[i % len(SERVICE_TYPES)]
            name, unit, steps, hours, rate, fee = kind
            variant = i // len(SERVICE_TYPES)
            name += SERVICE_VARIANTS[variant % len(SERVICE_VARIANTS)]
            if variant >= len(SERVICE_VARIANTS):
                name += f' ({variant // len(SERVICE_VARIANTS) + 1})'
            service = {
                'id': first + i,
                'popularity': 1 / (ranks[i] + 1) ** 0.8,
                'steps': steps,
                'mean_step': sum(steps) / len(steps),
                'hours': hours,
                'rate': rate,
                }
            self.services.append(service)
            fee_amount = (f'{rng.choice((2, 3, 5, 8, 10))}.00'
                if fee != 'free' else None)
            table.add(first + i, True, f'US-{number + i:03d}', name,
                f"{name}: usługa z bazy usług CUS.",
                self.refs['uom'][unit], fee, fee_amount,
                f'{rng.randrange(25, 120)}.00',
                rng.choice(('home', 'home', 'cus', 'provider', 'city')),
                hours, ADMIN, created, None, None)

    # -- parties -------------------------------------------------------------
    def _parties(self):
        rng = self.rng('parties')
        p = self.params
        party = self.table('party_party', [
                'id', 'active', 'code', 'code_alnum', 'code_digit', 'name',
                'cus_client', 'client_category', 'former_ops_client',
                'birth_date', 'sex', 'marital_status',
                'employment_situation', 'disability_degree', *AUDIT]
            # The providers are provider parties of cus_partners.
            + (['cus_provider', 'provider_kind'] if self.partners else []))
        identifier = self.table('party_identifier', [
                'id', 'active', 'party', 'type', 'code', 'code_compact',
                *AUDIT])
        provides = self.table('cus_service-party_party', [
                'id', 'service', 'party', *AUDIT])
        first = self.next_id('party_party', p.providers + p.clients)
        code = self.next_number('party', p.providers + p.clients)
        created = _stamp(self.start - 60)

        # Providers
        self.providers = []
        for i in range(p.providers):
            kind, provider_kind = PROVIDER_KINDS[i % len(PROVIDER_KINDS)]
            name = PROVIDER_NAMES[(i * 7) % len(PROVIDER_NAMES)]
            if i >= len(PROVIDER_NAMES):
                name += f' {i // len(PROVIDER_NAMES) + 1}'
            party_code = str(code + i)
            party.add(first + i, True, party_code, party_code,
                int(party_code), f'{kind} „{name}”', False, None, False,
                None, None, None, None, None, ADMIN, created, None, None,
                *((True, provider_kind) if self.partners else ()))
            self.providers.append(first + i)
        # Each service has 1 or 2 providers (or none: delivered in-house).
        first_provides = self.refs['ids']['cus_service-party_party']
        n = 0
        for service in self.services:
            service['providers'] = []
            if rng.random() < 0.15:
                continue
            for provider in rng.sample(
                    self.providers, min(len(self.providers),
                        rng.choice((1, 1, 2)))):
                service['providers'].append(provider)
        # Every provider offers a service (it is in the base for one).
        idle = sorted(set(self.providers) - {
                x for s in self.services for x in s['providers']})
        for i, provider in enumerate(idle):
            service = self.services[(i * 7) % len(self.services)]
            if provider not in service['providers']:
                service['providers'].append(provider)
        for service in self.services:
            for provider in service['providers']:
                provides.add(first_provides + n, service['id'], provider,
                    ADMIN, created, None, None)
                n += 1
        self.next_id('cus_service-party_party', n)

        # Clients
        first_identifier = self.next_id('party_identifier', p.clients)
        used_pesel = set()
        self.clients = []
        for i in range(p.clients):
            party_id = first + p.providers + i
            female = rng.random() < 0.58
            surname = rng.choice(SURNAMES)
            if female:
                name = f'{rng.choice(FIRST_NAMES_F)} {_female(surname)}'
            else:
                name = f'{rng.choice(FIRST_NAMES_M)} {surname}'
            band = rng.random()
            age = (rng.randrange(60, 96) if band < 0.6
                else rng.randrange(30, 60) if band < 0.85
                else rng.randrange(18, 30))
            birth = dt.date.fromordinal(
                self.end - age * 365 - rng.randrange(365))
            while True:
                serial = rng.randrange(1000)
                if (birth, serial, female) not in used_pesel:
                    used_pesel.add((birth, serial, female))
                    break
            number = pesel(birth, serial, female)
            since = self.start + rng.randrange(self.end - self.start)
            created_client = _stamp(since - 30, 9, rng.randrange(60))
            party_code = str(code + p.providers + i)
            party.add(party_id, True, party_code, party_code,
                int(party_code), name, True, rng.choice(CLIENT_CATEGORIES),
                rng.random() < 0.3, birth, 'female' if female else 'male',
                rng.choice((None, 'single', 'married', 'widowed', 'widowed',
                        'divorced')),
                'retired' if age >= 65 else rng.choice((
                        None, 'employed', 'unemployed', 'disability_pension',
                        'carer', 'other')),
                rng.choice((None, None, 'none', 'light', 'moderate',
                        'severe')),
                ADMIN, created_client, None, None,
                *((False, None) if self.partners else ()))
            identifier.add(first_identifier + i, True, party_id, 'pl_pesel',
                number, number, ADMIN, created_client, None, None)
            self.clients.append(party_id)

    # -- programme -----------------------------------------------------------
    def _programme(self):
        rng = self.rng('programme')
        table = self.table('cus_programme', [
                'id', 'code', 'name', 'resolution_number', 'resolution_date',
                'start_date', 'end_date', 'main_goal', 'predicted_persons',
                'state', 'adopted_by', 'adopted_date', *AUDIT])
        self.programme = self.next_id('cus_programme', 1)
        start = dt.date.fromordinal(self.start)
        end = self.as_of + relativedelta(years=2)
        number = self.next_number('programme')
        self.programme_end = end.toordinal()
        table.add(self.programme, f'PUS/{start.year}/{number:02d}',
            f'Program usług społecznych {start.year}–{end.year}',
            f'{rng.randrange(10, 60)}/{rng.randrange(100, 900)}/'
            f'{start.year}', start - dt.timedelta(days=45), start, end,
            "Dostęp mieszkańców do usług społecznych.", self.params.clients,
            'running', ADMIN, _day(self.start - 30),
            ADMIN, _stamp(self.start - 60), ADMIN, _stamp(self.start - 30))

    # -- plans ---------------------------------------------------------------
    def _pick_services(self, rng, count):
        weights = [s['popularity'] for s in self.services]
        picked = []
        while len(picked) < count:
            service, = rng.choices(self.services, weights)
            if service not in picked:
                picked.append(service)
        return picked

    def _plans(self):
        rng = self.rng('plans')
        p = self.params
        days = self.end - self.start + 1
        cases = p.plans_per_year * p.years
        busy_until = [0] * len(self.clients)
        plans = []
        for _ in range(cases):
            plan = _Plan()
            plan.valid_from = vf = self.start + rng.randrange(days + 45)
            months = rng.choice((3, 6, 6, 9, 12, 12, 12))
            plan.valid_to = vt = (dt.date.fromordinal(vf) + relativedelta(
                    months=months, days=-1)).toordinal()
            plan.drawn_up = min(vf - rng.randrange(21), self.end)
            plan.application_date = plan.drawn_up - rng.randrange(3, 40)
            # One plan at a time for a client, when possible.
            for _ in range(6):
                client = rng.randrange(len(self.clients))
                if busy_until[client] < vf:
                    break
            busy_until[client] = max(busy_until[client], vt)
            plan.client = self.clients[client]
            plan.version, plan.previous, plan.update_date = 1, None, None
            plan.summary_date = None
            plan.cancelled_from_draft = False
            if rng.random() < 0.02:
                plan.state = 'cancelled'
                plan.cancelled_from_draft = rng.random() < 0.5
            elif vf > self.end:
                plan.state = 'approved' if rng.random() < 0.6 else 'draft'
            elif vt < self.end:
                plan.state = 'closed'
            else:
                plan.state = 'running' if rng.random() < 0.95 else 'approved'
            plan.approved_date = (None if plan.state == 'draft'
                or plan.cancelled_from_draft
                else min(plan.drawn_up + rng.randrange(1, 7), self.end))
            if plan.state == 'closed':
                plan.summary_date = min(vt + rng.randrange(15), self.end)
            plan.lines = []
            count = rng.choices((1, 2, 3, 4, 5), (25, 35, 25, 10, 5))[0]
            for i, service in enumerate(self._pick_services(rng, count)):
                line = _Line()
                line.plan, line.sequence, line.service = plan, i + 1, service
                line.start, line.end = vf, vt
                if rng.random() < 0.2:
                    third = (vt - vf) // 3
                    line.start = vf + rng.randrange(third + 1)
                    line.end = vt - rng.randrange(third + 1)
                line.provider = (rng.choice(service['providers'])
                    if service['providers'] and rng.random() < 0.8
                    else None)
                line.origin = None
                line.rate = (service['rate'] / 30.4
                    * rng.lognormvariate(0, 0.5))  # deliveries a day
                line.usage = rng.uniform(0.75, 1.0)
                line.used = line.deliveries = 0
                # Approval puts lines over the capacity on a waiting list.
                waits = (plan.state in {'running', 'approved'}
                    and plan.valid_from <= self.end and rng.random() < 0.02)
                line.state = 'waiting' if waits else 'open'
                plan.lines.append(line)
            plans.append(plan)

        # Updates: a second version replaces the first one from its approval;
        # the deliveries follow the new lines (Ipus._supersede).
        updates = []
        for plan in plans:
            if (plan.state not in {'closed', 'running'}
                    or plan.valid_to - plan.valid_from < 60
                    or rng.random() >= 0.03):
                continue
            update = _Plan()
            update.client = plan.client
            update.valid_from, update.valid_to = plan.valid_from, plan.valid_to
            update.update_date = min(
                plan.valid_from + rng.randrange(
                    15, plan.valid_to - plan.valid_from),
                self.end)
            update.drawn_up = update.update_date
            update.application_date = plan.application_date
            update.approved_date = min(
                update.update_date + rng.randrange(0, 3), self.end)
            update.state = plan.state
            update.summary_date = plan.summary_date
            update.version, update.previous = 2, plan
            update.cancelled_from_draft = False
            plan.state = 'superseded'
            plan.summary_date = None
            update.lines = []
            for old in plan.lines:
                line = _Line()
                for name in _Line.__slots__:
                    if hasattr(old, name):
                        setattr(line, name, getattr(old, name))
                line.plan, line.origin = update, old
                line.rate *= rng.uniform(0.9, 1.4)
                line.usage = rng.uniform(0.75, 1.0)
                line.used = line.deliveries = 0
                line.state = 'open'
                update.lines.append(line)
            updates.append(update)
        plans.extend(updates)
        # Closing or superseding a plan closes its open lines.
        for plan in plans:
            if plan.state in {'closed', 'superseded'}:
                for line in plan.lines:
                    if line.state == 'open' or plan.state == 'superseded':
                        line.state = 'closed'

        # Ids in the order the plans were drawn up, numbers in the order of
        # their first approval.
        for rank, plan in enumerate(plans):
            plan.rank = rank
        plans.sort(key=lambda p: (p.drawn_up, p.rank))
        first = self.next_id('cus_ipus', len(plans))
        for i, plan in enumerate(plans):
            plan.id = first + i
        approved = sorted(
            (p for p in plans if p.version == 1 and p.approved_date),
            key=lambda p: (p.approved_date, p.id))
        number = self.next_number('ipus', len(approved))
        for plan in plans:
            plan.number = None
        for i, plan in enumerate(approved):
            year = dt.date.fromordinal(plan.approved_date).year
            plan.number = f'IPUS/{year}/{number + i:04d}'
        lines = [l for p in plans for l in p.lines]
        first = self.next_id('cus_ipus_line', len(lines))
        for i, line in enumerate(lines):
            line.id = first + i
        self.plans, self.plan_lines = plans, lines

    # -- applications ------------------------------------------------------
    def _applications(self):
        rng = self.rng('applications')
        p = self.params
        days = self.end - self.start + 1
        applications = []
        # The applications of the plan path (one per first version).
        for plan in self.plans:
            if plan.version != 1:
                plan.application = plan.previous.application
                continue
            application = _Application()
            application.client = plan.client
            application.date = plan.application_date
            application.path = 'ipus'
            application.state = 'qualified'
            application.decision_date = min(
                application.date + rng.randrange(1, 10), plan.drawn_up)
            application.plan = plan
            application.lines = []
            for line in plan.lines:
                app_line = _AppLine()
                app_line.application, app_line.service = (
                    application, line.service)
                app_line.sequence = line.sequence
                app_line.start, app_line.end = line.start, line.end
                app_line.state, app_line.plan_line = 'requested', line
                app_line.rate = 0
                app_line.used = app_line.deliveries = 0
                application.lines.append(app_line)
            plan.application = application
            applications.append(application)
        # One-off and short applications.
        for _ in range(round(p.plans_per_year * p.years * 0.5)):
            application = _Application()
            application.client = rng.choice(self.clients)
            application.date = date = self.start + rng.randrange(days)
            application.path = 'one_off' if rng.random() < 0.6 else 'short'
            application.plan = None
            if date > self.end - 10:
                application.state = rng.choice(('draft', 'submitted'))
            else:
                application.state = rng.choices(
                    ('qualified', 'refused', 'referred'), (82, 10, 8))[0]
            application.decision_date = (
                min(date + rng.randrange(1, 10), self.end)
                if application.state in {'qualified', 'refused', 'referred'}
                else None)
            application.lines = []
            count = 1 if rng.random() < 0.85 else 2
            for i, service in enumerate(self._pick_services(rng, count)):
                app_line = _AppLine()
                app_line.application, app_line.service = application, service
                app_line.sequence = i + 1
                app_line.plan_line = None
                app_line.start = date + rng.randrange(1, 15)
                if application.path == 'one_off':
                    app_line.end = app_line.start
                    app_line.rate = rng.choice((1, 1, 1, 2))  # deliveries
                else:
                    app_line.end = app_line.start + rng.randrange(14, 88)
                    app_line.rate = (service['rate'] / 30.4
                        * rng.lognormvariate(0, 0.5))
                app_line.usage = rng.uniform(0.8, 1.0)
                app_line.used = app_line.deliveries = 0
                if application.state != 'qualified':
                    app_line.state = 'requested'
                else:
                    draw = rng.random()
                    if draw < 0.04:
                        app_line.state = 'withdrawn'
                    elif draw < 0.08 and date > self.end - 120:
                        app_line.state = 'waiting'
                    else:
                        app_line.state = 'granted'
                application.lines.append(app_line)
            applications.append(application)

        for rank, application in enumerate(applications):
            application.rank = rank
        applications.sort(key=lambda a: (a.date, a.rank))
        first = self.next_id('cus_application', len(applications))
        for i, application in enumerate(applications):
            application.id = first + i
        numbered = sorted(
            (a for a in applications if a.state != 'draft'),
            key=lambda a: (a.date, a.id))
        number = self.next_number('application', len(numbered))
        for application in applications:
            application.number = None
        for i, application in enumerate(numbered):
            year = dt.date.fromordinal(application.date).year
            application.number = f'WN/{year}/{number + i:04d}'
        lines = [l for a in applications for l in a.lines]
        first = self.next_id('cus_application_line', len(lines))
        for i, line in enumerate(lines):
            line.id = first + i
        self.applications, self.application_lines = applications, lines

    # -- deliveries ----------------------------------------------------------
    def _delivery_origins(self):
        "(origin, window start, window end, expected deliveries) per origin"
        plan_origins, app_origins = [], []
        for line in self.plan_lines:
            plan = line.plan
            if (plan.state in {'closed', 'running', 'approved'}
                    and line.state != 'waiting' and line.start <= self.end):
                end = min(line.end, self.end)
                plan_origins.append(
                    (line, line.start, end,
                        line.rate * (end - line.start + 1)))
        for line in self.application_lines:
            if line.state == 'granted' and line.start <= self.end:
                end = min(line.end, self.end)
                weight = (line.rate if line.application.path == 'one_off'
                    else line.rate * (end - line.start + 1))
                app_origins.append((line, line.start, end, weight))
        return plan_origins, app_origins

    @staticmethod
    def _allocate(total, weights):
        "Integers proportional to weights summing to total (largest remainder)"
        weight_sum = sum(weights)
        if not weights or weight_sum <= 0:
            return [0] * len(weights), 0
        scale = total / weight_sum
        exact = [w * scale for w in weights]
        counts = [int(e) for e in exact]
        rest = total - sum(counts)
        order = sorted(range(len(weights)),
            key=lambda i: (counts[i] - exact[i], i))
        for i in order[:rest]:
            counts[i] += 1
        return counts, scale

    def _deliveries(self):
        rng = self.rng('deliveries')
        n = self.params.deliveries
        plan_origins, app_origins = self._delivery_origins()
        # A one-off service is delivered once or twice; the deliveries of
        # the plans and of the short paths follow their rates, scaled to
        # give n deliveries in all.
        one_off = [o for o in app_origins
            if o[0].application.path == 'one_off']
        fixed = sum(o[3] for o in one_off)
        if fixed > n // 2:
            one_off, fixed = [], 0
        one_off_ids = {id(o) for o in one_off}
        scaled = plan_origins + [
            o for o in app_origins if id(o) not in one_off_ids]
        counts, self.scale = self._allocate(n - fixed, [o[3] for o in scaled])
        origins = list(zip(scaled, counts)) + [(o, o[3]) for o in one_off]

        dates = array('i')
        lines = array('i')       # plan line id or 0
        app_lines = array('i')   # application line id or 0
        clients = array('i')
        services = array('i')
        providers = array('i')   # 0 for none
        quantities = array('d')
        states = bytearray()     # ord('c')onfirmed, ord('r')eported, ord('x')
        recent = self.end - 10
        random = rng.random
        for (origin, start, end, _), count in origins:
            is_plan = isinstance(origin, _Line)
            origin.deliveries = count
            if not count:
                continue
            service = origin.service
            steps = service['steps']
            n_steps = len(steps)
            if is_plan:
                line_id, app_line_id = origin.id, 0
                client = origin.plan.client
                provider = origin.provider or 0
            else:
                line_id, app_line_id = 0, origin.id
                client = origin.application.client
                provider = (service['providers'][0]
                    if service['providers'] else 0)
            span = end - start + 1
            used = 0
            for _ in range(count):
                date = start + int(random() * span)
                quantity = float(steps[int(random() * n_steps)])
                draw = random()
                if date > recent and draw < 0.7:
                    state = 114  # reported
                elif draw < 0.02:
                    state = 120  # rejected
                elif draw < 0.025:
                    state = 114
                else:
                    state = 99   # confirmed
                if state != 120:
                    used += quantity
                dates.append(date)
                lines.append(line_id)
                app_lines.append(app_line_id)
                clients.append(client)
                services.append(service['id'])
                providers.append(provider)
                quantities.append(quantity)
                states.append(state)
            origin.used = used

        # Ids in the order the deliveries happened.
        order = sorted(range(len(dates)), key=dates.__getitem__)
        first = self.next_id('cus_service_delivery', len(order))
        hours = {s['id']: s['hours'] for s in self.services}
        table = self.table('cus_service_delivery', [
                'id', 'date', 'line', 'application_line', 'client',
                'service', 'provider', 'quantity', 'duration', 'state',
                'reported_by', 'decided_by', 'rejection_reason', *AUDIT])
        table.count = len(order)
        end = self.end
        reason = "Usługa nie została potwierdzona przez odbiorcę."
        null = '\\N'

        def chunks(size=20000):
            for start in range(0, len(order), size):
                out = []
                for rank in range(start, min(start + size, len(order))):
                    i = order[rank]
                    date = dates[i]
                    day = _day(date)
                    quantity = quantities[i]
                    service = services[i]
                    state = states[i]
                    unit_hours = hours[service]
                    duration = (repr(quantity * unit_hours)
                        if unit_hours else null)
                    if state == 99:
                        state, decided, why = 'confirmed', ADMIN, null
                    elif state == 120:
                        state, decided, why = 'rejected', ADMIN, reason
                    else:
                        state, decided, why = 'reported', null, null
                    if decided == ADMIN:
                        write_uid = ADMIN
                        write_date = _stamp(min(date + 3, end), 11)
                    else:
                        write_uid = write_date = null
                    out.append(
                        f'{first + rank}\t{day}\t{lines[i] or null}'
                        f'\t{app_lines[i] or null}\t{clients[i]}'
                        f'\t{service}\t{providers[i] or null}'
                        f'\t{quantity!r}\t{duration}\t{state}\t{ADMIN}'
                        f'\t{decided}\t{why}\t{ADMIN}\t{day} 18:00:00'
                        f'\t{write_uid}\t{write_date}\n')
                yield ''.join(out)
        table.chunks = chunks

    def _quantities(self):
        "Granted quantities: what was used plus what the usage rate leaves"
        for line in self.plan_lines:
            days = line.end - line.start + 1
            steps = line.service['mean_step']
            planned = self.scale * line.rate * days * steps / line.usage
            if line.deliveries and line.end <= self.end:
                quantity = line.used / line.usage
            else:
                quantity = max(line.used / line.usage, planned)
            line.quantity = float(max(1, math.ceil(quantity)))
        for line in self.application_lines:
            if line.plan_line is not None:
                line.quantity = line.plan_line.quantity
                continue
            if line.application.path == 'one_off':
                planned = line.rate * line.service['mean_step']
            else:
                planned = (self.scale * line.rate
                    * (line.end - line.start + 1) * line.service['mean_step']
                    / line.usage)
            if line.deliveries and line.end <= self.end:
                quantity = max(line.used, line.used / line.usage
                    if line.application.path == 'short' else line.used)
            else:
                quantity = max(line.used / line.usage, planned)
            line.quantity = float(max(1, math.ceil(quantity)))

    # -- rows ----------------------------------------------------------------
    def _plan_rows(self):
        rng = self.rng('plan rows')
        company = self.refs['company']
        plans = self.table('cus_ipus', [
                'id', 'number', 'version', 'previous_version',
                'update_reason', 'update_requested_by', 'update_date',
                'company', 'application', 'client', 'coordinator',
                'diagnosis_date',
                'drawn_up_date', 'valid_from', 'valid_to', 'needs',
                'expected_effects', 'check_frequency', 'approved_by',
                'approved_date', 'summary_date', 'course_and_results',
                'outcome', 'state', *AUDIT])
        lines = self.table('cus_ipus_line', [
                'id', 'plan', 'sequence', 'service', 'provider',
                'start_date', 'end_date', 'per_month', 'unit_duration',
                'quantity', 'schedule', 'state', 'origin', *AUDIT])
        # Each client has a coordinator; a third of the drafts wait for one.
        coordinators = self.refs['employees']
        crng = self.rng('coordinators')
        coordinator_of = {c: coordinators[crng.randrange(len(coordinators))]
            for c in self.clients}
        for plan in self.plans:
            plan.coordinator = (None
                if plan.state == 'draft' and crng.random() < 0.33
                else coordinator_of[plan.client])
            written = (plan.summary_date or plan.approved_date)
            if plan.state == 'superseded':
                written = self._update_of(plan).approved_date
            closed = plan.state == 'closed'
            plans.add(plan.id, plan.number, plan.version,
                plan.previous.id if plan.previous else None,
                "Zmiana sytuacji klienta." if plan.previous else None,
                ADMIN if plan.previous else None,
                _day(plan.update_date) if plan.update_date else None,
                company, plan.application.id, plan.client, plan.coordinator,
                _day(plan.application_date + 5), _day(plan.drawn_up),
                _day(plan.valid_from), _day(plan.valid_to),
                "Potrzeby z oceny sytuacji klienta.",
                "Poprawa samodzielności klienta.",
                rng.choice(('monthly', 'quarterly', 'quarterly',
                        'half_yearly')),
                ADMIN if plan.approved_date else None,
                _day(plan.approved_date) if plan.approved_date else None,
                _day(plan.summary_date) if closed else None,
                "Usługi zrealizowano zgodnie z planem." if closed else None,
                rng.choice(OUTCOMES) if closed else None,
                plan.state, ADMIN, _stamp(plan.drawn_up, 9),
                ADMIN if written else None,
                _stamp(written, 15) if written else None)
            for line in plan.lines:
                months = self._months(line.start, line.end)
                per_month = float(math.ceil(line.quantity / months))
                hours = line.service['hours']
                lines.add(line.id, plan.id, line.sequence,
                    line.service['id'], line.provider, _day(line.start),
                    _day(line.end), per_month, hours, line.quantity,
                    f'{per_month:g} / miesiąc', line.state,
                    line.origin.id if line.origin else None,
                    ADMIN, _stamp(plan.drawn_up, 9),
                    ADMIN if written and line.state != 'open' else None,
                    _stamp(written, 15)
                    if written and line.state != 'open' else None)

    def _monitoring_rows(self):
        """Contacts of the coordinators with the clients of the approved
        plans: every 1 to 4 months from the start to the end of the plan
        (or its update), so that some running plans are overdue"""
        rng = self.rng('monitoring')
        table = self.table('cus_ipus_monitoring', [
                'id', 'plan', 'date', 'kind', 'contact_with', 'provider',
                'findings', 'satisfaction', 'action', 'user', *AUDIT])
        rows = []
        for plan in self.plans:
            if not plan.approved_date or plan.state in {
                    'draft', 'cancelled'}:
                continue
            start = max(plan.valid_from, plan.approved_date)
            stop = min(plan.valid_to, self.end)
            if plan.state == 'superseded':
                stop = min(stop, self._update_of(plan).approved_date - 1)
            date = start + rng.randrange(20, 120)
            while date <= stop:
                kind = rng.choice(('phone', 'phone', 'visit', 'visit',
                        'provider', 'quality', 'satisfaction'))
                rows.append((plan.id, date, kind,
                        'provider' if kind == 'provider' else 'client',
                        rng.randint(3, 5) if kind == 'satisfaction'
                        else None))
                date += rng.randrange(30, 125)
        first = self.next_id('cus_ipus_monitoring', len(rows))
        for i, (plan, date, kind, contact, satisfaction) in enumerate(rows):
            table.add(first + i, plan, _day(date), kind, contact, None,
                "Usługi realizowane zgodnie z planem.", satisfaction, None,
                ADMIN, ADMIN, _stamp(date, 12), None, None)

    def _update_of(self, plan):
        if not hasattr(self, '_updates'):
            self._updates = {p.previous.id: p for p in self.plans
                if p.previous}
        return self._updates[plan.id]

    @staticmethod
    def _months(start, end):
        start, end = dt.date.fromordinal(start), dt.date.fromordinal(end)
        return (end.year - start.year) * 12 + end.month - start.month + 1

    def _application_rows(self):
        rng = self.rng('application rows')
        applications = self.table('cus_application', [
                'id', 'number', 'client', 'applicant_kind',
                'application_date', 'channel', 'path', 'programme',
                'description', 'declaration_conditions',
                'declaration_discount', 'refusal_reason', 'referred_to',
                'referral_reason', 'qualified_by', 'decision_date', 'state',
                *AUDIT])
        lines = self.table('cus_application_line', [
                'id', 'application', 'sequence', 'service', 'quantity',
                'start_date', 'end_date', 'state', *AUDIT])
        for application in self.applications:
            state = application.state
            decided = application.decision_date
            applications.add(application.id, application.number,
                application.client, 'person', _day(application.date),
                rng.choice(CHANNELS), application.path, self.programme,
                "Wniosek o usługi społeczne.", state != 'draft', False,
                "Niespełnione warunki programu." if state == 'refused'
                else None,
                "Ośrodek Pomocy Społecznej" if state == 'referred' else None,
                "Sprawa poza zakresem programu." if state == 'referred'
                else None,
                ADMIN if decided else None,
                _day(decided) if decided else None, state,
                ADMIN, _stamp(application.date, 9),
                ADMIN if state != 'draft' else None,
                _stamp(decided or application.date, 14)
                if state != 'draft' else None)
            for line in application.lines:
                lines.add(line.id, application.id, line.sequence,
                    line.service['id'], line.quantity, _day(line.start),
                    _day(line.end), line.state,
                    ADMIN, _stamp(application.date, 9),
                    ADMIN if line.state != 'requested' else None,
                    _stamp(decided, 14)
                    if decided and line.state != 'requested' else None)

    def _waiting_rows(self):
        waiting = self.table('cus_service_waiting', [
                'id', 'service', 'client', 'application_date', 'plan_line',
                'application_line', 'quantity', 'state', *AUDIT])
        rows = []
        for line in self.plan_lines:
            if line.state == 'waiting':
                rows.append((line.plan.application_date, line.service['id'],
                        line.plan.client, line.id, None, line.quantity,
                        line.plan.approved_date or line.plan.drawn_up))
        for line in self.application_lines:
            if line.state == 'waiting':
                application = line.application
                rows.append((application.date, line.service['id'],
                        application.client, None, line.id, line.quantity,
                        application.decision_date))
        rows.sort(key=lambda r: (r[0], r[3] or 0, r[4] or 0))
        first = self.next_id('cus_service_waiting', len(rows))
        for i, (date, service, client, plan_line, app_line, quantity,
                created) in enumerate(rows):
            waiting.add(first + i, service, client, _day(date), plan_line,
                app_line, quantity, 'waiting', ADMIN, _stamp(created, 14),
                None, None)

    def _programme_lines(self):
        table = self.table('cus_programme_line', [
                'id', 'programme', 'sequence', 'service', 'planned_persons',
                'planned_quantity', 'unit_price', *AUDIT])
        granted = {s['id']: 0 for s in self.services}
        persons = {s['id']: set() for s in self.services}
        for line in self.plan_lines:
            if line.plan.state in {'closed', 'running', 'approved'}:
                granted[line.service['id']] += line.quantity
                persons[line.service['id']].add(line.plan.client)
        for line in self.application_lines:
            if line.state == 'granted':
                granted[line.service['id']] += line.quantity
                persons[line.service['id']].add(line.application.client)
        first = self.next_id('cus_programme_line', len(self.services))
        for i, service in enumerate(self.services):
            table.add(first + i, self.programme, i + 1, service['id'],
                len(persons[service['id']]),
                float(math.ceil(granted[service['id']] * 1.25) or 10),
                None, ADMIN, _stamp(self.start - 60), None, None)


# ---------------------------------------------------------------------------
# Database

def _run_admin(dbname, args, log):
    "trytond-admin on dbname with the PostgreSQL URI, never a config file"
    env = dict(os.environ)
    env.pop('TRYTOND_CONFIG', None)
    env['TRYTOND_DATABASE_URI'] = database_uri()
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write('cus-bench-admin\n')
        passfile.flush()
        env['TRYTONPASSFILE'] = passfile.name
        command = [str(Path(sys.executable).parent / 'trytond-admin'),
            '-d', dbname, *args]
        log(f"  $ trytond-admin -d {dbname} {' '.join(args)}")
        result = subprocess.run(command, env=env, capture_output=True,
            text=True)
    if result.returncode:
        sys.stderr.write(result.stdout[-5000:] + result.stderr[-5000:])
        raise RuntimeError(f'trytond-admin failed on {dbname}')


def database_exists(dbname):
    with connect('postgres', autocommit=True) as conn:
        return bool(conn.execute(
                'SELECT 1 FROM pg_database WHERE datname = %s',
                (dbname,)).fetchone())


def drop_database(dbname):
    from psycopg import sql
    with connect('postgres', autocommit=True) as conn:
        conn.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)').format(
                sql.Identifier(dbname)))


def create_database(dbname):
    from psycopg import sql
    with connect('postgres', autocommit=True) as conn:
        conn.execute(sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'"
                ).format(sql.Identifier(dbname)))


def read_marker(dbname):
    if not database_exists(dbname):
        return None
    with connect('postgres', autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') "
            "FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
    try:
        marker = json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None
    if not isinstance(marker, dict) or marker.get('generator') != GENERATOR:
        return None
    return marker


def write_marker(dbname, marker):
    from psycopg import sql
    with connect(dbname, autocommit=True) as conn:
        conn.execute(sql.SQL('COMMENT ON DATABASE {} IS {}').format(
                sql.Identifier(dbname), sql.Literal(json.dumps(marker))))


def activated_modules(dbname):
    """The CUS modules activated in dbname: all are updated together, as
    `-u` of a module does not update the modules it depends on (whose
    sources may have changed too)"""
    with connect(dbname, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
                "SELECT name FROM ir_module WHERE state = 'activated' "
                "AND name LIKE 'cus\\_%%' ORDER BY name").fetchall()]


def source_hash():
    "Hash of the module sources that define the schema"
    digest = hashlib.sha256()
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob('*')):
            if path.suffix in {'.py', '.xml', '.cfg'} and path.is_file() \
                    and '__pycache__' not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _orm_setup(dbname, params):
    """Company, currency and the coordinators (employees) through the ORM;
    ids, uom ids and next numbers"""
    from decimal import Decimal

    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(dbname)
    pool.init()
    with Transaction().start(dbname, 0):
        Currency = pool.get('currency.currency')
        Party = pool.get('party.party')
        Company = pool.get('company.company')
        Employee = pool.get('company.employee')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        PartyConfiguration = pool.get('party.configuration')
        Configuration = pool.get('cus.configuration')

        currency, = Currency.create([{
                    'name': "Złoty", 'code': 'PLN', 'symbol': 'zł',
                    'numeric_code': '985', 'rounding': Decimal('0.01'),
                    'digits': 2,
                    }])
        party, = Party.create([{
                    'name': "Centrum Usług Społecznych (miasto testowe)"}])
        company, = Company.create([{
                    'party': party.id, 'currency': currency.id,
                    'timezone': 'Europe/Warsaw'}])
        rng = random.Random(f'citygen:{params.seed}:staff')
        staff = Party.create([{
                    'name': f'{rng.choice(FIRST_NAMES_F)} '
                    f'{_female(rng.choice(SURNAMES))} (koordynatorka {i + 1})'
                    } for i in range(params.coordinators)])
        employees = Employee.create([{
                    'party': p.id, 'company': company.id} for p in staff])
        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {
                'companies': [('add', [company.id])],
                'company': company.id,
                })
        uom = {}
        for xml_id in {t[1] for t in SERVICE_TYPES}:
            module, name = xml_id.split('.')
            uom[xml_id] = ModelData.get_id(module, name)
        config = Configuration(1)
        sequences = {
            'party': PartyConfiguration(1).party_sequence,
            'service': config.service_sequence,
            'programme': config.programme_sequence,
            'application': config.application_sequence,
            'ipus': config.ipus_sequence,
            }
        return {
            'company': company.id,
            'employees': [e.id for e in employees],
            'uom': uom,
            'sequence_ids': {k: s.id for k, s in sequences.items()},
            'sequences': {k: s.number_next for k, s in sequences.items()},
            }


def _orm_finish(dbname, refs):
    "Move the sequences past the generated numbers"
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    pool = Pool(dbname)
    with Transaction().start(dbname, 0):
        Sequence = pool.get('ir.sequence')
        for name, sequence_id in refs['sequence_ids'].items():
            Sequence.write([Sequence(sequence_id)], {
                    'number_next': refs['sequences'][name]})


def _next_ids(conn, tables):
    from psycopg import sql
    ids = {}
    for table in tables:
        max_id, = conn.execute(sql.SQL('SELECT COALESCE(MAX(id), 0) FROM {}')
            .format(sql.Identifier(table))).fetchone()
        ids[table] = max_id + 1
    return ids


def _check_columns(conn, table):
    "Fail clearly when the schema wants a column the generator does not fill"
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL",
        (table.name,)).fetchall()
    missing = {r[0] for r in rows} - set(table.columns)
    if missing:
        raise RuntimeError(
            f'citygen: {table.name} requires {", ".join(sorted(missing))}, '
            'which the generator does not fill: update bench/citygen.py')


TABLES = ['cus_service', 'party_party', 'party_identifier',
    'cus_service-party_party', 'cus_programme', 'cus_programme_line',
    'cus_application', 'cus_application_line', 'cus_ipus', 'cus_ipus_line',
    'cus_ipus_monitoring', 'cus_service_waiting', 'cus_service_delivery']


def _copy(conn, city, check_fk, log):
    from psycopg import sql
    if not check_fk:
        conn.execute('SET session_replication_role = replica')
    for name in TABLES:
        table = city.tables[name]
        _check_columns(conn, table)
        start = time.perf_counter()
        statement = sql.SQL('COPY {} ({}) FROM STDIN').format(
            sql.Identifier(name),
            sql.SQL(', ').join(map(sql.Identifier, table.columns)))
        with conn.cursor() as cursor:
            with cursor.copy(statement) as copy:
                for chunk in table.iter_chunks():
                    copy.write(chunk)
        # An empty table leaves the sequence unused (setval refuses 0)
        last = city.refs['ids'][name] - 1
        conn.execute(
            'SELECT setval(quote_ident(%s), %s, %s)',
            (f'{name}_id_seq', max(last, 1), last > 0))
        log(f'  COPY {name}: {table.count} rows '
            f'({time.perf_counter() - start:.1f} s)')
    if not check_fk:
        conn.execute('SET session_replication_role = DEFAULT')


def _copy_history(conn, log):
    "One history row per record, as trytond writes at creation"
    from psycopg import sql
    for name in TABLES:
        history = f'{name}__history'
        exists, = conn.execute(
            'SELECT to_regclass(quote_ident(%s)) IS NOT NULL',
            (history,)).fetchone()
        if not exists:
            continue
        start = time.perf_counter()
        columns = [r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s "
                "AND column_name <> '__id' "
                "AND column_name IN (SELECT column_name "
                "FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s) "
                "ORDER BY ordinal_position", (history, name)).fetchall()]
        column_list = sql.SQL(', ').join(map(sql.Identifier, columns))
        conn.execute(sql.SQL(
                'INSERT INTO {} (__id, {}) SELECT nextval({}), {} FROM {} '
                'ORDER BY id').format(
                sql.Identifier(history), column_list,
                sql.Literal(f'"{history}___id_seq"'), column_list,
                sql.Identifier(name)))
        log(f'  history {name} ({time.perf_counter() - start:.1f} s)')


def build(params, dbname=None, log=print):
    "Create dbname (dropped first) and load the city of params into it"
    _configure_trytond()
    dbname = dbname or params.default_dbname
    started = time.perf_counter()
    steps = {}

    def step(name, since):
        steps[name] = round(time.perf_counter() - since, 1)
        log(f'- {name}: {steps[name]} s')
        return time.perf_counter()

    log(f'Building {dbname}: {json.dumps(params.to_dict())}')
    drop_database(dbname)
    create_database(dbname)
    since = time.perf_counter()
    _run_admin(dbname, ['-u', *params.modules, '--activate-dependencies',
            '--email', 'admin@example.com'], log)
    since = step('modules', since)
    refs = _orm_setup(dbname, params)
    with connect(dbname) as conn:
        refs['ids'] = _next_ids(conn, TABLES)
    since = step('orm setup', since)
    city = City(params, refs).generate()
    since = step('generate', since)
    with connect(dbname) as conn:
        _copy(conn, city, params.deliveries <= TRUST_FK_ABOVE, log)
        if params.history:
            _copy_history(conn, log)
        conn.commit()
    since = step('copy', since)
    _orm_finish(dbname, refs)
    with connect(dbname, autocommit=True) as conn:
        conn.execute('VACUUM (ANALYZE)')
    since = step('vacuum analyze', since)
    marker = {
        'generator': GENERATOR,
        'version': GENERATOR_VERSION,
        'params': params.to_dict(),
        'counts': city.counts(),
        'source': source_hash(),
        'built': dt.datetime.now().isoformat(timespec='seconds'),
        'seconds': round(time.perf_counter() - started, 1),
        'steps': steps,
        }
    write_marker(dbname, marker)
    log(f'{dbname} built in {marker["seconds"]} s')
    return marker


def ensure_database(params, dbname=None, rebuild=False, log=print):
    """The database of params, built unless one with the same marker exists

    A reused database whose module sources changed since it was built is
    updated with trytond-admin -u (schema and declared indexes) and
    analysed again. Returns the marker with 'reused' set.
    """
    _configure_trytond()
    dbname = dbname or params.default_dbname
    marker = None if rebuild else read_marker(dbname)
    if (marker and marker.get('version') == GENERATOR_VERSION
            and marker.get('params') == params.to_dict()):
        current = source_hash()
        if marker.get('source') != current:
            log(f'{dbname}: module sources changed since the build, '
                'updating the modules')
            _run_admin(dbname, ['-u', *activated_modules(dbname)], log)
            with connect(dbname, autocommit=True) as conn:
                conn.execute('ANALYZE')
            marker['source'] = current
            marker['updated'] = dt.datetime.now().isoformat(
                timespec='seconds')
            write_marker(dbname, marker)
        log(f'Reusing {dbname} (built {marker.get("built")})')
        return dict(marker, reused=True, database=dbname)
    if marker:
        log(f'{dbname} was built with other parameters: rebuilding')
    marker = build(params, dbname, log=log)
    return dict(marker, reused=False, database=dbname)


def add_arguments(parser):
    "The city options shared by the benchmarks"
    parser.add_argument('--deliveries', type=int,
        help="deliveries of the city (default 1 000 000, or in proportion "
        "to --residents); residents, clients, plans, providers and "
        "coordinators scale with it unless given")
    parser.add_argument('--residents', type=int,
        help="residents of the city (default 105 000): the other sizes "
        "scale from it unless given")
    parser.add_argument('--clients', type=int)
    parser.add_argument('--providers', type=int)
    parser.add_argument('--coordinators', type=int)
    parser.add_argument('--services', type=int)
    parser.add_argument('--plans-per-year', type=int)
    parser.add_argument('--years', type=int)
    parser.add_argument('--seed', type=int)
    parser.add_argument('--as-of', help="last day of the city (ISO date)")
    parser.add_argument('--no-history', dest='history', action='store_false',
        default=None, help="do not fill the __history tables")
    parser.add_argument('--database', help="default: cus_bench_<deliveries>")
    parser.add_argument('--rebuild', action='store_true',
        help="drop and build the database even if it matches")


def params_from_args(args):
    overrides = dict(
        clients=args.clients, services=args.services,
        plans_per_year=args.plans_per_year, years=args.years,
        seed=args.seed, as_of=args.as_of, history=args.history,
        providers=getattr(args, 'providers', None),
        coordinators=getattr(args, 'coordinators', None))
    residents = getattr(args, 'residents', None)
    if residents and not args.deliveries:
        return CityParams.for_residents(residents, **overrides)
    return CityParams.for_size(args.deliveries or CityParams.deliveries,
        residents=residents, **overrides)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    marker = ensure_database(params_from_args(args), args.database,
        rebuild=args.rebuild)
    print(json.dumps(marker['counts'], indent=2))


if __name__ == '__main__':
    main()
