# This file is part of the CUS back office.
import datetime as dt
from collections import defaultdict

from cus_base.model import RecNameSearchMixin, ServerFieldsCopyMixin
from sql.aggregate import Count, Sum
from sql.conditionals import Case, Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import (
    PlanDeleteError, PlanError, PlanValidationError, ReplanError)
from .quarter import quarters_label

STATES = [
    ('draft', "Draft"),
    ('adopted', "Adopted"),
    ('running', "Running"),
    ('evaluated', "Evaluated"),
    ]
STAGES = [
    ('before_entry', "Before Entry"),
    ('entry', "Entry"),
    ('activation', "Activation"),
    ('exit', "Exit"),
    ]
# The components of community organising, by their letters in the plans'
# legends (the same in Polish and in English).
COMPONENTS = [
    ('activation', 'A'),
    ('diagnosis', 'D'),
    ('education', 'E'),
    ('integration', 'I'),
    ]
LEVELS = [
    ('low', "Low"),
    ('medium', "Medium"),
    ('high', "High"),
    ]
RISK_STATES = [
    ('monitored', "Monitored"),
    ('occurred', "Occurred"),
    ('closed', "No Longer Relevant"),
    ]
# The five dimensions of the SUWAK empowerment framework.
SUWAK_DIMENSIONS = [
    ('cohesion', "Cohesion"),
    ('empowerment', "Empowerment"),
    ('influence', "Influence"),
    ('engagement', "Engagement"),
    ('cooperation', "Cooperation"),
    ]
# What is settled when the plan is adopted; the rest follows the work.
PLAN_DRAFT_FIELDS = {
    'name', 'code', 'company', 'start_date', 'end_date', 'description'}
SCORE_DOMAIN = lambda name: ['OR',  # noqa: E731
    (name, '=', None),
    [(name, '>=', 1), (name, '<=', 5)],
    ]


class PlanChildMixin:
    "A line of a plan: changes are refused once the plan is evaluated"
    __slots__ = ()

    plan_state = fields.Function(
        fields.Selection(STATES, "Plan State"), 'on_change_with_plan_state')

    @fields.depends('plan', '_parent_plan.state')
    def on_change_with_plan_state(self, name=None):
        return self.plan.state if self.plan else None

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        for record in records:
            if record.plan.state == 'evaluated':
                raise PlanError(gettext(
                        'cus_osl.msg_plan_evaluated_modify',
                        plan=record.plan.rec_name))

    @classmethod
    def check_plan_evaluated(cls, records):
        for record in records:
            if record.plan.state == 'evaluated':
                raise PlanError(gettext(
                        'cus_osl.msg_plan_evaluated_modify',
                        plan=record.plan.rec_name))

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if 'plan' in field_names:
            cls.check_plan_evaluated(records)


class Plan(
        ServerFieldsCopyMixin, RecNameSearchMixin, Workflow, ModelSQL,
        ModelView):
    """The plan for organising the local community (plan OSL)

    Its main goals, the communities it works with, the operational goals of
    the four stages, the schedules of activities per community, the risks
    and the SUWAK scores of the evaluation.
    """
    __name__ = 'cus.osl.plan'
    __string__ = "Community Organising Plan"
    _rec_name_search = ['name', 'code']
    _history = True

    _states = {'readonly': Eval('state') != 'draft'}
    _lines_states = {'readonly': Eval('state') == 'evaluated'}

    name = fields.Char("Name", required=True, states=_states)
    code = fields.Char("Code", states=_states)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    organiser = fields.Many2One(
        'company.employee', "Community Organiser", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states=_lines_states,
        help="Writes and keeps the plan up to date.")
    start_date = fields.Date(
        "Start Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    description = fields.Text("Description", states=_states)
    communities = fields.Many2Many(
        'cus.osl.plan-cus.osl.community', 'plan', 'community',
        "Communities", states=_lines_states)
    main_goals = fields.One2Many(
        'cus.osl.plan.main.goal', 'plan', "Main and Specific Goals",
        states=_lines_states,
        help="The main goals of the plan; the specific goals that each "
        "community sets with the organiser name their community.")
    goals = fields.One2Many(
        'cus.osl.plan.goal', 'plan', "Operational Goals",
        states=_lines_states)
    activities = fields.One2Many(
        'cus.osl.activity', 'plan', "Activities", states=_lines_states)
    risks = fields.One2Many(
        'cus.osl.risk', 'plan', "Risks", states=_lines_states)
    suwak_scores = fields.One2Many(
        'cus.osl.suwak.score', 'plan', "SUWAK Scores", states=_lines_states)
    evaluation = fields.Text(
        "Evaluation",
        states={
            'readonly': Eval('state') != 'running',
            'required': Eval('state') == 'evaluated',
            },
        help="The conclusions of the participatory evaluation.")
    adopted_date = fields.Date("Adopted On", readonly=True)
    evaluated_date = fields.Date("Evaluated On", readonly=True)
    planned_activities = fields.Function(
        fields.Integer(
            "Planned Activities", help="The activities not cancelled."),
        'get_figures')
    done_activities = fields.Function(
        fields.Integer("Done Activities"), 'get_figures')
    participants = fields.Function(
        fields.Integer(
            "Participants",
            help="The participants of the done activities."),
        'get_figures')
    volunteer_hours = fields.Function(
        fields.Float("Volunteer Hours", digits=(16, 2)), 'get_figures')
    supporters = fields.Function(
        fields.Integer(
            "Volunteers and Neighbours",
            help="The volunteers and neighbours who supported persons or "
            "activities during the plan."),
        'get_supporters')
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states, _lines_states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                where=t.state.in_(['draft', 'adopted', 'running'])))
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'adopted'),
            ('adopted', 'draft'),
            ('adopted', 'running'),
            ('running', 'evaluated'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'adopted',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'adopt': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'run': {
                    'invisible': Eval('state') != 'adopted',
                    'icon': 'tryton-launch',
                    'depends': ['state'],
                    },
                'evaluate': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'replan': {
                    'invisible': Eval('state') != 'running',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_organiser(cls):
        return Transaction().context.get('employee')

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'evaluated', 'muted', '')),
            ]

    @classmethod
    def get_figures(cls, plans, names):
        "The figures of the activities and the volunteers, in SQL"
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        Hours = pool.get('cus.osl.volunteer.hours')
        cursor = Transaction().connection.cursor()
        activity = Activity.__table__()
        hours = Hours.__table__()
        ids = [p.id for p in plans]
        figures = defaultdict(lambda: [0, 0, 0])
        total_hours = defaultdict(float)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            sub_ids = list(sub_ids)
            cursor.execute(*activity.select(
                    activity.plan,
                    Count(activity.id),
                    Sum(Case((activity.state == 'done', 1), else_=0)),
                    Sum(Case((activity.state == 'done',
                                Coalesce(activity.participants, 0)),
                            else_=0)),
                    where=SQL_OPERATORS['in'](activity.plan, sub_ids)
                    & (activity.state != 'cancelled'),
                    group_by=[activity.plan]))
            for plan_id, planned, done, participants in cursor:
                figures[plan_id] = [planned, done or 0, participants or 0]
            cursor.execute(*hours.select(
                    hours.plan, Sum(hours.hours),
                    where=SQL_OPERATORS['in'](hours.plan, sub_ids),
                    group_by=[hours.plan]))
            for plan_id, value in cursor:
                total_hours[plan_id] = float(value or 0)
        result = {}
        for name, index in [
                ('planned_activities', 0), ('done_activities', 1),
                ('participants', 2)]:
            if name in names:
                result[name] = {i: figures[i][index] for i in ids}
        if 'volunteer_hours' in names:
            result['volunteer_hours'] = {
                i: round(total_hours[i], 2) for i in ids}
        return result

    @classmethod
    def get_supporters(cls, plans, name):
        Hours = Pool().get('cus.osl.volunteer.hours')
        return Hours.count_supporters_by_plan(plans)

    @classmethod
    def validate_fields(cls, plans, field_names):
        super().validate_fields(plans, field_names)
        if field_names & {'start_date', 'end_date'}:
            for plan in plans:
                if plan.end_date < plan.start_date:
                    raise PlanValidationError(gettext(
                            'cus_osl.msg_plan_period',
                            plan=plan.rec_name))

    @classmethod
    def on_modification(cls, mode, plans, field_names=None):
        super().on_modification(mode, plans, field_names=field_names)
        if mode in {'create', 'write'} and (
                field_names is None
                or field_names & {'start_date', 'end_date'}):
            # The quarters of the schedules exist for the whole period.
            Quarter = Pool().get('cus.osl.quarter')
            for plan in plans:
                Quarter.between(plan.start_date, plan.end_date)

    @classmethod
    def check_modification(cls, mode, plans, values=None, external=False):
        super().check_modification(
            mode, plans, values=values, external=external)
        if mode == 'delete':
            for plan in plans:
                if plan.state != 'draft':
                    raise PlanDeleteError(gettext(
                            'cus_osl.msg_plan_delete_draft',
                            plan=plan.rec_name))
        elif mode == 'write':
            for plan in plans:
                if plan.state == 'evaluated' and (
                        set(values) - {'state', 'evaluated_date'}):
                    raise PlanError(gettext(
                            'cus_osl.msg_plan_evaluated_modify',
                            plan=plan.rec_name))
                if plan.state != 'draft' and set(values) & PLAN_DRAFT_FIELDS:
                    raise PlanError(gettext(
                            'cus_osl.msg_plan_adopted_modify',
                            plan=plan.rec_name))

    @classmethod
    def copy(cls, plans, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('adopted_date', None)
        default.setdefault('evaluated_date', None)
        default.setdefault('evaluation', None)
        default.setdefault('activities', None)
        return super().copy(plans, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, plans):
        cls.write(plans, {'adopted_date': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('adopted')
    def adopt(cls, plans):
        Date = Pool().get('ir.date')
        for plan in plans:
            if not plan.communities:
                raise PlanError(gettext(
                        'cus_osl.msg_plan_adopt_no_community',
                        plan=plan.rec_name))
            if not plan.goals:
                raise PlanError(gettext(
                        'cus_osl.msg_plan_adopt_no_goal',
                        plan=plan.rec_name))
        cls.write(plans, {'adopted_date': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('running')
    def run(cls, plans):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('evaluated')
    def evaluate(cls, plans):
        "The participatory evaluation closes the plan"
        Date = Pool().get('ir.date')
        for plan in plans:
            if not plan.evaluation:
                raise PlanError(gettext(
                        'cus_osl.msg_plan_evaluate_no_evaluation',
                        plan=plan.rec_name))
            scored = defaultdict(list)
            for score in plan.suwak_scores:
                scored[score.community].append(score)
            for community in plan.communities:
                scores = scored.get(community, [])
                if not scores or any(
                        s.baseline_score is None or s.end_score is None
                        for s in scores):
                    raise PlanError(gettext(
                            'cus_osl.msg_plan_evaluate_suwak',
                            plan=plan.rec_name,
                            community=community.rec_name))
        cls.write(plans, {'evaluated_date': Date.today()})

    @classmethod
    @ModelView.button
    def replan(cls, plans):
        """The yearly re-planning in the fourth quarter: next year's
        schedule is drafted from this year's one"""
        Date = Pool().get('ir.date')
        today = Date.today()
        for plan in plans:
            plan.make_next_year_schedule(today)

    def make_next_year_schedule(self, today):
        """Draft next year's schedule from the current year's one

        Allowed in the fourth quarter of a year of the running plan that
        goes on the next year. Each activity of the current year that is
        not cancelled, whose goal is not achieved and that was not copied
        yet gets a draft copy planned for the same quarters of the next year
        (those within the plan). The operational goals of the current year
        that are not achieved and have no quarter in the next year are
        planned for the same quarters of the next year. The current year is
        left as it is. Return the created activities.
        """
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        Goal = pool.get('cus.osl.plan.goal')
        Quarter = pool.get('cus.osl.quarter')
        if self.state != 'running':
            raise ReplanError(gettext(
                    'cus_osl.msg_plan_replan_not_running',
                    plan=self.rec_name))
        year = today.year
        if today.month < 10 or not (
                self.start_date <= today <= self.end_date):
            raise ReplanError(gettext(
                    'cus_osl.msg_plan_replan_not_q4',
                    plan=self.rec_name, year=year))
        next_start = dt.date(year + 1, 1, 1)
        if self.end_date < next_start:
            raise ReplanError(gettext(
                    'cus_osl.msg_plan_replan_plan_ends',
                    plan=self.rec_name, year=year + 1))
        self.__class__.lock([self])

        def next_quarters(quarters):
            pairs = [(year + 1, q.quarter) for q in quarters if q.year == year]
            candidates = Quarter.get_quarters(pairs)
            return [q for q in candidates
                if q.start_date <= self.end_date
                and q.end_date >= self.start_date]

        copied = {a.origin.id for a in Activity.search([
                    ('plan', '=', self.id),
                    ('origin', '!=', None),
                    ])}
        to_create = []
        for activity in self.activities:
            if (activity.state == 'cancelled'
                    or activity.id in copied
                    or (activity.goal and activity.goal.achieved)
                    or not any(q.year == year for q in activity.quarters)):
                continue
            quarters = next_quarters(activity.quarters)
            if not quarters:
                continue
            to_create.append(activity._next_year_values(quarters))
        activities = Activity.create(to_create) if to_create else []

        to_write = []
        for goal in self.goals:
            if goal.achieved or not any(q.year == year for q in goal.quarters):
                continue
            if any(q.year == year + 1 for q in goal.quarters):
                continue
            quarters = next_quarters(goal.quarters)
            if quarters:
                to_write.extend([[goal], {
                            'quarters': [('add', [q.id for q in quarters])],
                            }])
        if to_write:
            Goal.write(*to_write)
        return activities


class PlanCommunity(ModelSQL):
    "Community of a plan"
    __name__ = 'cus.osl.plan-cus.osl.community'
    plan = fields.Many2One(
        'cus.osl.plan', "Plan", required=True, ondelete='CASCADE')
    community = fields.Many2One(
        'cus.osl.community', "Community", required=True,
        ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.plan, Index.Range())),
                Index(t, (t.community, Index.Range())),
                })


class MainGoal(PlanChildMixin, sequence_ordered(), ModelSQL, ModelView):
    "A main goal of the plan, or a specific goal of one of its communities"
    __name__ = 'cus.osl.plan.main.goal'
    __string__ = "Plan Goal"
    _rec_name = 'description'

    plan = fields.Many2One(
        'cus.osl.plan', "Plan", required=True, ondelete='CASCADE')
    community = fields.Many2One(
        'cus.osl.community', "Community", ondelete='RESTRICT',
        domain=[('plans', '=', Eval('plan', -1))],
        help="Empty for a main goal of the plan; the community for a "
        "specific goal set with it.")
    description = fields.Text("Goal", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.plan, Index.Range())))

    def get_rec_name(self, name):
        text = (self.description or '').strip().splitlines()
        text = text[0] if text else ''
        return text if len(text) <= 80 else text[:79] + '…'


class Goal(
        PlanChildMixin, RecNameSearchMixin, sequence_ordered(), ModelSQL,
        ModelView):
    "An operational goal of a stage of the plan"
    __name__ = 'cus.osl.plan.goal'
    __string__ = "Operational Goal"
    _rec_name_search = ['name']

    plan = fields.Many2One(
        'cus.osl.plan', "Plan", required=True, ondelete='CASCADE')
    stage = fields.Selection(STAGES, "Stage", required=True, sort=False)
    name = fields.Char("Operational Goal", required=True)
    activation = fields.Boolean("Activation (A)")
    diagnosis = fields.Boolean("Diagnosis (D)")
    education = fields.Boolean("Education (E)")
    integration = fields.Boolean("Integration (I)")
    components = fields.Function(
        fields.Char(
            "Components",
            help="A: activation, D: diagnosis, E: education, "
            "I: integration."),
        'on_change_with_components')
    quarters = fields.Many2Many(
        'cus.osl.plan.goal-cus.osl.quarter', 'goal', 'quarter',
        "Planned Quarters",
        domain=[
            ('end_date', '>=', Eval('plan_start_date', None)),
            ('start_date', '<=', Eval('plan_end_date', None)),
            ])
    quarters_label = fields.Function(
        fields.Char("Quarters"), 'get_quarters_label')
    plan_start_date = fields.Function(
        fields.Date("Plan Start Date"), 'on_change_with_plan_start_date')
    plan_end_date = fields.Function(
        fields.Date("Plan End Date"), 'on_change_with_plan_end_date')
    achieved = fields.Boolean(
        "Achieved",
        help="An achieved goal is not carried over to the next year's "
        "schedule.")
    activities = fields.One2Many(
        'cus.osl.activity', 'goal', "Activities", readonly=True)
    notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.plan, Index.Range())))

    @classmethod
    def default_achieved(cls):
        return False

    @classmethod
    def default_stage(cls):
        return 'before_entry'

    @fields.depends(*(c for c, _ in COMPONENTS))
    def on_change_with_components(self, name=None):
        return ';'.join(
            letter for component, letter in COMPONENTS
            if getattr(self, component, False))

    @fields.depends('plan', '_parent_plan.start_date')
    def on_change_with_plan_start_date(self, name=None):
        return self.plan.start_date if self.plan else None

    @fields.depends('plan', '_parent_plan.end_date')
    def on_change_with_plan_end_date(self, name=None):
        return self.plan.end_date if self.plan else None

    @classmethod
    def get_quarters_label(cls, goals, name):
        return {g.id: quarters_label(g.quarters) for g in goals}

    @classmethod
    def copy(cls, goals, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('activities', None)
        return super().copy(goals, default=default)


class GoalQuarter(ModelSQL):
    "Planned quarter of an operational goal"
    __name__ = 'cus.osl.plan.goal-cus.osl.quarter'
    goal = fields.Many2One(
        'cus.osl.plan.goal', "Goal", required=True, ondelete='CASCADE')
    quarter = fields.Many2One(
        'cus.osl.quarter', "Quarter", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('goal')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.goal, Index.Range())))


class Risk(PlanChildMixin, sequence_ordered(), ModelSQL, ModelView):
    "A risk of the plan and its mitigation"
    __name__ = 'cus.osl.risk'
    __string__ = "Risk"
    _rec_name = 'description'

    plan = fields.Many2One(
        'cus.osl.plan', "Plan", required=True, ondelete='CASCADE')
    description = fields.Text("Risk", required=True)
    mitigation = fields.Text(
        "Mitigation", help="How the risk is prevented or limited.")
    likelihood = fields.Selection(LEVELS, "Likelihood", sort=False)
    impact = fields.Selection(LEVELS, "Impact", sort=False)
    state = fields.Selection(
        RISK_STATES, "State", required=True, sort=False)
    follow_up = fields.Text(
        "Follow-up", help="What happened and what was done.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.plan, Index.Range())))

    @classmethod
    def default_state(cls):
        return 'monitored'

    @classmethod
    def default_likelihood(cls):
        return 'medium'

    @classmethod
    def default_impact(cls):
        return 'medium'

    def get_rec_name(self, name):
        text = (self.description or '').strip().splitlines()
        text = text[0] if text else ''
        return text if len(text) <= 80 else text[:79] + '…'


class SuwakScore(PlanChildMixin, ModelSQL, ModelView):
    """The score of a community in a dimension of the SUWAK empowerment
    framework, at the baseline and at the end of the plan"""
    __name__ = 'cus.osl.suwak.score'
    __string__ = "SUWAK Score"

    plan = fields.Many2One(
        'cus.osl.plan', "Plan", required=True, ondelete='CASCADE')
    community = fields.Many2One(
        'cus.osl.community', "Community", required=True,
        ondelete='RESTRICT',
        domain=[('plans', '=', Eval('plan', -1))])
    dimension = fields.Selection(
        SUWAK_DIMENSIONS, "Dimension", required=True, sort=False,
        help="Cohesion: respect, sensitivity, equal opportunities, "
        "belonging to the place. Empowerment: self-confidence, "
        "self-assessment, readiness for change and responsibility. "
        "Influence: sense of influence, decision-making. Engagement: "
        "community thinking, trust, relations, awareness of problems and "
        "needs, motivation, readiness for joint action. Cooperation: "
        "networks, openness to cooperation.")
    baseline_score = fields.Float(
        "Baseline Score", digits=(16, 2),
        domain=SCORE_DOMAIN('baseline_score'),
        help="From 1 (low) to 5 (high), at the start of the work.")
    end_score = fields.Float(
        "End Score", digits=(16, 2),
        domain=SCORE_DOMAIN('end_score'),
        help="From 1 (low) to 5 (high), at the evaluation.")
    change = fields.Function(
        fields.Float("Change", digits=(16, 2)), 'on_change_with_change')
    method = fields.Char(
        "Measured By",
        help="E.g. a survey of the residents, a focus group, the "
        "organiser's observation.")
    notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plan')
        t = cls.__table__()
        cls._sql_constraints += [
            ('plan_community_dimension_unique',
                Unique(t, t.plan, t.community, t.dimension),
                'cus_osl.msg_suwak_score_unique'),
            ]
        cls._order = [
            ('plan', 'ASC'), ('community', 'ASC'), ('id', 'ASC')]

    @fields.depends('baseline_score', 'end_score')
    def on_change_with_change(self, name=None):
        if self.baseline_score is not None and self.end_score is not None:
            return round(self.end_score - self.baseline_score, 2)

    def get_rec_name(self, name):
        dimensions = dict(
            self.fields_get(['dimension'])['dimension']['selection'])
        return '%s – %s' % (
            self.community.rec_name, dimensions.get(self.dimension, ''))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('community.rec_name',) + tuple(clause[1:])]
