# This file is part of the CUS back office.
"""The legal basis of the processing and the consents of each client

The case data of a client are processed on a legal basis (GDPR art. 6 and
9); some purposes rest on the person's consent, which can be withdrawn at
any time (art. 7(3)). A consent is kept after its withdrawal as the proof of
what was agreed and when.
"""
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval

PURPOSES = [
    ('services', "Provision of Social Services"),
    ('providers', "Sharing Data with Service Providers"),
    ('contact', "Contact by Phone or E-mail"),
    ('surveys', "Satisfaction Surveys"),
    ('image', "Image in Community Activities"),
    ('other', "Other"),
    ]
LEGAL_BASES = [
    ('art6_1_a', "Art. 6(1)(a) GDPR: consent"),
    ('art6_1_c', "Art. 6(1)(c) GDPR: legal obligation (Act of 19 July 2019 "
        "on social services provided by the CUS)"),
    ('art6_1_e', "Art. 6(1)(e) GDPR: public task"),
    ('art9_2_a', "Art. 9(2)(a) GDPR: explicit consent"),
    ('art9_2_g', "Art. 9(2)(g) GDPR: substantial public interest"),
    ('art9_2_h', "Art. 9(2)(h) GDPR: health or social care"),
    ]
# Only these bases rest on the person's will: the others (a law, a public
# task) cannot be withdrawn by the person.
CONSENT_BASES = {'art6_1_a', 'art9_2_a'}
CHANNELS = [
    ('paper', "On Paper"),
    ('online', "Online"),
    ('oral', "Oral (Noted)"),
    ]


class ConsentValidationError(ValidationError):
    pass


class ConsentWithdrawError(UserError):
    pass


class ClientConsent(ModelSQL, ModelView):
    "A legal basis or a consent of a client for one purpose"
    __name__ = 'cus.client.consent'
    __string__ = "Client Consent"
    _history = True

    _states = {'readonly': Bool(Eval('withdrawn_on'))}

    client = fields.Many2One(
        'party.party', "Client", required=True, ondelete='CASCADE',
        domain=[('cus_client', '=', True)], states=_states)
    purpose = fields.Selection(
        PURPOSES, "Purpose", required=True, sort=False, states=_states)
    purpose_string = purpose.translated('purpose')
    purpose_other = fields.Char(
        "Other Purpose",
        states={
            'invisible': Eval('purpose') != 'other',
            'required': Eval('purpose') == 'other',
            'readonly': Bool(Eval('withdrawn_on')),
            })
    legal_basis = fields.Selection(
        LEGAL_BASES, "Legal Basis", required=True, sort=False,
        states=_states)
    legal_basis_string = legal_basis.translated('legal_basis')
    given_on = fields.Date(
        "Given On", required=True, states=_states,
        help="The day the consent was given or the basis recorded.")
    channel = fields.Selection(
        CHANNELS, "How", required=True, sort=False, states=_states,
        help="How the consent was given; keep the signed paper as an "
        "attachment.")
    note = fields.Text("Note", states=_states)
    withdrawn_on = fields.Date("Withdrawn On", readonly=True)
    withdrawable = fields.Function(
        fields.Boolean("Withdrawable"), 'on_change_with_withdrawable')
    state = fields.Function(fields.Selection([
                ('active', "Active"),
                ('withdrawn', "Withdrawn"),
                ], "State"),
        'get_state', searcher='search_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('given_on', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'withdraw': {
                    'invisible': (Bool(Eval('withdrawn_on'))
                        | ~Eval('withdrawable', False)),
                    'icon': 'tryton-cancel',
                    'depends': ['withdrawn_on', 'withdrawable'],
                    },
                })

    @classmethod
    def default_given_on(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_channel(cls):
        return 'paper'

    @classmethod
    def default_legal_basis(cls):
        return 'art6_1_a'

    @fields.depends('legal_basis')
    def on_change_with_withdrawable(self, name=None):
        return self.legal_basis in CONSENT_BASES

    def get_state(self, name):
        return 'withdrawn' if self.withdrawn_on else 'active'

    @classmethod
    def search_state(cls, name, clause):
        _, operator, value = clause
        values = value if isinstance(value, (list, tuple)) else [value]
        if operator in {'!=', 'not in'}:
            values = [v for v in ['active', 'withdrawn'] if v not in values]
        domain = []
        if 'active' in values:
            domain.append(('withdrawn_on', '=', None))
        if 'withdrawn' in values:
            domain.append(('withdrawn_on', '!=', None))
        return ['OR', *domain] if domain else [('id', '=', -1)]

    def get_rec_name(self, name):
        return '%s: %s' % (self.client.rec_name, self.purpose_string)

    @classmethod
    def validate_fields(cls, consents, field_names):
        super().validate_fields(consents, field_names)
        cls.check_one_active(consents, field_names)

    @classmethod
    def check_one_active(cls, consents, field_names=None):
        if field_names and not (
                field_names & {'client', 'purpose', 'withdrawn_on'}):
            return
        active = [c for c in consents if not c.withdrawn_on]
        if not active:
            return
        others = cls.search([
                ('client', 'in', list({c.client.id for c in active})),
                ('purpose', 'in', list({c.purpose for c in active})),
                ('withdrawn_on', '=', None),
                ])
        seen = {}
        for other in others:
            key = (other.client.id, other.purpose)
            if key in seen and seen[key] != other.id:
                raise ConsentValidationError(gettext(
                        'cus_base.msg_consent_one_active',
                        client=other.client.rec_name,
                        purpose=other.purpose_string))
            seen[key] = other.id

    @classmethod
    @ModelView.button
    def withdraw(cls, consents):
        Date = Pool().get('ir.date')
        for consent in consents:
            if consent.legal_basis not in CONSENT_BASES:
                raise ConsentWithdrawError(gettext(
                        'cus_base.msg_consent_not_withdrawable',
                        consent=consent.rec_name,
                        basis=consent.legal_basis_string))
        cls.write(
            [c for c in consents if not c.withdrawn_on],
            {'withdrawn_on': Date.today()})


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    processing_basis = fields.Selection(
        [(None, "")] + LEGAL_BASES, "Legal Basis of the Case Data",
        sort=False, states={'invisible': ~Eval('cus_client', False)},
        help="The basis on which the CUS processes the data of the "
        "client's case.")
    special_processing_basis = fields.Selection(
        [(None, "")] + LEGAL_BASES, "Legal Basis of the Health Data",
        sort=False, states={'invisible': ~Eval('cus_client', False)},
        help="The basis on which the CUS processes the health, disability "
        "and problems data of the client (GDPR art. 9).")
    consents = fields.One2Many(
        'cus.client.consent', 'client', "Consents",
        states={'invisible': ~Eval('cus_client', False)})

    @classmethod
    def default_processing_basis(cls):
        return 'art6_1_c'

    @classmethod
    def default_special_processing_basis(cls):
        return 'art9_2_h'

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/form/notebook/page[@id="cus_privacy"]', 'states', {
                    'invisible': ~Eval('cus_client', False),
                    }),
            ]


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        Consent = Pool().get('cus.client.consent')
        # The purposes, bases and dates stay as the proof of what was agreed;
        # the notes and the signed papers (attachments) go.
        return super().to_erase(party_id) + [
            (Consent, [('client', '=', party_id)], True,
                ['note', 'purpose_other'], [None, None]),
            ]
