# This file is part of the CUS back office.
from sql import Literal
from sql.aggregate import Count, Sum
from sql.conditionals import Case

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import VolunteerHoursValidationError

SUPPORTER_DOMAIN = ['OR',
    ('osl_volunteer', '=', True),
    ('osl_neighbour', '=', True),
    ('osl_leader', '=', True),
    ]


class VolunteerHours(ModelSQL, ModelView):
    """The hours a volunteer, a neighbour or a leader gave to support a
    person or an activity"""
    __name__ = 'cus.osl.volunteer.hours'
    __string__ = "Volunteer Hours"

    volunteer = fields.Many2One(
        'party.party', "Volunteer", required=True, ondelete='RESTRICT',
        domain=SUPPORTER_DOMAIN)
    date = fields.Date("Date", required=True)
    hours = fields.Float(
        "Hours", digits=(16, 2), required=True,
        domain=[('hours', '>', 0)])
    plan = fields.Many2One(
        'cus.osl.plan', "Plan", ondelete='RESTRICT',
        states={'readonly': Eval('activity', None) != None},  # noqa: E711
        help="Filled from the activity; for the support of a person, the "
        "plan the hours count in.")
    activity = fields.Many2One(
        'cus.osl.activity', "Activity", ondelete='RESTRICT',
        domain=[('state', '!=', 'cancelled')])
    supported_party = fields.Many2One(
        'party.party', "Person Supported", ondelete='RESTRICT',
        help="The resident the volunteer helped, e.g. a senior visited or "
        "accompanied.")
    description = fields.Text("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.date, Index.Range())),
                Index(t, (t.volunteer, Index.Range())),
                Index(t, (t.activity, Index.Range())),
                Index(t, (t.plan, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @fields.depends('activity', '_parent_activity.plan')
    def on_change_activity(self):
        if self.activity:
            self.plan = self.activity.plan

    def get_rec_name(self, name):
        return '%s – %s' % (
            self.volunteer.rec_name, self.date.strftime('%d.%m.%Y'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('volunteer.rec_name',) + tuple(clause[1:])]

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names)
        if (field_names is None or 'activity' in field_names) and (
                self.activity and self.plan != self.activity.plan):
            values['plan'] = self.activity.plan.id
        return values

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names & {'activity', 'supported_party'}:
            for record in records:
                if not record.activity and not record.supported_party:
                    raise VolunteerHoursValidationError(gettext(
                            'cus_osl.msg_hours_no_support',
                            hours=record.rec_name))

    @classmethod
    def _supporters_where(cls, hours, start_date, end_date):
        "The condition of the hours supporting the delivery in a period"
        return ((hours.date >= start_date) & (hours.date <= end_date)
            & ((hours.activity != None)  # noqa: E711
                | (hours.supported_party != None)))  # noqa: E711

    @classmethod
    def count_supporters(cls, start_date, end_date, plan=None):
        """The volunteers and neighbours supporting the delivery of services
        in a period (the Starachowice indicator): the distinct parties with
        hours in the period for a person or an activity, as
        {'total': n, 'volunteers': n, 'neighbours': n, 'leaders': n}; a
        party that is both a volunteer and a neighbour counts once in the
        total"""
        pool = Pool()
        Party = pool.get('party.party')
        cursor = Transaction().connection.cursor()
        hours = cls.__table__()
        party = Party.__table__()
        where = cls._supporters_where(hours, start_date, end_date)
        if plan is not None:
            where &= hours.plan == int(plan)
        supporters = hours.select(
            hours.volunteer.as_('party'), where=where,
            group_by=[hours.volunteer])
        cursor.execute(*supporters
            .join(party, condition=party.id == supporters.party)
            .select(
                Count(party.id),
                Sum(Case((party.osl_volunteer == Literal(True), 1), else_=0)),
                Sum(Case((party.osl_neighbour == Literal(True), 1), else_=0)),
                Sum(Case((party.osl_leader == Literal(True), 1), else_=0)),
                ))
        total, volunteers, neighbours, leaders = cursor.fetchone()
        return {
            'total': total or 0,
            'volunteers': volunteers or 0,
            'neighbours': neighbours or 0,
            'leaders': leaders or 0,
            }

    @classmethod
    def count_supporters_by_plan(cls, plans):
        """{plan id: number of supporters} within the period of each plan,
        counting the hours of the plan"""
        pool = Pool()
        Plan = pool.get('cus.osl.plan')
        cursor = Transaction().connection.cursor()
        hours = cls.__table__()
        plan = Plan.__table__()
        ids = [p.id for p in plans]
        result = dict.fromkeys(ids, 0)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*hours
                .join(plan, condition=hours.plan == plan.id)
                .select(
                    hours.plan, Count(hours.volunteer, distinct=True),
                    where=SQL_OPERATORS['in'](hours.plan, list(sub_ids))
                    & cls._supporters_where(
                        hours, plan.start_date, plan.end_date),
                    group_by=[hours.plan]))
            result.update(cursor)
        return result
