# This file is part of the CUS back office.
"""The consent given with an online application, recorded on its client"""
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval


class Application(metaclass=PoolMeta):
    __name__ = 'cus.application'

    @classmethod
    def on_modification(cls, mode, applications, field_names=None):
        super().on_modification(mode, applications, field_names=field_names)
        if mode == 'create' or (mode == 'write'
                and field_names & {'client', 'online_consent'}):
            cls.record_online_consents(applications)

    @classmethod
    def record_online_consents(cls, applications):
        """Record, for the client of each application that carried a consent
        given online, the consent to the processing of the application's
        data, unless the client has an active one for that purpose"""
        pool = Pool()
        Consent = pool.get('cus.client.consent')
        carried = [a for a in applications
            if a.online_consent and a.client and a.client.cus_client]
        if not carried:
            return
        existing = Consent.search([
                ('client', 'in', list({a.client.id for a in carried})),
                ('purpose', '=', 'services'),
                ('withdrawn_on', '=', None),
                ])
        recorded = {c.client.id for c in existing}
        to_create = []
        for application in carried:
            if application.client.id in recorded:
                continue
            recorded.add(application.client.id)
            given = (application.online_consent_at.date()
                if application.online_consent_at
                else application.application_date)
            to_create.append({
                    'client': application.client.id,
                    'purpose': 'services',
                    # The form may hold health data: the consent covers them
                    # explicitly (art. 9(2)(a)).
                    'legal_basis': 'art9_2_a',
                    'given_on': given,
                    'channel': 'online',
                    'application': application.id,
                    })
        if to_create:
            Consent.create(to_create)


class ClientConsent(metaclass=PoolMeta):
    __name__ = 'cus.client.consent'

    application = fields.Many2One(
        'cus.application', "Application", readonly=True,
        ondelete='SET NULL',
        states={'invisible': ~Eval('application')},
        help="The online application that carried the consent.")
