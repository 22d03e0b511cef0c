# This file is part of the CUS back office.
"""Silent help (cicha pomoc): donations outside the CUS budget

An entrepreneur or a private person funds, in money or in kind, a service
adapted to a person whom the CUS diagnosed and pointed out (typically one
above the income criterion). The donation is recorded with the client and
the service it funds; it never counts on a budget.
"""
from cus_base.model import RecNameSearchMixin

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval, If

KINDS = [
    ('money', "Money"),
    ('in_kind', "In Kind"),
    ]


class SponsorshipValidationError(ValidationError):
    pass


class Sponsorship(RecNameSearchMixin, ModelSQL, ModelView):
    "Silent help: a donation outside the budget"
    __name__ = 'cus.sponsorship'
    __string__ = "Silent Help"
    _rec_name_search = ['donor', 'client', 'service']

    donor = fields.Many2One(
        'party.party', "Donor", required=True, ondelete='RESTRICT',
        help="The entrepreneur or private person who gives.")
    date = fields.Date("Date", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False)
    amount = fields.Numeric(
        "Amount", digits=(16, 2),
        domain=[If(Eval('kind') == 'money',
                ('amount', '>', 0),
                ('amount', '=', None))],
        states={
            'invisible': Eval('kind') != 'money',
            'required': Eval('kind') == 'money',
            })
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    description = fields.Text(
        "Description",
        states={'required': Eval('kind') == 'in_kind'},
        help="What is given in kind (or what the money pays for).")
    client = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        domain=[('cus_client', '=', True)],
        help="The person the CUS pointed out to the donor.")
    service = fields.Many2One(
        'cus.service', "Service", ondelete='RESTRICT',
        help="The service the donation funds or supports.")
    start_date = fields.Date(
        "Start Date",
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date",
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.client, Index.Range())),
                Index(t, (t.donor, Index.Range())),
                Index(t, (t.service, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_kind(cls):
        return 'money'

    @fields.depends('kind', 'amount')
    def on_change_kind(self):
        if self.kind != 'money':
            self.amount = None

    @classmethod
    def get_currency(cls, sponsorships, name):
        return Pool().get('cus.service').get_currency(sponsorships, name)

    def get_rec_name(self, name):
        return '%s %s → %s' % (
            self.date.strftime('%d.%m.%Y'), self.donor.rec_name,
            self.client.rec_name)

    @classmethod
    def validate_fields(cls, sponsorships, field_names):
        super().validate_fields(sponsorships, field_names)
        if not field_names or field_names & {'donor', 'client'}:
            for sponsorship in sponsorships:
                if sponsorship.donor == sponsorship.client:
                    raise SponsorshipValidationError(gettext(
                            'cus_partners.msg_sponsorship_donor_client',
                            sponsorship=sponsorship.rec_name))
