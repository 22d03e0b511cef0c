# This file is part of the CUS back office.
"""The orders of cus_partners in the personal data export (art. 15 GDPR):
each order sent a provider the person's data needed for the service, so the
person learns which providers received them (art. 15(1)(c))."""
from cus_base.subject_access import records_section

from trytond.i18n import gettext
from trytond.pool import Pool, PoolMeta


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    @classmethod
    def subject_access_sections(cls, party):
        Order = Pool().get('cus.service.order')
        sections = super().subject_access_sections(party)
        sections.append(records_section(
                gettext('cus_partners.msg_subject_access_orders'), Order,
                Order.search([('client', '=', party.id)],
                    order=[('start_date', 'ASC'), ('id', 'ASC')]),
                ['number', 'provider', 'service', 'start_date', 'end_date',
                    'quantity', 'schedule', 'place', 'notes', 'sent_date',
                    'state']))
        return sections
