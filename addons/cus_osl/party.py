# This file is part of the CUS back office.
from collections import defaultdict

from sql.aggregate import Sum

from trytond import backend
from trytond.model import fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

_supporter_states = {
    'invisible': ~(Eval('osl_volunteer', False)
        | Eval('osl_neighbour', False) | Eval('osl_leader', False)),
    }


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    osl_volunteer = fields.Boolean(
        "Volunteer", help="The person volunteers for the community work.")
    osl_neighbour = fields.Boolean(
        "Neighbour Helper",
        help="A neighbour who supports a resident, e.g. a senior living "
        "nearby; counted with the volunteers in the indicator.")
    osl_leader = fields.Boolean(
        "Local Leader",
        help="An active resident who leads or may lead a group.")
    osl_skills = fields.Text(
        "Skills", states=_supporter_states,
        help="What the person can do for the community.")
    osl_availability = fields.Text(
        "Availability", states=_supporter_states,
        help="When the person can help: days, hours, periods.")
    osl_communities = fields.Many2Many(
        'cus.osl.community-volunteer-party.party', 'party', 'community',
        "Communities", states=_supporter_states)
    osl_hours = fields.One2Many(
        'cus.osl.volunteer.hours', 'volunteer', "Volunteer Hours",
        states=_supporter_states)
    osl_total_hours = fields.Function(
        fields.Float(
            "Total Volunteer Hours", digits=(16, 2),
            states=_supporter_states),
        'get_osl_total_hours')

    @classmethod
    def default_osl_volunteer(cls):
        return Transaction().context.get('osl_volunteer', False)

    @classmethod
    def default_osl_neighbour(cls):
        return False

    @classmethod
    def default_osl_leader(cls):
        return False

    @classmethod
    def get_osl_total_hours(cls, parties, name):
        pool = Pool()
        Hours = pool.get('cus.osl.volunteer.hours')
        hours = Hours.__table__()
        cursor = Transaction().connection.cursor()
        ids = [p.id for p in parties]
        result = defaultdict(float)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*hours.select(
                    hours.volunteer, Sum(hours.hours),
                    where=SQL_OPERATORS['in'](hours.volunteer, list(sub_ids)),
                    group_by=[hours.volunteer]))
            for party_id, value in cursor:
                result[party_id] = float(value or 0)
        return {i: round(result[i], 2) for i in ids}

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('osl_hours', None)
        return super().copy(parties, default=default)


class PartyReplace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('cus.osl.volunteer.hours', 'volunteer'),
            ('cus.osl.volunteer.hours', 'supported_party'),
            ('cus.osl.activity.participation', 'party'),
            ('cus.osl.activity.realiser', 'party'),
            ('cus.osl.community-client-party.party', 'client'),
            ('cus.osl.community-volunteer-party.party', 'party'),
            ]


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Party = pool.get('party.party')
        Hours = pool.get('cus.osl.volunteer.hours')
        Participation = pool.get('cus.osl.activity.participation')
        return super().to_erase(party_id) + [
            (Party, [('id', '=', party_id)], True,
                ['osl_skills', 'osl_availability'],
                [None, None]),
            (Hours, ['OR',
                    ('volunteer', '=', party_id),
                    ('supported_party', '=', party_id),
                    ], True,
                ['description'],
                [None]),
            (Participation, [('party', '=', party_id)], True,
                ['note'],
                [None]),
            ]
