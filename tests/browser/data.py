# This file is part of the CUS back office.
"""The data of the browser-test database (tests/browser)

The session fixture ``browser_db`` (conftest.py) builds one database per
test run and backend and fills it with what this module describes, through
``build_data.py``. Tests import these constants (``from .data import
LOGINS, PASSWORDS``) and take the ids of the records from
``browser_db.ids`` (looked up by name once the data is built, see
``build_data.lookup_ids``).

What is in the database:

* the company: COMPANY_NAME, currency PLN, Polish (the database language,
  the users' language and the party language are all ``pl``); the module
  configuration wizards are marked done, so users land on their menu;
* the staff users of STAFF, each with an employee of the company and the
  password of PASSWORDS; ``admin`` (Tryton's administrator) has
  ADMIN_PASSWORD;
* a running programme (PROGRAMME_NAME) with the services of SERVICES;
* CLIENT: a client with a running plan (IPUS) coordinated by ``koordynator``
  with two lines, ``care`` given to the provider ``coop`` and ``taxi`` given
  to the provider ``foundation``;
* OTHER_CLIENT: a client with a running plan coordinated by ``koordynator2``
  (one line without provider; ``koordynator`` must not see it);
* PROVIDERS: two providers (party.party with cus_provider) with NIP, REGON,
  KRS and a valid accreditation, each with an active contract (cus.contract)
  for its service and one sent service order (cus.service.order) made from
  its line of CLIENT's plan;
* WEB_USERS: one ``web.user`` per provider (email, password, party = the
  provider), for the partner portal.

The plan periods are relative to the day the database is built (see
``plan_dates``), so that the orders are current: the plans run from the
first day of the current month for nine months.
"""
import datetime as dt
import os

from dateutil.relativedelta import relativedelta

# After the test database's name on PostgreSQL (scripts/test: test_cus), so
# that test runs with their own DB_NAME do not drop each other's database.
_DB_NAME = os.environ.get('DB_NAME', '')
DATABASE_NAME = (f'{_DB_NAME}_browser'
    if _DB_NAME and _DB_NAME != ':memory:' else 'test_cus_browser')

COMPANY_NAME = "Centrum Usług Społecznych w Starachowicach"
CURRENCY = 'PLN'
LANGUAGE = 'pl'

ADMIN_LOGIN = 'admin'
ADMIN_PASSWORD = 'Admin-Przegladarka-2024'

# role -> (login, name, group XML id in cus_base)
STAFF = {
    'director': (
        'dyrektor', "Anna Nowakowska", 'group_cus_director'),
    'organiser': (
        'organizator', "Katarzyna Wiśniewska", 'group_cus_organiser'),
    'coordinator': (
        'koordynator', "Marta Zielińska", 'group_cus_coordinator'),
    'coordinator2': (
        'koordynator2', "Piotr Lewandowski", 'group_cus_coordinator'),
    'finance': (
        'finanse', "Barbara Kowalczyk", 'group_cus_finance'),
    }
# role -> login
LOGINS = {role: login for role, (login, _, _) in STAFF.items()}
# login -> password (admin included)
PASSWORDS = {
    'dyrektor': 'Dyrektor-Test-2024',
    'organizator': 'Organizator-Test-2024',
    'koordynator': 'Koordynator-Test-2024',
    'koordynator2': 'Koordynator2-Test-2024',
    'finanse': 'Finanse-Test-2024',
    ADMIN_LOGIN: ADMIN_PASSWORD,
    }
# role -> the employee's name (= the user's name)
NAMES = {role: name for role, (_, name, _) in STAFF.items()}

PROGRAMME_NAME = "Program usług społecznych (testy przeglądarkowe)"
# key -> (name, unit XML id, quota rules)
SERVICES = {
    'care': ("Usługi opiekuńcze", 'product.uom_hour', {'max_per_week': 6}),
    'taxi': ("Taksówka dla seniora", 'cus_base.uom_ride',
        {'max_per_month': 2, 'max_per_year': 6}),
    'handyman': ("Mobilny konserwator", 'cus_base.uom_visit',
        {'max_per_year': 4, 'max_unit_duration': 2}),
    }

CLIENT = {
    'name': "Stanisław Wójcik",
    'pesel': '41031207754',
    'coordinator': 'coordinator',
    }
OTHER_CLIENT = {
    'name': "Helena Mazur",
    'pesel': '38110204128',
    'coordinator': 'coordinator2',
    }

# key -> provider; 'service' is the key in SERVICES of its contract, plan
# line and order
PROVIDERS = {
    'coop': {
        'name': "Spółdzielnia Socjalna „Starachowiczanka”",
        'kind': 'social_cooperative',
        'nip': '5260001246',
        'regon': '291070213',
        'krs': '0000123456',
        'service': 'care',
        'unit_price': '45.50',
        'max_quantity': 1000,
        'email': 'biuro@starachowiczanka.example',
        'password': 'Portal-Spoldzielnia-2024',
        },
    'foundation': {
        'name': "Fundacja „Pomocna Dłoń”",
        'kind': 'ngo',
        'nip': '7740002146',
        'regon': '330765419',
        'krs': '0000654321',
        'service': 'taxi',
        'unit_price': '30.00',
        'max_quantity': 50,
        'email': 'kontakt@pomocnadlon.example',
        'password': 'Portal-Fundacja-2024',
        },
    }
# web.user email -> password
WEB_USERS = {p['email']: p['password'] for p in PROVIDERS.values()}


def plan_dates(today):
    """The dates of the plans and contracts for a database built on today

    The plans run from the first day of the current month for nine months;
    the application comes 20 days before, the plan is drawn up 10 days
    before (within the 30 days of the IPUS path); the contracts cover the
    plans with three months to spare on each side; the programme runs from
    a year before to two years after."""
    start = today.replace(day=1)
    return {
        'application_date': start - dt.timedelta(days=20),
        'drawn_up_date': start - dt.timedelta(days=10),
        'valid_from': start,
        'valid_to': start + relativedelta(months=9, days=-1),
        # taxi: 2 rides a month for three months
        'taxi_to': start + relativedelta(months=3, days=-1),
        'contract_start': start - relativedelta(months=3),
        'contract_end': start + relativedelta(months=12, days=-1),
        'programme_start': start - relativedelta(years=1),
        'programme_end': start + relativedelta(years=2, days=-1),
        }
