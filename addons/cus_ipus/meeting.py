# This file is part of the CUS back office.
from cus_base.model import ServerFieldsCopyMixin
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

STATES = [
    ('draft', "Draft"),
    ('held', "Held"),
    ]


class MeetingError(UserError):
    pass


class MeetingDeleteError(AccessError):
    pass


def quarter_of(date):
    return (date.month - 1) // 3 + 1


class CoordinationMeeting(
        ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "The quarterly meeting of the organiser with the coordinators"
    __name__ = 'cus.coordination.meeting'
    __string__ = "Coordination Meeting"
    _rec_name = 'topics'

    _states = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    date = fields.Date("Date", required=True, states=_states)
    year = fields.Integer("Year", readonly=True)
    quarter = fields.Integer(
        "Quarter", readonly=True,
        help="The meetings are held at least every three months "
        "(art. 46 ust. 2 of the act).")
    chaired_by = fields.Many2One(
        'company.employee', "Chaired By", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))], states=_states,
        help="Usually the organiser of social services.")
    topics = fields.Text(
        "Topics", states=_states,
        help="E.g. the course of the plans, the cooperation with the "
        "providers of the programme.")
    attendees = fields.Many2Many(
        'cus.coordination.meeting-company.employee', 'meeting', 'employee',
        "Attendees", domain=[('company', '=', Eval('company', -1))],
        states=_states,
        help="The attendance list.")
    providers = fields.Many2Many(
        'cus.coordination.meeting-party.party', 'meeting', 'party',
        "Invited Providers", states=_states)
    plans = fields.Many2Many(
        'cus.coordination.meeting-cus.ipus', 'meeting', 'plan',
        "Plans Discussed", states=_states)
    minutes = fields.Text("Minutes", states=_states)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'held'),
            ('held', 'draft'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'held',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'hold': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
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
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_chaired_by(cls):
        return Transaction().context.get('employee')

    @fields.depends('date')
    def on_change_date(self):
        if self.date:
            self.year = self.date.year
            self.quarter = quarter_of(self.date)

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or 'date' in field_names:
            year = self.date.year if self.date else None
            quarter = quarter_of(self.date) if self.date else None
            if getattr(self, 'year', None) != year:
                values['year'] = year
            if getattr(self, 'quarter', None) != quarter:
                values['quarter'] = quarter
        return values

    def get_rec_name(self, name):
        # Not from the stored fields: they are computed after validation.
        return gettext('cus_ipus.msg_meeting_rec_name',
            quarter=quarter_of(self.date), year=self.date.year,
            date=self.date.strftime('%d.%m.%Y'))

    @classmethod
    def check_modification(cls, mode, meetings, values=None, external=False):
        super().check_modification(
            mode, meetings, values=values, external=external)
        if mode == 'delete':
            for meeting in meetings:
                if meeting.state != 'draft':
                    raise MeetingDeleteError(gettext(
                            'cus_ipus.msg_meeting_delete_held',
                            meeting=meeting.rec_name))

    @classmethod
    def copy(cls, meetings, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('minutes', None)
        default.setdefault('attendees', None)
        return super().copy(meetings, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, meetings):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def hold(cls, meetings):
        for meeting in meetings:
            if not meeting.attendees or not meeting.minutes:
                raise MeetingError(gettext(
                        'cus_ipus.msg_meeting_hold_minutes',
                        meeting=meeting.rec_name))


class CoordinationMeetingAttendee(ModelSQL):
    "Attendee of a coordination meeting"
    __name__ = 'cus.coordination.meeting-company.employee'
    meeting = fields.Many2One(
        'cus.coordination.meeting', "Meeting", required=True,
        ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')


class CoordinationMeetingProvider(ModelSQL):
    "Provider invited to a coordination meeting"
    __name__ = 'cus.coordination.meeting-party.party'
    meeting = fields.Many2One(
        'cus.coordination.meeting', "Meeting", required=True,
        ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Provider", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')


class CoordinationMeetingPlan(ModelSQL):
    "Plan discussed at a coordination meeting"
    __name__ = 'cus.coordination.meeting-cus.ipus'
    meeting = fields.Many2One(
        'cus.coordination.meeting', "Meeting", required=True,
        ondelete='CASCADE')
    plan = fields.Many2One(
        'cus.ipus', "Plan", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')
