# This file is part of the CUS back office.
import base64
import datetime as dt
import unittest
from decimal import Decimal
from unittest.mock import patch

from cus_base.tests.tools import rolled_back_on_error
from cus_base.xlsx import read_xlsx

from trytond.exceptions import UserError
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction

from .tools import (
    as_user, create_activity, create_osl_fixture, create_osl_user,
    quarter_ids, run_plan)

D = dt.date
# A 1×1 PNG: the photo of the tests
PHOTO = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDw'
    'AEhQGAhKmMIQAAAABJRU5ErkJggg==')


def today_is(date):
    "Make ir.date's today return the date"
    Date = Pool().get('ir.date')
    return patch.object(Date, 'today', lambda timezone=None: date)


class OslTestCase(unittest.TestCase):
    "Test the plans, activities, volunteers and calendars of cus_osl"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_osl')

    def _board_set(self, fx):
        "The hand-built set of activities of the board tests"
        plan = run_plan(fx['plan'])
        wzgorze, ostrowiecka = fx['wzgorze'], fx['ostrowiecka']
        activities = {
            'a1': create_activity(plan, "Spacer sąsiedzki", wzgorze,
                quarters=['2021-Q2'], state='done',
                done_date=D(2021, 5, 20), participants=12),
            'a2': create_activity(plan, "Stały kontakt z mieszkańcami",
                wzgorze, quarters=['2021-Q2', '2021-Q3', '2021-Q4'],
                state='done', done_date=D(2021, 12, 10), participants=30),
            'a3': create_activity(plan, "Identyfikacja liderów", wzgorze,
                area='networking', quarters=['2021-Q3']),
            'a4': create_activity(plan, "Wakacje pod chmurką", wzgorze,
                quarters=['2021-Q3'], state='done',
                done_date=D(2021, 10, 5)),
            'a5': create_activity(plan, "Kampania plakatowa", wzgorze,
                quarters=['2021-Q2'], state='cancelled'),
            'a6': create_activity(plan, "Sprzątanie podwórka", wzgorze,
                state='done', done_date=D(2021, 6, 1), participants=5),
            'b1': create_activity(plan, "Prezentacja OSL na sesji Rady",
                area='social_planning', quarters=['2021-Q4'], state='done',
                done_date=D(2021, 11, 3), participants=8),
            'c1': create_activity(plan, "Gry podwórkowe", ostrowiecka,
                quarters=['2021-Q3']),
            }
        return plan, activities

    # Quarters and communities

    @with_transaction()
    def test_quarters(self):
        "Test quarters are created for a period and found by their names"
        Quarter = Pool().get('cus.osl.quarter')
        quarters = Quarter.between(D(2021, 5, 15), D(2022, 1, 10))
        self.assertEqual(
            [q.code for q in quarters],
            ['2021-Q2', '2021-Q3', '2021-Q4', '2022-Q1'])
        q2 = quarters[0]
        self.assertEqual((q2.start_date, q2.end_date),
            (D(2021, 4, 1), D(2021, 6, 30)))
        self.assertEqual(q2.rec_name, "Q2 2021")
        self.assertEqual(Quarter.between(D(2021, 4, 1), D(2021, 6, 30)),
            [q2])
        self.assertEqual(Quarter.search([('rec_name', '=', 'II kw. 2021')]),
            [q2])
        self.assertEqual(
            len(Quarter.search([('rec_name', 'ilike', '%2021%')])), 3)
        self.assertEqual(Quarter.of_date(D(2022, 3, 31)), quarters[-1])

    @with_transaction()
    def test_plan_creates_its_quarters(self):
        "Test a plan has the quarters of its whole period"
        Quarter = Pool().get('cus.osl.quarter')
        fx = create_osl_fixture()
        quarters = Quarter.search([
                ('end_date', '>=', fx['plan'].start_date),
                ('start_date', '<=', fx['plan'].end_date),
                ])
        self.assertEqual(len(quarters), 8)
        self.assertEqual(fx['goal'].quarters_label, "Q2 2021 – Q3 2021")
        self.assertEqual(fx['goal'].components, "A;D")

    @with_transaction()
    def test_community_profiles(self):
        "Test a community keeps one baseline and dated updates"
        pool = Pool()
        Community = pool.get('cus.osl.community')
        Profile = pool.get('cus.osl.community.profile')
        fx = create_osl_fixture()
        wzgorze = fx['wzgorze']
        baseline, = Profile.create([{
                    'community': wzgorze.id, 'kind': 'baseline',
                    'date': D(2021, 4, 15),
                    'sociodemographic': "Starsza część: budynki komunalne",
                    'map_resources': "Szkoła, parafia, boisko",
                    'map_action_plan': "Spacery sąsiedzkie",
                    }])
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Profile.create([{
                        'community': wzgorze.id, 'kind': 'baseline',
                        'date': D(2021, 6, 1)}])
        wzgorze = Community(wzgorze.id)
        with today_is(D(2022, 1, 20)):
            Community.new_profile_update([wzgorze])
        wzgorze = Community(wzgorze.id)
        update = wzgorze.current_profile
        self.assertEqual(update.kind, 'update')
        self.assertEqual(update.date, D(2022, 1, 20))
        self.assertEqual(update.map_resources, "Szkoła, parafia, boisko")
        self.assertEqual(wzgorze.baseline_profile, baseline)
        # The update changes; the baseline stays
        update.map_resources = "Szkoła, parafia, boisko, świetlica"
        update.save()
        self.assertEqual(baseline.map_resources, "Szkoła, parafia, boisko")
        # A community without profile gets its baseline first
        Community.new_profile_update([fx['ostrowiecka']])
        self.assertEqual(fx['ostrowiecka'].current_profile.kind, 'baseline')

    @with_transaction()
    def test_members_of_categorial_community(self):
        "Test only a categorial community has members"
        pool = Pool()
        Community = pool.get('cus.osl.community')
        Party = pool.get('party.party')
        fx = create_osl_fixture()
        senior, = Party.create([{
                    'name': "Anna Kowalska", 'cus_client': True,
                    'client_category': 'resident'}])
        Community.write([fx['seniors']], {'clients': [('add', [senior.id])]})
        self.assertEqual(fx['seniors'].clients, (senior,))
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Community.write([fx['wzgorze']], {
                    'clients': [('add', [senior.id])]})

    # Plan workflow

    @with_transaction()
    def test_plan_workflow(self):
        "Test a plan is adopted, run and evaluated, and what each needs"
        pool = Pool()
        Plan = pool.get('cus.osl.plan')
        Score = pool.get('cus.osl.suwak.score')
        fx = create_osl_fixture()
        plan = fx['plan']
        empty, = Plan.create([{
                    'name': "Pusty", 'company': fx['company'].id,
                    'start_date': D(2021, 4, 1),
                    'end_date': D(2021, 12, 31)}])
        with self.assertRaises(UserError), rolled_back_on_error():
            Plan.adopt([empty])
        Plan.write([empty], {'communities': [('add', [fx['wzgorze'].id])]})
        with self.assertRaises(UserError), rolled_back_on_error():
            Plan.adopt([empty])
        self.assertEqual(Plan(empty.id).state, 'draft')

        plan = Plan(plan.id)
        Plan.adopt([plan])
        self.assertEqual(plan.state, 'adopted')
        self.assertEqual(plan.adopted_date, Pool().get('ir.date').today())
        with self.assertRaises(UserError), rolled_back_on_error():
            Plan.write([plan], {'name': "Inna nazwa"})
        with self.assertRaises(AccessError), rolled_back_on_error():
            Plan.delete([plan])
        plan = Plan(plan.id)
        Plan.draft([plan])
        self.assertEqual((plan.state, plan.adopted_date), ('draft', None))
        Plan.adopt([plan])
        # The transitions skip plans in other states
        Plan.evaluate([plan])
        self.assertEqual(plan.state, 'adopted')
        Plan.run([plan])
        self.assertEqual(plan.state, 'running')

        with self.assertRaises(UserError), rolled_back_on_error():
            Plan.evaluate([plan])
        plan = Plan(plan.id)
        plan.evaluation = "Mieszkańcy włączyli się w działania."
        plan.save()
        scores = Score.create([{
                    'plan': plan.id, 'community': c.id,
                    'dimension': 'engagement', 'baseline_score': 2,
                    'end_score': 3.5}
                for c in [fx['wzgorze'], fx['ostrowiecka']]])
        # The seniors of Łazy have no score yet
        with self.assertRaises(UserError), rolled_back_on_error():
            Plan.evaluate([plan])
        plan = Plan(plan.id)
        seniors_score, = Score.create([{
                    'plan': plan.id, 'community': fx['seniors'].id,
                    'dimension': 'cohesion', 'baseline_score': 3}])
        with self.assertRaises(UserError), rolled_back_on_error():
            Plan.evaluate([plan])
        plan = Plan(plan.id)
        Score.write([seniors_score], {'end_score': 4})
        Plan.evaluate([plan])
        self.assertEqual(plan.state, 'evaluated')
        self.assertEqual(plan.evaluated_date, Pool().get('ir.date').today())

        # An evaluated plan is closed
        with self.assertRaises(UserError), rolled_back_on_error():
            create_activity(plan, "Po ewaluacji", fx['wzgorze'])
        with self.assertRaises(UserError), rolled_back_on_error():
            Score.write(scores, {'end_score': 5})
        with self.assertRaises(UserError), rolled_back_on_error():
            Plan.write([plan], {'evaluation': "Zmiana"})
        # The other plan, still a draft, can go
        Plan.delete([Plan(empty.id)])

    @with_transaction()
    def test_suwak_change(self):
        "Test the SUWAK change is the end score less the baseline"
        Score = Pool().get('cus.osl.suwak.score')
        fx = create_osl_fixture()
        cohesion, engagement = Score.create([{
                    'plan': fx['plan'].id, 'community': fx['wzgorze'].id,
                    'dimension': 'cohesion', 'baseline_score': 2.4,
                    'end_score': 3.9,
                    }, {
                    'plan': fx['plan'].id, 'community': fx['wzgorze'].id,
                    'dimension': 'engagement', 'baseline_score': 3,
                    }])
        self.assertEqual(cohesion.change, 1.5)
        self.assertIsNone(engagement.change)
        engagement.end_score = 2.5
        engagement.save()
        self.assertEqual(engagement.change, -0.5)
        self.assertEqual(cohesion.rec_name, "Wzgórze – Cohesion")
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Score.write([cohesion], {'end_score': 6})
        with self.assertRaises(ValidationError), rolled_back_on_error():
            # Only the communities of the plan
            other, = Pool().get('cus.osl.community').create([{
                        'name': "Inna", 'kind': 'territorial'}])
            Score.create([{
                        'plan': fx['plan'].id, 'community': other.id,
                        'dimension': 'cohesion'}])
        # One score per community and dimension (last: the database refuses)
        with self.assertRaises(Exception):
            Score.create([{
                        'plan': fx['plan'].id,
                        'community': fx['wzgorze'].id,
                        'dimension': 'cohesion', 'baseline_score': 1}])

    # Activities

    @with_transaction()
    def test_activity_workflow(self):
        "Test an activity is scheduled, done or cancelled, with its checks"
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        fx = create_osl_fixture()
        plan = fx['plan']
        activity = create_activity(plan, "Piknik dobrych praktyk",
            fx['wzgorze'], state='draft')
        self.assertIsNone(activity.date)
        with self.assertRaises(UserError), rolled_back_on_error():
            Activity.schedule([activity])
        activity = Activity(activity.id)
        activity.planned_date = D(2021, 12, 4)
        activity.save()
        self.assertEqual(activity.date, D(2021, 12, 4))
        Activity.schedule([activity])
        self.assertEqual(activity.state, 'planned')
        self.assertEqual(activity.quarters_label, "Q4 2021")

        # Done only while the plan runs
        with self.assertRaises(UserError), rolled_back_on_error():
            Activity.do([activity])
        activity = Activity(activity.id)
        run_plan(Pool().get('cus.osl.plan')(plan.id))
        activity.done_date = D(2021, 12, 5)
        activity.save()
        with self.assertRaises(ValidationError), rolled_back_on_error():
            with today_is(D(2021, 12, 1)):
                Activity.do([activity])
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Activity.write([activity], {'done_date': D(2021, 3, 31)})
        activity = Activity(activity.id)
        Activity.do([activity])
        self.assertEqual(activity.state, 'done')
        self.assertEqual(activity.date, D(2021, 12, 5))
        with self.assertRaises(AccessError), rolled_back_on_error():
            Activity.delete([activity])
        activity = Activity(activity.id)
        Activity.cancel([activity])
        self.assertEqual(activity.state, 'done')

        # The date of the calendar: the first planned quarter
        quarterly = create_activity(plan, "Kampania informacyjna",
            quarters=['2021-Q3', '2021-Q4'])
        self.assertEqual(quarterly.date, D(2021, 7, 1))
        Activity.cancel([quarterly])
        self.assertEqual(quarterly.state, 'cancelled')
        Activity.draft([quarterly])
        self.assertEqual(quarterly.state, 'draft')
        Activity.delete([quarterly])
        self.assertEqual(
            Activity.search([('date', '>=', D(2021, 12, 1)),
                    ('date', '<=', D(2021, 12, 31))]), [activity])

    @with_transaction()
    def test_activity_photos_and_participants(self):
        "Test an activity is recorded with photos and participants"
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        Attachment = pool.get('ir.attachment')
        Participation = pool.get('cus.osl.activity.participation')
        Party = pool.get('party.party')
        fx = create_osl_fixture()
        plan = run_plan(fx['plan'])
        osl = create_osl_user('osl', 'group_cus_community', fx['company'],
            fx['organiser'])
        resident, = Party.create([{'name': "Jan Sąsiad"}])
        activity = create_activity(plan, "Spotkanie z mieszkańcami",
            fx['wzgorze'], quarters=['2021-Q2'])
        with as_user(osl):
            activity = Activity(activity.id)
            activity.done_date = D(2021, 6, 12)
            activity.participants = 25
            activity.results = "Zebrano 14 relacji mieszkańców."
            activity.save()
            Attachment.create([{
                        'name': 'spacer.png',
                        'resource': str(activity),
                        'data': PHOTO,
                        }, {
                        'name': 'lista obecności.pdf',
                        'resource': str(activity),
                        'data': b'%PDF-1.4',
                        }])
            Participation.create([{
                        'activity': activity.id, 'party': resident.id,
                        'attended': True}])
            Activity.do([activity])
            activity = Activity(activity.id)
            self.assertEqual(activity.state, 'done')
            self.assertEqual(
                sorted(p.name for p in activity.photos),
                ['lista obecności.pdf', 'spacer.png'])
            photo, = [p for p in activity.photos if p.name == 'spacer.png']
            self.assertEqual(photo.data, PHOTO)
            self.assertEqual(activity.photo_count, 2)
            self.assertEqual(activity.registered_participants, 1)
            self.assertEqual(activity.participants, 25)
        # A copy starts afresh
        copy, = Activity.copy([activity])
        self.assertEqual(copy.state, 'draft')
        self.assertEqual(
            (copy.done_date, copy.participants, copy.photos,
                copy.participations),
            (None, None, (), ()))
        self.assertEqual(copy.quarters, activity.quarters)
        # A person is registered once (last: the database refuses)
        with self.assertRaises(Exception):
            Participation.create([{
                        'activity': activity.id, 'party': resident.id}])

    # The per-quarter board

    @with_transaction()
    def test_board(self):
        "Test the planned and done activities by community and quarter"
        Board = Pool().get('cus.osl.board')
        fx = create_osl_fixture()
        plan, activities = self._board_set(fx)
        rows = Board.search([('plan', '=', plan.id)])
        figures = {
            (r.community.name if r.community else None, r.period, r.area):
            (r.planned, r.done, r.done_in_quarter, r.participants)
            for r in rows}
        self.assertEqual(figures, {
                ('Wzgórze', '2021-Q2', 'animation'): (2, 1, 2, 17),
                ('Wzgórze', '2021-Q3', 'animation'): (2, 0, 0, 0),
                ('Wzgórze', '2021-Q3', 'networking'): (1, 0, 0, 0),
                ('Wzgórze', '2021-Q4', 'animation'): (1, 1, 2, 30),
                (None, '2021-Q4', 'social_planning'): (1, 1, 1, 8),
                ('Ostrowiecka', '2021-Q3', 'animation'): (1, 0, 0, 0),
                })
        self.assertEqual(len({r.id for r in rows}), len(rows))
        self.assertEqual(
            [(r.year, r.quarter_number) for r in rows],
            sorted((r.year, r.quarter_number) for r in rows))

        # The filter of the board
        with Transaction().set_context(
                community=fx['wzgorze'].id, year=2021):
            self.assertEqual(len(Board.search([])), 4)
        with Transaction().set_context(year=2022):
            self.assertEqual(Board.search([]), [])

        # The drill-down to the activities
        row, = [r for r in rows
            if r.community == fx['wzgorze'] and r.period == '2021-Q4']
        self.assertEqual(
            {a.name for a in row.activities},
            {activities['a2'].name, activities['a4'].name})
        self.assertEqual(row.rec_name, "Wzgórze – Q4 2021")

        # The figures of the plan
        self.assertEqual(plan.planned_activities, 7)
        self.assertEqual(plan.done_activities, 5)
        self.assertEqual(plan.participants, 55)

    # The yearly re-planning

    @with_transaction()
    def test_replan_in_q4(self):
        "Test the next year's schedule is drafted in the fourth quarter"
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        Goal = pool.get('cus.osl.plan.goal')
        Plan = pool.get('cus.osl.plan')
        fx = create_osl_fixture()
        plan = fx['plan']
        leaders = fx['goal']
        achieved, ongoing = Goal.create([{
                    'plan': plan.id, 'stage': 'before_entry',
                    'name': "Diagnoza zasobów", 'diagnosis': True,
                    'achieved': True,
                    'quarters': [('add', quarter_ids('2021-Q2'))],
                    }, {
                    'plan': plan.id, 'stage': 'activation',
                    'name': "Akademia Mieszkańca Aktywnego",
                    'education': True,
                    'quarters': [('add', quarter_ids(
                                '2021-Q4', '2022-Q1', '2022-Q2'))],
                    }])
        run_plan(plan)
        walks = create_activity(plan, "Spacery sąsiedzkie", fx['wzgorze'],
            quarters=['2021-Q2', '2021-Q4'], goal=leaders.id,
            realisers=[('create', [{
                            'kind': 'staff',
                            'employee': fx['organiser'].id}, {
                            'kind': 'animator',
                            'description': "Animatorzy OSL"}])])
        games = create_activity(plan, "Wakacje pod chmurką", fx['wzgorze'],
            quarters=['2021-Q3'], state='done', done_date=D(2021, 8, 20),
            participants=40)
        create_activity(plan, "Kampania", fx['wzgorze'],
            quarters=['2021-Q2'], state='cancelled')
        create_activity(plan, "Diagnoza", fx['ostrowiecka'],
            quarters=['2021-Q2'], goal=achieved.id)
        academy = create_activity(plan, "Akademia", quarters=['2022-Q1'],
            goal=ongoing.id)
        before = {a.id: (a.state, a.quarters) for a in plan.activities}

        # Not before the fourth quarter
        with today_is(D(2021, 9, 30)):
            with self.assertRaises(UserError), rolled_back_on_error():
                Plan.replan([plan])
        with today_is(D(2021, 11, 15)):
            Plan.replan([plan])
        new = Activity.search([('origin', '!=', None)])
        self.assertEqual(
            {(a.origin, a.name) for a in new},
            {(walks, walks.name), (games, games.name)})
        walks_2022, = [a for a in new if a.origin == walks]
        games_2022, = [a for a in new if a.origin == games]
        self.assertEqual(
            [q.code for q in walks_2022.quarters], ['2022-Q2', '2022-Q4'])
        self.assertEqual([q.code for q in games_2022.quarters], ['2022-Q3'])
        for activity in new:
            self.assertEqual(activity.state, 'draft')
            self.assertIsNone(activity.done_date)
            self.assertIsNone(activity.participants)
            self.assertEqual(activity.plan, plan)
        self.assertEqual(walks_2022.community, fx['wzgorze'])
        self.assertEqual(walks_2022.goal, leaders)
        self.assertEqual(walks_2022.date, D(2022, 4, 1))
        self.assertEqual(
            [(r.kind, r.employee, r.description)
                for r in walks_2022.realisers],
            [('staff', fx['organiser'], None),
                ('animator', None, "Animatorzy OSL")])
        # The current year is left as it was
        for activity in Activity.browse(list(before)):
            self.assertEqual(
                (activity.state, activity.quarters), before[activity.id])
        self.assertNotIn(academy, [a.origin for a in new])
        # The goals still relevant go on next year
        self.assertEqual(
            [q.code for q in leaders.quarters],
            ['2021-Q2', '2021-Q3', '2022-Q2', '2022-Q3'])
        self.assertEqual([q.code for q in achieved.quarters], ['2021-Q2'])
        self.assertEqual(
            [q.code for q in ongoing.quarters],
            ['2021-Q4', '2022-Q1', '2022-Q2'])

        # Once only
        with today_is(D(2021, 12, 20)):
            Plan.replan([plan])
        self.assertEqual(Activity.search([('origin', '!=', None)]), new)

        # In 2022 the plan ends in the first quarter of 2023: only what
        # falls in it is copied
        Activity.schedule(new)
        spring = create_activity(plan, "Wiosenne porządki", fx['wzgorze'],
            quarters=['2022-Q1', '2022-Q3'])
        with today_is(D(2022, 10, 3)):
            Plan.replan([plan])
        spring_2023, = Activity.search([('origin', '=', spring.id)])
        self.assertEqual([q.code for q in spring_2023.quarters], ['2023-Q1'])
        self.assertEqual(
            Activity.search([('origin', 'in', [a.id for a in new])]), [])

    @with_transaction()
    def test_replan_refusals(self):
        "Test the re-planning needs a running plan that goes on next year"
        Plan = Pool().get('cus.osl.plan')
        fx = create_osl_fixture()
        with today_is(D(2021, 11, 15)):
            with self.assertRaises(UserError), rolled_back_on_error():
                fx['plan'].make_next_year_schedule(D(2021, 11, 15))
        short, = Plan.create([{
                    'name': "Plan na rok 2021", 'company': fx['company'].id,
                    'start_date': D(2021, 4, 1), 'end_date': D(2021, 12, 31),
                    'communities': [('add', [fx['wzgorze'].id])],
                    'goals': [('create', [{
                                    'stage': 'entry', 'name': "Wejście"}])],
                    }])
        run_plan(short)
        with today_is(D(2021, 11, 15)):
            with self.assertRaises(UserError), rolled_back_on_error():
                Plan.replan([short])
        # Outside the plan's period
        run_plan(fx['plan'])
        with today_is(D(2023, 11, 15)):
            with self.assertRaises(UserError), rolled_back_on_error():
                Plan.replan([fx['plan']])

    # Volunteers

    def _volunteers(self, fx, plan, activity):
        pool = Pool()
        Party = pool.get('party.party')
        Hours = pool.get('cus.osl.volunteer.hours')
        senior, v1, v2, v3, v4, v5 = Party.create([
                {'name': "Helena Senior", 'cus_client': True,
                    'client_category': 'resident'},
                {'name': "Wolontariusz Jeden", 'osl_volunteer': True},
                {'name': "Sąsiadka Dwa", 'osl_neighbour': True},
                {'name': "Lider Trzy", 'osl_volunteer': True,
                    'osl_leader': True},
                {'name': "Wolontariusz Cztery", 'osl_volunteer': True},
                {'name': "Pięć", 'osl_volunteer': True,
                    'osl_neighbour': True},
                ])
        Hours.create([
                {'volunteer': v1.id, 'date': D(2021, 5, 2), 'hours': 3,
                    'activity': activity.id},
                {'volunteer': v1.id, 'date': D(2021, 5, 9), 'hours': 2,
                    'supported_party': senior.id, 'plan': plan.id},
                {'volunteer': v2.id, 'date': D(2021, 6, 30), 'hours': 1.5,
                    'supported_party': senior.id},
                {'volunteer': v3.id, 'date': D(2021, 4, 1), 'hours': 4,
                    'activity': activity.id},
                {'volunteer': v4.id, 'date': D(2021, 7, 1), 'hours': 2,
                    'supported_party': senior.id},
                {'volunteer': v5.id, 'date': D(2021, 3, 31), 'hours': 1,
                    'supported_party': senior.id},
                ])
        return {'senior': senior, 'v1': v1, 'v2': v2, 'v3': v3, 'v4': v4,
            'v5': v5}

    @with_transaction()
    def test_volunteers_indicator(self):
        "Test the volunteers and neighbours supporting service delivery"
        pool = Pool()
        Hours = pool.get('cus.osl.volunteer.hours')
        fx = create_osl_fixture()
        plan = run_plan(fx['plan'])
        activity = create_activity(plan, "Kwiatek dla seniora",
            fx['seniors'], quarters=['2021-Q2'])
        people = self._volunteers(fx, plan, activity)

        self.assertEqual(
            Hours.count_supporters(D(2021, 4, 1), D(2021, 6, 30)),
            {'total': 3, 'volunteers': 2, 'neighbours': 1, 'leaders': 1})
        self.assertEqual(
            Hours.count_supporters(D(2021, 4, 1), D(2021, 6, 30), plan=plan),
            {'total': 2, 'volunteers': 2, 'neighbours': 0, 'leaders': 1})
        self.assertEqual(
            Hours.count_supporters(D(2021, 1, 1), D(2021, 12, 31))['total'],
            5)
        self.assertEqual(
            Hours.count_supporters(D(2020, 1, 1), D(2020, 12, 31))['total'],
            0)
        # The plan counts the hours of its activities and those given to it
        self.assertEqual(plan.supporters, 2)
        self.assertEqual(plan.volunteer_hours, 9)
        self.assertEqual(activity.volunteer_hours_total, 7)
        self.assertEqual(people['v1'].osl_total_hours, 5)
        # The hours of an activity count in its plan
        hours, = Hours.search([
                ('volunteer', '=', people['v3'].id)])
        self.assertEqual(hours.plan, plan)

        # Hours support a person or an activity
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Hours.create([{
                        'volunteer': people['v1'].id,
                        'date': D(2021, 5, 3), 'hours': 1}])
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Hours.create([{
                        'volunteer': people['senior'].id,
                        'date': D(2021, 5, 3), 'hours': 1,
                        'activity': activity.id}])
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Hours.create([{
                        'volunteer': people['v1'].id,
                        'date': D(2021, 5, 3), 'hours': 0,
                        'activity': activity.id}])

    # The calendar of birthdays and name days

    @with_transaction()
    def test_celebrations(self):
        "Test the birthdays and name days of a community, the nearest first"
        pool = Pool()
        Community = pool.get('cus.osl.community')
        Party = pool.get('party.party')
        NameDay = pool.get('cus.osl.name.day')
        Celebration = pool.get('cus.osl.celebration')
        fx = create_osl_fixture()
        people = Party.create([{
                    'name': name, 'cus_client': True,
                    'client_category': 'resident', 'birth_date': birth_date,
                    } for name, birth_date in [
                    ("Katarzyna Nowak", D(1950, 5, 10)),
                    ("Katarzyna Zielińska", D(1948, 1, 15)),
                    ("Stanisław Wójcik", D(1941, 3, 12)),
                    ("Genowefa Lis", D(1944, 2, 29)),
                    ("Xenia Brak", None),
                    ]])
        Community.write([fx['seniors']], {
                'clients': [('add', [p.id for p in people])]})
        self.assertEqual(NameDay.of_person("Katarzyna", D(1950, 5, 10)),
            (11, 25))
        self.assertEqual(NameDay.of_person("Katarzyna", D(1948, 1, 15)),
            (4, 29))
        self.assertEqual(NameDay.of_person("Katarzyna"), (4, 29))
        self.assertIsNone(NameDay.of_person("Xenia"))

        with Transaction().set_context(
                from_date=D(2021, 5, 1), community=fx['seniors'].id):
            celebrations = Celebration.search([])
            self.assertEqual(
                [(c.date, c.client.name, c.occasion, c.age)
                    for c in celebrations], [
                    (D(2021, 5, 8), "Stanisław Wójcik", 'name_day', None),
                    (D(2021, 5, 10), "Katarzyna Nowak", 'birthday', 71),
                    (D(2021, 11, 25), "Katarzyna Nowak", 'name_day', None),
                    (D(2022, 1, 3), "Genowefa Lis", 'name_day', None),
                    (D(2022, 1, 15), "Katarzyna Zielińska", 'birthday', 74),
                    (D(2022, 2, 28), "Genowefa Lis", 'birthday', 78),
                    (D(2022, 3, 12), "Stanisław Wójcik", 'birthday', 81),
                    (D(2022, 4, 29), "Katarzyna Zielińska", 'name_day',
                        None),
                    ])
            self.assertEqual(len({c.id for c in celebrations}), 8)
            self.assertEqual(celebrations[0].birth_date, D(1941, 3, 12))
        with Transaction().set_context(
                from_date=D(2021, 5, 1), community=fx['wzgorze'].id):
            self.assertEqual(Celebration.search([]), [])

    @with_transaction()
    def test_name_days_data(self):
        "Test the name days of the data file are loaded and checked"
        pool = Pool()
        NameDay = pool.get('cus.osl.name.day')
        from ..celebration import read_name_days
        rows = read_name_days()
        self.assertGreater(len(rows), 80)
        self.assertEqual(NameDay.search([], count=True), len(set(rows)))
        anna, = NameDay.search([('name', '=', 'Anna')])
        self.assertEqual((anna.month, anna.day), (7, 26))
        # Loading again adds nothing
        NameDay.load_name_days()
        self.assertEqual(NameDay.search([], count=True), len(set(rows)))
        with self.assertRaises(ValidationError), rolled_back_on_error():
            NameDay.create([{'name': "Kwiecień", 'month': 4, 'day': 31}])

    # The report

    @with_transaction()
    def test_report(self):
        "Test the XLSX report of the plan's execution"
        pool = Pool()
        Report = pool.get('cus_osl.report_plan_execution', type='report')
        Score = pool.get('cus.osl.suwak.score')
        Risk = pool.get('cus.osl.risk')
        fx = create_osl_fixture()
        osl = create_osl_user('osl', 'group_cus_community', fx['company'],
            fx['organiser'])
        plan, activities = self._board_set(fx)
        self._volunteers(fx, plan, activities['a1'])
        Score.create([{
                    'plan': plan.id, 'community': fx['wzgorze'].id,
                    'dimension': 'cohesion', 'baseline_score': 2.5,
                    'end_score': 3.25, 'method': "Ankieta"}])
        Risk.create([{
                    'plan': plan.id,
                    'description': "Trudności w pozyskaniu liderów",
                    'mitigation': "Edukacja liderów, promocja w mediach",
                    'likelihood': 'high'}])
        with set_company(fx['company']), as_user(osl):
            ext, content, _, name = Report.execute([plan.id], {})
        self.assertEqual(ext, 'xlsx')
        sheets = read_xlsx(content)
        self.assertEqual(list(sheets), [
                'Summary', 'Planned and Done', 'Activities', 'Volunteers',
                'SUWAK', 'Risks'])

        board = sheets['Planned and Done']
        self.assertEqual(board[0][:6], [
                'Plan', 'Community', 'Year', 'Quarter', 'Area of Action',
                'Planned'])
        body = board[1:-1]
        self.assertEqual(len(body), 6)
        self.assertEqual(body[0], [
                "Plan OSL Starachowice", "Wzgórze", Decimal(2021), "Q2 2021",
                "Animation", Decimal(2), Decimal(1), Decimal(2),
                Decimal(17)])
        self.assertIn([
                "Plan OSL Starachowice", "City-wide", Decimal(2021),
                "Q4 2021", "Social Planning", Decimal(1), Decimal(1),
                Decimal(1), Decimal(8)], body)
        self.assertEqual(board[-1][0], "Total")
        self.assertEqual(board[-1][5:], [
                Decimal(8), Decimal(3), Decimal(5), Decimal(55)])

        activity_rows = sheets['Activities'][1:-1]
        self.assertEqual(len(activity_rows), 8)
        walk, = [r for r in activity_rows if r[3] == "Spacer sąsiedzki"]
        self.assertEqual(walk[1], "Wzgórze")
        self.assertEqual(walk[8], "Done")
        self.assertEqual(walk[11], Decimal(12))
        self.assertEqual(walk[13], Decimal(7))

        volunteers = sheets['Volunteers']
        self.assertEqual(volunteers[0][:5], [
                'Plan', 'Volunteer, Neighbour or Leader', 'Volunteer',
                'Neighbour Helper', 'Local Leader'])
        self.assertEqual(volunteers[-1][0], "Total")
        self.assertEqual(volunteers[-1][5], Decimal(9))
        v1, = [r for r in volunteers if r[1] == "Wolontariusz Jeden"]
        self.assertEqual(v1[2:8], [
                "Yes", "No", "No", Decimal(5), Decimal(1), Decimal(1)])

        suwak = sheets['SUWAK']
        self.assertEqual(suwak[1][1:6], [
                "Wzgórze", "Cohesion", Decimal('2.5'), Decimal('3.25'),
                Decimal('0.75')])
        summary = {r[0]: r[1] for r in sheets['Summary']}
        self.assertEqual(summary['Planned Activities'], Decimal(7))
        self.assertEqual(summary['Done Activities'], Decimal(5))
        self.assertEqual(summary['Volunteers and Neighbours'], Decimal(2))
        self.assertEqual(summary['Volunteer Hours'], Decimal(9))
        self.assertEqual(
            summary['Average Change of the SUWAK Scores'], Decimal('0.75'))
        self.assertEqual(sheets['Risks'][1][3], "High")

    # Roles

    @with_transaction()
    def test_roles(self):
        "Test the community organiser owns the module and who else reads it"
        pool = Pool()
        Plan = pool.get('cus.osl.plan')
        Activity = pool.get('cus.osl.activity')
        Community = pool.get('cus.osl.community')
        Participation = pool.get('cus.osl.activity.participation')
        Hours = pool.get('cus.osl.volunteer.hours')
        Party = pool.get('party.party')
        Report = pool.get('cus_osl.report_plan_execution', type='report')
        ModelData = pool.get('ir.model.data')
        report_id = ModelData.get_id('cus_osl', 'report_plan_execution')
        fx = create_osl_fixture()
        company = fx['company']
        plan = fx['plan']
        activity = create_activity(plan, "Klub Seniora", fx['seniors'],
            quarters=['2021-Q3'], state='draft')
        client, = Party.create([{
                    'name': "Maria Klient", 'cus_client': True,
                    'client_category': 'resident'}])
        users = {
            group: create_osl_user(
                'osl_' + group, 'group_cus_' + group, company)
            for group in ['community', 'coordinator', 'director',
                'organiser', 'finance', 'admin']}

        with as_user(users['community']):
            Plan.write([Plan(plan.id)], {'description': "Opis planu"})
            Plan.adopt([Plan(plan.id)])
            Community.create([{'name': "Nowa", 'kind': 'territorial'}])
            Activity.schedule([Activity(activity.id)])
        self.assertEqual(plan.state, 'adopted')

        for group in ['coordinator', 'director', 'organiser']:
            with as_user(users[group]):
                self.assertEqual(Plan.search([]), [plan])
                self.assertEqual(len(Activity.search([])), 1)
                self.assertEqual(Plan(plan.id).rec_name, plan.name)
                ext, _, _, _ = Report.execute([plan.id], {})
                self.assertEqual(ext, 'xlsx')
                with self.assertRaises(AccessError), rolled_back_on_error():
                    Plan.write([Plan(plan.id)], {'description': "Zmiana"})
                with self.assertRaises(AccessButtonError), \
                        rolled_back_on_error():
                    Plan.run([Plan(plan.id)])
                with self.assertRaises(AccessError), rolled_back_on_error():
                    Activity.write([Activity(activity.id)], {'name': "X"})

        # The coordinator refers people to activities, nothing more
        with as_user(users['coordinator']):
            participation, = Participation.create([{
                        'activity': activity.id, 'party': client.id}])
            with self.assertRaises(AccessError), rolled_back_on_error():
                Participation.write([participation], {'attended': True})
            with self.assertRaises(AccessError), rolled_back_on_error():
                Participation.delete([participation])
        with as_user(users['director']):
            with self.assertRaises(AccessError), rolled_back_on_error():
                Participation.create([{
                            'activity': activity.id, 'party': client.id}])

        # Finance and the administrator get nothing
        for group in ['finance', 'admin']:
            with as_user(users[group]):
                for Model in [Plan, Activity, Community, Hours]:
                    with self.assertRaises(AccessError), \
                            rolled_back_on_error():
                        Model.search([])
                with self.assertRaises(AccessError), rolled_back_on_error():
                    Plan.read([plan.id], ['name'])
                with self.assertRaises(AccessError), rolled_back_on_error():
                    Report.execute([plan.id], {'action_id': report_id})
