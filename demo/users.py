# This file is part of the CUS back office.
"""One login per role of the CUS staff (cus_base.group_cus_*).

Each user has a Polish name, the Polish language, the company and an
employee of the company for its own party. The passwords are random
(secrets) unless the caller gives them, e.g. a test.
"""
import secrets
from collections import namedtuple

from trytond import config
from trytond.pool import Pool

# (login, name, group XML id in cus_base, role shown to people)
ROLES = [
    ('dyrektor', "Anna Nowakowska", 'group_cus_director', "Dyrektor CUS"),
    ('organizator', "Katarzyna Wiśniewska", 'group_cus_organiser',
        "Organizator usług społecznych (OUS)"),
    ('koordynator', "Marta Zielińska", 'group_cus_coordinator',
        "Koordynator indywidualnych planów (KIPUS)"),
    ('koordynator2', "Piotr Lewandowski", 'group_cus_coordinator',
        "Koordynator indywidualnych planów (KIPUS)"),
    ('koordynator3', "Agnieszka Kamińska", 'group_cus_coordinator',
        "Koordynator indywidualnych planów (KIPUS)"),
    ('osl', "Tomasz Wójcik", 'group_cus_community',
        "Organizator społeczności lokalnej (OSL)"),
    ('finanse', "Barbara Kowalczyk", 'group_cus_finance',
        "Finanse i budżet usług"),
    ('admin_cus', "Michał Szymański", 'group_cus_admin',
        "Administrator CUS"),
    ('iod', "Ewa Jankowska", 'group_cus_dpo',
        "Inspektor ochrony danych (IOD)"),
    ]

Login = namedtuple('Login', ['login', 'password', 'role', 'name', 'user'])

# No characters that are easily confused when read from a screen
_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'


def generate_password(login, length=14):
    "A random password that satisfies trytond's password rules"
    length = max(length, config.getint('password', 'length', default=0))
    while True:
        password = ''.join(
            secrets.choice(_ALPHABET) for _ in range(length))
        if (login.lower() not in password.lower()
                and any(c.isdigit() for c in password)
                and any(c.isupper() for c in password)
                and any(c.islower() for c in password)):
            return password


def _password(passwords, login):
    if passwords is None:
        return generate_password(login)
    if isinstance(passwords, str):
        return passwords
    return passwords.get(login) or generate_password(login)


def create_users(company, language, passwords=None, country=None):
    """Create one user per role; return a list of Login

    passwords: None for random passwords, a string for all users or a dict
    {login: password}."""
    pool = Pool()
    Party = pool.get('party.party')
    Employee = pool.get('company.employee')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')

    parties = Party.create([{
                'name': name,
                'addresses': [],
                'contact_mechanisms': [('create', [{
                                'type': 'email',
                                'value': f'{login}@cus.example',
                                }])],
                } for login, name, _, _ in ROLES])
    employees = Employee.create([{
                'party': party.id,
                'company': company.id,
                } for party in parties])
    values, logins = [], []
    for (login, name, group, role), employee in zip(ROLES, employees):
        password = _password(passwords, login)
        logins.append((login, password, role, name))
        values.append({
                'name': name,
                'login': login,
                'password': password,
                'email': f'{login}@cus.example',
                'language': language.id,
                'groups': [('add', [ModelData.get_id('cus_base', group)])],
                'companies': [('add', [company.id])],
                'company': company.id,
                'employees': [('add', [employee.id])],
                'employee': employee.id,
                })
    users = User.create(values)
    return [Login(*l, user=u) for l, u in zip(logins, users)]
