# This file is part of the CUS back office.
"Test the demo data loader (cus_demo)"
import datetime as dt
import unittest
from collections import defaultdict
from decimal import Decimal

from sql import Cast
from sql.aggregate import Sum
from sql.conditionals import Coalesce
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import pesel as stdnum_pesel
from stdnum.pl import regon as stdnum_regon

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.tools import sqlite_apply_types
from trytond.transaction import Transaction, check_access

from cus_base.xlsx import read_xlsx
from cus_demo import catalogue, ipus, programme
from cus_demo.load import DemoError, load

PASSWORD = 'Demo-Haslo-2021'
STARACHOWICE = [
    "Usługi opiekuńcze w miejscu zamieszkania (w tym opieka wytchnieniowa)",
    "Mobilny konserwator – Złota Rączka",
    "Taksówka dla seniora",
    "Mobilny fizjoterapeuta",
    "Mieszkania chronione dla osób starszych i/lub niepełnosprawnych",
    "Mieszkania chronione dla osób doświadczających kryzysu w rodzinie "
    "i opuszczających pieczę zastępczą",
    "Opieka nad dziećmi do lat 3",
    "Broker pracy",
    "Grupy wsparcia dla rodzin w kryzysie",
    "Pakiet programów zdrowotnych",
    "Usługi kulturalne",
    "Usługi sportowo-rekreacyjne",
    "Animacje społeczności lokalnej",
    ]
ROLE_GROUPS = {
    'dyrektor': 'group_cus_director',
    'organizator': 'group_cus_organiser',
    'koordynator': 'group_cus_coordinator',
    'osl': 'group_cus_community',
    'finanse': 'group_cus_finance',
    'admin_cus': 'group_cus_admin',
    'iod': 'group_cus_dpo',
    }


class DemoTestCase(unittest.TestCase):
    "Test the demo data"

    @classmethod
    def setUpClass(cls):
        activate_module(['cus_base', 'cus_ipus', 'cus_partners', 'cus_osl'])

    def _xml_id(self, module, name):
        return Pool().get('ir.model.data').get_id(module, name)

    @with_transaction()
    def test_load(self):
        "Test the demo loads and holds what the seeds give"
        pool = Pool()
        Service = pool.get('cus.service')
        Package = pool.get('cus.service.package')
        Programme = pool.get('cus.programme')
        Party = pool.get('party.party')
        User = pool.get('res.user')
        Item = pool.get('ir.module.config_wizard.item')

        result = load(passwords=PASSWORD)

        # Company, admin, language, configuration wizards
        company = result.company
        self.assertEqual(
            company.party.name, "Centrum Usług Społecznych w Starachowicach")
        self.assertEqual(company.currency.code, 'PLN')
        self.assertEqual(company.party.addresses[0].city, "Starachowice")
        admin = User(1)
        self.assertEqual(admin.company, company)
        self.assertEqual(admin.language.code, 'pl')
        self.assertTrue(admin.language.translatable)
        self.assertFalse(Item.search([('state', '!=', 'done')]))

        # The 13 pilot services of Starachowice
        for name in STARACHOWICE:
            with self.subTest(service=name):
                service, = Service.search([('name', '=', name)])
                self.assertEqual(service.fee_type, 'free')
                self.assertEqual(
                    service.fee_note, "Bezpłatnie w ramach pilotażu")
                self.assertTrue(service.areas)
                self.assertTrue(service.target_groups)
                self.assertTrue(service.providers)
                self.assertEqual(service.allowed_deviation, Decimal(10))

        taxi, = Service.search([('name', '=', "Taksówka dla seniora")])
        self.assertEqual(taxi.max_per_month, 2)
        self.assertEqual(taxi.max_per_year, 6)
        self.assertEqual(taxi.unit.id, self._xml_id('cus_base', 'uom_ride'))
        self.assertIn("w ciągu jednego dnia", taxi.quota_note)
        self.assertEqual(taxi.realiser_category, 'jst')
        self.assertEqual(taxi.commissioning_modes, ('in_house',))
        self.assertEqual(taxi.providers, (company.party,))

        handyman, = Service.search([
                ('name', '=', "Mobilny konserwator – Złota Rączka")])
        # 4 visits a year of at most 2 hours each
        self.assertEqual(
            (handyman.max_per_year, handyman.max_unit_duration), (4, 2))
        self.assertEqual(
            handyman.unit.id, self._xml_id('cus_base', 'uom_visit'))
        self.assertIn("bez zakupu materiałów", handyman.quota_note)
        self.assertEqual(
            set(handyman.commissioning_modes), {'pzp_social', 'coop_15a'})

        care, = Service.search([('name', '=', STARACHOWICE[0])])
        self.assertEqual(care.max_per_week, 6)
        self.assertEqual(care.unit.id, self._xml_id('product', 'uom_hour'))
        self.assertEqual(care.service_kind, 'more_volume')

        # Koszalin packages with their services and components
        rodzina, = Package.search([('code', '=', 'RODZINA+')])
        pomoc, = Package.search([('code', '=', 'POMOC+')])
        supporting, = Package.search([('name', '=', "Działania wspierające")])
        self.assertEqual(
            {s.name for s in rodzina.services},
            {"Klub Rodzinny (wsparcie grupowe)", "Mediacje dla rodziny",
                "Wsparcie indywidualne dla dzieci i młodzieży"})
        self.assertEqual(len(pomoc.services), 6)
        self.assertEqual(len(supporting.services), 4)
        mediation, = Service.search([('name', '=', "Mediacje dla rodziny")])
        self.assertEqual(
            [c.name for c in mediation.components],
            ["Mediacje partnerskie/małżeńskie", "Mediacje rodzinne",
                "Mediacje międzypokoleniowe", "Mediacje sąsiedzkie"])
        cleaning, = Service.search([('name', '=', "Usługi porządkowe")])
        self.assertEqual(
            [c.name for c in cleaning.components],
            ["Mycie okien", "Usługa pralnicza", "Porządkowanie nagrobków"])
        for service in rodzina.services + pomoc.services:
            self.assertEqual(service.fee_type, 'free')
        self.assertEqual(
            len(result.services),
            len(catalogue.STARACHOWICE_SERVICES)
            + len(catalogue.KOSZALIN_SERVICES))
        self.assertTrue(Package.search([('name', '=', "Usługi dla seniorów")]))

        # The programme and its financial plan
        programme_, = Programme.search([
                ('start_date', '=', dt.date(2021, 4, 1)),
                ('end_date', '=', dt.date(2023, 4, 30)),
                ])
        self.assertEqual(programme_.state, 'running')
        self.assertEqual(programme_.adopted_by.login, 'dyrektor')
        amounts = defaultdict(Decimal)
        services = defaultdict(set)
        for line in programme_.lines:
            amounts[line.target_group.code] += line.planned_amount
            services[line.target_group.code].add(line.service.name)
        self.assertEqual(amounts['seniors'], Decimal('1087960.00'))
        self.assertEqual(amounts['families_crisis'], Decimal('331320.00'))
        self.assertEqual(programme_.planned_amount, Decimal('1419280.00'))
        self.assertEqual(
            services['seniors'],
            {STARACHOWICE[i - 1] for i in [1, 2, 3, 4, 5, 8, 10, 11, 12, 13]})
        self.assertEqual(
            services['families_crisis'],
            {STARACHOWICE[i - 1] for i in [6, 7, 8, 9, 11, 12, 13]})
        self.assertEqual(
            {g.code for g in programme_.target_groups},
            {'seniors', 'families_crisis', 'foster_care_leavers'})
        self.assertEqual(programme_.name, programme.NAME)

        # Clients
        clients = Party.search([('cus_client', '=', True)])
        self.assertGreaterEqual(len(clients), 200)
        pesels = set()
        seniors = 0
        for client in clients:
            code = client.pesel
            self.assertTrue(stdnum_pesel.is_valid(code), code)
            self.assertEqual(
                client.birth_date, stdnum_pesel.get_birth_date(code))
            self.assertEqual(
                client.sex,
                'female' if stdnum_pesel.get_gender(code) == 'F' else 'male')
            self.assertTrue(client.client_category)
            self.assertEqual(client.addresses[0].postal_code, "27-200")
            self.assertEqual(client.addresses[0].city, "Starachowice")
            pesels.add(code)
            if client.birth_date <= dt.date(1956, 12, 31):
                seniors += 1
        self.assertEqual(len(pesels), len(clients))
        self.assertGreater(seniors, len(clients) / 2)
        former = sum(c.former_ops_client for c in clients) / len(clients)
        self.assertTrue(0.2 <= former <= 0.45, former)
        households = [c for c in clients if c.household_size > 1]
        self.assertGreater(len(households), 20)
        self.assertEqual(
            {c.client_category for c in clients},
            {'resident', 'hybrid', 'social_assistance'})

        # One login per role, in its group, able to log in
        logins = {l.login: l for l in result.logins}
        for login, group in ROLE_GROUPS.items():
            with self.subTest(login=login):
                user, = User.search([('login', '=', login)])
                self.assertIn(
                    self._xml_id('cus_base', group),
                    [g.id for g in user.groups])
                self.assertEqual(user.language.code, 'pl')
                self.assertEqual(user.company, company)
                self.assertEqual(user.employee.party.name, user.name)
                self.assertEqual(logins[login].password, PASSWORD)
                self.assertEqual(
                    User.get_login(login, {'password': PASSWORD}), user.id)
                self.assertFalse(
                    User.get_login(login, {'password': 'wrong password'}))

        # A portal login for each provider with orders in progress
        portal = [l for l in result.logins if l.role == "Portal usługodawcy"]
        self.assertGreaterEqual(len(portal), 2)
        WebUser = Pool().get('web.user')
        Order = Pool().get('cus.service.order')
        for login in portal:
            self.assertEqual(
                WebUser.authenticate(login.login, PASSWORD), login.user)
            self.assertTrue(login.user.party.cus_provider)
            self.assertTrue(Order.search([
                        ('provider', '=', login.user.party.id),
                        ('state', 'in', ['sent', 'accepted'])]))

        # Health data: not for finance, for the coordinator
        client = next(c for c in clients if c.health_condition)
        finance, = User.search([('login', '=', 'finanse')])
        coordinator, = User.search([('login', '=', 'koordynator')])
        with Transaction().set_user(finance.id), check_access():
            self.assertTrue(Party.read([client.id], ['name']))
            with self.assertRaises(AccessError):
                Party.read([client.id], ['health_condition'])
        with Transaction().set_user(coordinator.id), check_access():
            record, = Party.read([client.id], ['health_condition'])
            self.assertEqual(
                record['health_condition'], client.health_condition)

        self._check_activity(care)
        self._check_partners(result)

        # Loading twice is refused
        with self.assertRaises(DemoError):
            load(passwords=PASSWORD)

    def _check_activity(self, care):
        "The centre at work: applications, plans, deliveries, monitoring"
        pool = Pool()
        Application = pool.get('cus.application')
        Assessment = pool.get('cus.needs.assessment')
        Enquiry = pool.get('cus.enquiry')
        Ipus = pool.get('cus.ipus')
        IpusLine = pool.get('cus.ipus.line')
        ApplicationLine = pool.get('cus.application.line')
        Delivery = pool.get('cus.service.delivery')
        Monitoring = pool.get('cus.ipus.monitoring')
        Service = pool.get('cus.service')
        start, end = programme.START_DATE, programme.END_DATE

        # Enquiries by phone and at the information point
        enquiries = Enquiry.search([])
        self.assertGreaterEqual(len(enquiries), 20)
        self.assertTrue(
            {'phone', 'information_point'} <= {e.channel for e in enquiries})
        self.assertTrue(any(e.application for e in enquiries))

        # Applications on the three paths, decided or waiting
        applications = Application.search([])
        self.assertGreaterEqual(len(applications), 50)
        paths = defaultdict(set)
        for application in applications:
            paths[application.path].add(application.state)
        self.assertEqual(set(paths), {'one_off', 'short', 'ipus'})
        for path in paths:
            self.assertIn('qualified', paths[path])
        self.assertEqual(
            {a.state for a in applications},
            {'submitted', 'qualified', 'refused', 'referred'})
        for application in applications:
            if application.state == 'refused':
                self.assertTrue(application.refusal_reason)
            elif application.state == 'referred':
                self.assertTrue(application.referred_to)
                self.assertTrue(application.referral_reason)
            if application.state != 'submitted':
                self.assertTrue(application.number)
                self.assertTrue(application.decision_date)
                self.assertTrue(application.qualified_by)
        # Needs assessments signed for the plan path
        for application in applications:
            if application.path == 'ipus' and application.state == 'qualified':
                self.assertTrue(any(
                        a.state == 'signed' and a.signed_date
                        for a in application.assessments), application.number)
        self.assertTrue(Assessment.search([('state', '=', 'signed')]))

        # Plans in every state
        plans = Ipus.search([])
        self.assertGreaterEqual(len(plans), 30)
        states = defaultdict(list)
        for plan in plans:
            states[plan.state].append(plan)
        self.assertEqual(
            set(states),
            {'draft', 'approved', 'running', 'closed', 'cancelled',
                'superseded'})
        self.assertEqual(
            max(states, key=lambda s: len(states[s])), 'running')
        for plan in plans:
            self.assertTrue(start <= plan.valid_from <= plan.valid_to <= end)
            self.assertTrue(start <= plan.drawn_up_date <= end)
            if plan.state != 'draft' and plan.approved_date:
                self.assertTrue(start <= plan.approved_date <= end)
                self.assertIn(
                    plan.approved_by.login, {'dyrektor', 'organizator'})
            self.assertTrue(plan.coordinator)
        for plan in states['closed']:
            self.assertTrue(plan.summary_date)
            self.assertTrue(plan.course_and_results)
            self.assertTrue(plan.outcome)
        # Drawn up within 30 days, but one late with its justification
        first_versions = [p for p in plans if p.version == 1]
        late = [p for p in first_versions if p.late]
        self.assertTrue(late)
        for plan in late:
            self.assertTrue(plan.late_justification)
        self.assertGreater(len(first_versions) - len(late), 0.9 * len(
                first_versions))

        # Updated plans: a running version 2 of a superseded version 1
        updates = [p for p in plans if p.version == 2]
        self.assertGreaterEqual(len(updates), 2)
        for plan in updates:
            self.assertEqual(plan.state, 'running')
            self.assertEqual(plan.previous_version.state, 'superseded')
            self.assertEqual(plan.previous_version.number, plan.number)
            self.assertTrue(plan.update_reason)
            self.assertTrue(all(
                    l.state == 'closed' for l in plan.previous_version.lines))

        # The sample plan of annex 2
        annex, = Ipus.search([
                ('valid_from', '=', dt.date(2021, 4, 7)),
                ('lines.schedule', '=',
                    "2 przejazdy w miesiącu, max. 6 przejazdów w roku"),
                ])
        self.assertEqual(annex.state, 'closed')
        lines = {l.service.name: l for l in annex.lines}
        self.assertEqual(len(lines), 3)
        care_line = lines[STARACHOWICE[0]]
        taxi_line = lines["Taksówka dla seniora"]
        handyman_line = lines["Mobilny konserwator – Złota Rączka"]
        self.assertEqual(care_line.schedule, "6 godzin tygodniowo")
        self.assertEqual(
            taxi_line.schedule,
            "2 przejazdy w miesiącu, max. 6 przejazdów w roku")
        self.assertEqual(
            handyman_line.schedule, "4 usługi w roku po max 2 godziny")
        for line, first_month in [
                (care_line, 4), (taxi_line, 7), (handyman_line, 5)]:
            self.assertEqual(
                (line.start_date.year, line.start_date.month),
                (2021, first_month))
            self.assertEqual(line.end_date, dt.date(2021, 12, 31))
        self.assertEqual(care_line.per_week, 6)
        self.assertEqual(
            (taxi_line.per_month, taxi_line.per_year, taxi_line.quantity),
            (2, 6, 6))
        self.assertEqual(
            (handyman_line.per_year, handyman_line.unit_duration,
                handyman_line.quantity),
            (4, 2, 4))
        self.assertEqual(care_line.place, "Miejsce zamieszkania")
        self.assertEqual(taxi_line.place, "Teren miasta Starachowice")
        self.assertIn("Opieka higieniczna", care_line.scope)
        self.assertIn("bez zakupu materiałów", handyman_line.scope)
        self.assertEqual(
            care_line.provider.name, "Spółdzielnia Socjalna „Razem”")

        # Deliveries: never above what was granted
        deliveries = Delivery.search([])
        self.assertEqual(
            {d.state for d in deliveries},
            {'reported', 'confirmed', 'rejected'})
        confirmed = [d for d in deliveries if d.state == 'confirmed']
        self.assertGreater(len(confirmed), 0.9 * len(deliveries))
        for delivery in deliveries:
            self.assertTrue(start <= delivery.date <= end)
            if delivery.state == 'rejected':
                self.assertTrue(delivery.rejection_reason)
        for line in IpusLine.search([]):
            self.assertLessEqual(
                line.delivered + line.reported, line.quantity + 1e-6,
                line.rec_name)
        totals = defaultdict(float)
        for delivery in deliveries:
            if delivery.application_line and delivery.state != 'rejected':
                totals[delivery.application_line] += delivery.quantity
        self.assertTrue(totals)
        self.assertEqual(
            {l.application.path for l in totals}, {'one_off', 'short'})
        for line, total in totals.items():
            self.assertLessEqual(total, line.quantity + 1e-6)
        self.assertTrue(ApplicationLine.search([('state', '=', 'granted')]))
        # Weekly care hours within 6 a week
        for line in IpusLine.search([('service', '=', care.id)]):
            self.assertLessEqual(line.per_week, 6)

        # The service base counters
        care = Service(care.id)
        self.assertGreater(care.persons, 0)
        self.assertGreater(care.granted, 0)
        self.assertGreater(care.used, 0)
        self.assertGreater(care.remaining, 0)

        # Monitoring: most running plans contacted within a quarter of the
        # demo's present, a few overdue
        monitorings = Monitoring.search([])
        self.assertTrue(monitorings)
        for monitoring in monitorings:
            self.assertTrue(start <= monitoring.date <= ipus.NOW)
            if monitoring.satisfaction is not None:
                self.assertIn(monitoring.satisfaction, range(1, 6))
        limit = ipus.NOW - dt.timedelta(days=ipus.MONITORING_INTERVAL)
        overdue = [p for p in states['running']
            if (p.last_contact or p.valid_from) < limit]
        self.assertIn(len(overdue), {2, 3})
        self.assertTrue(all(p.last_contact for p in states['closed']))

    def _sql_spent(self, programme_, packages):
        """The confirmed deliveries of the programme's services of the
        packages within the budget period × the price of their order, else
        of their service: SUM in SQL, apart from the budget module"""
        pool = Pool()
        delivery = pool.get('cus.service.delivery').__table__()
        service = pool.get('cus.service').__table__()
        order = pool.get('cus.service.order').__table__()
        programme_line = pool.get('cus.programme.line').__table__()
        query = (delivery
            .join(service, condition=service.id == delivery.service)
            .join(order, 'LEFT', condition=order.id == delivery.order)
            .select(Sum(Cast(delivery.quantity, 'NUMERIC')
                    * Coalesce(order.unit_price, service.unit_price)
                    ).as_('spent'),
                where=(delivery.state == 'confirmed')
                & (delivery.date >= programme.START_DATE)
                & (delivery.date <= programme.END_DATE)
                & service.package.in_([p.id for p in packages])
                & service.id.in_(programme_line.select(
                        programme_line.service,
                        where=programme_line.programme == programme_.id))))
        sqlite_apply_types(query, ['NUMERIC'])
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        value, = cursor.fetchone()
        return Decimal(str(value or 0)).quantize(Decimal('0.01'))

    def _check_partners(self, result):
        """Providers, one procurement per mode, contracts, orders from the
        plans, deliveries on them, settlements and the financial plan"""
        pool = Pool()
        Party = pool.get('party.party')
        Procurement = pool.get('cus.procurement')
        Contract = pool.get('cus.contract')
        Order = pool.get('cus.service.order')
        Delivery = pool.get('cus.service.delivery')
        Settlement = pool.get('cus.settlement')
        Deviation = pool.get('cus.service.order.deviation')
        Budget = pool.get('cus.budget')
        Month = pool.get('cus.budget.line.month')
        Package = pool.get('cus.service.package')
        Sponsorship = pool.get('cus.sponsorship')
        Partnership = pool.get('cus.partnership')
        User = pool.get('res.user')
        Report = pool.get(
            'cus_partners.report_budget_execution', type='report')
        start, end = programme.START_DATE, programme.END_DATE

        # Providers with valid NIP and REGON, the seed's cooperative among
        # them, one accreditation expired
        providers = Party.search([('cus_provider', '=', True)])
        self.assertGreaterEqual(len(providers), 10)
        for provider in providers:
            with self.subTest(provider=provider.name):
                self.assertTrue(provider.provider_kind)
                self.assertTrue(provider.sector)
                self.assertTrue(stdnum_nip.is_valid(provider.nip))
                self.assertTrue(stdnum_regon.is_valid(provider.regon))
                if provider.krs:
                    self.assertRegex(provider.krs, r'^\d{10}$')
        self.assertEqual(
            len({p.nip for p in providers}), len(providers))
        coop, = Party.search([
                ('name', '=', "Spółdzielnia Socjalna „Starachowiczanka”")])
        self.assertEqual(
            (coop.cus_provider, coop.provider_kind, coop.sector),
            (True, 'social_cooperative', 'social'))
        self.assertTrue(coop.provided_services)
        expired, = [p for p in providers if not p.accreditation_valid]
        self.assertLess(expired.accreditation_expiry, ipus.NOW)
        with self.assertRaises(UserError):
            expired.check_accreditation()
        self.assertTrue(any(p.capacities for p in providers))

        # One procurement per mode, awarded with its contracts
        procurements = Procurement.search([])
        self.assertEqual(
            sorted(p.mode for p in procurements),
            sorted(['pzp_social', 'coop_15a', 'open_competition',
                    'small_grant', 'outside_pzp', 'in_house']))
        for procurement in procurements:
            with self.subTest(procurement=procurement.mode):
                self.assertIn(procurement.state, {'awarded', 'closed'})
                self.assertTrue(procurement.number)
                self.assertTrue(start - dt.timedelta(days=120)
                    <= procurement.award_date <= ipus.NOW)
                self.assertTrue(procurement.awarded_by.login in {
                        'organizator', 'dyrektor'})
                self.assertTrue(procurement.contracts)
                awarded = [o for o in procurement.offers if o.awarded]
                self.assertEqual(len(awarded), len(procurement.lots))
                for offer in awarded:
                    self.assertEqual(offer.ranking, 1)
                    self.assertEqual(
                        offer.contract.provider, offer.provider)
                self.assertEqual(
                    {c.provider for c in procurement.contracts},
                    {o.provider for o in awarded})
        modes = {p.mode: p for p in procurements}
        pzp = modes['pzp_social']
        self.assertTrue(pzp.social_clauses)
        self.assertEqual(
            {c.kind: c.weight for c in pzp.criteria},
            {'price': 60, 'quality': 30, 'social': 10})
        self.assertTrue(any(len([o for o in pzp.offers if o.lot == lot]) > 1
                for lot in pzp.lots))
        for contract in modes['coop_15a'].contracts:
            self.assertEqual(
                contract.provider.provider_kind, 'social_cooperative')
        competition = modes['open_competition']
        self.assertGreaterEqual(
            (competition.offer_deadline - competition.publication_date).days,
            21)
        self.assertTrue(competition.commission)
        self.assertTrue(competition.ngo_representatives)
        grant = modes['small_grant']
        self.assertLessEqual(grant.awarded_value, Decimal(10000))
        self.assertLessEqual(grant.task_days, 90)

        # Active contracts receive the orders of the plans
        contracts = Contract.search([])
        self.assertEqual({c.state for c in contracts}, {'active'})
        self.assertEqual(
            {c.activated_by.login for c in contracts}, {'dyrektor'})
        ordered = [c for c in contracts if c.ordered_value]
        self.assertGreaterEqual(len(ordered), 8)
        for contract in contracts:
            self.assertLessEqual(contract.consumption, 80)
        orders = Order.search([])
        self.assertTrue(
            {'draft', 'sent', 'accepted', 'done', 'cancelled'}
            <= {o.state for o in orders})
        self.assertTrue(any(o.application_line for o in orders))
        for order in orders:
            with self.subTest(order=order.rec_name):
                if order.ipus_line:
                    self.assertEqual(
                        order.provider, order.ipus_line.provider)
                if order.state in {'sent', 'accepted', 'done'}:
                    self.assertTrue(order.number)
                    self.assertTrue(start <= order.sent_date <= ipus.NOW)
                    self.assertEqual(order.sent_by.login, 'organizator')
                self.assertLessEqual(
                    order.delivered_quantity + order.reported_quantity,
                    order.quantity + 1e-6)
        # An order of every running plan line with a provider
        for line in pool.get('cus.ipus.line').search([
                    ('plan.state', '=', 'running'),
                    ('state', '=', 'open'),
                    ('provider', '!=', None)]):
            self.assertEqual(Order.search([
                        ('ipus_line', '=', line.id),
                        ('state', '!=', 'cancelled'),
                        ], count=True), 1, line.rec_name)

        # The deliveries of the providers are on their orders; the CUS
        # delivers the rest itself
        deliveries = Delivery.search([])
        for delivery in deliveries:
            if delivery.provider:
                self.assertTrue(delivery.order, delivery.rec_name)
                self.assertEqual(delivery.order.provider, delivery.provider)
            else:
                self.assertIsNone(delivery.order)
        self.assertGreater(
            len([d for d in deliveries if d.order]), 0.8 * len(deliveries))

        # Monthly settlements approved and paid by Finance
        settlements = Settlement.search([])
        self.assertEqual(
            {s.state for s in settlements},
            {'computed', 'approved', 'paid'})
        paid = [s for s in settlements if s.state == 'paid']
        self.assertTrue(paid)
        for settlement in paid:
            self.assertEqual(settlement.approved_by.login, 'finanse')
            self.assertEqual(settlement.paid_by.login, 'finanse')
            self.assertTrue(settlement.payment_reference)
            self.assertTrue(
                settlement.end_date < settlement.approved_date
                <= settlement.payment_date <= ipus.NOW)
            self.assertEqual(settlement.amount, sum(
                    (Decimal(str(d.quantity)) * d.order.unit_price
                        for l in settlement.lines for d in l.deliveries),
                    Decimal(0)))
            for line in settlement.lines:
                for delivery in line.deliveries:
                    self.assertTrue(settlement.start_date <= delivery.date
                        <= settlement.end_date)
        self.assertTrue(Deviation.search([], limit=1))

        # The Starachowice financial plan, its spending as in SQL
        budget, = Budget.search([])
        self.assertEqual(budget.state, 'approved')
        self.assertEqual(budget.programme, result.programme)
        self.assertEqual((budget.start_date, budget.end_date), (start, end))
        self.assertEqual(budget.funding_source, 'efs')
        lines = {l.package.code: l for l in budget.lines}
        seniors, crisis = lines['SENIORZY'], lines['RODZINY_KRYZYS']
        self.assertEqual(seniors.amount, Decimal('1087960.00'))
        self.assertEqual(crisis.amount, Decimal('331320.00'))
        self.assertEqual(seniors.name, "Usługi dla seniorów")
        self.assertEqual(
            crisis.name, "Usługi dla rodzin w kryzysie i osób "
            "opuszczających pieczę zastępczą")
        for line in [seniors, crisis]:
            self.assertEqual(
                (line.division, line.chapter[:3], len(line.paragraph)),
                ('852', '852', 4))
            self.assertEqual(
                line.spent, self._sql_spent(budget.programme, [line.package]))
            self.assertGreater(line.spent, 0)
            self.assertGreater(line.committed, 0)
            self.assertEqual(
                line.remaining, line.amount - line.committed - line.spent)
        self.assertEqual(budget.spent, seniors.spent + crisis.spent)
        self.assertEqual(budget.spent, self._sql_spent(
                budget.programme, Package.search([
                        ('code', 'in', ['SENIORZY', 'RODZINY_KRYZYS'])])))
        # The spreadsheet of Finance, in Polish, adds up the same
        finance, = User.search([('login', '=', 'finanse')])
        with Transaction().set_context(language='pl'):
            with Transaction().set_user(finance.id), check_access():
                oext, content, _, _ = Report.execute([budget.id], {})
            sheet = gettext('cus_partners.msg_report_sheet_execution')
            spent = Month.fields_get(['spent'])['spent']['string']
        self.assertEqual(oext, 'xlsx')
        rows = read_xlsx(content)[sheet]
        total = rows[-1][rows[0].index(spent)]
        self.assertEqual(total.quantize(Decimal('0.01')), budget.spent)

        # Silent help and the partnership of the three sectors
        self.assertGreaterEqual(Sponsorship.search([], count=True), 2)
        partnership, = Partnership.search([])
        self.assertEqual(
            set(partnership.sectors), {'public', 'social', 'business'})
        held = [m for m in partnership.meetings if m.state == 'held']
        self.assertEqual(
            {m.kind for m in held},
            {'information', 'diagnostic', 'service_monitoring',
                'problem_solving', 'innovative'})

    @with_transaction()
    def test_random_passwords(self):
        "Test the passwords are random and differ per login"
        result = load(clients=10)
        passwords = [l.password for l in result.logins]
        self.assertEqual(len(set(passwords)), len(passwords))
        for login in result.logins:
            self.assertGreaterEqual(len(login.password), 8)
            self.assertNotIn(login.login, login.password.lower())

    @with_transaction()
    def test_osl(self):
        "Test the community organiser's plan of Starachowice"
        pool = Pool()
        Plan = pool.get('cus.osl.plan')
        Activity = pool.get('cus.osl.activity')
        Board = pool.get('cus.osl.board')
        Celebration = pool.get('cus.osl.celebration')
        Participation = pool.get('cus.osl.activity.participation')
        Party = pool.get('party.party')
        Report = pool.get('cus_osl.report_plan_execution', type='report')
        User = pool.get('res.user')
        D = dt.date

        load(passwords=PASSWORD)
        organiser, = User.search([('login', '=', 'osl')])

        # The plan, running at NOW, kept by the community organiser
        plan, = Plan.search([])
        self.assertEqual(
            (plan.start_date, plan.end_date),
            (D(2021, 4, 1), D(2023, 3, 31)))
        self.assertEqual(plan.state, 'running')
        self.assertEqual(plan.organiser, organiser.employee)
        self.assertLess(plan.adopted_date, plan.start_date)
        self.assertIsNone(plan.evaluated_date)
        main = [g for g in plan.main_goals if not g.community]
        self.assertEqual(len(main), 4)
        self.assertTrue(main[0].description.startswith(
                "Odbudowywanie lub tworzenie więzi wspólnotowych"))
        self.assertEqual(
            {g.community.name for g in plan.main_goals if g.community},
            {"Wzgórze", "Ostrowiecka", "Seniorzy Łazy"})
        stages = defaultdict(list)
        for goal in plan.goals:
            stages[goal.stage].append(goal)
        self.assertEqual(
            {s: len(g) for s, g in stages.items()},
            {'before_entry': 4, 'entry': 4, 'activation': 4, 'exit': 4})
        academy, = [g for g in plan.goals
            if "Akademia Mieszkańca Aktywnego" in g.name]
        self.assertEqual(academy.components, 'E;I')
        self.assertEqual(
            [q.code for q in academy.quarters],
            ['2021-Q4', '2022-Q1', '2022-Q2'])
        evaluation, = [g for g in stages['exit']
            if g.name.startswith("Przeprowadzenie partycypacyjnej")]
        self.assertEqual([q.code for q in evaluation.quarters], ['2023-Q1'])
        self.assertTrue(all(g.achieved for g in stages['before_entry']))
        self.assertFalse(any(g.achieved for g in stages['exit']))

        # The three communities with their profiles and maps
        communities = {c.name: c for c in plan.communities}
        self.assertEqual(
            set(communities), {"Wzgórze", "Ostrowiecka", "Seniorzy Łazy"})
        wzgorze = communities["Wzgórze"]
        ostrowiecka = communities["Ostrowiecka"]
        seniors = communities["Seniorzy Łazy"]
        self.assertEqual(
            (wzgorze.kind, ostrowiecka.kind, seniors.kind),
            ('territorial', 'territorial', 'categorial'))
        for community in communities.values():
            profile = community.baseline_profile
            self.assertTrue(profile, community.name)
            self.assertTrue(profile.description)
            self.assertTrue(profile.map_resources)
            self.assertTrue(profile.map_problems_needs)
            self.assertTrue(profile.map_action_plan)
        self.assertIn("Zakładową, Mickiewicza i Nadrzeczną",
            wzgorze.boundaries)
        self.assertIn("71 mieszkań", ostrowiecka.description)
        self.assertIn("155 mieszkańców", ostrowiecka.description)
        self.assertIn("21A i 21B", ostrowiecka.boundaries)
        self.assertEqual(wzgorze.current_profile.kind, 'update')
        self.assertEqual(wzgorze.current_profile.date.year, 2022)
        self.assertNotEqual(
            wzgorze.current_profile.map_resources,
            wzgorze.baseline_profile.map_resources)
        self.assertEqual(ostrowiecka.current_profile,
            ostrowiecka.baseline_profile)

        # The 2021 schedules: city-wide and per community, with the area,
        # the realisers and the quarters of the seed
        activities = Activity.search([('plan', '=', plan.id)])
        of_2021 = [a for a in activities
            if any(q.year == 2021 for q in a.quarters)]
        self.assertEqual(
            {a.community.name if a.community else None for a in of_2021},
            {None, "Wzgórze", "Ostrowiecka", "Seniorzy Łazy"})
        self.assertEqual(
            {a.area for a in of_2021},
            {'animation', 'networking', 'social_planning'})
        kinds = {r.kind for a in of_2021 for r in a.realisers}
        self.assertTrue(
            {'staff', 'animator', 'partner', 'expert', 'leader',
                'volunteer'} <= kinds)
        staff = {r.employee for a in of_2021 for r in a.realisers
            if r.kind == 'staff'}
        self.assertEqual(staff, {organiser.employee})
        training, = [a for a in of_2021 if a.name.startswith(
                "Wspólnie można więcej")]
        self.assertEqual(
            [(r.kind, r.description) for r in training.realisers],
            [('partner', "KOOWES")])
        self.assertEqual([q.code for q in training.quarters], ['2021-Q4'])
        done_2021 = [a for a in of_2021 if a.state == 'done']
        self.assertGreater(len(done_2021), 0.8 * len(of_2021))
        for activity in done_2021:
            self.assertTrue(
                plan.start_date <= activity.done_date <= ipus.NOW)
            self.assertTrue(activity.results)
        self.assertTrue(any(a.state == 'cancelled' for a in of_2021))
        # Photos of the walks on Wzgórze
        self.assertTrue(any(a.photo_count for a in of_2021
                if a.community == wzgorze))

        # Wzgórze on the board: planned and done by quarter in 2021
        with Transaction().set_context(
                plan=plan.id, community=wzgorze.id, year=2021):
            rows = Board.search([])
        quarters = defaultdict(lambda: [0, 0, 0])
        for row in rows:
            self.assertEqual(row.community, wzgorze)
            figures = quarters[row.quarter.code]
            figures[0] += row.planned
            figures[1] += row.done
            figures[2] += row.done_in_quarter
        self.assertEqual(dict(quarters), {
                '2021-Q2': [6, 4, 4],
                '2021-Q3': [6, 4, 4],
                '2021-Q4': [6, 4, 5],
                })

        # The Q4 re-planning: 2022 from 2021, 2023 from 2022
        of_2022 = [a for a in activities
            if any(q.year == 2022 for q in a.quarters)
            and not any(q.year == 2021 for q in a.quarters)]
        replanned = [a for a in of_2022 if a.origin]
        self.assertTrue(replanned)
        for activity in replanned:
            self.assertEqual(
                [q.quarter for q in activity.quarters],
                [q.quarter for q in activity.origin.quarters])
            self.assertEqual(activity.origin.quarters[0].year, 2021)
        self.assertTrue(any(a.state == 'done' for a in of_2022))
        self.assertTrue(any(a.state == 'planned' for a in of_2022))
        of_2023 = [a for a in activities
            if [q.year for q in a.quarters] == [2023]]
        self.assertTrue(any(a.origin for a in of_2023))
        self.assertTrue(any(a.state == 'planned' for a in of_2023))
        self.assertFalse([a for a in activities if a.state == 'draft'])

        # The five risks with their mitigation
        self.assertEqual(len(plan.risks), 5)
        for risk in plan.risks:
            self.assertTrue(risk.mitigation)
        self.assertIn("epidemii", plan.risks[1].description)
        self.assertEqual(plan.risks[1].state, 'occurred')
        self.assertIn("małych kroków", plan.risks[3].mitigation)

        # SUWAK at the baseline, not evaluated yet
        scores = {(s.community, s.dimension): s for s in plan.suwak_scores}
        self.assertEqual(len(scores), 15)
        for (community, dimension), score in scores.items():
            self.assertTrue(1 <= score.baseline_score <= 5)
            self.assertIsNone(score.end_score)
            self.assertIsNone(score.change)
        self.assertGreater(
            scores[(seniors, 'cohesion')].baseline_score,
            scores[(ostrowiecka, 'cohesion')].baseline_score)

        # Leaders, volunteers and their hours
        supporters = Party.search(['OR',
                ('osl_volunteer', '=', True),
                ('osl_leader', '=', True),
                ('osl_neighbour', '=', True),
                ])
        self.assertTrue(any(p.osl_leader for p in supporters))
        self.assertTrue(any(p.osl_volunteer for p in supporters))
        for party in supporters:
            self.assertTrue(party.osl_skills)
            self.assertTrue(party.osl_communities)
        self.assertGreater(plan.volunteer_hours, 0)
        self.assertGreaterEqual(plan.supporters, 5)
        self.assertTrue(any(
                h.supported_party for p in supporters for h in p.osl_hours))

        # The seniors of Łazy: clients of 65 or more living on os. Łazy,
        # whose birthdays and name days make the calendar
        self.assertGreaterEqual(len(seniors.clients), 5)
        for member in seniors.clients:
            self.assertTrue(member.cus_client)
            self.assertLessEqual(member.birth_date, D(1958, 1, 31))
            self.assertIn("os. Łazy",
                [a.street_name for a in member.addresses])
        with Transaction().set_context(
                from_date=ipus.NOW, community=seniors.id):
            celebrations = Celebration.search([])
            self.assertEqual(
                {c.occasion for c in celebrations}, {'birthday', 'name_day'})
            self.assertEqual(
                {c.client for c in celebrations if c.occasion == 'birthday'},
                set(seniors.clients))
            first = celebrations[0]
            self.assertGreaterEqual(first.date, ipus.NOW)
            self.assertLessEqual(first.date, celebrations[-1].date)

        # Clients with a running plan referred to the seniors' club of 2023
        referrals = Participation.search([('ipus', '!=', None)])
        self.assertTrue(referrals)
        for referral in referrals:
            self.assertEqual(referral.party, referral.ipus.client)
            self.assertEqual(referral.ipus.state, 'running')
            self.assertEqual(
                referral.referred_by, referral.ipus.coordinator)
            self.assertEqual(referral.activity.community, seniors)
            self.assertEqual(referral.activity.state, 'planned')
            self.assertEqual(referral.referral_date.year, 2023)
        club = referrals[0].activity
        self.assertEqual(
            [q.code for q in club.quarters], ['2023-Q1'])
        self.assertTrue(club.origin)

        # The organiser prints the execution of the plan
        with Transaction().set_user(organiser.id), check_access(), \
                Transaction().set_context(
                    User.get_preferences(context_only=True)):
            oext, content, _, _ = Report.execute([plan.id], {})
            sheet = gettext('cus_osl.msg_report_sheet_activities')
            board = gettext('cus_osl.msg_report_sheet_board')
        self.assertEqual(oext, 'xlsx')
        sheets = read_xlsx(content)
        self.assertEqual(len(sheets[sheet]) - 2, len(activities))
        self.assertGreater(len(sheets[board]), 10)

    @with_transaction()
    def test_reporting(self):
        "Test the surveys and the yearly reports of the demo, as the director"
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Result = pool.get('cus.survey.result')
        ProgrammeReport = pool.get('cus.programme.report')
        Document = pool.get('cus_partners.report_programme', type='report')
        Annexes = pool.get(
            'cus_partners.report_programme_annexes', type='report')
        User = pool.get('res.user')
        D = dt.date

        load(passwords=PASSWORD)
        responses = Response.search([])
        answered = [r for r in responses if r.state == 'answered']
        self.assertGreater(len(responses), 10)
        self.assertTrue(0.5 < len(answered) / len(responses) < 0.95)
        self.assertEqual({r.channel for r in answered}, {'paper', 'online'})
        scores = Result.indicator_scores(D(2021, 4, 1), D(2023, 1, 31))
        self.assertEqual(set(scores), {
                'satisfaction', 'timeliness', 'competence', 'availability',
                'clarity'})
        for average, answered_, sent in scores.values():
            self.assertTrue(1 <= average <= 5)
            self.assertEqual(sent, len(responses))

        done, draft = ProgrammeReport.search([], order=[('start_date', 'ASC')])
        self.assertEqual((done.state, draft.state), ('done', 'draft'))
        director, = User.search([('login', '=', 'dyrektor')])
        with Transaction().set_user(director.id), \
                Transaction().set_context(company=director.company.id):
            extension, content, _, _ = Document.execute([done.id], {})
            self.assertEqual(extension, 'odt')
            extension, content, _, _ = Annexes.execute([draft.id], {})
            self.assertEqual(extension, 'xlsx')
        # The quarterly indicators of 2022, exported by the director; each
        # figure is the number of the records its drill-down opens
        Indicator = pool.get('cus.indicator')
        IndicatorReport = pool.get(
            'cus_partners.report_indicator', type='report')
        year = (D(2022, 1, 1), D(2022, 12, 31))
        with Transaction().set_user(director.id), \
                Transaction().set_context(company=director.company.id):
            extension, indicators, _, _ = IndicatorReport.execute([], {
                    'start_date': year[0], 'end_date': year[1],
                    'granularity': 'quarter'})
        self.assertEqual(extension, 'xlsx')
        self.assertGreater(len(read_xlsx(indicators)), 2)
        figures = Indicator.compute([year], codes={'persons', 'plans'})
        for code in ['persons', 'plans']:
            self.assertGreater(figures[(code, 0)], 10)
            self.assertEqual(
                len(Indicator.members(code, *year)), figures[(code, 0)])

        # The sheets in the order of the report: persons (the total first),
        # services delivered (the quantity in the sixth column)
        persons, services = list(read_xlsx(content).values())[:2]
        self.assertGreater(persons[1][1], 20)
        self.assertGreater(sum(r[5] or 0 for r in services[1:]), 100)
