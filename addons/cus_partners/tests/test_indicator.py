# This file is part of the CUS back office.
"""The indicators: each figure against a hand-built data set with known
answers, the drill-down, the spreadsheet and the roles"""
import datetime as dt
import unittest
from decimal import Decimal

from cus_base.tests.tools import create_service, valid_pesel
from cus_base.xlsx import read_xlsx
from cus_ipus.tests.tools import create_ipus_fixture, create_staff_user

from trytond.model.exceptions import AccessButtonError, AccessError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import (
    ModuleTestCase, activate_module, drop_db, with_transaction)
from trytond.transaction import Transaction, check_access

from ..indicator import period_buckets, period_label

D = dt.date
YEAR = (D(2023, 1, 1), D(2023, 12, 31))
QUARTERS = period_buckets(*YEAR, 'quarter')

# The known answers of the data set of IndicatorFixture, by quarter of 2023
# and for the whole year (distinct records over the year).
EXPECTED = {
    'new_persons': ([1, 1, 0, 1], 3),
    'new_services': ([0, 1, 0, 1], 2),
    'delivering_providers': ([2, 1, 0, 1], 2),
    'persons': ([2, 2, 1, 2], 5),
    'catalogue_services': ([4, 5, 5, 5], 5),
    'packages': ([2, 3, 0, 1], 4),
    'entities': ([3, 1, 2, 2], 4),
    'partnerships': ([2, 1, 1, 1], 2),
    'agreements': ([2, 1, 2, 2], 3),
    'plans': ([3, 4, 2, 2], 5),
    'supporting_services': ([0, 0, 0, 1], 1),
    # the answered questionnaires
    'quality_satisfaction': ([0, 2, 0, 1], 3),
    'quality_timeliness': ([0, 1, 0, 1], 2),
    'quality_competence': ([0, 0, 0, 0], 0),
    'quality_availability': ([0, 0, 0, 0], 0),
    'quality_clarity': ([0, 0, 0, 0], 0),
    }
# (average, sent) of the quality indicators by quarter and for the year
EXPECTED_SCORES = {
    'quality_satisfaction': (
        [(None, 0), (3.5, 2), (None, 1), (4.0, 1)], (3.67, 4)),
    'quality_timeliness': (
        [(None, 0), (4.0, 2), (None, 1), (2.0, 1)], (3.0, 4)),
    'quality_competence': ([(None, 0)] * 4, (None, 0)),
    }
QUALITY_CODES = {c for c in EXPECTED if c.startswith('quality_')}
EXPECTED_OSL = {
    'supporters': ([1, 2, 0, 1], 3),
    'supporting_activities': ([1, 1, 0, 0], 2),
    }
OSL_CODES = set(EXPECTED_OSL)


class IndicatorFixture:
    "A small city of 2023 whose figures are known (see EXPECTED)"

    def _party(self, name, **values):
        Party = Pool().get('party.party')
        party, = Party.create([dict({'name': name}, **values)])
        return party

    def _client(self, name, birth, former=False):
        return self._party(name, cus_client=True, client_category='resident',
            former_ops_client=former, pesel=valid_pesel(birth, serial=311))

    def _provider(self, name, kind='social_cooperative'):
        Date = Pool().get('ir.date')
        return self._party(name, cus_provider=True, provider_kind=kind,
            accreditation_expiry=Date.today() + dt.timedelta(days=365))

    def _programme(self, name, start, end, services, run=True):
        Programme = Pool().get('cus.programme')
        programme, = Programme.create([{
                    'name': name, 'start_date': start, 'end_date': end,
                    'lines': [('create', [{
                                    'service': s.id, 'planned_quantity': 100,
                                    'unit_price': Decimal(10)}
                                for s in services])],
                    }])
        Programme.adopt([programme])
        if run:
            Programme.run([programme])
        return programme

    def _plan(self, fx, client, start, end, lines, state='running'):
        Ipus = Pool().get('cus.ipus')
        with set_company(fx['company']):
            plan, = Ipus.create([{
                        'client': client.id,
                        'coordinator': fx['coordinator'].id,
                        'drawn_up_date': start - dt.timedelta(days=10),
                        'valid_from': start,
                        'valid_to': end,
                        'expected_effects': "Samodzielność",
                        'lines': [('create', [dict({
                                            'start_date': start,
                                            'end_date': end,
                                            }, **l) for l in lines])],
                        }])
            if state == 'cancelled':
                Ipus.cancel([plan])
            else:
                Ipus.approve([plan])
                Ipus.run([plan])
        return plan

    def _line(self, plan, service):
        line, = [l for l in plan.lines if l.service == service]
        return line

    def _deliver(self, line, date, quantity=1, provider=None,
            state='confirmed'):
        Delivery = Pool().get('cus.service.delivery')
        values = {
            'date': date, 'quantity': quantity,
            'service': line.service.id,
            'provider': provider.id if provider else None,
            }
        if line.__name__ == 'cus.ipus.line':
            values.update(line=line.id, client=line.plan.client.id)
        else:
            values.update(application_line=line.id,
                client=line.application.client.id)
        delivery, = Delivery.create([values])
        if delivery.provider != provider:
            # Not taken from an order of the line: as reported
            Delivery.write([delivery], {
                    'provider': provider.id if provider else None})
        if state == 'confirmed':
            Delivery.confirm([delivery])
        elif state == 'rejected':
            Delivery.write([delivery], {'rejection_reason': "Nie wykonano"})
            Delivery.reject([delivery])
        return delivery

    def _contract(self, provider, service, start, end, state='active'):
        Contract = Pool().get('cus.contract')
        contract, = Contract.create([{
                    'provider': provider.id,
                    'mode': 'outside_pzp',
                    'start_date': start,
                    'end_date': end,
                    'lines': [('create', [{
                                    'service': service.id,
                                    'unit_price': Decimal(40),
                                    'max_quantity': 1000,
                                    'allowed_deviation': Decimal(20),
                                    }])],
                    }])
        if state != 'draft':
            Contract.activate([contract])
        if state == 'closed':
            Contract.close([contract])
        elif state == 'terminated':
            Contract.terminate([contract])
        return contract

    def _fixture(self):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Service = pool.get('cus.service')
        Package = pool.get('cus.service.package')
        Application = pool.get('cus.application')
        Partnership = pool.get('cus.partnership')
        Ipus = pool.get('cus.ipus')
        session = ModelData.get_id('cus_base', 'uom_session')

        fx = create_ipus_fixture()
        care, taxi, handyman, one_off = (
            fx['care'], fx['taxi'], fx['handyman'], fx['one_off'])
        mediation = create_service("Mediacje rodzinne", unit=session)
        club = create_service("Klub Wolontariusza", unit=session)
        dormant = create_service("Usługa nieuruchomiona", unit=session)
        pomoc, rodzina, supporting = Package.create([{
                    'code': 'POMOC+', 'name': "POMOC+",
                    }, {
                    'code': 'RODZINA+', 'name': "RODZINA+",
                    }, {
                    'code': 'WSPIER', 'name': "Działania wspierające",
                    'supporting_activities': True,
                    }])
        Service.write(
            [care], {'service_kind': 'new', 'package': pomoc.id},
            [taxi], {'service_kind': 'more_volume', 'package': pomoc.id},
            [handyman], {'service_kind': 'new', 'package': rodzina.id},
            [mediation], {'service_kind': 'new', 'package': rodzina.id},
            [club], {'service_kind': 'new', 'package': supporting.id})
        # The catalogue: the programme of the fixture (2020-2030: care,
        # taxi, handyman, one-off), one from Q2 (mediation and the club, a
        # supporting activity) and one adopted, never running
        self._programme("PUS Koszalin", D(2023, 4, 1), D(2023, 12, 31),
            [mediation, club])
        self._programme("PUS nieuruchomiony", D(2023, 1, 1),
            D(2023, 12, 31), [dormant], run=False)

        x = self._provider("Spółdzielnia Socjalna „X”")
        y = self._provider("Fundacja „Y”", kind='ngo')
        z = self._provider("Stowarzyszenie „Z”", kind='ngo')
        w = self._provider("Przedsiębiorstwo Społeczne „W”",
            kind='social_enterprise')

        a = fx['client']
        b = self._client("Barbara Opsowa", D(1950, 2, 3), former=True)
        c = self._client("Cezary Nowy", D(1960, 4, 5))
        d = self._client("Dorota Odrzucona", D(1970, 6, 7))
        e = self._client("Edward Stary", D(1945, 8, 9))
        f = self._client("Felicja Klubowa", D(1948, 10, 11))

        # Plans: E's from 2022, A's (updated), B's, D's, F's; C's cancelled
        p0 = self._plan(fx, e, D(2022, 7, 1), D(2023, 6, 30), [
                {'service': care.id, 'per_week': 6, 'quantity': 20}])
        p1 = self._plan(fx, a, D(2023, 1, 1), D(2023, 12, 31), [
                {'service': care.id, 'per_week': 6, 'quantity': 100,
                    'provider': x.id},
                {'service': handyman.id, 'per_year': 4, 'quantity': 4,
                    'unit_duration': 2, 'provider': x.id}])
        p2 = self._plan(fx, b, D(2023, 1, 1), D(2023, 9, 30), [
                {'service': taxi.id, 'per_month': 2, 'per_year': 6,
                    'quantity': 6, 'provider': y.id}])
        p4 = self._plan(fx, d, D(2023, 4, 1), D(2023, 6, 30), [
                {'service': mediation.id, 'quantity': 5}])
        p3 = self._plan(fx, f, D(2023, 10, 1), D(2023, 12, 31), [
                {'service': club.id, 'quantity': 10}])
        self._plan(fx, c, D(2023, 1, 1), D(2023, 3, 31), [
                {'service': care.id, 'per_week': 6, 'quantity': 10}],
            state='cancelled')

        # C applies on the short path and is qualified on 10.05.2023
        application, = Application.create([{
                    'client': c.id, 'application_date': D(2023, 5, 8),
                    'path': 'short', 'declaration_conditions': True,
                    'lines': [('create', [{
                                    'service': one_off.id, 'quantity': 1,
                                    'start_date': D(2023, 5, 10),
                                    'end_date': D(2023, 8, 9)}])],
                    }])
        Application.submit([application])
        Application.qualify([application])
        Application.write([application], {'decision_date': D(2023, 5, 10)})

        # The deliveries (confirmed unless said)
        care1 = self._line(p1, care)
        self._deliver(care1, D(2023, 3, 31), 2, x)  # last day of Q1
        self._deliver(care1, D(2023, 4, 3), 2, x)
        self._deliver(care1, D(2023, 4, 10), 2, x)
        self._deliver(self._line(p1, handyman), D(2023, 5, 5), 1, x)
        self._deliver(self._line(p2, taxi), D(2023, 2, 10), 1, y)
        self._deliver(self._line(p0, care), D(2022, 8, 10), 2)
        self._deliver(self._line(p0, care), D(2023, 5, 5), 2)
        self._deliver(self._line(p4, mediation), D(2023, 5, 20), 1, y,
            state='rejected')
        self._deliver(self._line(p4, mediation), D(2023, 6, 1), 1, y,
            state='reported')
        self._deliver(application.lines[0], D(2023, 7, 15), 1)
        self._deliver(self._line(p3, club), D(2023, 10, 12), 1)
        self._deliver(self._line(p3, club), D(2023, 12, 31), 1)

        # A's plan is updated in the summer: a second version supersedes the
        # first and takes its deliveries; the plan counts once
        update = p1.make_update("Nowe potrzeby")
        Ipus.approve([update])
        p1 = Ipus(p1.id)
        assert p1.state == 'superseded', p1.state
        assert update.state == 'running', update.state
        self._deliver(self._line(update, care), D(2023, 10, 2), 2, x)

        # Contracts: X all the year, Z from Q3, W terminated in Q1, Y's of
        # 2022 closed and Y's draft
        self._contract(x, care, D(2023, 1, 1), D(2023, 12, 31))
        self._contract(z, taxi, D(2023, 7, 1), D(2024, 6, 30))
        self._contract(w, care, D(2023, 1, 1), D(2023, 3, 31),
            state='terminated')
        self._contract(y, taxi, D(2022, 1, 1), D(2022, 12, 31),
            state='closed')
        self._contract(y, taxi, D(2023, 1, 1), D(2023, 12, 31),
            state='draft')

        # Partnerships: one from 15.02.2023, one ended on 31.03.2023, one
        # without agreement and one of 2024
        Partnership.create([{
                    'name': "Partnerstwo na rzecz seniorów",
                    'agreement_date': D(2023, 2, 15),
                    }, {
                    'name': "Porozumienie z 2022",
                    'agreement_date': D(2022, 1, 1),
                    'end_date': D(2023, 3, 31),
                    }, {
                    'name': "Współpraca nieformalna", 'kind': 'informal',
                    }, {
                    'name': "Partnerstwo 2024",
                    'agreement_date': D(2024, 1, 10),
                    }])
        # The satisfaction questionnaires: B and D answer in Q2, A does not
        # answer in Q3, F answers in Q4
        Survey = pool.get('cus.survey')
        survey, = Survey.create([{
                    'name': "Ankieta zadowolenia klienta",
                    'sending': 'closing',
                    'questions': [('create', [{
                                    'text': "Jak ocenia Pan/Pani usługi?",
                                    'kind': 'scale',
                                    'dimension': 'satisfaction',
                                    }, {
                                    'text': "Czy usługi były na czas?",
                                    'kind': 'scale',
                                    'dimension': 'timeliness',
                                    'required': False,
                                    }, {
                                    'text': "Co możemy poprawić?",
                                    'kind': 'text', 'required': False,
                                    }])],
                    }])
        for plan, date, answers in [
                (p2, D(2023, 5, 2), {1: 5, 2: 4}),
                (p4, D(2023, 6, 10), {1: 2}),
                (update, D(2023, 8, 1), None),
                (p3, D(2023, 11, 5), {1: 4, 2: 2}),
                ]:
            response, = Survey.send_to(survey, [plan], date=date)
            if answers:
                self._answer(response, answers, date + dt.timedelta(days=3))
        fx['survey'] = survey

        fx.update({
                'x': x, 'y': y, 'z': z, 'w': w, 'a': a, 'b': b, 'c': c,
                'd': d, 'e': e, 'f': f, 'p0': p0, 'p1': p1, 'p2': p2,
                'p3': p3, 'p4': p4, 'update': update, 'pomoc': pomoc,
                'rodzina': rodzina, 'club': club,
                })
        return fx

    def _answer(self, response, values, date):
        "Record the answers (by question sequence) given on paper"
        pool = Pool()
        Answer = pool.get('cus.survey.answer')
        Response = pool.get('cus.survey.response')
        to_write = []
        for answer in response.answers:
            if answer.sequence in values:
                to_write.extend([[answer], {'scale': values[answer.sequence]}])
        Answer.write(*to_write)
        Response.write([response], {'answered_date': date})
        Response.record_answers([Response(response.id)], 'paper')

    def _osl(self, fx):
        "The community work of 2023 (with cus_osl)"
        pool = Pool()
        Plan = pool.get('cus.osl.plan')
        Activity = pool.get('cus.osl.activity')
        Hours = pool.get('cus.osl.volunteer.hours')
        Community = pool.get('cus.osl.community')
        community, = Community.create([{
                    'name': "Wzgórze", 'kind': 'territorial'}])
        plan, = Plan.create([{
                    'name': "Plan OSL 2023",
                    'company': fx['company'].id,
                    'start_date': D(2023, 1, 1),
                    'end_date': D(2023, 12, 31),
                    'communities': [('add', [community.id])],
                    'goals': [('create', [{
                                    'stage': 'entry',
                                    'name': "Identyfikacja liderów",
                                    }])],
                    }])
        Plan.adopt([plan])
        Plan.run([plan])
        activities = Activity.create([{
                    'plan': plan.id, 'name': name, 'area': 'animation',
                    'planned_date': date,
                    } for name, date in [
                    ("Kwiatek dla seniora", D(2023, 3, 31)),
                    ("Piknik sąsiedzki", D(2023, 6, 15)),
                    ("Warsztaty", D(2023, 9, 1)),
                    ("Odwołany spacer", D(2023, 11, 1)),
                    ]])
        done1, done2, planned, cancelled = activities
        Activity.schedule([planned, cancelled])
        Activity.write([done1], {'done_date': D(2023, 3, 31)},
            [done2], {'done_date': D(2023, 6, 15)})
        Activity.do([done1, done2])
        Activity.cancel([cancelled])
        v1 = self._party("Wiktor Wolontariusz", osl_volunteer=True)
        v2 = self._party("Nina Sąsiadka", osl_neighbour=True)
        v3 = self._party("Wanda Wolontariuszka", osl_volunteer=True)
        Hours.create([
                {'volunteer': v1.id, 'date': D(2023, 3, 31), 'hours': 2,
                    'activity': done1.id},
                {'volunteer': v1.id, 'date': D(2023, 4, 2), 'hours': 1,
                    'supported_party': fx['a'].id},
                {'volunteer': v2.id, 'date': D(2023, 5, 5), 'hours': 3,
                    'supported_party': fx['a'].id},
                {'volunteer': v3.id, 'date': D(2023, 12, 31), 'hours': 2,
                    'supported_party': fx['f'].id},
                {'volunteer': v3.id, 'date': D(2022, 12, 31), 'hours': 2,
                    'supported_party': fx['f'].id},
                ])
        fx.update({'osl_plan': plan, 'done1': done1, 'done2': done2})
        return fx

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

    def _as(self, user):
        "The transaction of a user with the user's rights"
        User = Pool().get('res.user')
        transaction = Transaction()

        class AsUser:
            def __enter__(self):
                self.user = transaction.set_user(user.id)
                self.user.__enter__()
                self.context = transaction.set_context(
                    User.get_preferences(context_only=True))
                self.context.__enter__()
                self.access = check_access()
                self.access.__enter__()

            def __exit__(self, *args):
                self.access.__exit__(*args)
                self.context.__exit__(*args)
                self.user.__exit__(*args)
        return AsUser()

    def _period(self):
        "The context of the dashboard for 2023 by quarter"
        return Transaction().set_context(start_date=YEAR[0],
            end_date=YEAR[1], granularity='quarter')

    def _rows(self, **context):
        "The rows of the dashboard for 2023 by quarter: {code: [values]}"
        Indicator = Pool().get('cus.indicator')
        context.setdefault('start_date', YEAR[0])
        context.setdefault('end_date', YEAR[1])
        context.setdefault('granularity', 'quarter')
        with Transaction().set_context(**context):
            rows = Indicator.search([])
            result = {}
            for row in rows:
                result.setdefault(row.code, []).append(row.value)
            return result, rows

    def _check_figures(self, expected):
        Indicator = Pool().get('cus.indicator')
        figures, rows = self._rows()
        self.assertEqual(figures, {c: v[0] for c, v in expected.items()})
        whole = Indicator.compute([YEAR])
        self.assertEqual(
            {c: whole[(c, 0)] for c in expected},
            {c: v[1] for c, v in expected.items()})
        # The quality figures are those of the questionnaires
        Survey = Pool().get('cus.survey')
        scores = {}
        for row in rows:
            scores.setdefault(row.code, []).append((row.score, row.sent))
        for code, (by_quarter, year) in EXPECTED_SCORES.items():
            self.assertEqual(scores[code], by_quarter, msg=code)
            self.assertEqual(Indicator.compute_scores([YEAR])[(code, 0)],
                year, msg=code)
        for row in rows:
            if not row.code.startswith('quality_'):
                self.assertEqual((row.score, row.sent), (None, None))
                continue
            dimension = row.code[len('quality_'):]
            self.assertEqual(
                (row.score, row.value, row.sent),
                Survey.indicator_scores(row.period_start, row.period_end)[
                    dimension])
        # Every figure is the number of its records
        for row in rows:
            with self.subTest(code=row.code, period=row.period):
                self.assertEqual(len(Indicator.members(
                            row.code, row.period_start, row.period_end)),
                    row.value)
        return rows

    def _load_polish(self):
        "Load the Polish translations (the reports speak the user's language)"
        Lang = Pool().get('ir.lang')
        polish, = Lang.search([('code', '=', 'pl')])
        Lang.load_translations([polish])


class IndicatorTestCase(IndicatorFixture, unittest.TestCase):
    "Test the indicators with the community organising (cus_osl)"

    @classmethod
    def setUpClass(cls):
        # A database of these modules only (not one left by another class)
        drop_db()
        activate_module(['cus_partners', 'cus_osl'])

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @with_transaction()
    def test_figures(self):
        "Test every figure against the known answers"
        fx = self._osl(self._fixture())
        expected = dict(EXPECTED, **EXPECTED_OSL)
        self._check_figures(expected)

        # The OSL figures are those of cus_osl
        Hours = Pool().get('cus.osl.volunteer.hours')
        for (start, end), value in zip(
                QUARTERS, EXPECTED_OSL['supporters'][0]):
            self.assertEqual(
                Hours.count_supporters(start, end)['total'], value)
        self.assertTrue(fx['done1'].state == 'done')

    @with_transaction()
    def test_records(self):
        "Test the records behind the figures"
        pool = Pool()
        Indicator = pool.get('cus.indicator')
        fx = self._osl(self._fixture())
        q1, q2, q3, q4 = QUARTERS

        def members(code, period):
            return set(Indicator.members(code, *period))
        ids = lambda *records: {r.id for r in records}  # noqa: E731
        # The last day of a quarter counts in it; a former MOPS client and a
        # client of 2022 are not new; the date of qualification counts
        self.assertEqual(members('new_persons', q1), ids(fx['a']))
        self.assertEqual(members('new_persons', q2), ids(fx['c']))
        self.assertEqual(members('new_persons', q4), ids(fx['f']))
        self.assertEqual(members('new_services', q2), ids(fx['handyman']))
        # A rejected and a reported delivery count nowhere
        self.assertEqual(members('persons', q2), ids(fx['a'], fx['e']))
        self.assertEqual(
            members('delivering_providers', q1), ids(fx['x'], fx['y']))
        self.assertEqual(
            members('entities', q1), ids(fx['x'], fx['y'], fx['w']))
        self.assertEqual(members('entities', q3), ids(fx['x'], fx['z']))
        # The updated plan counts once, as its first version
        self.assertEqual(members('plans', q4), ids(fx['p1'], fx['p3']))
        self.assertEqual(members('plans', YEAR), ids(
                fx['p0'], fx['p1'], fx['p2'], fx['p3'], fx['p4']))
        self.assertEqual(members('supporting_activities', q1),
            ids(fx['done1']))
        self.assertEqual(members('supporting_services', q4), ids(fx['club']))

        # The packages: a row per client and package
        Package = pool.get('cus.indicator.package')
        with Transaction().set_context(
                indicator_start=q2[0], indicator_end=q2[1]):
            packages = Package.browse(sorted(members('packages', q2)))
            self.assertEqual(
                {(p.client, p.package, p.deliveries) for p in packages}, {
                    (fx['a'], fx['pomoc'], 2),
                    (fx['a'], fx['rodzina'], 1),
                    (fx['e'], fx['pomoc'], 1)})
            self.assertEqual(len(Package.search([])), 3)

    @with_transaction()
    def test_drill_down(self):
        "Test the opened records are as many as the figure, for each role"
        pool = Pool()
        Indicator = pool.get('cus.indicator')
        fx = self._osl(self._fixture())
        users = self._users(fx)
        for role in ['director', 'organiser', 'finance', 'community']:
            with self._as(users[role]), self._period():
                figures, rows = self._rows()
                for row in rows:
                    with self.subTest(role=role, code=row.code,
                            period=row.period):
                        action = Indicator.open_records([row])
                        Model = pool.get(action['res_model'])
                        domain = PYSONDecoder().decode(action['pyson_domain'])
                        context = PYSONDecoder().decode(
                            action['pyson_context'])
                        with Transaction().set_context(**context):
                            self.assertEqual(
                                Model.search_count(domain), row.value)
        # The client names the window after the rows, read in the context
        # of the window: the period of the dashboard is in it
        with self._as(users['director']), self._period():
            _, rows = self._rows()
            row = rows[0]
            self.assertEqual(row.code, 'new_persons')
            action = Indicator.open_records([row])
            self.assertEqual(action['name'], "Client")
            context = PYSONDecoder().decode(action['pyson_context'])
        with self._as(users['director']), \
                Transaction().set_context(**context):
            self.assertEqual(
                Indicator.read([row.id], ['rec_name'])[0]['rec_name'],
                row.rec_name)
        # Several periods of one indicator: the union of their records
        with self._as(users['director']), self._period():
            figures, rows = self._rows()
            plans = [r for r in rows if r.code == 'plans']
            action = Indicator.open_records(plans)
            self.assertEqual(action['res_model'], 'cus.ipus')
            self.assertEqual(
                len(PYSONDecoder().decode(action['pyson_domain'])[0][2]), 5)

    @with_transaction()
    def test_roles(self):
        "Test the roles see the figures whose records they may open"
        pool = Pool()
        Indicator = pool.get('cus.indicator')
        Service = pool.get('cus.indicator.service')
        fx = self._osl(self._fixture())
        users = self._users(fx)
        everything = set(EXPECTED) | OSL_CODES
        cases = {'new_persons', 'persons', 'packages', 'plans'} \
            | QUALITY_CODES
        visible = {
            'director': everything,
            'organiser': everything,
            'finance': everything - cases - OSL_CODES - {'partnerships'},
            'community': everything - cases - {'agreements'},
            }
        with self._period():
            case_row, = Indicator.search([
                    ('code', '=', 'persons'),
                    ('period_start', '=', QUARTERS[0][0])])
        for role, codes in visible.items():
            with self._as(users[role]):
                figures, _ = self._rows()
                self.assertEqual(set(figures), codes, msg=role)
        for role in ['finance', 'community']:
            with self._as(users[role]):
                with self._period():
                    with self.assertRaises(AccessError):
                        Indicator.read([case_row.id], ['value'])
                    with self.assertRaises(AccessError):
                        Indicator.open_records([Indicator(case_row.id)])
        # The coordinators do not see the indicators
        with self._as(users['coordinator']):
            with self.assertRaises(AccessError):
                self._rows()
            with self.assertRaises(AccessError):
                Service.search([])
        # The persons of the service base are for the director and the
        # organiser
        with self._as(users['finance']):
            row, = Service.search([('service', '=', fx['care'].id)])
            self.assertEqual(row.persons, 2)
            with self.assertRaises(AccessButtonError):
                Service.open_persons([row])

    @with_transaction()
    def test_service_base(self):
        "Test the service base in figures and its persons"
        pool = Pool()
        Service = pool.get('cus.indicator.service')
        Party = pool.get('party.party')
        fx = self._fixture()
        users = self._users(fx)
        with self._as(users['organiser']):
            rows = Service.search([])
            # the services of the service base, active
            self.assertEqual(len(rows), 7)
            row, = [r for r in rows if r.service == fx['care']]
            # granted now: the open lines of the running plans of A (its
            # update) and E
            self.assertEqual((row.persons, row.granted, row.used),
                (fx['care'].persons, fx['care'].granted, fx['care'].used))
            action = Service.open_persons([row])
            domain = PYSONDecoder().decode(action['pyson_domain'])
            persons = Party.search(domain)
            self.assertEqual(len(persons), row.persons)
            self.assertEqual(set(persons), {fx['a'], fx['e']})

    @with_transaction()
    def test_spreadsheet(self):
        "Test the spreadsheet of the indicators"
        pool = Pool()
        Report = pool.get('cus_partners.report_indicator', type='report')
        Export = pool.get('cus.indicator.export', type='wizard')
        ModelData = pool.get('ir.model.data')
        fx = self._osl(self._fixture())
        users = self._users(fx)
        self._load_polish()
        with self._as(users['director']), \
                Transaction().set_context(language='pl'):
            session_id, _, _ = Export.create()
            export = Export(session_id)
            export.start.start_date, export.start.end_date = YEAR
            export.start.granularity = 'quarter'
            export.start.records = True
            _, data = export.do_export({})
            # As the client does, with the id of the report action
            data['action_id'] = ModelData.get_id(
                'cus_partners', 'report_indicator')
            extension, content, _, _ = Report.execute([], data)
        self.assertEqual(extension, 'xlsx')
        sheets = read_xlsx(content)
        names = list(sheets)
        self.assertEqual(names[:3], [
                "Starachowice (kwartalnie)", "Koszalin", "Koszalin (jakość)"])
        self.assertTrue(names[3].startswith("Baza usług"))
        self.assertEqual(names[4], "Rekordy za wskaźnikami")

        starachowice = sheets[names[0]]
        self.assertEqual(starachowice[0][:6], [
                "Wskaźnik", "I kw. 2023", "II kw. 2023", "III kw. 2023",
                "IV kw. 2023", "Cały okres 2023"])
        self.assertEqual(starachowice[0][6], "Definicja")
        figures = {r[0]: [int(v) for v in r[1:6]] for r in starachowice[1:]}
        self.assertEqual(figures, {
                "Nowe osoby korzystające z CUS, wcześniej niekorzystające "
                "z pomocy MOPS": [1, 1, 0, 1, 3],
                "Nowe usługi społeczne, wcześniej nieświadczone":
                [0, 1, 0, 1, 2],
                "Usługodawcy współpracujący z CUS i realizujący usługi":
                [2, 1, 0, 1, 2],
                "Wolontariusze i sąsiedzi wspierający świadczenie usług":
                [1, 2, 0, 1, 3],
                })
        koszalin = sheets[names[1]]
        self.assertEqual(
            len(koszalin), 1 + len(EXPECTED) - len(QUALITY_CODES) - 3 + 1)
        self.assertIn("Plany indywidualne (IPUS)",
            [r[0] for r in koszalin])
        plans, = [r for r in koszalin if r[0] == "Plany indywidualne (IPUS)"]
        self.assertEqual([int(v) for v in plans[1:6]], [3, 4, 2, 2, 5])

        # Each figure has its records listed
        # The quality: average, answered, sent for each period
        quality = sheets[names[2]]
        self.assertEqual(quality[0][4:7], ["II kw. 2023: średnia",
                "II kw. 2023: z odpowiedzią", "II kw. 2023: wysłane"])
        satisfaction, = [r for r in quality
            if r[0] == "Zadowolenie odbiorców usług"]
        self.assertEqual(satisfaction[4:7], [Decimal('3.5'), 2, 2])
        self.assertEqual(satisfaction[13:16], [Decimal('3.67'), 3, 4])

        records = sheets[names[4]]
        self.assertEqual(records[0], [
                "Wskaźnik", "Okres", "Rodzaj rekordu", "Rekord", "ID"])
        counted = {}
        for code_label, period, *_ in records[1:]:
            counted[(code_label, period)] = counted.get(
                (code_label, period), 0) + 1
        self.assertEqual(counted[("Plany indywidualne (IPUS)",
                    "II kw. 2023")], 4)
        self.assertEqual(sum(counted.values()), sum(
                v for values, _ in dict(EXPECTED, **EXPECTED_OSL).values()
                for v in values))
        self.assertEqual({r[2] for r in records[1:]
                if r[0] == "Osoby korzystające z usług"}, {"Klient"})
        # The plan of A is listed once in Q4, under its first number
        q4_plans = [r[3] for r in records[1:]
            if r[0] == "Plany indywidualne (IPUS)" and r[1] == "IV kw. 2023"]
        self.assertEqual(len(q4_plans), 2)
        self.assertTrue(any(fx['p1'].number in p for p in q4_plans))

        # The service base sheet lists the counters of the services
        base = sheets[names[3]]
        self.assertEqual(base[0][4:], ["Osoby", "Przyznano", "Wykorzystano",
                "Pozostało"])
        care, = [r for r in base[1:] if r[1] == fx['care'].name]
        self.assertEqual(int(care[4]), fx['care'].persons)

        # The finance staff gets no personal figure and no personal record
        with self._as(users['finance']), \
                Transaction().set_context(language='pl'):
            extension, content, _, _ = Report.execute([], data)
        sheets = read_xlsx(content)
        self.assertEqual(len(sheets), 5)
        labels = [r[0] for s in list(sheets.values())[:3] for r in s[1:]]
        self.assertNotIn("Osoby korzystające z usług", labels)
        self.assertNotIn("Plany indywidualne (IPUS)", labels)
        self.assertNotIn("Zadowolenie odbiorców usług", labels)
        records = list(sheets.values())[4][1:]
        self.assertTrue(records)
        clients = {fx[k].name for k in 'abcdef'}
        self.assertFalse(clients & {r[3] for r in records})
        self.assertNotIn("Indywidualny plan usług społecznych",
            {r[2] for r in records})

        # The coordinator may not print it
        with self._as(users['coordinator']):
            with self.assertRaises(AccessError):
                Report.execute([], data)
            session_id, _, _ = Export.create()
            export = Export(session_id)
            export.start.start_date, export.start.end_date = YEAR
            export.start.granularity = 'quarter'
            with self.assertRaises(AccessError):
                export.do_export({})

    @with_transaction()
    def test_periods(self):
        "Test the periods of the dashboard"
        self.assertEqual(period_buckets(D(2023, 2, 15), D(2023, 7, 3),
                'quarter'), [
                (D(2023, 2, 15), D(2023, 3, 31)),
                (D(2023, 4, 1), D(2023, 6, 30)),
                (D(2023, 7, 1), D(2023, 7, 3))])
        self.assertEqual(len(period_buckets(*YEAR, 'month')), 12)
        self.assertEqual(period_buckets(D(2022, 6, 1), D(2023, 5, 31),
                'year'), [
                (D(2022, 6, 1), D(2022, 12, 31)),
                (D(2023, 1, 1), D(2023, 5, 31))])
        self.assertEqual(period_label(D(2023, 3, 1), D(2023, 3, 31)),
            '03.2023')
        self.assertEqual(period_label(*YEAR), '2023')
        self.assertEqual(period_label(D(2023, 2, 15), D(2023, 3, 31)),
            '15.02.2023–31.03.2023')
        fx = self._fixture()
        # Months: the figures of a month, e.g. the persons of March and April
        figures, rows = self._rows(granularity='month')
        self.assertEqual(figures['persons'][2:5], [1, 1, 2])
        self.assertEqual(len(rows), 12 * len(figures))
        self.assertTrue(fx)
        # No period: no row
        figures, rows = self._rows(
            start_date=D(2023, 2, 1), end_date=D(2023, 1, 1))
        self.assertEqual(rows, [])


class IndicatorWithoutOslTestCase(IndicatorFixture, unittest.TestCase):
    "Test the indicators without the community organising"

    @classmethod
    def setUpClass(cls):
        # A database of these modules only (not one left by another class)
        drop_db()
        activate_module('cus_partners')

    @classmethod
    def tearDownClass(cls):
        drop_db()

    @with_transaction()
    def test_figures(self):
        "Test the figures without cus_osl: the OSL ones are absent"
        self._fixture()
        rows = self._check_figures(EXPECTED)
        self.assertFalse(OSL_CODES & {r.code for r in rows})


class IndicatorModuleTestCase(ModuleTestCase):
    "Test cus_partners with cus_osl (the registered OSL indicators)"
    module = 'cus_partners'
    extras = ['cus_osl']
    # As test_module.py: some wizards are for groups the admin is not in
    # (the evaluator extract); their definition is checked as root.
    test_wizards = with_transaction(user=0)(
        ModuleTestCase.test_wizards.__wrapped__)


del ModuleTestCase
