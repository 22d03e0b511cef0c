# This file is part of the CUS back office.
from cus_base.model import RecNameSearchMixin, ServerFieldsCopyMixin
from sql import Literal, Union
from sql.aggregate import Count, Min, Sum
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
    ActivityDeleteError, ActivityError, ActivityValidationError)
from .plan import PlanChildMixin
from .quarter import quarters_label

AREAS = [
    ('animation', "Animation"),
    ('networking', "Networking"),
    ('social_planning', "Social Planning"),
    ]
STATES = [
    ('draft', "Draft"),
    ('planned', "Planned"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]
REALISER_KINDS = [
    ('staff', "CUS Staff"),
    ('animator', "Animator"),
    ('partner', "Partner"),
    ('expert', "Expert"),
    ('leader', "Local Leader"),
    ('volunteer', "Volunteer"),
    ]


class Activity(
        ServerFieldsCopyMixin, PlanChildMixin, RecNameSearchMixin,
        Workflow, ModelSQL, ModelView):
    """An activity of the schedule of a plan

    Planned for a community (or city-wide) in an area of action and in
    quarters, carried out by its realisers; once done it records its date,
    participants, results and photos (the attachments of the record).
    """
    __name__ = 'cus.osl.activity'
    __string__ = "Community Activity"
    _rec_name_search = ['name', 'community']
    _history = True

    _states = {'readonly': Eval('state').in_(['done', 'cancelled'])}

    plan = fields.Many2One(
        'cus.osl.plan', "Plan", required=True, ondelete='CASCADE',
        domain=[('state', '!=', 'evaluated')],
        states={'readonly': Eval('state') != 'draft'})
    community = fields.Many2One(
        'cus.osl.community', "Community", ondelete='RESTRICT',
        domain=[('plans', '=', Eval('plan', -1))], states=_states,
        help="Leave empty for a city-wide activity.")
    goal = fields.Many2One(
        'cus.osl.plan.goal', "Operational Goal", ondelete='SET NULL',
        domain=[('plan', '=', Eval('plan', -1))], states=_states)
    name = fields.Char("Activity", required=True, states=_states)
    description = fields.Text("Description", states=_states)
    area = fields.Selection(
        AREAS, "Area of Action", required=True, sort=False, states=_states)
    realisers = fields.One2Many(
        'cus.osl.activity.realiser', 'activity', "Realisers",
        states=_states)
    realisers_label = fields.Function(
        fields.Char("Realisers"), 'get_realisers_label')
    quarters = fields.Many2Many(
        'cus.osl.activity-cus.osl.quarter', 'activity', 'quarter',
        "Planned Quarters", states=_states,
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
    planned_date = fields.Date(
        "Planned Date", states=_states,
        help="The day of the activity when it is known.")
    date = fields.Date(
        "Date", readonly=True,
        help="The day the activity was done, else the planned day, else the "
        "first day of its first planned quarter: the date of the calendar.")
    done_date = fields.Date(
        "Done On",
        states={
            'readonly': Eval('state') == 'cancelled',
            'required': Eval('state') == 'done',
            })
    participants = fields.Integer(
        "Participants",
        domain=['OR',
            ('participants', '=', None),
            ('participants', '>=', 0),
            ],
        states={'readonly': Eval('state') == 'cancelled'},
        help="How many people took part, counted at the activity.")
    participations = fields.One2Many(
        'cus.osl.activity.participation', 'activity', "Registered People",
        states={'readonly': Eval('state') == 'cancelled'},
        help="The people registered or referred by their coordinators.")
    registered_participants = fields.Function(
        fields.Integer(
            "Attended", help="The registered people who attended."),
        'get_registered_participants')
    results = fields.Text(
        "Results", states={'readonly': Eval('state') == 'cancelled'})
    photos = fields.One2Many(
        'ir.attachment', 'resource', "Photos and Documents",
        help="The photo documentation and the other files of the activity.")
    photo_count = fields.Function(
        fields.Integer("Photos and Documents"), 'get_photo_count')
    volunteer_hours = fields.One2Many(
        'cus.osl.volunteer.hours', 'activity', "Volunteer Hours",
        readonly=True)
    volunteer_hours_total = fields.Function(
        fields.Float("Volunteer Hours", digits=(16, 2)),
        'get_volunteer_hours_total')
    origin = fields.Many2One(
        'cus.osl.activity', "Previous Year's Activity", readonly=True,
        ondelete='SET NULL',
        help="The activity this one continues in the yearly re-planning.")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.plan, Index.Range())),
                Index(t, (t.community, Index.Range())),
                Index(t, (t.date, Index.Range())),
                Index(t, (t.done_date, Index.Range())),
                Index(t, (t.origin, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'planned'])),
                })
        cls._order = [
            ('date', 'ASC NULLS LAST'), ('plan', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('draft', 'planned'),
            ('draft', 'done'),
            ('planned', 'done'),
            ('draft', 'cancelled'),
            ('planned', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'icon': 'tryton-clear',
                    'depends': ['state'],
                    },
                'schedule': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': ~Eval('state').in_(['draft', 'planned']),
                    'readonly': Eval('plan_state') != 'running',
                    'icon': 'tryton-ok',
                    'depends': ['state', 'plan_state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', 'planned']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_area(cls):
        return 'animation'

    @fields.depends('plan', '_parent_plan.start_date')
    def on_change_with_plan_start_date(self, name=None):
        return self.plan.start_date if self.plan else None

    @fields.depends('plan', '_parent_plan.end_date')
    def on_change_with_plan_end_date(self, name=None):
        return self.plan.end_date if self.plan else None

    def get_rec_name(self, name):
        if self.community:
            return f'{self.name} ({self.community.rec_name})'
        return self.name

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'cancelled', 'muted',
                    If(Eval('state') == 'done', 'success', ''))),
            ]

    @classmethod
    def get_quarters_label(cls, activities, name):
        return {a.id: quarters_label(a.quarters) for a in activities}

    @classmethod
    def get_realisers_label(cls, activities, name):
        return {
            a.id: ', '.join(r.rec_name for r in a.realisers)
            for a in activities}

    @classmethod
    def get_registered_participants(cls, activities, name):
        pool = Pool()
        Participation = pool.get('cus.osl.activity.participation')
        participation = Participation.__table__()
        cursor = Transaction().connection.cursor()
        ids = [a.id for a in activities]
        result = dict.fromkeys(ids, 0)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*participation.select(
                    participation.activity, Count(participation.id),
                    where=SQL_OPERATORS['in'](
                        participation.activity, list(sub_ids))
                    & (participation.attended == Literal(True)),
                    group_by=[participation.activity]))
            result.update(cursor)
        return result

    @classmethod
    def get_photo_count(cls, activities, name):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        attachment = Attachment.__table__()
        cursor = Transaction().connection.cursor()
        resources = {f'{cls.__name__},{a.id}': a.id for a in activities}
        result = dict.fromkeys(resources.values(), 0)
        for sub_resources in grouped_slice(
                list(resources), backend.MAX_QUERY_PARAMS):
            cursor.execute(*attachment.select(
                    attachment.resource, Count(attachment.id),
                    where=SQL_OPERATORS['in'](
                        attachment.resource, list(sub_resources)),
                    group_by=[attachment.resource]))
            for resource, count in cursor:
                result[resources[resource]] = count
        return result

    @classmethod
    def get_volunteer_hours_total(cls, activities, name):
        pool = Pool()
        Hours = pool.get('cus.osl.volunteer.hours')
        hours = Hours.__table__()
        cursor = Transaction().connection.cursor()
        ids = [a.id for a in activities]
        result = dict.fromkeys(ids, 0.0)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*hours.select(
                    hours.activity, Sum(hours.hours),
                    where=SQL_OPERATORS['in'](hours.activity, list(sub_ids)),
                    group_by=[hours.activity]))
            for activity_id, value in cursor:
                result[activity_id] = round(float(value or 0), 2)
        return result

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names)
        if field_names is None or field_names & {
                'done_date', 'planned_date', 'quarters'}:
            date = self.done_date or self.planned_date
            if not date and self.quarters:
                date = min(q.start_date for q in self.quarters)
            if self.date != date:
                values['date'] = date
        return values

    @classmethod
    def validate_fields(cls, activities, field_names):
        super().validate_fields(activities, field_names)
        if field_names & {'done_date', 'plan'}:
            cls.check_done_date(activities)

    @classmethod
    def check_done_date(cls, activities):
        Date = Pool().get('ir.date')
        today = Date.today()
        for activity in activities:
            done_date = activity.done_date
            if not done_date:
                continue
            if done_date > today:
                raise ActivityValidationError(gettext(
                        'cus_osl.msg_activity_done_future',
                        activity=activity.rec_name,
                        date=done_date.strftime('%d.%m.%Y')))
            plan = activity.plan
            if not (plan.start_date <= done_date <= plan.end_date):
                raise ActivityValidationError(gettext(
                        'cus_osl.msg_activity_done_outside_plan',
                        activity=activity.rec_name,
                        plan=plan.rec_name,
                        date=done_date.strftime('%d.%m.%Y')))

    @classmethod
    def check_modification(cls, mode, activities, values=None,
            external=False):
        super().check_modification(
            mode, activities, values=values, external=external)
        if mode == 'delete':
            for activity in activities:
                if activity.state not in {'draft', 'cancelled'}:
                    raise ActivityDeleteError(gettext(
                            'cus_osl.msg_activity_delete',
                            activity=activity.rec_name))

    @classmethod
    def copy(cls, activities, default=None):
        default = default.copy() if default is not None else {}
        for name in ['done_date', 'participants', 'results', 'date',
                'origin']:
            default.setdefault(name, None)
        default.setdefault('participations', None)
        default.setdefault('photos', None)
        default.setdefault('volunteer_hours', None)
        return super().copy(activities, default=default)

    def _next_year_values(self, quarters):
        "The values of this activity as a draft of the next year's schedule"
        return {
            'plan': self.plan.id,
            'community': self.community.id if self.community else None,
            'goal': self.goal.id if self.goal else None,
            'name': self.name,
            'description': self.description,
            'area': self.area,
            'realisers': [('create', [
                            r._next_year_values() for r in self.realisers])],
            'quarters': [('add', [q.id for q in quarters])],
            'origin': self.id,
            'state': 'draft',
            }

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, activities):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def schedule(cls, activities):
        "Put the activity in the schedule, in a quarter at least"
        pool = Pool()
        Quarter = pool.get('cus.osl.quarter')
        to_write = []
        for activity in activities:
            if activity.quarters:
                continue
            if not activity.planned_date:
                raise ActivityError(gettext(
                        'cus_osl.msg_activity_no_quarter',
                        activity=activity.rec_name))
            quarter = Quarter.of_date(activity.planned_date)
            to_write.extend([[activity], {
                        'quarters': [('add', [quarter.id])]}])
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, activities):
        "Record the activity as done, today unless its date is given"
        Date = Pool().get('ir.date')
        for activity in activities:
            if activity.plan.state != 'running':
                raise ActivityError(gettext(
                        'cus_osl.msg_activity_plan_not_running',
                        activity=activity.rec_name,
                        plan=activity.plan.rec_name))
        undated = [a for a in activities if not a.done_date]
        if undated:
            cls.write(undated, {'done_date': Date.today()})
        cls.check_done_date(activities)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, activities):
        pass


class ActivityQuarter(ModelSQL):
    "Planned quarter of an activity"
    __name__ = 'cus.osl.activity-cus.osl.quarter'
    activity = fields.Many2One(
        'cus.osl.activity', "Activity", required=True, ondelete='CASCADE')
    quarter = fields.Many2One(
        'cus.osl.quarter', "Quarter", required=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('activity')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.activity, Index.Range())),
                Index(t, (t.quarter, Index.Range())),
                })


class ActivityRealiser(sequence_ordered(), ModelSQL, ModelView):
    "Who carries out an activity"
    __name__ = 'cus.osl.activity.realiser'
    __string__ = "Activity Realiser"

    activity = fields.Many2One(
        'cus.osl.activity', "Activity", required=True, ondelete='CASCADE')
    kind = fields.Selection(
        REALISER_KINDS, "Kind", required=True, sort=False)
    employee = fields.Many2One(
        'company.employee', "Employee", ondelete='RESTRICT',
        states={'invisible': Eval('kind') != 'staff'})
    party = fields.Many2One(
        'party.party', "Party", ondelete='RESTRICT',
        states={'invisible': Eval('kind') == 'staff'},
        help="The partner, the expert, the animator, the leader or the "
        "volunteer.")
    description = fields.Char(
        "Description", help="E.g. \"KOOWES\", \"Parafia Łazy\".")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('activity')
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.activity, Index.Range())))

    @classmethod
    def default_kind(cls):
        return 'staff'

    @fields.depends('kind', 'employee', 'party')
    def on_change_kind(self):
        if self.kind == 'staff':
            self.party = None
        else:
            self.employee = None

    def get_rec_name(self, name):
        kinds = dict(self.fields_get(['kind'])['kind']['selection'])
        label = kinds.get(self.kind, '')
        who = self.employee or self.party
        details = [d for d in [
                who.rec_name if who else None, self.description] if d]
        if details:
            return '%s: %s' % (label, ', '.join(details))
        return label

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('employee.rec_name', operator, operand, *extra),
            ('party.rec_name', operator, operand, *extra),
            ('description', operator, operand, *extra),
            ]

    def _next_year_values(self):
        return {
            'sequence': self.sequence,
            'kind': self.kind,
            'employee': self.employee.id if self.employee else None,
            'party': self.party.id if self.party else None,
            'description': self.description,
            }


class Participation(ServerFieldsCopyMixin, ModelSQL, ModelView):
    """A person registered for an activity, e.g. a client referred by the
    coordinator of the client's individual plan"""
    __name__ = 'cus.osl.activity.participation'
    __string__ = "Activity Participation"

    activity = fields.Many2One(
        'cus.osl.activity', "Activity", required=True, ondelete='CASCADE',
        domain=[('state', 'in', ['draft', 'planned', 'done'])])
    party = fields.Many2One(
        'party.party', "Person", required=True, ondelete='RESTRICT')
    attended = fields.Boolean(
        "Attended", help="Ticked when the person took part.")
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('activity_party_unique', Unique(t, t.activity, t.party),
                'cus_osl.msg_participation_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.activity, Index.Range())),
                Index(t, (t.party, Index.Range())),
                })

    @classmethod
    def default_attended(cls):
        return False

    def get_rec_name(self, name):
        return f'{self.party.rec_name} – {self.activity.rec_name}'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') or operator.startswith(
            'not ') else 'OR'
        return [bool_op,
            ('party.rec_name', operator, operand, *extra),
            ('activity.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def check_modification(cls, mode, participations, values=None,
            external=False):
        super().check_modification(
            mode, participations, values=values, external=external)
        for participation in participations:
            if participation.activity.plan.state == 'evaluated':
                raise ActivityError(gettext(
                        'cus_osl.msg_plan_evaluated_modify',
                        plan=participation.activity.plan.rec_name))


class Board(ModelSQL, ModelView):
    """Planned and done activities by community, quarter and area

    Planned: the activities (not cancelled) planned for the quarter. Done:
    those of them done by the end of the quarter. Done in the quarter: the
    activities whose done date falls in the quarter, planned for it or not;
    participants are theirs.
    """
    __name__ = 'cus.osl.board'
    __string__ = "Planned and Done Activities by Quarter"

    plan = fields.Many2One('cus.osl.plan', "Plan")
    community = fields.Many2One('cus.osl.community', "Community")
    quarter = fields.Many2One('cus.osl.quarter', "Quarter")
    year = fields.Integer("Year")
    quarter_number = fields.Integer("Quarter Number")
    period = fields.Char("Period")
    area = fields.Selection(AREAS, "Area of Action", sort=False)
    planned = fields.Integer("Planned")
    done = fields.Integer(
        "Done",
        help="The activities planned for the quarter and done by its end.")
    done_in_quarter = fields.Integer(
        "Done in the Quarter",
        help="The activities done in the quarter, planned for it or not.")
    participants = fields.Integer(
        "Participants",
        help="The participants of the activities done in the quarter.")
    activities = fields.Function(
        fields.Many2Many('cus.osl.activity', None, None, "Activities"),
        'get_activities')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('year', 'ASC'), ('quarter_number', 'ASC'),
            ('community', 'ASC NULLS FIRST'), ('area', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        ActivityQuarter = pool.get('cus.osl.activity-cus.osl.quarter')
        Quarter = pool.get('cus.osl.quarter')
        context = Transaction().context
        activity = Activity.__table__()
        planned_quarter = ActivityQuarter.__table__()
        quarter = Quarter.__table__()

        where = Literal(True)
        if context.get('plan'):
            where &= activity.plan == context['plan']
        if context.get('community'):
            where &= activity.community == context['community']

        # One row per planned quarter of an activity (even row ids) and one
        # per done activity in the quarter of its done date (odd row ids).
        planned = (planned_quarter
            .join(activity, condition=planned_quarter.activity == activity.id)
            .join(quarter, condition=planned_quarter.quarter == quarter.id)
            .select(
                (planned_quarter.id * 2).as_('row_id'),
                activity.plan.as_('plan'),
                activity.community.as_('community'),
                quarter.id.as_('quarter'),
                activity.area.as_('area'),
                Literal(1).as_('planned'),
                Case(((activity.state == 'done')
                        & (activity.done_date <= quarter.end_date), 1),
                    else_=0).as_('done'),
                Literal(0).as_('done_in_quarter'),
                Literal(0).as_('participants'),
                where=where & (activity.state != 'cancelled')))
        done = (activity
            .join(quarter, condition=(activity.done_date >= quarter.start_date)
                & (activity.done_date <= quarter.end_date))
            .select(
                (activity.id * 2 + 1).as_('row_id'),
                activity.plan.as_('plan'),
                activity.community.as_('community'),
                quarter.id.as_('quarter'),
                activity.area.as_('area'),
                Literal(0).as_('planned'),
                Literal(0).as_('done'),
                Literal(1).as_('done_in_quarter'),
                Coalesce(activity.participants, 0).as_('participants'),
                where=where & (activity.state == 'done')))
        rows = Union(planned, done, all_=True)
        quarter = Quarter.__table__()
        where = Literal(True)
        if context.get('year'):
            where &= quarter.year == context['year']
        return (rows
            .join(quarter, condition=rows.quarter == quarter.id)
            .select(
                Min(rows.row_id).as_('id'),
                rows.plan.as_('plan'),
                rows.community.as_('community'),
                rows.quarter.as_('quarter'),
                quarter.year.as_('year'),
                quarter.quarter.as_('quarter_number'),
                quarter.code.as_('period'),
                rows.area.as_('area'),
                Sum(rows.planned).as_('planned'),
                Sum(rows.done).as_('done'),
                Sum(rows.done_in_quarter).as_('done_in_quarter'),
                Sum(rows.participants).as_('participants'),
                where=where,
                group_by=[
                    rows.plan, rows.community, rows.quarter, quarter.year,
                    quarter.quarter, quarter.code, rows.area]))

    def get_rec_name(self, name):
        community = (self.community.rec_name if self.community
            else gettext('cus_osl.msg_city_wide'))
        return f'{community} – {self.quarter.rec_name}'

    @classmethod
    def get_activities(cls, rows, name):
        "The activities counted in each row: the drill-down of the board"
        Activity = Pool().get('cus.osl.activity')
        result = {}
        for row in rows:
            quarter = row.quarter
            activities = Activity.search([
                    ('plan', '=', row.plan.id),
                    ('community', '=',
                        row.community.id if row.community else None),
                    ('area', '=', row.area),
                    ['OR',
                        [('quarters', '=', quarter.id),
                            ('state', '!=', 'cancelled')],
                        [('state', '=', 'done'),
                            ('done_date', '>=', quarter.start_date),
                            ('done_date', '<=', quarter.end_date)],
                        ],
                    ])
            result[row.id] = [a.id for a in activities]
        return result


class BoardContext(ModelView):
    "Filter of the board of planned and done activities"
    __name__ = 'cus.osl.board.context'
    __string__ = "Planned and Done Activities Filter"

    plan = fields.Many2One('cus.osl.plan', "Plan")
    community = fields.Many2One(
        'cus.osl.community', "Community",
        domain=[If(Eval('plan'), ('plans', '=', Eval('plan', -1)), ())])
    year = fields.Integer("Year")

    @classmethod
    def default_plan(cls):
        return Transaction().context.get('plan')

    @classmethod
    def default_community(cls):
        return Transaction().context.get('community')

    @classmethod
    def default_year(cls):
        return Transaction().context.get('year')
