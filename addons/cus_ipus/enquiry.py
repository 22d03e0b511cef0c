# This file is part of the CUS back office.
import datetime as dt

from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.transaction import Transaction

CHANNELS = [
    ('phone', "Phone"),
    ('information_point', "Information Point"),
    ('in_person', "In Person at the Office"),
    ('email', "E-mail"),
    ]
TOPICS = [
    ('catalogue', "Available Services"),
    ('procedure', "How to Apply"),
    ('fees', "Fees and Discounts"),
    ('case', "Own Case"),
    ('other_body', "Matter of Another Body"),
    ('other', "Other"),
    ]


class Enquiry(ModelSQL, ModelView):
    "Register of enquiries and information given (ewidencja zgłoszeń)"
    __name__ = 'cus.enquiry'
    __string__ = "Enquiry"

    date = fields.DateTime("Date", required=True)
    channel = fields.Selection(CHANNELS, "Channel", required=True, sort=False)
    topic = fields.Selection(TOPICS, "Topic", required=True, sort=False)
    person_name = fields.Char(
        "Person", help="Optional: enquiries may be anonymous.")
    client = fields.Many2One(
        'party.party', "Client", ondelete='SET NULL',
        domain=[('cus_client', '=', True)])
    services = fields.Many2Many(
        'cus.enquiry-cus.service', 'enquiry', 'service', "Services")
    information = fields.Text("Information Given")
    referred_to = fields.Char(
        "Referred To", help="The unit or body the person was referred to.")
    application = fields.Many2One(
        'cus.application', "Application", ondelete='SET NULL',
        help="The application that followed the enquiry.")
    user = fields.Many2One(
        'res.user', "Recorded By", readonly=True, required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.date, Index.Range())))
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def default_date(cls):
        return dt.datetime.now().replace(microsecond=0)

    @classmethod
    def default_channel(cls):
        return 'phone'

    @classmethod
    def default_topic(cls):
        return 'catalogue'

    @classmethod
    def default_user(cls):
        return Transaction().user

    def get_rec_name(self, name):
        return ' '.join(filter(None, [
                    self.date.strftime('%Y-%m-%d %H:%M'),
                    self.person_name or (
                        self.client.rec_name if self.client else None)]))


class EnquiryService(ModelSQL):
    __name__ = 'cus.enquiry-cus.service'
    enquiry = fields.Many2One(
        'cus.enquiry', "Enquiry", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='CASCADE')

