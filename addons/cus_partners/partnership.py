# This file is part of the CUS back office.
from cus_base.model import ServerFieldsCopyMixin
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval, If

from .provider import SECTORS

KINDS = [
    ('formal', "Formal Partnership"),
    ('contracting', "Contracting of Services"),
    ('informal', "Informal Cooperation"),
    ]
MEETING_KINDS = [
    ('information', "Information"),
    ('diagnostic', "Diagnostic"),
    ('service_monitoring', "Service Monitoring"),
    ('problem_solving', "Problem-solving"),
    ('innovative', "Innovative"),
    ]
MEETING_STATES = [
    ('planned', "Planned"),
    ('held', "Held"),
    ]


class PartnershipMeetingError(UserError):
    pass


class PartnershipMeetingDeleteError(AccessError):
    pass


class Partnership(ModelSQL, ModelView):
    "Local partnership of the CUS with the institutions of the three sectors"
    __name__ = 'cus.partnership'
    __string__ = "Partnership"

    name = fields.Char("Name", required=True)
    kind = fields.Selection(
        KINDS, "Kind of Cooperation", required=True, sort=False)
    agreement_date = fields.Date(
        "Agreement Date", help="The day the agreement was signed.")
    agreement_reference = fields.Char(
        "Agreement Reference",
        help="The number of the agreement (porozumienie) or contract.")
    end_date = fields.Date(
        "End Date",
        domain=[
            If(Eval('agreement_date') & Eval('end_date'),
                ('end_date', '>=', Eval('agreement_date')),
                ()),
            ])
    members = fields.Many2Many(
        'cus.partnership.member', 'partnership', 'party', "Members")
    memberships = fields.One2Many(
        'cus.partnership.member', 'partnership', "Members",
        help="The parties of the partnership with their sector and "
        "representative.")
    sectors = fields.Function(
        fields.MultiSelection(
            [s for s in SECTORS if s[0]], "Sectors",
            help="The sectors the members come from."),
        'get_sectors')
    goals = fields.Text("Goals")
    principles = fields.Text(
        "Principles",
        help="E.g. sovereignty of the parties, partnership, efficiency, fair "
        "competition and transparency, subsidiarity.")
    meetings = fields.One2Many(
        'cus.partnership.meeting', 'partnership', "Meetings", readonly=True)
    notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_kind(cls):
        return 'formal'

    @classmethod
    def get_sectors(cls, partnerships, name):
        return {
            p.id: sorted({m.sector for m in p.memberships if m.sector})
            for p in partnerships}

    @classmethod
    def copy(cls, partnerships, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('meetings', None)
        default.setdefault('members', None)
        return super().copy(partnerships, default=default)


class PartnershipMember(ModelSQL, ModelView):
    "Party member of a partnership"
    __name__ = 'cus.partnership.member'
    __string__ = "Partnership Member"

    partnership = fields.Many2One(
        'cus.partnership', "Partnership", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE')
    sector = fields.Selection(
        SECTORS, "Sector", sort=False,
        help="Public administration, NGO and social economy, or business.")
    representative = fields.Char(
        "Representative",
        help="The person who represents the member at the meetings.")
    role = fields.Char("Role", help="E.g. leader, partner, observer.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('partnership')
        t = cls.__table__()
        cls._sql_constraints += [
            ('partnership_party_unique', Unique(t, t.partnership, t.party),
                'cus_partners.msg_partnership_member_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.party, Index.Range())))

    @fields.depends('party', 'sector', '_parent_party.sector')
    def on_change_party(self):
        if self.party and not self.sector:
            self.sector = self.party.sector

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Party = pool.get('party.party')
        values = super().preprocess_values(mode, values)
        # Members added through the Many2Many take the sector of their party.
        if mode == 'create' and not values.get('sector') and values.get(
                'party') is not None and values['party'] >= 0:
            values['sector'] = Party(values['party']).sector
        return values

    def get_rec_name(self, name):
        return self.party.rec_name


class PartnershipMeeting(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "Meeting of a local partnership"
    __name__ = 'cus.partnership.meeting'
    __string__ = "Partnership Meeting"

    _states = {'readonly': Eval('state') != 'planned'}

    partnership = fields.Many2One(
        'cus.partnership', "Partnership", required=True, ondelete='CASCADE',
        states=_states)
    date = fields.Date("Date", required=True, states=_states)
    kind = fields.Selection(
        MEETING_KINDS, "Kind", required=True, sort=False, states=_states)
    attendees = fields.Many2Many(
        'cus.partnership.meeting-party.party', 'meeting', 'party',
        "Attendees", states=_states,
        help="The parties represented at the meeting.")
    agenda = fields.Text("Agenda", states=_states)
    minutes = fields.Text("Minutes", states=_states)
    decisions = fields.Text(
        "Decisions", states=_states,
        help="The decisions and agreements made, one a line.")
    state = fields.Selection(
        MEETING_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('partnership')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.partnership, Index.Range())),
                Index(t, (t.date, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('planned', 'held'),
            ('held', 'planned'),
            }
        cls._buttons.update({
                'plan': {
                    'invisible': Eval('state') != 'held',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'hold': {
                    'invisible': Eval('state') != 'planned',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'planned'

    @classmethod
    def default_kind(cls):
        return 'information'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return '%s, %s' % (
            self.partnership.rec_name, self.date.strftime('%d.%m.%Y'))

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('partnership.rec_name',) + tuple(clause[1:])]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'planned', 'muted', '')),
            ]

    @classmethod
    def check_modification(cls, mode, meetings, values=None, external=False):
        super().check_modification(
            mode, meetings, values=values, external=external)
        if mode == 'delete':
            for meeting in meetings:
                if meeting.state != 'planned':
                    raise PartnershipMeetingDeleteError(gettext(
                            'cus_partners.msg_partnership_meeting_delete',
                            meeting=meeting.rec_name))

    @classmethod
    def copy(cls, meetings, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('minutes', None)
        default.setdefault('decisions', None)
        return super().copy(meetings, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('planned')
    def plan(cls, meetings):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('held')
    def hold(cls, meetings):
        for meeting in meetings:
            if not meeting.attendees or not (
                    meeting.minutes and meeting.minutes.strip()):
                raise PartnershipMeetingError(gettext(
                        'cus_partners.msg_partnership_meeting_hold',
                        meeting=meeting.rec_name))


class PartnershipMeetingAttendee(ModelSQL):
    "Party that attended a partnership meeting"
    __name__ = 'cus.partnership.meeting-party.party'
    meeting = fields.Many2One(
        'cus.partnership.meeting', "Meeting", required=True,
        ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('meeting')
