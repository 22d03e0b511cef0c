# This file is part of the CUS back office.
"""The community work of cus_osl in the personal data export (art. 15
GDPR): the communities the person belongs to, the activities the person
took part in (with the referral from the plan when cus_ipus is there) and
the volunteering hours given or received."""
from cus_base.subject_access import records_section

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def subject_access_sections(cls, party):
        pool = Pool()
        Member = pool.get('cus.osl.community-client-party.party')
        Volunteer = pool.get('cus.osl.community-volunteer-party.party')
        Participation = pool.get('cus.osl.activity.participation')
        Hours = pool.get('cus.osl.volunteer.hours')
        sections = super().subject_access_sections(party)
        sections.append(records_section(
                gettext('cus_osl.msg_subject_access_communities'), Member,
                Member.search([('client', '=', party.id)]), ['community']))
        sections.append(records_section(
                gettext('cus_osl.msg_subject_access_volunteer_communities'),
                Volunteer, Volunteer.search([('party', '=', party.id)]),
                ['community']))
        # The referral fields exist when cus_ipus is activated.
        referral = [f for f in ['ipus', 'referral_date', 'referred_by']
            if f in Participation._fields]
        sections.append(records_section(
                gettext('cus_osl.msg_subject_access_participations'),
                Participation,
                Participation.search([('party', '=', party.id)]),
                ['activity', 'attended', 'note'] + referral))
        sections.append(records_section(
                gettext('cus_osl.msg_subject_access_volunteering'), Hours,
                Hours.search(['OR',
                        ('volunteer', '=', party.id),
                        ('supported_party', '=', party.id),
                        ], order=[('date', 'ASC'), ('id', 'ASC')]),
                ['date', 'volunteer', 'supported_party', 'hours', 'activity',
                    'description']))
        return sections
