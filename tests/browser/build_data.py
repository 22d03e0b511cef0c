# This file is part of the CUS back office.
"""Fill the browser-test database with the data of data.py

    python tests/browser/build_data.py -c CONFIG -d DATABASE --out IDS.json

Run by the ``browser_db`` fixture (conftest.py) in a subprocess, on a
database where cus_partners, cus_osl and web_user are activated in Polish.
It opens one transaction (Pool + Transaction, as demo/load.py does), creates
the data, commits, then writes the ids of the records, looked up by name,
to IDS.json (see ``lookup_ids``).
"""
import argparse
import datetime as dt
import json
import logging
import sys
from decimal import Decimal

import data


def _uom(xml_id):
    from trytond.pool import Pool
    return Pool().get('ir.model.data').get_id(*xml_id.split('.'))


def _group(xml_id):
    from trytond.pool import Pool
    return Pool().get('ir.model.data').get_id('cus_base', xml_id)


def setup_language():
    "Polish: translatable, the default of new parties"
    from trytond.pool import Pool
    pool = Pool()
    Lang = pool.get('ir.lang')
    PartyConfiguration = pool.get('party.configuration')
    lang, = Lang.search([('code', '=', data.LANGUAGE)], limit=1)
    if not lang.translatable or not lang.active:
        Lang.write([lang], {'translatable': True, 'active': True})
    configuration = PartyConfiguration(1)
    configuration.party_lang = lang
    configuration.save()
    return lang


def get_country():
    from trytond.pool import Pool
    Country = Pool().get('country.country')
    countries = Country.search([('code', '=', 'PL')], limit=1)
    if countries:
        return countries[0]
    country, = Country.create([{
                'name': "Polska", 'code': 'PL', 'code3': 'POL',
                'code_numeric': '616'}])
    return country


def get_currency():
    from trytond.pool import Pool
    Currency = Pool().get('currency.currency')
    currencies = Currency.search([('code', '=', data.CURRENCY)], limit=1)
    if currencies:
        return currencies[0]
    currency, = Currency.create([{
                'name': "Złoty polski", 'code': data.CURRENCY,
                'numeric_code': '985', 'symbol': "zł", 'digits': 2,
                'rounding': Decimal('0.01')}])
    return currency


def address(street, number, country, postal_code="27-200",
        city="Starachowice"):
    return {
        'street_name': street, 'building_number': number,
        'postal_code': postal_code, 'city': city, 'country': country.id}


def create_company(currency, country):
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    party, = Party.create([{
                'name': data.COMPANY_NAME,
                'addresses': [('create', [
                            address("ul. Majówka", "21a", country)])],
                }])
    company, = Company.create([{
                'party': party.id, 'currency': currency.id,
                'timezone': 'Europe/Warsaw'}])
    return company


def create_staff(company, lang):
    "The users of STAFF with their employees; admin gets a company"
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    roles = list(data.STAFF)
    parties = Party.create([{
                'name': data.STAFF[r][1],
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': f'{data.STAFF[r][0]}@cus.example',
                                }])],
                } for r in roles])
    employees = Employee.create([
            {'party': p.id, 'company': company.id} for p in parties])
    users = User.create([{
                'name': data.STAFF[r][1],
                'login': data.STAFF[r][0],
                'password': data.PASSWORDS[data.STAFF[r][0]],
                'email': f'{data.STAFF[r][0]}@cus.example',
                'language': lang.id,
                'groups': [('add', [_group(data.STAFF[r][2])])],
                'companies': [('add', [company.id])],
                'company': company.id,
                'employees': [('add', [e.id])],
                'employee': e.id,
                } for r, e in zip(roles, employees)])
    admin = User(1)
    User.write([admin], {
            'companies': [('add', [company.id])],
            'company': company.id,
            'language': lang.id,
            })
    return dict(zip(roles, users)), dict(zip(roles, employees))


def complete_config_wizards():
    "Users land on their menu, not on the module configuration wizard"
    from trytond.pool import Pool
    Item = Pool().get('ir.module.config_wizard.item')
    items = Item.search([('state', '!=', 'done')])
    if items:
        Item.write(items, {'state': 'done'})


def create_services(dates):
    from trytond.pool import Pool
    pool = Pool()
    Service = pool.get('cus.service')
    Programme = pool.get('cus.programme')
    keys = list(data.SERVICES)
    services = Service.create([dict({
                    'name': data.SERVICES[k][0],
                    'unit': _uom(data.SERVICES[k][1]),
                    }, **data.SERVICES[k][2]) for k in keys])
    services = dict(zip(keys, services))
    programme, = Programme.create([{
                'name': data.PROGRAMME_NAME,
                'start_date': dates['programme_start'],
                'end_date': dates['programme_end'],
                'lines': [('create', [{
                                'service': s.id, 'planned_quantity': 1000,
                                'unit_price': Decimal('10'),
                                } for s in services.values()])],
                }])
    Programme.adopt([programme])
    Programme.run([programme])
    return services, programme


def create_providers(services, country, dates):
    "The providers of PROVIDERS, their active contracts and web users"
    from trytond.pool import Pool
    pool = Pool()
    Party = pool.get('party.party')
    Contract = pool.get('cus.contract')
    WebUser = pool.get('web.user')
    keys = list(data.PROVIDERS)
    values = [data.PROVIDERS[k] for k in keys]
    providers = Party.create([{
                'name': v['name'],
                'cus_provider': True,
                'provider_kind': v['kind'],
                'sector': 'social',
                'nip': v['nip'],
                'regon': v['regon'],
                'krs': v['krs'],
                'accreditation': f"Akredytacja CUS {i}/{dates['valid_from'].year}",
                'accreditation_expiry': (
                    dates['contract_end'] + dt.timedelta(days=365)),
                'provided_services': [('add', [services[v['service']].id])],
                'addresses': [('create', [address(
                                "ul. Radomska", str(10 + i), country)])],
                'contact_mechanisms': [('create', [
                            {'type': 'email', 'value': v['email']}])],
                } for i, v in enumerate(values, 1)])
    contracts = Contract.create([{
                'provider': p.id,
                'mode': 'coop_15a' if v['kind'] == 'social_cooperative'
                else 'open_competition',
                'start_date': dates['contract_start'],
                'end_date': dates['contract_end'],
                'lines': [('create', [{
                                'service': services[v['service']].id,
                                'unit_price': Decimal(v['unit_price']),
                                'max_quantity': v['max_quantity'],
                                'allowed_deviation': Decimal('20'),
                                }])],
                } for p, v in zip(providers, values)])
    Contract.activate(contracts)
    WebUser.create([{
                'email': v['email'],
                'password': v['password'],
                'party': p.id,
                } for p, v in zip(providers, values)])
    return dict(zip(keys, providers))


def create_client(values, country, number):
    from trytond.pool import Pool
    Party = Pool().get('party.party')
    client, = Party.create([{
                'name': values['name'],
                'cus_client': True,
                'client_category': 'resident',
                'pesel': values['pesel'],
                'addresses': [('create', [address(
                                "ul. Kościelna", str(number), country)])],
                }])
    return client


def create_plan(client, coordinator, lines, dates, director):
    "An IPUS-path application, then its plan approved and running"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Application = pool.get('cus.application')
    Ipus = pool.get('cus.ipus')
    application, = Application.create([{
                'client': client.id,
                'application_date': dates['application_date'],
                'path': 'ipus',
                'declaration_conditions': True,
                'lines': [('create', [{
                                'service': l['service'], 'quantity': 1}
                            for l in lines])],
                }])
    Application.submit([application])
    Application.qualify([application])
    plan, = Ipus.create([{
                'client': client.id,
                'application': application.id,
                'coordinator': coordinator.id,
                'drawn_up_date': dates['drawn_up_date'],
                'valid_from': dates['valid_from'],
                'valid_to': dates['valid_to'],
                'expected_effects': "Samodzielne życie w domu",
                'lines': [('create', lines)],
                }])
    with Transaction().set_user(director.id):
        Ipus.approve([plan])
        Ipus.run([plan])
    return plan


def load():
    "Create the whole data set in the open transaction"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool()
    Date = pool.get('ir.date')
    Order = pool.get('cus.service.order')

    lang = setup_language()
    country = get_country()
    currency = get_currency()
    company = create_company(currency, country)
    complete_config_wizards()
    with Transaction().set_context(company=company.id):
        dates = data.plan_dates(Date.today())
        users, employees = create_staff(company, lang)
        services, _ = create_services(dates)
        providers = create_providers(services, country, dates)
        client = create_client(data.CLIENT, country, 3)
        plan = create_plan(client, employees[data.CLIENT['coordinator']], [{
                    'service': services['care'].id,
                    'provider': providers['coop'].id,
                    'start_date': dates['valid_from'],
                    'end_date': dates['valid_to'],
                    'per_week': 6, 'quantity': 200,
                    'schedule': "6 godzin tygodniowo",
                    }, {
                    'service': services['taxi'].id,
                    'provider': providers['foundation'].id,
                    'start_date': dates['valid_from'],
                    'end_date': dates['taxi_to'],
                    'per_month': 2, 'per_year': 6, 'quantity': 6,
                    'schedule': "2 przejazdy w miesiącu",
                    }], dates, users['director'])
        other = create_client(data.OTHER_CLIENT, country, 7)
        create_plan(other, employees[data.OTHER_CLIENT['coordinator']], [{
                    'service': services['handyman'].id,
                    'start_date': dates['valid_from'],
                    'end_date': dates['valid_to'],
                    'per_year': 2, 'quantity': 2, 'unit_duration': 2,
                    'schedule': "2 wizyty w roku",
                    }], dates, users['director'])
        with Transaction().set_user(users['organiser'].id):
            orders = Order.create_from_ipus_lines(plan.lines)
            Order.send(orders)
    assert len(orders) == len(data.PROVIDERS), orders


def lookup_ids():
    """The ids of the test records, looked up by the names of data.py

    Keys: company, users {role: id}, employees {role: id}, programme,
    services {key: id}, client, other_client, plan, plan_number,
    other_plan, other_plan_number, providers {key: id},
    contracts {key: id}, orders {key: id}, order_numbers {key: number},
    web_users {key: id}."""
    from trytond.pool import Pool
    pool = Pool()
    Company = pool.get('company.company')
    User = pool.get('res.user')
    Employee = pool.get('company.employee')
    Programme = pool.get('cus.programme')
    Service = pool.get('cus.service')
    Party = pool.get('party.party')
    Ipus = pool.get('cus.ipus')
    Contract = pool.get('cus.contract')
    Order = pool.get('cus.service.order')
    WebUser = pool.get('web.user')

    def one(Model, domain):
        records = Model.search(domain)
        assert len(records) == 1, (Model.__name__, domain, records)
        return records[0]

    ids = {}
    ids['company'] = one(
        Company, [('party.name', '=', data.COMPANY_NAME)]).id
    ids['users'] = {
        role: one(User, [('login', '=', login)]).id
        for role, login in data.LOGINS.items()}
    ids['employees'] = {
        role: one(Employee, [('party.name', '=', name)]).id
        for role, name in data.NAMES.items()}
    ids['programme'] = one(
        Programme, [('name', '=', data.PROGRAMME_NAME)]).id
    ids['services'] = {
        key: one(Service, [('name', '=', name)]).id
        for key, (name, _, _) in data.SERVICES.items()}
    for key, client in [
            ('client', data.CLIENT), ('other_client', data.OTHER_CLIENT)]:
        party = one(Party, [('name', '=', client['name'])])
        plan = one(Ipus, [('client', '=', party.id)])
        prefix = '' if key == 'client' else 'other_'
        ids[key] = party.id
        ids[prefix + 'plan'] = plan.id
        ids[prefix + 'plan_number'] = plan.number
    ids['providers'], ids['contracts'], ids['orders'] = {}, {}, {}
    ids['order_numbers'], ids['web_users'] = {}, {}
    for key, values in data.PROVIDERS.items():
        provider = one(Party, [('name', '=', values['name'])])
        order = one(Order, [('provider', '=', provider.id)])
        ids['providers'][key] = provider.id
        ids['contracts'][key] = one(
            Contract, [('provider', '=', provider.id)]).id
        ids['orders'][key] = order.id
        ids['order_numbers'][key] = order.number
        ids['web_users'][key] = one(
            WebUser, [('email', '=', values['email'])]).id
    return ids


def main(args=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--out', required=True)
    options = parser.parse_args(args)
    logging.basicConfig(level=logging.WARNING)

    # The configuration must be read before trytond chooses its backend.
    from trytond import config
    config.update_etc(options.config)

    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    Pool(options.database).init()
    context = {'language': data.LANGUAGE}
    extras = {}
    while True:
        with Transaction().start(
                options.database, 0, context=context,
                **extras) as transaction:
            try:
                load()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            transaction.commit()
        break
    with Transaction().start(
            options.database, 0, context=context, readonly=True):
        ids = lookup_ids()
    with open(options.out, 'w', encoding='utf-8') as file:
        json.dump(ids, file, indent=2, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
