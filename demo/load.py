# This file is part of the CUS back office.
"""Load the demo data into an open transaction.

Every function runs inside a transaction that the caller opened on a
database where cus_base, cus_ipus, cus_partners and cus_osl are activated;
nothing here commits. `python -m cus_demo` opens and commits the
transaction; the tests call `load` inside `with_transaction()`.
"""
import time
from collections import namedtuple
from decimal import Decimal

from trytond.pool import Pool
from trytond.transaction import Transaction

from . import (
    catalogue, osl, partners, people, privacy, programme, reporting, users)

COMPANY_NAME = "Centrum Usług Społecznych w Starachowicach"

Result = namedtuple('Result', [
        'company', 'logins', 'providers', 'packages', 'services',
        'programme', 'clients', 'seconds'])


class DemoError(Exception):
    pass


def setup_language(code='pl'):
    "Make the language translatable and the default of new parties"
    pool = Pool()
    Lang = pool.get('ir.lang')
    PartyConfiguration = pool.get('party.configuration')
    lang, = Lang.search([('code', '=', code)], limit=1)
    if not lang.translatable or not lang.active:
        Lang.write([lang], {'translatable': True, 'active': True})
    configuration = PartyConfiguration(1)
    configuration.party_lang = lang
    configuration.save()
    return lang


def get_country():
    "Poland, created if the countries were not imported"
    Country = Pool().get('country.country')
    countries = Country.search([('code', '=', 'PL')], limit=1)
    if countries:
        return countries[0]
    country, = Country.create([{
                'name': "Polska",
                'code': 'PL',
                'code3': 'POL',
                'code_numeric': '616',
                }])
    return country


def get_currency():
    "The Polish złoty, created if absent"
    Currency = Pool().get('currency.currency')
    currencies = Currency.search([('code', '=', 'PLN')], limit=1)
    if currencies:
        return currencies[0]
    currency, = Currency.create([{
                'name': "Złoty polski",
                'code': 'PLN',
                'numeric_code': '985',
                'symbol': "zł",
                'digits': 2,
                'rounding': Decimal('0.01'),
                }])
    return currency


def create_company(currency, country=None):
    pool = Pool()
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    party, = Party.create([{
                'name': COMPANY_NAME,
                'addresses': [('create', [{
                                'street_name': "ul. Majówka",
                                'building_number': "21a",
                                'postal_code': "27-200",
                                'city': "Starachowice",
                                'country': country.id if country else None,
                                }])],
                'contact_mechanisms': [('create', [
                            {'type': 'phone', 'value': "+48 41 274 00 00"},
                            {'type': 'email',
                                'value': "sekretariat@cus.example"},
                            ])],
                }])
    company, = Company.create([{
                'party': party.id,
                'currency': currency.id,
                'timezone': 'Europe/Warsaw',
                }])
    return company


def setup_admin(company, language):
    "Give the administrator (user 1) the company and the language"
    User = Pool().get('res.user')
    admin = User(1)
    User.write([admin], {
            'companies': [('add', [company.id])],
            'company': company.id,
            'language': language.id,
            })


def complete_config_wizards():
    "Mark the module configuration wizards done: users land on their menu"
    Item = Pool().get('ir.module.config_wizard.item')
    items = Item.search([('state', '!=', 'done')])
    if items:
        Item.write(items, {'state': 'done'})
    return items


def load(passwords=None, clients=240, seed=people.SEED):
    """Load the whole demo; return a Result

    passwords: None (random), one string for all logins or {login: password}.
    """
    pool = Pool()
    Company = pool.get('company.company')
    start = time.perf_counter()
    if Company.search([], limit=1):
        raise DemoError(
            "The database has a company already: the demo data is loaded "
            "into a new database only.")

    language = setup_language('pl')
    country = get_country()
    currency = get_currency()
    company = create_company(currency, country)
    setup_admin(company, language)
    complete_config_wizards()

    with Transaction().set_context(company=company.id):
        logins = users.create_users(company, language, passwords)
        providers, packages, services = catalogue.create_catalogue(
            company, country)
        director = next(l.user for l in logins if l.login == 'dyrektor')
        programme_ = programme.create_programme(services, adopter=director.id)
        parties = people.create_clients(clients, seed, country)
        partners.create_activity(
            company, logins, providers, services, parties)
        osl.create_plan(company, logins, providers, parties)
        reporting.create_reporting(programme_, logins)
        privacy.create_privacy(logins)
        logins += partners.create_portal_users(providers, passwords)
    return Result(
        company=company, logins=logins, providers=providers,
        packages=packages, services=services, programme=programme_,
        clients=parties, seconds=time.perf_counter() - start)
