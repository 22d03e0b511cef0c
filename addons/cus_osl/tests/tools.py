# This file is part of the CUS back office.
"Fixtures shared by the tests of cus_osl (and the demo data's tests)"
import datetime as dt

from cus_base.tests.tools import as_user, create_user  # noqa: F401

from trytond.modules.company.tests import create_company, create_employee
from trytond.pool import Pool

D = dt.date
PLAN_START = D(2021, 4, 1)
PLAN_END = D(2023, 3, 31)


def quarter_ids(*codes):
    "The ids of the quarters given by their codes, e.g. '2021-Q2'"
    Quarter = Pool().get('cus.osl.quarter')
    pairs = [(int(c[:4]), int(c[-1])) for c in codes]
    return [q.id for q in Quarter.get_quarters(pairs)]


def create_osl_fixture(company=None):
    """A company (unless given) with its community organiser, the three
    communities of the Starachowice plan and a draft plan from 1.04.2021 to
    31.03.2023 with one operational goal of the entry stage"""
    pool = Pool()
    Community = pool.get('cus.osl.community')
    Plan = pool.get('cus.osl.plan')
    if company is None:
        company = create_company()
    organiser = create_employee(company, "Olga Organizator")
    wzgorze, ostrowiecka, seniors = Community.create([{
                'name': "Wzgórze", 'kind': 'territorial',
                'boundaries': "ul. Zakładowa, Mickiewicza i Nadrzeczna",
                }, {
                'name': "Ostrowiecka", 'kind': 'territorial',
                'boundaries': "ul. Ostrowiecka 21A i 21B",
                }, {
                'name': "Seniorzy Łazy", 'kind': 'categorial',
                'boundaries': "ul. Iłżecka, Krańcowa i Długa",
                }])
    plan, = Plan.create([{
                'name': "Plan OSL Starachowice",
                'company': company.id,
                'organiser': organiser.id,
                'start_date': PLAN_START,
                'end_date': PLAN_END,
                'communities': [('add', [
                            wzgorze.id, ostrowiecka.id, seniors.id])],
                'goals': [('create', [{
                                'stage': 'entry',
                                'name': "Identyfikacja lokalnych liderów",
                                'activation': True, 'diagnosis': True,
                                'quarters': [('add', quarter_ids(
                                            '2021-Q2', '2021-Q3'))],
                                }])],
                }])
    return {
        'company': company, 'organiser': organiser, 'plan': plan,
        'wzgorze': wzgorze, 'ostrowiecka': ostrowiecka, 'seniors': seniors,
        'goal': plan.goals[0],
        }


def run_plan(plan):
    "Adopt and start the plan"
    Plan = Pool().get('cus.osl.plan')
    Plan.adopt([plan])
    Plan.run([plan])
    return plan


def create_activity(plan, name, community=None, area='animation',
        quarters=(), state='planned', done_date=None, participants=None,
        **values):
    """An activity of the plan in the state asked: 'draft', 'planned',
    'done' (from planned, or from draft when it has no quarter) or
    'cancelled'"""
    Activity = Pool().get('cus.osl.activity')
    activity, = Activity.create([dict({
                    'plan': plan.id,
                    'community': community.id if community else None,
                    'name': name,
                    'area': area,
                    'quarters': [('add', quarter_ids(*quarters))],
                    }, **values)])
    if state in {'planned', 'done'} and quarters:
        Activity.schedule([activity])
    if state == 'done':
        activity.done_date = done_date
        activity.participants = participants
        activity.save()
        Activity.do([activity])
    elif state == 'cancelled':
        Activity.cancel([activity])
    assert activity.state == state, (activity.state, state)
    return activity


def create_osl_user(login, group, company=None, employee=None):
    "A user of one CUS group (an XML id of cus_base) working for the company"
    User = Pool().get('res.user')
    user = create_user(login, [group])
    values = {}
    if company:
        values.update({
                'companies': [('add', [company.id])],
                'company': company.id})
    if employee:
        values.update({
                'employees': [('add', [employee.id])],
                'employee': employee.id})
    if values:
        User.write([user], values)
    return user
