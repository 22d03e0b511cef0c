# This file is part of the CUS back office.
"""The partners of the centre: providers, procurement, contracts, orders,
settlements, the financial plan, silent help and the local partnership.

The story, in the order it is loaded:

* the providers of the catalogue become CUS providers (kind, sector, NIP,
  REGON, KRS, the accreditation of the CUS with its expiry, the capacity
  they give to the service base), with the social cooperative of the seed
  (Spółdzielnia Socjalna „Starachowiczanka”, seed 000) and a care agency
  that bids and loses (its accreditation expired at the end of 2022: the
  block on new orders is visible on its form);
* in the first quarter of 2021 the organiser runs one procurement in each
  mode of the seeds (PZP with social clauses, art. 15a of the social
  cooperatives act, open competition under the public benefit act, order
  outside PZP, in-house), and in June 2022 a small grant (art. 19a); each is
  published, its offers scored, evaluated and awarded by the organiser or
  the director, which creates the contracts; the director activates them;
* Finance records the financial plan of the Programme (seed 000, digest
  §6.1: 1 087 960,00 zł for seniors and 331 320,00 zł for families in crisis
  and people leaving foster care, 01.04.2021 – 30.04.2023, an EFS project)
  and the director approves it before the first plan, so that every plan
  approval and every order is checked against it;
* the centre at work is the one of demo/ipus.py, with one addition: right
  after a plan is approved, the organiser makes the service orders of its
  lines (`cus.service.order.create_from_ipus_lines`) and sends them; the
  provider accepts them; the granted lines of one-off and short applications
  are ordered the same way once decided. So every delivery a provider
  reports is attached to its order when it is created; orders follow the
  plan updates; the orders of closed plans are done, those of a cancelled
  plan cancelled;
* each month the organiser computes the statement of every provider from
  its confirmed deliveries; Finance approves and pays them (at NOW, the end
  of January 2023, the statements of December 2022 are approved and not
  paid yet, one still waits for the approval); the deviation alerts are
  computed for every past month;
* two donors give silent help (cicha pomoc) to clients, and the local
  partnership of the three sectors meets once in each of its five kinds.

Invented for the demo (the seeds do not give them): the registration
numbers (NIP and REGON with valid check digits drawn from the seed, KRS
numbers), the accreditations, the offers and their scores, the contract
maxima, the budget classification (dział 852, rozdział 85228 for seniors and
85295 for families, paragraf 4307: services bought with EU funds), the
donors and the partnership. The winning offers are at the reference prices
of the catalogue, so the contracts price the services as the Programme does.
"""
import datetime as dt
import random
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

from trytond.pool import Pool
from trytond.transaction import Transaction

from . import catalogue, ipus, programme
from .ipus import NOW, fresh, workday

D = dt.date
SEED = ipus.SEED
START = programme.START_DATE
END = programme.END_DATE
# Months settled and paid; the statement of December 2022 is approved at
# NOW and paid in February.
LAST_PAID_MONTH = D(2022, 11, 1)
LAST_SETTLED_MONTH = D(2022, 12, 1)
# Orders decided on ORDER_DRAFT or later are still drafts at NOW; those
# sent on ORDER_ACCEPTED or later are not accepted yet.
ORDER_DRAFT = NOW - dt.timedelta(days=5)
ORDER_ACCEPTED = NOW - dt.timedelta(days=10)

# The catalogue providers as CUS providers: kind, sector, KRS or not and the
# number of the accreditation given by the CUS (None: a municipal unit,
# which needs none).
DETAILS = {
    'coop_razem': ('social_cooperative', 'social', True, 1),
    'coop_dom': ('social_cooperative', 'social', True, 2),
    'coop_maluch': ('social_cooperative', 'social', True, 3),
    'fundacja_zdrowie': ('ngo', 'social', True, 4),
    'fundacja_praca': ('ngo', 'social', True, 5),
    'stow_rodzina': ('ngo', 'social', True, 6),
    'stow_sasiedzi': ('ngo', 'social', True, 7),
    'sck': ('culture_sport', 'public', False, None),
    'mosir': ('culture_sport', 'public', False, None),
    }
ACCREDITATION = "Akredytacja realizatora usług społecznych CUS nr {}/2021"
# New providers: the social cooperative named by seed 000 and a care agency
NEW_PROVIDERS = [
    {
        'key': 'starachowiczanka',
        'name': "Spółdzielnia Socjalna „Starachowiczanka”",
        'street_name': "ul. Żeromskiego", 'building_number': "26",
        'phone': "+48 41 274 62 15",
        'email': "biuro@starachowiczanka.example.org",
        'kind': 'social_cooperative', 'sector': 'social', 'krs': True,
        'accreditation': 8,
        'services': ['handyman', 'cleaning', 'golden_hand'],
        },
    {
        'key': 'opiekun_plus',
        'name': "Agencja Opiekuńcza „Opiekun Plus” sp. z o.o.",
        'street_name': "al. Armii Krajowej", 'building_number': "45",
        'phone': "+48 41 275 90 30", 'email': "biuro@opiekunplus.example.com",
        'kind': 'commercial', 'sector': 'business', 'krs': True,
        'accreditation': 9,
        # Not renewed: the block on new orders shows on its form
        'accreditation_expiry': D(2022, 12, 31),
        'services': ['care', 'equipment'],
        },
    ]
# Services offered beyond the catalogue, for the open competition
EXTRA_SERVICES = {
    'stow_sasiedzi': ['culture'],
    'fundacja_zdrowie': ['sport'],
    }
# Other parties of the story (name, sector)
URZAD = "Urząd Miejski w Starachowicach"
PCPR = "Powiatowe Centrum Pomocy Rodzinie w Starachowicach"
HYDRO = "Zakład Instalacji Sanitarnych „Hydro-Serwis” Marek Nowicki"
DONOR = "Krystyna Lis"

_PZP_CRITERIA = [
    ("Cena", 'price', 60),
    ("Jakość – doświadczenie i kwalifikacje osób realizujących usługę",
        'quality', 30),
    ("Aspekty społeczne – zatrudnienie osób zagrożonych wykluczeniem "
        "społecznym", 'social', 10),
    ]
# The procurements: the lots are (service, quantity, description, offers)
# and an offer (provider, unit price, {criterion kind: score}); the price
# is scored by the module from the lowest price of the lot.
PROCUREMENTS = [
    {
        'key': 'pzp',
        'mode': 'pzp_social',
        'name': "Usługi społeczne dla seniorów oraz rodzin w kryzysie "
        "i osób opuszczających pieczę zastępczą w Starachowicach "
        "w latach 2021–2023",
        'in_programme': True,
        'publication': D(2021, 1, 18), 'deadline': D(2021, 2, 19),
        'award': D(2021, 3, 10), 'awarded_by': 'dyrektor',
        'start': START, 'end': END, 'close': True,
        'social_clauses': (
            "Postępowanie o udzielenie zamówienia na usługi społeczne "
            "(art. 359 pkt 2 PZP).\n"
            "Wymóg zatrudnienia na podstawie stosunku pracy osób "
            "wykonujących czynności opiekuńcze (art. 95 PZP).\n"
            "Klauzula społeczna (art. 96 ust. 2 pkt 2 PZP): co najmniej "
            "20 % osób realizujących zamówienie to osoby bezrobotne, "
            "niepełnosprawne lub zagrożone wykluczeniem społecznym; "
            "kryterium społeczne 10 % za każdą taką osobę ponad minimum."),
        'criteria': _PZP_CRITERIA,
        'lots': [
            ('care', 14000, "Część 1 – usługi opiekuńcze i opieka "
                "wytchnieniowa", [
                    ('coop_razem', '32.00', {'quality': 90, 'social': 100}),
                    ('opiekun_plus', '30.00', {'quality': 60, 'social': 0}),
                    ]),
            ('physio', 1200, "Część 2 – mobilny fizjoterapeuta", [
                    ('fundacja_zdrowie', '120.00',
                        {'quality': 95, 'social': 50}),
                    ]),
            ('flats_seniors', 96, "Część 3 – mieszkania chronione dla "
                "seniorów", [
                    ('coop_dom', '1500.00', {'quality': 90, 'social': 100}),
                    ]),
            ('flats_crisis', 72, "Część 4 – mieszkania chronione dla osób "
                "w kryzysie", [
                    ('coop_dom', '1500.00', {'quality': 90, 'social': 100}),
                    ]),
            ('childcare', 2400, "Część 5 – opieka nad dziećmi do lat 3", [
                    ('coop_maluch', '30.00', {'quality': 85, 'social': 100}),
                    ]),
            ('broker', 750, "Część 6 – broker pracy", [
                    ('fundacja_praca', '80.00', {'quality': 90, 'social': 80}),
                    ]),
            ('support_groups', 360, "Część 7 – grupy wsparcia", [
                    ('stow_rodzina', '280.00', {'quality': 95, 'social': 100}),
                    ('fundacja_zdrowie', '260.00',
                        {'quality': 70, 'social': 50}),
                    ]),
            ('health', 150, "Część 8 – pakiet programów zdrowotnych", [
                    ('fundacja_zdrowie', '400.00',
                        {'quality': 90, 'social': 50}),
                    ]),
            ],
        },
    {
        'key': 'coop_15a',
        'mode': 'coop_15a',
        'name': "Mobilny konserwator – Złota Rączka i usługi porządkowe "
        "dla seniorów (art. 15a ustawy o spółdzielniach socjalnych)",
        'publication': D(2021, 2, 1), 'deadline': D(2021, 2, 22),
        'award': D(2021, 3, 12), 'awarded_by': 'organizator',
        'start': START, 'end': END, 'close': True,
        'criteria': [
            ("Cena", 'price', 70),
            ("Jakość – doświadczenie w pracy z seniorami", 'quality', 30),
            ],
        'lots': [
            ('handyman', 800, "Część 1 – drobne naprawy w mieszkaniach "
                "seniorów", [
                    ('coop_razem', '90.00', {'quality': 90}),
                    ('starachowiczanka', '95.00', {'quality': 85}),
                    ]),
            ('cleaning', 300, "Część 2 – mycie okien, usługa pralnicza, "
                "porządkowanie nagrobków", [
                    ('starachowiczanka', '120.00', {'quality': 90}),
                    ('coop_razem', '125.00', {'quality': 85}),
                    ]),
            ],
        },
    {
        'key': 'competition',
        'mode': 'open_competition',
        'name': "Otwarty konkurs ofert na realizację zadań publicznych "
        "z zakresu kultury, sportu i animacji społeczności lokalnej "
        "w latach 2021–2023",
        'in_programme': True,
        # 28 days between the notice and the deadline (at least 21)
        'publication': D(2021, 2, 8), 'deadline': D(2021, 3, 8),
        'award': D(2021, 3, 24), 'awarded_by': 'dyrektor',
        'start': START, 'end': END, 'close': True,
        'criteria': [
            ("Możliwość realizacji zadania i jakość oferty", 'quality', 50),
            ("Kalkulacja kosztów", 'price', 30),
            ("Wkład własny, wolontariat i udział partnerów", 'social', 20),
            ],
        'representatives': [
            ("Jan Malinowski", 'fundacja_praca'),
            ],
        'lots': [
            ('animation', 1166, "Zadanie 1 – animacje społeczności lokalnej "
                "na osiedlach", [
                    ('stow_sasiedzi', '60.00', {'quality': 95, 'social': 90}),
                    ('stow_rodzina', '64.00', {'quality': 80, 'social': 70}),
                    ]),
            ('culture', 600, "Zadanie 2 – wydarzenia kulturalne w "
                "dzielnicach", [
                    ('stow_sasiedzi', '50.00', {'quality': 90, 'social': 80}),
                    ]),
            ('sport', 500, "Zadanie 3 – nordic walking i gimnastyka "
                "dla seniorów", [
                    ('fundacja_zdrowie', '45.00',
                        {'quality': 90, 'social': 60}),
                    ]),
            ],
        },
    {
        'key': 'outside',
        'mode': 'outside_pzp',
        'name': "Wypożyczalnia sprzętu rehabilitacyjnego (zamówienie "
        "o wartości poniżej 130 000 zł, art. 2 ust. 1 pkt 1 PZP)",
        'publication': D(2021, 3, 1), 'deadline': D(2021, 3, 12),
        'award': D(2021, 3, 19), 'awarded_by': 'organizator',
        'start': START, 'end': END, 'close': True,
        'lots': [
            ('equipment', 200, "Wypożyczenie sprzętu z dostawą do domu "
                "i instruktażem", [
                    ('fundacja_zdrowie', '150.00', {}),
                    ('opiekun_plus', '170.00', {}),
                    ]),
            ],
        },
    {
        'key': 'in_house',
        'mode': 'in_house',
        'name': "Usługi kulturalne i sportowo-rekreacyjne miejskich "
        "jednostek (zamówienie in-house, art. 214 ust. 1 pkt 11 PZP)",
        'in_programme': True,
        'publication': D(2021, 3, 1),
        'award': D(2021, 3, 15), 'awarded_by': 'dyrektor',
        'start': START, 'end': END, 'close': True,
        'lots': [
            ('culture', 1000, "Wydarzenia kulturalne dla seniorów i rodzin",
                [('sck', '45.00', {})]),
            ('sport', 1400, "Zajęcia sportowo-rekreacyjne", [
                    ('mosir', '40.00', {})]),
            ],
        },
    {
        'key': 'small_grant',
        'mode': 'small_grant',
        'name': "Rodzinne warsztaty wakacyjne w Klubie Rodzinnym (mały "
        "grant, art. 19a ustawy o działalności pożytku publicznego)",
        # The offer is published for 7 days for comments
        'publication': D(2022, 6, 6), 'deadline': D(2022, 6, 13),
        'award': D(2022, 6, 20), 'awarded_by': 'organizator',
        'start': D(2022, 7, 1), 'end': D(2022, 8, 31), 'close': False,
        'lots': [
            ('family_club', 28, "Warsztaty dla rodzin w lipcu i sierpniu", [
                    ('stow_rodzina', '250.00', {}),
                    ]),
            ],
        },
    ]

BUDGET_NAME = ("Plan finansowania usług społecznych w Starachowicach "
    "01.04.2021 – 30.04.2023")
BUDGET_LINES = [
    # (package code, dział, rozdział, paragraf, amount)
    ('SENIORZY', '852', '85228', '4307', programme.SENIORS_AMOUNT),
    ('RODZINY_KRYZYS', '852', '85295', '4307', programme.CRISIS_AMOUNT),
    ]

MEETINGS = [
    (D(2021, 6, 15), 'information', "Inauguracja partnerstwa: "
        "przedstawienie Programu Usług Społecznych i katalogu usług.",
        "Partnerzy zapoznali się z Programem Usług Społecznych na lata "
        "2021–2023, katalogiem 13 usług i zasadami kwalifikacji "
        "mieszkańców. Omówiono rolę Punktu Informacyjnego CUS.",
        "Podpisanie porozumienia o partnerstwie.\n"
        "Spotkania partnerstwa co kwartał.",
        ['cus', 'urzad', 'pcpr', 'coop_razem', 'starachowiczanka',
            'stow_rodzina', 'stow_sasiedzi', 'sck', 'mosir']),
    (D(2021, 10, 12), 'diagnostic', "Diagnoza potrzeb seniorów na "
        "osiedlach Łazy i Wzgórze.",
        "Przedstawiono wyniki pierwszych Indywidualnych Diagnoz Potrzeb: "
        "najczęściej wskazywane potrzeby to pomoc w codziennych "
        "czynnościach, dojazdy do lekarzy i drobne naprawy.",
        "Spółdzielnie socjalne zwiększą liczbę opiekunek od stycznia "
        "2022.\nSCK i MOSiR przygotują ofertę zajęć na osiedlach.",
        ['cus', 'coop_razem', 'starachowiczanka', 'stow_sasiedzi', 'sck',
            'mosir', 'hydro']),
    (D(2022, 3, 15), 'service_monitoring', "Monitoring realizacji usług "
        "w 2021 roku.",
        "Omówiono wykonanie umów za 2021 rok i odchylenia od "
        "harmonogramów (choroby opiekunek w grudniu). Wyniki ankiet "
        "satysfakcji: średnia ocena 4,4.",
        "Realizatorzy zgłaszają zastępstwa opiekunek do CUS w ciągu "
        "24 godzin.",
        ['cus', 'coop_razem', 'coop_dom', 'fundacja_zdrowie',
            'stow_rodzina']),
    (D(2022, 6, 21), 'problem_solving', "Brak miejsc w mieszkaniach "
        "chronionych dla osób w kryzysie.",
        "Wszystkie miejsca w mieszkaniach chronionych są zajęte; dwie "
        "rodziny czekają na przyjęcie. PCPR przedstawił możliwości "
        "czasowego zakwaterowania.",
        "Spółdzielnia „Bezpieczny Dom” przygotuje wniosek o adaptację "
        "kolejnego lokalu.\nUrząd Miejski wskaże lokal z zasobu gminy.",
        ['cus', 'urzad', 'pcpr', 'coop_dom', 'stow_rodzina']),
    (D(2022, 11, 22), 'innovative', "Wolontariat sąsiedzki i „Złota "
        "Rączka” z materiałami od lokalnych firm.",
        "Zaproponowano, by lokalni przedsiębiorcy przekazywali materiały "
        "do drobnych napraw u seniorów w ramach cichej pomocy.",
        "Pilotaż współpracy z „Hydro-Serwis” od stycznia 2023.\n"
        "Klub Wolontariusza zorganizuje dyżury sąsiedzkie.",
        ['cus', 'coop_razem', 'starachowiczanka', 'stow_sasiedzi',
            'hydro']),
    ]
NEXT_MEETING = (D(2023, 2, 21), 'service_monitoring',
    "Monitoring realizacji usług w 2022 roku; przygotowanie zakończenia "
    "pilotażu.")


def _nip(rng):
    "A NIP of the Starachowice tax office with a valid check digit"
    while True:
        number = '664' + ''.join(str(rng.randrange(10)) for _ in range(6))
        check = stdnum_nip.checksum(number)
        if check < 10:
            number += str(check)
            assert stdnum_nip.is_valid(number)
            return number


def _regon(rng):
    "A 9-digit REGON of the Świętokrzyskie voivodeship"
    number = '26' + ''.join(str(rng.randrange(10)) for _ in range(6))
    number += stdnum_regon.calc_check_digit(number)
    assert stdnum_regon.is_valid(number)
    return number


def _identifiers(key, krs):
    "NIP, REGON and KRS of a provider, the same in every load"
    rng = random.Random(f'{SEED}:{key}')
    values = {'nip': _nip(rng), 'regon': _regon(rng)}
    if krs:
        values['krs'] = '0000' + ''.join(
            str(rng.randrange(10)) for _ in range(6))
    return values


def _address(data, country):
    return {
        'street_name': data.get('street_name'),
        'building_number': data.get('building_number'),
        'postal_code': "27-200",
        'city': "Starachowice",
        'country': country.id if country else None,
        }


def month_range(first, last):
    "The first days of the months from first to last"
    month = first.replace(day=1)
    while month <= last:
        yield month
        month += relativedelta(months=1)


class Partners:
    "Builds the partners of the centre; see the module docstring"

    def __init__(self, company, logins, providers, services):
        self.company = company
        self.users = {l.login: l.user for l in logins}
        self.providers = providers
        self.services = services
        Programme = Pool().get('cus.programme')
        self.programme, = Programme.search(
            [('state', '=', 'running')], limit=1)

    @property
    def valid_until(self):
        """The expiry of a valid accreditation: orders are checked against
        the real date, after the demo's present"""
        today = Pool().get('ir.date').today()
        return D(max(today.year, NOW.year) + 2, 12, 31)

    def user(self, login):
        return self.users.get(login) or self.users.get('organizator')

    @contextmanager
    def as_user(self, login, date=None):
        "Run as the user of the login; date numbers the sequences"
        user = self.user(login)
        context = {'date': date} if date else {}
        with Transaction().set_user(user.id if user else 0), \
                Transaction().set_context(**context):
            yield

    # Providers

    def create_providers(self):
        """Mark the catalogue providers, create the new ones, give their
        services and capacities"""
        pool = Pool()
        Party = pool.get('party.party')
        Capacity = pool.get('cus.provider.capacity')
        valid_until = self.valid_until
        addresses = self.company.party.addresses
        country = addresses[0].country if addresses else None

        to_write = []
        for key, (kind, sector, krs, number) in DETAILS.items():
            party = self.providers.get(key)
            if not party:
                continue
            values = {
                'cus_provider': True,
                'provider_kind': kind,
                'sector': sector,
                **_identifiers(key, krs),
                }
            if number:
                values['accreditation'] = ACCREDITATION.format(number)
                values['accreditation_expiry'] = valid_until
            extra = EXTRA_SERVICES.get(key)
            if extra:
                values['provided_services'] = [('add', [
                            self.services[k].id for k in extra])]
            to_write.extend([[party], values])
        Party.write(*to_write)

        values = []
        for data in NEW_PROVIDERS:
            mechanisms = [
                {'type': 'phone', 'value': data['phone']},
                {'type': 'email', 'value': data['email']},
                ]
            values.append({
                    'name': data['name'],
                    'addresses': [('create', [_address(data, country)])],
                    'contact_mechanisms': [('create', mechanisms)],
                    'cus_provider': True,
                    'provider_kind': data['kind'],
                    'sector': data['sector'],
                    **_identifiers(data['key'], data['krs']),
                    'accreditation': ACCREDITATION.format(
                        data['accreditation']),
                    'accreditation_expiry': data.get(
                        'accreditation_expiry', valid_until),
                    'provided_services': [('add', [
                                self.services[k].id
                                for k in data['services']])],
                    })
        for data, party in zip(NEW_PROVIDERS, Party.create(values)):
            self.providers[data['key']] = party

        # The capacity each provider gives to the service base: the
        # capacity of the catalogue for the first provider of a service
        capacities = []
        for data in catalogue.SERVICES:
            keys = [k for k in data.get('providers', []) if k != 'cus']
            if not keys or not data.get('capacity'):
                continue
            capacities.append({
                    'provider': self.providers[keys[0]].id,
                    'service': self.services[data['key']].id,
                    'quantity': data['capacity'],
                    'period': data.get('capacity_period', 'month'),
                    'notes': "Zadeklarowane w ofercie",
                    })
        capacities.append({
                'provider': self.providers['starachowiczanka'].id,
                'service': self.services['cleaning'].id,
                'quantity': 15, 'period': 'month',
                'notes': "Zadeklarowane w ofercie",
                })
        Capacity.create(capacities)

        # The other parties of the story
        others = Party.create([
                {'name': URZAD, 'addresses': [('create', [_address({
                                    'street_name': "ul. Radomska",
                                    'building_number': "45"}, country)])]},
                {'name': PCPR, 'addresses': [('create', [_address({
                                    'street_name': "ul. Szkolna",
                                    'building_number': "12"}, country)])]},
                {'name': HYDRO, 'addresses': [('create', [_address({
                                    'street_name': "ul. Kolejowa",
                                    'building_number': "3"}, country)])]},
                {'name': DONOR, 'addresses': [('create', [_address({
                                    'street_name': "ul. Mickiewicza",
                                    'building_number': "8"}, country)])]},
                ])
        self.others = dict(zip(['urzad', 'pcpr', 'hydro', 'donor'], others))

    # Procurement

    def create_procurements(self):
        """One procurement per mode, from the notice to the award; the
        contracts it creates are activated. Return {key: procurement}"""
        pool = Pool()
        Procurement = pool.get('cus.procurement')
        Offer = pool.get('cus.procurement.offer')
        Contract = pool.get('cus.contract')
        services = self.services
        employees = [u.employee.id for u in [
                self.users.get('organizator'), self.users.get('dyrektor')]
            if u and u.employee]

        values = []
        for spec in PROCUREMENTS:
            lots = []
            for sequence, (key, quantity, description, offers) in enumerate(
                    spec['lots'], 1):
                # The first offer wins; the CUS priced the lot at its price
                lots.append({
                        'sequence': sequence,
                        'service': services[key].id,
                        'description': description,
                        'quantity': quantity,
                        'budget': quantity * Decimal(offers[0][1]),
                        })
            value = {
                'name': spec['name'],
                'mode': spec['mode'],
                'programme': (self.programme.id
                    if spec.get('in_programme') else None),
                'publication_date': spec['publication'],
                'offer_deadline': spec.get('deadline'),
                'start_date': spec['start'],
                'end_date': spec['end'],
                'estimated_value': sum(l['budget'] for l in lots),
                'social_clauses': spec.get('social_clauses'),
                'lots': [('create', lots)],
                'criteria': [('create', [{
                                'sequence': i,
                                'name': name, 'kind': kind,
                                'weight': Decimal(weight),
                                } for i, (name, kind, weight) in enumerate(
                                spec.get('criteria', []), 1)])],
                'commission': [('add', employees)],
                }
            if spec.get('representatives'):
                value['ngo_representatives'] = [('create', [{
                                'name': name,
                                'organisation': self.providers[key].id,
                                } for name, key in spec['representatives']])]
            values.append(value)
        with self.as_user('organizator', D(2021, 1, 18)):
            procurements = Procurement.create(values)
        specs = dict(zip(procurements, PROCUREMENTS))

        # Published in the order of their notices, numbered in their year
        by_year = defaultdict(list)
        for procurement in sorted(
                procurements, key=lambda p: (p.publication_date, p.id)):
            by_year[procurement.publication_date.year].append(procurement)
        for year, group in sorted(by_year.items()):
            with self.as_user('organizator', D(year, 6, 30)):
                Procurement.publish(fresh(group))

        # The offers with the commission's scores
        offers = []
        for procurement in procurements:
            spec = specs[procurement]
            criteria = {c.kind: c for c in procurement.criteria}
            for lot, (_, _, _, lot_offers) in zip(
                    procurement.lots, spec['lots']):
                for provider, price, scores in lot_offers:
                    offers.append({
                            'procurement': procurement.id,
                            'lot': lot.id,
                            'provider': self.providers[provider].id,
                            'unit_price': Decimal(price),
                            'scores': [('create', [{
                                            'criterion': criteria[k].id,
                                            'score': Decimal(s),
                                            } for k, s in scores.items()])],
                            })
        with self.as_user('organizator'):
            Offer.create(offers)
            Procurement.evaluate(fresh(procurements))

        # The award creates the contracts; the director activates them
        for (login, date), group in _runs(
                sorted(procurements, key=lambda p: specs[p]['award']),
                lambda p: (specs[p]['awarded_by'], specs[p]['award'])):
            with self.as_user(login, date):
                Procurement.award(fresh(group))
        procurements = fresh(procurements)
        to_write = []
        for procurement in procurements:
            to_write.extend([[procurement], {
                        'award_date': specs[procurement]['award']}])
        Procurement.write(*to_write)
        contracts = Contract.search(
            [('procurement', 'in', [p.id for p in procurements])],
            order=[('id', 'ASC')])
        to_write = []
        for number, contract in enumerate(contracts, 1):
            signed = workday(
                specs[contract.procurement]['award'] + dt.timedelta(days=7))
            to_write.extend([[contract], {
                        'reference': f"{number}/DUS/{signed.year}",
                        'notes': "Umowa podpisana %s." % signed.strftime(
                            '%d.%m.%Y'),
                        }])
        Contract.write(*to_write)
        with self.as_user('dyrektor'):
            Contract.activate(fresh(contracts))
        with self.as_user('organizator'):
            Procurement.close(
                [p for p in procurements if specs[p]['close']])
        return {specs[p]['key']: p for p in fresh(procurements)}

    # The financial plan

    def create_budget(self):
        "The Starachowice financial plan, approved before the first plan"
        pool = Pool()
        Budget = pool.get('cus.budget')
        Package = pool.get('cus.service.package')
        packages = {p.code: p for p in Package.search([
                    ('code', 'in', [l[0] for l in BUDGET_LINES])])}
        lines = []
        for sequence, (code, division, chapter, paragraph, amount) in (
                enumerate(BUDGET_LINES, 1)):
            package = packages[code]
            lines.append({
                    'sequence': sequence,
                    'name': package.name,
                    'package': package.id,
                    'division': division,
                    'chapter': chapter,
                    'paragraph': paragraph,
                    'amount': amount,
                    })
        with self.as_user('finanse'):
            budget, = Budget.create([{
                        'name': BUDGET_NAME,
                        'company': self.company.id,
                        'programme': self.programme.id,
                        'start_date': START,
                        'end_date': END,
                        'funding_source': 'efs',
                        'funding_reference': "Projekt EFS „Centrum Usług "
                        "Społecznych w Starachowicach” (numer "
                        "demonstracyjny)",
                        'notes': "Plan finansowania usług w okresie "
                        "realizacji Programu Usług Społecznych.",
                        'lines': [('create', lines)],
                        }])
        with self.as_user('dyrektor'):
            Budget.approve([budget])
        Budget.write([budget], {'approved_date': D(2021, 3, 31)})
        return budget

    # Settlements and deviations

    def settle(self):
        """The monthly statements of the providers from their confirmed
        deliveries, approved and paid by Finance"""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Settlement = pool.get('cus.settlement')
        delivery = Delivery.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*delivery.select(
                delivery.provider, delivery.date,
                where=(delivery.state == 'confirmed')
                & (delivery.order != None)  # noqa: E711
                & (delivery.date < LAST_SETTLED_MONTH + relativedelta(
                        months=1))))
        months = set()
        for provider, date in cursor:
            if isinstance(date, str):
                date = dt.date.fromisoformat(date[:10])
            months.add((date.replace(day=1), provider))
        if not months:
            return []
        values = []
        for month, provider in sorted(months):
            values.append({
                    'provider': provider,
                    'start_date': month,
                    'end_date': month + relativedelta(months=1, days=-1),
                    })
        settlements = []
        for year, group in _runs(values, lambda v: v['start_date'].year):
            with self.as_user('organizator', D(year, 12, 31)):
                settlements.extend(Settlement.create(group))
        # Computed in the order of the months: each takes what the
        # previous ones left
        with self.as_user('organizator'):
            Settlement.compute(settlements)
        settlements = fresh(settlements)
        to_approve = [s for s in settlements
            if s.start_date <= LAST_SETTLED_MONTH]
        # One statement of the last month waits for Finance
        pending = [s for s in to_approve
            if s.start_date == LAST_SETTLED_MONTH][:1]
        to_approve = [s for s in to_approve if s not in pending]
        with self.as_user('finanse'):
            Settlement.approve(to_approve)
        to_pay = [s for s in to_approve if s.start_date <= LAST_PAID_MONTH]
        for month, group in _runs(to_pay, lambda s: s.start_date):
            paid_on = workday(month + relativedelta(months=1, days=19))
            with self.as_user('finanse'):
                Settlement.paid(fresh(group), paid_on,
                    "Przelew %s" % paid_on.strftime('%d.%m.%Y'))
        to_write = []
        for settlement in to_approve:
            values = {'approved_date': workday(
                    settlement.end_date + dt.timedelta(days=8))}
            if settlement in to_pay:
                values['payment_reference'] = (
                    f"Przelew {settlement.number}")
            to_write.extend([[settlement], values])
        if to_write:
            Settlement.write(*to_write)
        return settlements

    def compute_deviations(self):
        "The deviation alerts of every complete month up to NOW"
        Order = Pool().get('cus.service.order')
        alerts = []
        with self.as_user('organizator'):
            for month in month_range(START, NOW.replace(day=1)
                    - dt.timedelta(days=1)):
                alerts.extend(Order.check_deviations(month))
        return alerts

    # Silent help and the partnership

    def create_sponsorships(self, plans):
        "Two donors fund what the Programme does not"
        pool = Pool()
        Sponsorship = pool.get('cus.sponsorship')
        lines = [l for p in plans for l in p.lines
            if p.state in {'running', 'closed'}]
        handyman = next((l for l in lines
                if l.service == self.services['handyman']
                and l.start_date <= D(2022, 6, 1)), None)
        care = next((l for l in lines
                if l.service == self.services['care']
                and l.start_date <= D(2022, 7, 1) <= l.end_date), None)
        values = []
        if handyman:
            values.append({
                    'donor': self.others['hydro'].id,
                    'date': D(2022, 6, 8),
                    'kind': 'in_kind',
                    'description': "Materiały do naprawy w mieszkaniu "
                    "(bateria kuchenna, syfon, uszczelki) do wizyty "
                    "Złotej Rączki – usługa nie obejmuje zakupu "
                    "materiałów.",
                    'client': handyman.plan.client.id,
                    'service': handyman.service.id,
                    'start_date': D(2022, 6, 8),
                    'end_date': D(2022, 6, 8),
                    })
        if care:
            values.append({
                    'donor': self.others['donor'].id,
                    'date': D(2022, 6, 24),
                    'kind': 'money',
                    'amount': Decimal('1200.00'),
                    'description': "Dodatkowe godziny opieki "
                    "wytchnieniowej w wakacje, ponad wymiar Programu.",
                    'client': care.plan.client.id,
                    'service': care.service.id,
                    'start_date': D(2022, 7, 1),
                    'end_date': D(2022, 8, 31),
                    'notes': "Darczyńca prosi o zachowanie anonimowości.",
                    })
        with self.as_user('organizator'):
            return Sponsorship.create(values) if values else []

    def create_partnership(self):
        "The local partnership of the three sectors and its meetings"
        pool = Pool()
        Partnership = pool.get('cus.partnership')
        Meeting = pool.get('cus.partnership.meeting')
        parties = dict(self.providers)
        parties['cus'] = self.company.party
        parties.update(self.others)
        members = [
            ('cus', 'public', "Dyrektor CUS", "lider"),
            ('urzad', 'public', "Naczelnik Wydziału Spraw Społecznych",
                "partner"),
            ('pcpr', 'public', "Dyrektor PCPR", "partner"),
            ('sck', 'public', None, "partner"),
            ('mosir', 'public', None, "partner"),
            ('coop_razem', 'social', "Prezes zarządu", "partner"),
            ('coop_dom', 'social', "Prezes zarządu", "partner"),
            ('starachowiczanka', 'social', "Prezes zarządu", "partner"),
            ('fundacja_zdrowie', 'social', None, "partner"),
            ('stow_rodzina', 'social', None, "partner"),
            ('stow_sasiedzi', 'social', None, "partner"),
            ('hydro', 'business', "Marek Nowicki", "partner"),
            ('opiekun_plus', 'business', None, "obserwator"),
            ]
        with self.as_user('organizator'):
            partnership, = Partnership.create([{
                        'name': "Partnerstwo na rzecz usług społecznych "
                        "w Starachowicach",
                        'kind': 'formal',
                        'agreement_date': D(2021, 6, 15),
                        'agreement_reference': "Porozumienie nr 1/2021 "
                        "(numer demonstracyjny)",
                        'end_date': END,
                        'goals': "Wspólne planowanie i realizacja usług "
                        "społecznych Programu; rozwój współpracy "
                        "międzysektorowej; utworzenie lokalnej sieci "
                        "usługodawców.",
                        'principles': "Suwerenność stron, partnerstwo, "
                        "efektywność, uczciwa konkurencja i jawność, "
                        "pomocniczość.",
                        'memberships': [('create', [{
                                        'party': parties[k].id,
                                        'sector': sector,
                                        'representative': representative,
                                        'role': role,
                                        } for k, sector, representative, role
                                    in members if k in parties])],
                        }])
            meetings = Meeting.create([{
                        'partnership': partnership.id,
                        'date': date,
                        'kind': kind,
                        'agenda': agenda,
                        'minutes': minutes,
                        'decisions': decisions,
                        'attendees': [('add', [parties[k].id
                                    for k in attendees if k in parties])],
                        } for date, kind, agenda, minutes, decisions,
                    attendees in MEETINGS] + [{
                        'partnership': partnership.id,
                        'date': NEXT_MEETING[0],
                        'kind': NEXT_MEETING[1],
                        'agenda': NEXT_MEETING[2],
                        }])
            Meeting.hold(meetings[:len(MEETINGS)])
        return partnership


class Activity(ipus.Demo):
    """The centre at work of demo/ipus.py with the service orders: made
    right after the plans are approved and the applications decided, so
    that the deliveries are attached to them"""

    def order(self, lines, dates):
        """Order the plan or application lines as the organiser, as the
        "Create Orders" action does, and send the orders on the date of
        their origin's decision (dates: {line: date}), but those of the
        last days; the provider accepts them"""
        pool = Pool()
        Order = pool.get('cus.service.order')
        if not lines:
            return []
        with self.as_user('organizator'):
            if lines[0].__name__ == 'cus.ipus.line':
                orders = Order.create_from_ipus_lines(lines)
            else:
                orders = Order.create_from_application_lines(lines)
        sent_on = {o: dates[o.ipus_line or o.application_line]
            for o in orders}
        # A loan is handed over within two weeks of its single day
        to_write = []
        for order in orders:
            if order.end_date == order.start_date:
                to_write.extend([[order], {'end_date': min(
                                order.start_date + dt.timedelta(days=14),
                                order.contract_line.contract.end_date)}])
        if to_write:
            Order.write(*to_write)
        to_send = sorted((o for o in orders if sent_on[o] < ORDER_DRAFT),
            key=lambda o: (sent_on[o], o.id))
        for year, group in self._groups(to_send, lambda o: sent_on[o].year):
            with self.as_user('organizator', D(year, 12, 31)):
                Order.send(fresh(group))
        to_write = []
        for order in to_send:
            to_write.extend([[order], {'sent_date': sent_on[order]}])
        if to_write:
            Order.write(*to_write)
        with self.as_user('organizator'):
            Order.accept(fresh(
                    [o for o in to_send if sent_on[o] < ORDER_ACCEPTED]))
        return orders

    def create_applications(self, cases):
        plan_cases, others = super().create_applications(cases)
        lines, dates = [], {}
        for spec in others:
            application = spec['application']
            if (spec['state'] != 'qualified'
                    or application.path not in {'one_off', 'short'}):
                continue
            for line in application.lines:
                lines.append(line)
                dates[line] = spec['decision']
        self.order(lines, dates)
        return plan_cases, others

    def approve(self, cases, date_key='approved', approver_key='approver'):
        super().approve(cases, date_key, approver_key)
        Ipus = Pool().get('cus.ipus')
        lines, dates = [], {}
        for case in sorted(cases, key=lambda c: c[date_key]):
            plan = Ipus(case['plan'].id)
            for line in plan.lines:
                lines.append(line)
                dates[line] = case[date_key]
        self.order(lines, dates)

    def build(self):
        pool = Pool()
        Order = pool.get('cus.service.order')
        plans = super().build()
        orders = Order.search([('state', 'in', ['draft', 'sent', 'accepted'])])
        # The orders of a cancelled plan are cancelled, those of a closed
        # plan or whose period is over are done
        to_cancel, to_do = [], []
        for order in orders:
            state = order.ipus_line.plan.state if order.ipus_line else None
            if state == 'cancelled':
                to_cancel.append(order)
            elif order.state == 'accepted' and (state == 'closed'
                    or order.end_date < NOW - dt.timedelta(days=14)):
                to_do.append(order)
        with self.as_user('organizator'):
            Order.cancel(to_cancel)
            Order.do(to_do)
        return plans


def _runs(items, key):
    "Consecutive runs of items with the same key, in order"
    runs = []
    for item in items:
        k = key(item)
        if runs and runs[-1][0] == k:
            runs[-1][1].append(item)
        else:
            runs.append((k, [item]))
    return runs


def create_activity(company, logins, providers, services, clients,
        seed=SEED):
    """Create the partners and the activity of the centre with them: the
    providers, procurements, contracts and the financial plan, then the
    activity of demo/ipus.py with the orders of the plans and applications,
    the settlements, the deviation alerts, silent help and the partnership.

    The new providers are added to providers. Return the plans (first
    versions) as ipus.create_activity."""
    partners = Partners(company, logins, providers, services)
    partners.create_providers()
    partners.create_procurements()
    partners.create_budget()
    plans = Activity(
        company, logins, providers, services, clients, seed).build()
    partners.settle()
    partners.compute_deviations()
    partners.create_sponsorships(fresh(plans))
    partners.create_partnership()
    return plans


def create_portal_users(providers, passwords=None):
    """A portal login (web.user) for each provider with orders in progress;
    return them as users.Login, printed with the staff logins"""
    from .users import Login, _password
    pool = Pool()
    Order = pool.get('cus.service.order')
    WebUser = pool.get('web.user')
    orders = Order.search([('state', 'in', ['sent', 'accepted'])])
    with_orders = {o.provider for o in orders}
    parties = sorted(
        (p for p in providers.values() if p in with_orders),
        key=lambda p: p.name)
    values, logins = [], []
    for number, party in enumerate(parties, 1):
        email = f'portal{number}@realizator.example'
        password = _password(passwords, email)
        values.append({'email': email, 'password': password,
                'party': party.id, 'email_valid': True})
        logins.append((email, password, "Portal usługodawcy", party.name))
    web_users = WebUser.create(values)
    return [Login(*l, user=u) for l, u in zip(logins, web_users)]
