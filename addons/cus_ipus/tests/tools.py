# This file is part of the CUS back office.
"Fixtures shared by the tests of cus_ipus and of the modules above it"
import datetime as dt
from decimal import Decimal

from cus_base.tests.tools import create_service, create_user, valid_pesel

from trytond.modules.company.tests import create_company, create_employee
from trytond.pool import Pool

PROGRAMME_START = dt.date(2020, 1, 1)
PROGRAMME_END = dt.date(2030, 12, 31)


def create_ipus_fixture():
    """The three services of the annex 2 sample plan in a running programme,
    a company with a coordinator, and a client.

    Must run inside set_company(fixture['company']) for the plan defaults.
    """
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    Programme = pool.get('cus.programme')
    Party = pool.get('party.party')
    uom = lambda x: ModelData.get_id(*x.split('.'))  # noqa: E731
    care = create_service(
        "Usługi opiekuńcze", unit=uom('product.uom_hour'), max_per_week=6,
        place="Miejsce zamieszkania")
    taxi = create_service(
        "Taksówka dla seniora", unit=uom('cus_base.uom_ride'),
        max_per_month=2, max_per_year=6, place="Teren miasta Starachowice")
    handyman = create_service(
        "Mobilny konserwator", unit=uom('cus_base.uom_visit'),
        max_per_year=4, max_unit_duration=2)
    one_off = create_service(
        "Wypożyczenie sprzętu", unit=uom('cus_base.uom_loan'))
    programme, = Programme.create([{
                'name': "PUS",
                'start_date': PROGRAMME_START,
                'end_date': PROGRAMME_END,
                'lines': [('create', [{
                                'service': s.id, 'planned_quantity': 1000,
                                'unit_price': Decimal('10')}
                            for s in [care, taxi, handyman, one_off]])],
                }])
    Programme.adopt([programme])
    Programme.run([programme])
    company = create_company()
    coordinator = create_employee(company, "Anna Koordynator")
    other_coordinator = create_employee(company, "Ewa Inna")
    client, = Party.create([{
                'name': "Stanisław Wójcik", 'cus_client': True,
                'client_category': 'resident',
                'pesel': valid_pesel(dt.date(1941, 3, 12), serial=77),
                }])
    return {
        'care': care, 'taxi': taxi, 'handyman': handyman,
        'one_off': one_off, 'programme': programme, 'company': company,
        'coordinator': coordinator, 'other_coordinator': other_coordinator,
        'client': client,
        }


def create_staff_user(login, group, company, employee=None):
    "A user of one CUS group working for the company"
    pool = Pool()
    User = pool.get('res.user')
    user = create_user(login, [group])
    values = {'companies': [('add', [company.id])], 'company': company.id}
    if employee:
        values.update({
                'employees': [('add', [employee.id])],
                'employee': employee.id})
    User.write([user], values)
    return user
