# This file is part of the CUS back office.
import datetime as dt
import unittest
from decimal import Decimal

from sql import Null
from sql.aggregate import Sum
from sql.conditionals import Coalesce

from cus_base.tests.tools import rolled_back_on_error
from cus_base.xlsx import read_xlsx
from cus_ipus.tests.tools import create_ipus_fixture, create_staff_user

from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.tools import sqlite_apply_types
from trytond.transaction import Transaction, check_access

from ..budget import BudgetOverrunError, format_money

D = dt.date
START, END = D(2021, 4, 1), D(2023, 4, 30)
SENIORS = Decimal('1087960.00')
FAMILIES = Decimal('331320.00')


class BudgetFixture:
    "The Starachowice financial plan over the services of a programme"

    def _fixture(self):
        pool = Pool()
        Party = pool.get('party.party')
        Package = pool.get('cus.service.package')
        Service = pool.get('cus.service')
        Date = pool.get('ir.date')
        fx = create_ipus_fixture()
        seniors, families = Package.create([{
                    'code': 'SEN', 'name': "Usługi dla seniorów",
                    }, {
                    'code': 'RODZ',
                    'name': "Usługi dla rodzin w kryzysie i osób "
                    "opuszczających pieczę zastępczą",
                    }])
        fx['seniors'], fx['families'] = seniors, families
        Service.write([fx['care']], {
                'package': seniors.id, 'unit_price': Decimal('40.00')},
            [fx['taxi']], {
                'package': seniors.id, 'unit_price': Decimal('25.00')},
            [fx['handyman']], {
                'package': families.id, 'unit_price': Decimal('60.00')},
            [fx['one_off']], {
                'package': families.id, 'unit_price': Decimal('10.00')})
        provider, = Party.create([{
                    'name': "Spółdzielnia Socjalna \"Starachowiczanka\"",
                    'cus_provider': True,
                    'provider_kind': 'social_cooperative',
                    'accreditation_expiry': Date.today() + dt.timedelta(
                        days=365),
                    'provided_services': [('add', [
                                fx['care'].id, fx['taxi'].id])],
                    }])
        fx['provider'] = provider
        return fx

    def _contract(self, fx, lines, start=D(2021, 1, 1), end=D(2023, 12, 31)):
        Contract = Pool().get('cus.contract')
        contract, = Contract.create([{
                    'provider': fx['provider'].id,
                    'mode': 'coop_15a',
                    'start_date': start,
                    'end_date': end,
                    'lines': [('create', [{
                                    'service': s.id,
                                    'unit_price': p,
                                    'max_quantity': 10000,
                                    'allowed_deviation': Decimal(20),
                                    } for s, p in lines])],
                    }])
        Contract.activate([contract])
        return contract

    def _budget(self, fx, lines=None, approve=True, **values):
        Budget = Pool().get('cus.budget')
        if lines is None:
            lines = [{
                    'name': "Usługi dla seniorów",
                    'package': fx['seniors'].id,
                    'division': '852', 'chapter': '85228',
                    'paragraph': '4307', 'amount': SENIORS,
                    }, {
                    'name': "Usługi dla rodzin w kryzysie i osób "
                    "opuszczających pieczę zastępczą",
                    'package': fx['families'].id,
                    'division': '852', 'chapter': '85295',
                    'paragraph': '4307', 'amount': FAMILIES,
                    }]
        with Transaction().set_context(company=fx['company'].id):
            budget, = Budget.create([dict({
                            'name': "Plan finansowania usług społecznych "
                            "01.04.2021–30.04.2023",
                            'programme': fx['programme'].id,
                            'start_date': START,
                            'end_date': END,
                            'funding_source': 'efs',
                            'lines': [('create', lines)],
                            }, **values)])
        if approve:
            Budget.approve([budget])
        return budget

    def _application(self, fx, date=D(2021, 3, 10)):
        Application = Pool().get('cus.application')
        application, = Application.create([{
                    'client': fx['client'].id,
                    'application_date': date,
                    'path': 'ipus',
                    'declaration_conditions': True,
                    'lines': [('create', [{
                                    'service': fx['care'].id,
                                    'quantity': 1}])],
                    }])
        Application.submit([application])
        Application.qualify([application])
        return application

    def _plan(self, fx, lines=None, approve=True):
        "The care line of the annex 2 plan (234 hours), approved"
        Ipus = Pool().get('cus.ipus')
        if lines is None:
            lines = [{
                    'service': fx['care'].id, 'start_date': D(2021, 4, 1),
                    'end_date': D(2021, 12, 31), 'per_week': 6,
                    'quantity': 234, 'provider': fx['provider'].id,
                    }]
        with set_company(fx['company']):
            plan, = Ipus.create([{
                        'client': fx['client'].id,
                        'application': self._application(fx).id,
                        'coordinator': fx['coordinator'].id,
                        'drawn_up_date': D(2021, 3, 20),
                        'valid_from': D(2021, 4, 1),
                        'valid_to': D(2021, 12, 31),
                        'expected_effects': "Samodzielne życie w domu",
                        'lines': [('create', lines)],
                        }])
            if approve:
                Ipus.approve([plan])
        return plan

    def _deliver(self, line, dates, quantity=1, confirm=True, order=True,
            **values):
        "Deliveries on the plan line (and its order unless order is False)"
        Delivery = Pool().get('cus.service.delivery')
        deliveries = Delivery.create([dict({
                        'line': line.id, 'client': line.plan.client.id,
                        'service': line.service.id, 'date': d,
                        'quantity': quantity,
                        }, **values) for d in dates])
        if not order:
            # Delivered by the CUS itself, outside the provider's order
            Delivery.write(deliveries, {'order': None})
        if confirm:
            Delivery.confirm(deliveries)
        return deliveries

    def _users(self, fx):
        company = fx['company']
        return {
            'director': create_staff_user(
                'dyr', 'group_cus_director', company),
            'organiser': create_staff_user(
                'ous', 'group_cus_organiser', company),
            'coordinator': create_staff_user(
                'kipus', 'group_cus_coordinator', company,
                fx['coordinator']),
            'community': create_staff_user(
                'osl', 'group_cus_community', company),
            'finance': create_staff_user(
                'fin', 'group_cus_finance', company),
            }

    def _polish(self):
        """The Polish translations loaded and the context of a Polish user:
        the reports use the labels of the screens in the user's language"""
        Lang = Pool().get('ir.lang')
        polish, = Lang.search([('code', '=', 'pl')])
        Lang.load_translations([polish])
        return Transaction().set_context(language='pl')

    def _line(self, budget, name):
        line, = [l for l in budget.lines if l.name.startswith(name)]
        return line

    def _sql_spent(self, start, end, services):
        """SUM(quantity × price) of the confirmed deliveries, written
        independently of the budget module"""
        pool = Pool()
        delivery = pool.get('cus.service.delivery').__table__()
        service = pool.get('cus.service').__table__()
        order = pool.get('cus.service.order').__table__()
        query = (delivery
            .join(service, condition=service.id == delivery.service)
            .join(order, 'LEFT', condition=order.id == delivery.order)
            .select(Sum(delivery.quantity
                    * Coalesce(order.unit_price, service.unit_price)
                    ).as_('spent'),
                where=(delivery.state == 'confirmed')
                & (delivery.date >= start) & (delivery.date <= end)
                & delivery.service.in_([s.id for s in services])))
        sqlite_apply_types(query, ['NUMERIC'])
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        value, = cursor.fetchone()
        return Decimal(str(value or 0)).quantize(Decimal('0.01'))


class BudgetTestCase(BudgetFixture, unittest.TestCase):
    "Test the financial plans of services and their execution"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    @with_transaction()
    def test_starachowice_plan(self):
        "Test the Starachowice financial plan with its two lines"
        fx = self._fixture()
        budget = self._budget(fx)
        self.assertEqual(budget.state, 'approved')
        self.assertEqual(budget.amount, Decimal('1419280.00'))
        self.assertEqual(
            sorted(l.amount for l in budget.lines), [FAMILIES, SENIORS])
        self.assertEqual(budget.spent, Decimal('0.00'))
        self.assertEqual(budget.committed, Decimal('0.00'))
        self.assertEqual(budget.remaining, Decimal('1419280.00'))
        self.assertEqual(budget.execution, Decimal('0.00'))
        self.assertEqual(self._line(budget, "Usługi dla seniorów")
            .classification, '852-85228-4307')

    @with_transaction()
    def test_classification_and_target_validated(self):
        "Test dział, rozdział, paragraf and the service or group of a line"
        pool = Pool()
        Line = pool.get('cus.budget.line')
        fx = self._fixture()
        budget = self._budget(fx, approve=False)
        line = budget.lines[0]
        for field, value in [
                ('division', '85'), ('division', '85A'),
                ('chapter', '8522'), ('chapter', '85328'),
                ('paragraph', '430'), ('paragraph', '43O7'),
                ]:
            with self.subTest(field=field, value=value):
                with self.assertRaises(ValidationError), \
                        rolled_back_on_error():
                    Line.write([line], {field: value})
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Line.write([line], {'service': fx['care'].id})
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Line.write([line], {'package': None})
        Line.write([line], {'package': None, 'service': fx['care'].id})

    @with_transaction()
    def test_approved_budget_is_frozen(self):
        "Test an approved budget changes only through a reset to draft"
        pool = Pool()
        Budget = pool.get('cus.budget')
        Line = pool.get('cus.budget.line')
        fx = self._fixture()
        budget = self._budget(fx)
        with self.assertRaises(UserError), rolled_back_on_error():
            Line.write([budget.lines[0]], {'amount': Decimal(1)})
        with self.assertRaises(UserError), rolled_back_on_error():
            Budget.write([budget], {'end_date': D(2023, 12, 31)})
        with self.assertRaises(AccessError), rolled_back_on_error():
            Budget.delete([budget])
        Budget.write([budget], {
                'funding_reference': "POWR.02.08.00-00-0084/20"})
        Budget.draft([budget])
        Line.write([budget.lines[0]], {'amount': Decimal(1)})

    @with_transaction()
    def test_approval_checks(self):
        "Test lines must cover services of the programme; no double cover"
        pool = Pool()
        Budget = pool.get('cus.budget')
        Package = pool.get('cus.service.package')
        fx = self._fixture()
        empty, = Package.create([{'code': 'X', 'name': "Pusta grupa"}])
        budget = self._budget(fx, approve=False, lines=[{
                    'name': "Nic", 'package': empty.id, 'amount': 10}])
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Budget.approve([budget])
        self.assertIn("Nic", cm.exception.message)
        self.assertEqual(budget.state, 'draft')

        self._budget(fx)
        # Same programme, overlapping period, same services
        other = self._budget(fx, approve=False, name="Środki gminy 2022",
            funding_source='municipal', start_date=D(2022, 1, 1),
            end_date=D(2022, 12, 31), lines=[{
                    'name': "Opieka", 'service': fx['care'].id,
                    'amount': 1000}])
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Budget.approve([other])
        self.assertIn(fx['care'].rec_name, cm.exception.message)
        Budget.write([other], {
                'start_date': D(2023, 5, 1), 'end_date': D(2023, 12, 31)})
        other = Budget(other.id)
        Budget.approve([other])
        self.assertEqual(other.state, 'approved')

    @with_transaction()
    def test_spent_committed_remaining(self):
        "Test spent, committed, remaining and execution of a line"
        fx = self._fixture()
        budget = self._budget(fx)
        plan = self._plan(fx)
        line, = plan.lines
        self._deliver(line, [D(2021, 4, d) for d in [5, 6, 7]], quantity=2)
        self._deliver(line, [D(2021, 4, 8)], quantity=1.5, confirm=False)
        rejected, = self._deliver(line, [D(2021, 4, 9)], confirm=False,
            rejection_reason="Nie wykonano")
        Pool().get('cus.service.delivery').reject([rejected])

        seniors = self._line(budget, "Usługi dla seniorów")
        families = self._line(budget, "Usługi dla rodzin")
        # 6 confirmed hours at 40 zł; the reported 1.5 h stay committed
        self.assertEqual(seniors.spent, Decimal('240.00'))
        self.assertEqual(seniors.committed, Decimal('9120.00'))
        self.assertEqual(seniors.remaining, SENIORS - 240 - 9120)
        self.assertEqual(seniors.execution, Decimal('0.02'))
        self.assertEqual(families.spent, 0)
        self.assertEqual(families.committed, 0)
        self.assertEqual(budget.spent, Decimal('240.00'))
        self.assertEqual(budget.committed, Decimal('9120.00'))
        self.assertEqual(seniors.spent, self._sql_spent(
                START, END, [fx['care'], fx['taxi']]))

    @with_transaction()
    def test_plan_approval_commits_at_once(self):
        "Test approving a plan commits its value and cancelling frees it"
        Ipus = Pool().get('cus.ipus')
        fx = self._fixture()
        budget = self._budget(fx)
        seniors = self._line(budget, "Usługi dla seniorów")
        plan = self._plan(fx, approve=False)
        self.assertEqual(seniors.committed, 0)
        with set_company(fx['company']):
            Ipus.approve([plan])
        self.assertEqual(plan.state, 'approved')
        seniors = self._line(budget, "Usługi dla seniorów")
        self.assertEqual(seniors.committed, Decimal('9360.00'))
        Ipus.cancel([plan])
        seniors = self._line(budget, "Usługi dla seniorów")
        self.assertEqual(seniors.committed, 0)

    @with_transaction()
    def test_facts_outside_period_or_programme(self):
        "Test deliveries count only within the period of the budget"
        pool = Pool()
        Programme = pool.get('cus.programme')
        fx = self._fixture()
        plan = self._plan(fx)
        line, = plan.lines
        self._deliver(line, [D(2021, 4, 5), D(2021, 6, 30)], quantity=2)
        budget = self._budget(fx, start_date=D(2021, 5, 1))
        seniors = self._line(budget, "Usługi dla seniorów")
        self.assertEqual(seniors.spent, Decimal('80.00'))
        # The plan line starts before the budget: it commits elsewhere
        self.assertEqual(seniors.committed, 0)

        # A budget of another programme sees nothing of these services
        other, = Programme.create([{
                    'name': "Inny program", 'start_date': D(2021, 1, 1),
                    'end_date': D(2023, 12, 31),
                    'lines': [('create', [{
                                    'service': fx['handyman'].id,
                                    'planned_quantity': 1,
                                    'unit_price': 1}])],
                    }])
        budget = self._budget(fx, approve=False, programme=other.id,
            lines=[{'name': "Seniorzy", 'package': fx['seniors'].id,
                    'amount': 1000}])
        self.assertEqual(budget.lines[0].spent, 0)

    @with_transaction()
    def test_service_line_wins_over_group(self):
        "Test a service with its own line does not count on its group"
        fx = self._fixture()
        budget = self._budget(fx, lines=[{
                    'name': "Seniorzy", 'package': fx['seniors'].id,
                    'amount': 100000,
                    }, {
                    'name': "Opieka", 'service': fx['care'].id,
                    'amount': 50000,
                    }])
        plan = self._plan(fx)
        self._deliver(plan.lines[0], [D(2021, 4, 5)], quantity=3)
        group = self._line(budget, "Seniorzy")
        care = self._line(budget, "Opieka")
        self.assertEqual((care.spent, care.committed),
            (Decimal('120.00'), Decimal('9240.00')))
        self.assertEqual((group.spent, group.committed), (0, 0))

    @with_transaction()
    def test_orders_commit_once(self):
        "Test an order takes the units of its plan line, never twice"
        pool = Pool()
        Order = pool.get('cus.service.order')
        fx = self._fixture()
        budget = self._budget(fx)
        contract = self._contract(fx, [(fx['care'], Decimal('45.00'))])
        plan = self._plan(fx)
        line, = plan.lines

        def figures():
            seniors = self._line(budget, "Usługi dla seniorów")
            return seniors.committed, seniors.spent

        self.assertEqual(figures(), (Decimal('9360.00'), 0))
        order, = Order.create_from_ipus_lines([line])
        Order.write([order], {'quantity': 100})
        # A draft order gives the price of the contract to its plan line
        self.assertEqual(figures(), (Decimal('10530.00'), 0))
        Order.send([order])
        self.assertEqual(order.state, 'sent')
        self.assertEqual(order.contract_line.contract, contract)
        # 100 h ordered + 134 h left on the plan line, at 45 zł
        self.assertEqual(figures(), (Decimal('10530.00'), 0))
        self._deliver(line, [D(2021, 4, d) for d in range(5, 10)],
            quantity=2)
        # 10 h delivered on the order at its price
        self.assertEqual(figures(), (Decimal('10080.00'), Decimal('450.00')))
        # 1 h delivered by the CUS itself, outside the order, at 40 zł
        self._deliver(line, [D(2021, 4, 12)], quantity=1, order=False)
        self.assertEqual(figures(), (Decimal('10035.00'), Decimal('490.00')))
        Order.accept([order])
        Order.do([order])
        # A done order commits nothing more; its plan line keeps the rest
        self.assertEqual(figures(), (Decimal('5985.00'), Decimal('490.00')))
        self.assertEqual(figures()[1],
            self._sql_spent(START, END, [fx['care']]))

    @with_transaction()
    def test_order_overrun_refused(self):
        "Test an order that would overrun its budget line is refused"
        pool = Pool()
        Order = pool.get('cus.service.order')
        Budget = pool.get('cus.budget')
        Line = pool.get('cus.budget.line')
        fx = self._fixture()
        self._contract(fx, [(fx['care'], Decimal('45.00'))])
        plan = self._plan(fx)
        budget = self._budget(fx, lines=[{
                    'name': "Opieka", 'service': fx['care'].id,
                    'division': '852', 'chapter': '85228',
                    'paragraph': '4300', 'amount': Decimal('10000'),
                    }])
        order, = Order.create_from_ipus_lines(plan.lines)
        with self.assertRaises(BudgetOverrunError) as cm, \
                rolled_back_on_error():
            Order.send([order])
        message = cm.exception.message
        for figure in ['10 000,00', '10 530,00', '0,00', '530,00']:
            self.assertIn(figure.replace(' ', '\u00a0'), message)
        self.assertIn(self._line(budget, "Opieka").rec_name, message)
        order = Order(order.id)
        self.assertEqual(order.state, 'draft')
        # Finance raises the line: the order fits
        Budget.draft([budget])
        Line.write(list(budget.lines), {'amount': Decimal('10530')})
        Budget.approve([budget])
        Order.send([order])
        self.assertEqual(order.state, 'sent')

    @with_transaction()
    def test_order_unchecked_without_approved_budget(self):
        "Test a draft budget does not block orders"
        Order = Pool().get('cus.service.order')
        fx = self._fixture()
        self._contract(fx, [(fx['care'], Decimal('45.00'))])
        plan = self._plan(fx)
        budget = self._budget(fx, approve=False, lines=[{
                    'name': "Opieka", 'service': fx['care'].id,
                    'amount': Decimal('1')}])
        order, = Order.create_from_ipus_lines(plan.lines)
        Order.send([order])
        self.assertEqual(order.state, 'sent')
        self.assertLess(budget.lines[0].remaining, 0)

    @with_transaction()
    def test_plan_approval_overrun_refused(self):
        "Test a plan approval that would overrun a budget line is refused"
        Ipus = Pool().get('cus.ipus')
        fx = self._fixture()
        self._budget(fx, lines=[{
                    'name': "Seniorzy", 'package': fx['seniors'].id,
                    'amount': Decimal('5000')}])
        plan = self._plan(fx, approve=False)
        with self.assertRaises(BudgetOverrunError) as cm, \
                rolled_back_on_error(), set_company(fx['company']):
            Ipus.approve([plan])
        message = cm.exception.message
        self.assertIn(plan.rec_name, message)
        for value in ['5000', '9360', '0', '4360']:
            self.assertIn(format_money(Decimal(value)), message)
        plan = Ipus(plan.id)
        self.assertEqual(plan.state, 'draft')
        self.assertIsNone(plan.number)

    @with_transaction()
    def test_plan_update_not_counted_twice(self):
        "Test an update replaces the commitment of its previous version"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        fx = self._fixture()
        budget = self._budget(fx, lines=[{
                    'name': "Seniorzy", 'package': fx['seniors'].id,
                    'amount': Decimal('10000')}])
        plan = self._plan(fx)
        with set_company(fx['company']):
            update = plan.make_update("Zmiana harmonogramu")
            Ipus.approve([update])
        self.assertEqual(update.state, 'approved')
        self.assertEqual(Ipus(plan.id).state, 'superseded')
        self.assertEqual(self._line(budget, "Seniorzy").committed,
            Decimal('9360.00'))

    @with_transaction()
    def test_execution_by_month(self):
        "Test the monthly spending, its cumulative sum and percentage"
        pool = Pool()
        Month = pool.get('cus.budget.line.month')
        fx = self._fixture()
        budget = self._budget(fx, lines=[{
                    'name': "Seniorzy", 'package': fx['seniors'].id,
                    'amount': Decimal('1000')}], approve=False)
        plan = self._plan(fx)
        line, = plan.lines
        self._deliver(line, [D(2021, 4, 5), D(2021, 4, 20)], quantity=2)
        self._deliver(line, [D(2021, 6, 1)], quantity=1.5)
        months = Month.search([('budget', '=', budget.id)])
        self.assertEqual(
            [(m.month, m.spent, m.cumulative_spent, m.execution)
                for m in months], [
                (D(2021, 4, 1), Decimal('160.00'), Decimal('160.00'),
                    Decimal('16.00')),
                (D(2021, 6, 1), Decimal('60.00'), Decimal('220.00'),
                    Decimal('22.00')),
                ])
        self.assertEqual(
            Month.search([('line', '=', budget.lines[0].id)]), months)

    @with_transaction()
    def test_execution_report_reconciles(self):
        "Test the XLSX execution report sums to the grosz as in SQL"
        pool = Pool()
        Report = pool.get(
            'cus_partners.report_budget_execution', type='report')
        Order = pool.get('cus.service.order')
        fx = self._fixture()
        budget = self._budget(fx)
        self._contract(fx, [(fx['care'], Decimal('45.37'))])
        plan = self._plan(fx)
        line, = plan.lines
        order, = Order.create_from_ipus_lines([line])
        Order.write([order], {'quantity': 100})
        Order.send([order])
        self._deliver(line, [D(2021, 4, d) for d in range(5, 30)],
            quantity=1.75)
        self._deliver(line, [D(2021, 5, d) for d in range(3, 8)],
            quantity=1.25, order=False)
        users = self._users(fx)
        with self._polish(), Transaction().set_user(users['finance'].id), \
                check_access():
            oext, content, _, name = Report.execute([budget.id], {})
        self.assertEqual(oext, 'xlsx')
        sheets = read_xlsx(content)
        self.assertEqual(list(sheets), [
                "Pozycje budżetu", "Wykonanie", "Według usług",
                "Według miesięcy"])

        rows = sheets["Wykonanie"]
        header, data, total = rows[0], rows[1:-1], rows[-1]
        spent_col = header.index("Wydatkowano")
        spent = sum(r[spent_col] for r in data)
        expected = self._sql_spent(START, END, [
                fx['care'], fx['taxi'], fx['handyman'], fx['one_off']])
        self.assertEqual(spent.quantize(Decimal('0.01')), expected)
        self.assertEqual(total[0], "Razem")
        self.assertEqual(total[spent_col].quantize(Decimal('0.01')),
            expected)
        # 25 × 1.75 h at 45.37 zł in April, 5 × 1.25 h at 40 zł in May
        self.assertEqual(expected, Decimal('2234.94'))
        self.assertEqual([r[header.index("Miesiąc")] for r in data],
            [Decimal(44287), Decimal(44317)])

        lines = sheets["Pozycje budżetu"]
        header = lines[0]
        seniors = self._line(budget, "Usługi dla seniorów")
        row, = [r for r in lines[1:-1] if r[6] == seniors.name]
        self.assertEqual(row[header.index("Wydatkowano")].quantize(
                Decimal('0.01')), seniors.spent)
        self.assertEqual(row[header.index("Zaangażowanie")].quantize(
                Decimal('0.01')), seniors.committed)
        self.assertEqual(row[header.index("Kwota")], SENIORS)
        # The selections with the labels of the screens
        self.assertEqual(
            row[header.index("Źródło finansowania")], "Projekt EFS")
        self.assertEqual(row[header.index("Stan")], "Zatwierdzony")
        self.assertEqual(lines[-1][header.index("Kwota")],
            SENIORS + FAMILIES)
        for sheet in ["Według usług", "Według miesięcy"]:
            rows = sheets[sheet]
            col = rows[0].index("Wydatkowano")
            self.assertEqual(sum(r[col] for r in rows[1:-1]).quantize(
                    Decimal('0.01')), expected, msg=sheet)

    @with_transaction()
    def test_export_wizard(self):
        "Test the export wizard prints the approved budgets"
        pool = Pool()
        Wizard = pool.get('cus.budget.execution.export', type='wizard')
        fx = self._fixture()
        budget = self._budget(fx)
        self._budget(fx, approve=False, name="Projekt")
        Start = pool.get('cus.budget.execution.export.start')
        self.assertEqual(Start.default_budgets(), [budget.id])
        session_id, _, _ = Wizard.create()
        wizard = Wizard(session_id)
        wizard.start.budgets = [budget]
        action, data = wizard.do_export(
            {'report_name': 'cus_partners.report_budget_execution'})
        self.assertEqual(data, {'ids': [budget.id], 'model': 'cus.budget'})

    @with_transaction()
    def test_contract_consumption_report(self):
        "Test the contract consumption report per provider"
        pool = Pool()
        Report = pool.get(
            'cus_partners.report_contract_consumption', type='report')
        Order = pool.get('cus.service.order')
        Deviation = pool.get('cus.service.order.deviation')
        fx = self._fixture()
        contract = self._contract(fx, [
                (fx['care'], Decimal('45.00')), (fx['taxi'], Decimal('30'))])
        plan = self._plan(fx)
        line, = plan.lines
        order, = Order.create_from_ipus_lines([line])
        Order.send([order])
        self._deliver(line, [D(2021, 4, d) for d in range(5, 9)], quantity=2)
        Order.check_deviations(D(2021, 4, 15), orders=[order])
        self.assertEqual(len(Deviation.search([])), 1)
        users = self._users(fx)
        with self._polish(), Transaction().set_user(users['finance'].id), \
                check_access():
            oext, content, _, _ = Report.execute([contract.id], {})
        sheets = read_xlsx(content)
        rows = sheets["Wykorzystanie umów"]
        header = rows[0]
        care, taxi = rows[1:3]
        self.assertEqual(care[header.index("Ilość zlecona")], Decimal(234))
        self.assertEqual(care[header.index("Wartość zleceń")],
            Decimal('10530'))
        self.assertEqual(care[header.index("Wartość zrealizowana")],
            Decimal('360'))
        self.assertEqual(care[header.index("Miesiące z odchyleniem")], 1)
        self.assertIn("odchylenia", care[header.index("Alert")])
        self.assertEqual(care[header.index("Stan")], "Aktywna")
        self.assertEqual(
            care[header.index("Usługodawca")], fx['provider'].name)
        self.assertEqual(taxi[header.index("Wartość zleceń")], 0)
        self.assertEqual(rows[-1][header.index("Wartość maksymalna")],
            Decimal('750000'))
        providers = sheets["Według usługodawców"]
        self.assertEqual(providers[1][0], fx['provider'].name)
        deviations = sheets["Odchylenia"]
        self.assertEqual(len(deviations), 3)
        self.assertEqual(deviations[1][3], order.number)

    # Roles

    @with_transaction()
    def test_roles(self):
        "Test Finance edits, Director approves, Coordinator sees nothing"
        pool = Pool()
        Budget = pool.get('cus.budget')
        Line = pool.get('cus.budget.line')
        Month = pool.get('cus.budget.line.month')
        Party = pool.get('party.party')
        Report = pool.get(
            'cus_partners.report_budget_execution', type='report')
        ModelData = pool.get('ir.model.data')
        report_id = ModelData.get_id(
            'cus_partners', 'report_budget_execution')
        fx = self._fixture()
        users = self._users(fx)
        with Transaction().set_user(users['finance'].id), check_access():
            budget = self._budget(fx, approve=False)
            Line.write([budget.lines[0]], {'amount': SENIORS})
            self.assertEqual(budget.amount, SENIORS + FAMILIES)
            with self.assertRaises(AccessButtonError), \
                    rolled_back_on_error():
                Budget.approve([budget])
            # Contracts and their amounts, no client's health
            self.assertTrue(pool.get('cus.contract').search([]) == [])
            with self.assertRaises(AccessError), rolled_back_on_error():
                Party.read([fx['client'].id], ['health_condition'])
        for role in ['director', 'organiser']:
            with Transaction().set_user(users[role].id), check_access():
                with self.assertRaises(AccessError), \
                        rolled_back_on_error():
                    Budget.create([{
                                'name': "X", 'programme': fx['programme'].id,
                                'company': fx['company'].id,
                                'start_date': START, 'end_date': END,
                                'funding_source': 'other'}])
        with Transaction().set_user(users['director'].id), check_access():
            Budget.approve([budget])
        budget = Budget(budget.id)
        self.assertEqual(budget.state, 'approved')
        for role in ['coordinator', 'community']:
            with Transaction().set_user(users[role].id), check_access():
                for Model in [Budget, Line, Month]:
                    with self.assertRaises(AccessError, msg=(role, Model)), \
                            rolled_back_on_error():
                        Model.search([])
                with self.assertRaises(AccessError), rolled_back_on_error():
                    Report.execute([budget.id], {'action_id': report_id})

    @with_transaction()
    def test_sponsorship(self):
        "Test silent help is recorded with its client and service"
        pool = Pool()
        Sponsorship = pool.get('cus.sponsorship')
        Party = pool.get('party.party')
        fx = self._fixture()
        donor, = Party.create([{'name': "Piekarnia Kowalski"}])
        users = self._users(fx)
        values = {
            'donor': donor.id, 'client': fx['client'].id,
            'service': fx['care'].id, 'date': D(2021, 5, 1),
            'start_date': D(2021, 5, 1), 'end_date': D(2021, 7, 31),
            }
        with Transaction().set_user(users['finance'].id), check_access():
            money, = Sponsorship.create([dict(values,
                        kind='money', amount=Decimal('1500.00'))])
            with self.assertRaises(ValidationError), rolled_back_on_error():
                Sponsorship.create([dict(values, kind='money')])
            with self.assertRaises(ValidationError), rolled_back_on_error():
                Sponsorship.create([dict(values, kind='in_kind')])
            with self.assertRaises(ValidationError), rolled_back_on_error():
                Sponsorship.create([dict(values, kind='in_kind',
                            description="Opał", client=donor.id)])
        with Transaction().set_user(users['organiser'].id), check_access():
            in_kind, = Sponsorship.create([dict(values, kind='in_kind',
                        description="Opał na zimę")])
        with Transaction().set_user(users['coordinator'].id), check_access():
            self.assertEqual(
                Sponsorship.search([('client', '=', fx['client'].id)]),
                [in_kind, money])
            with self.assertRaises(AccessError), rolled_back_on_error():
                Sponsorship.create([dict(values, kind='money', amount=1)])
            with self.assertRaises(AccessError), rolled_back_on_error():
                Sponsorship.write([money], {'amount': 2})
        with Transaction().set_user(users['community'].id), check_access():
            with self.assertRaises(AccessError), rolled_back_on_error():
                Sponsorship.search([])
        # Outside the budget: it does not count on any line
        budget = self._budget(fx)
        self.assertEqual(budget.spent, 0)
        self.assertEqual(budget.committed, 0)

