# This file is part of the CUS back office.
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from sql.aggregate import Count

from cus_base.model import ServerFieldsCopyMixin
from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

KINDS = [
    ('complaint', "Complaint"),
    ('request', "Request"),
    ]
STATES = [
    ('open', "Open"),
    ('answered', "Answered"),
    ]
# The time to answer a complaint or a request (art. 237 of the code of
# administrative procedure)
ANSWER_DELAY = relativedelta(months=1)


class ComplaintValidationError(ValidationError):
    pass


class ComplaintError(UserError):
    pass


class ComplaintDeleteError(AccessError):
    pass


class Complaint(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "A complaint or a request about a service, a provider or the centre"
    __name__ = 'cus.complaint'
    __string__ = "Complaint or Request"
    _rec_name = 'number'

    _states = {'readonly': Eval('state') != 'open'}

    number = fields.Char("Number", readonly=True)
    kind = fields.Selection(
        KINDS, "Kind", required=True, sort=False, states=_states)
    received_date = fields.Date(
        "Received On", required=True, states=_states)
    person = fields.Many2One(
        'party.party', "Person", required=True, ondelete='RESTRICT',
        states=_states, help="Who made the complaint or the request.")
    subject = fields.Char("Subject", required=True, states=_states)
    description = fields.Text("Description", states=_states)
    service = fields.Many2One(
        'cus.service', "Service", ondelete='RESTRICT', states=_states)
    provider = fields.Many2One(
        'party.party', "Provider", ondelete='RESTRICT', states=_states,
        help="The provider concerned; it counts in its quality record.")
    plan = fields.Many2One(
        'cus.ipus', "Plan", ondelete='RESTRICT', states=_states)
    due_date = fields.Date(
        "Due Date", required=True, states=_states,
        help="One month after the receipt, unless the answer is delayed "
        "for a reason given to the person.")
    answer = fields.Text(
        "Answer",
        states={
            'readonly': Eval('state') != 'open',
            'required': Eval('state') == 'answered',
            })
    answer_date = fields.Date(
        "Answered On",
        states={
            'readonly': Eval('state') != 'open',
            'required': Eval('state') == 'answered',
            },
        help="Today when left empty.")
    answered_by = fields.Many2One('res.user', "Answered By", readonly=True)
    overdue = fields.Function(
        fields.Boolean("Overdue"), 'get_overdue', searcher='search_overdue')
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.provider, Index.Range())),
                Index(t, (t.person, Index.Range())),
                Index(t, (t.due_date, Index.Range()),
                    where=t.state == 'open'),
                })
        cls._order = [('received_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'answered'),
            }
        cls._buttons.update({
                'reply': {
                    'invisible': Eval('state') != 'open',
                    'readonly': ~Eval('answer'),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_kind(cls):
        return 'complaint'

    @classmethod
    def default_received_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_due_date(cls):
        return cls.default_received_date() + ANSWER_DELAY

    @fields.depends('received_date')
    def on_change_received_date(self):
        if self.received_date:
            self.due_date = self.received_date + ANSWER_DELAY

    @fields.depends('plan', 'person', '_parent_plan.client')
    def on_change_plan(self):
        if self.plan and not self.person:
            self.person = self.plan.client

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        values = super().preprocess_values(mode, values)
        if mode == 'create':
            if not values.get('number'):
                sequence = Sequence(
                    ModelData.get_id('cus_ipus', 'sequence_complaint'))
                values['number'] = sequence.get()
            if values.get('received_date') and not values.get('due_date'):
                values['due_date'] = values['received_date'] + ANSWER_DELAY
        return values

    @classmethod
    def get_overdue(cls, complaints, name):
        today = Pool().get('ir.date').today()
        return {
            c.id: c.state == 'open' and c.due_date < today
            for c in complaints}

    @classmethod
    def search_overdue(cls, name, clause):
        today = Pool().get('ir.date').today()
        _, operator, value = clause[:3]
        if operator not in {'=', '!='}:
            raise ValueError(f"Unsupported operator {operator!r}")
        if (operator == '=') == bool(value):
            return [('state', '=', 'open'), ('due_date', '<', today)]
        return ['OR', ('state', '!=', 'open'), ('due_date', '>=', today)]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overdue', False), 'danger',
                    If(Eval('state') == 'answered', 'muted', '')),
                ['overdue', 'state']),
            ]

    @classmethod
    def validate_fields(cls, complaints, field_names):
        super().validate_fields(complaints, field_names)
        if field_names & {'received_date', 'due_date', 'answer_date'}:
            for complaint in complaints:
                complaint.check_dates()

    def check_dates(self):
        for date in [self.due_date, self.answer_date]:
            if date and date < self.received_date:
                raise ComplaintValidationError(gettext(
                        'cus_ipus.msg_complaint_date_before_receipt',
                        complaint=self.rec_name,
                        date=date.strftime('%d.%m.%Y'),
                        received=self.received_date.strftime('%d.%m.%Y')))

    @classmethod
    def check_modification(cls, mode, complaints, values=None,
            external=False):
        super().check_modification(
            mode, complaints, values=values, external=external)
        if mode == 'delete':
            for complaint in complaints:
                if complaint.state != 'open':
                    raise ComplaintDeleteError(gettext(
                            'cus_ipus.msg_complaint_delete_answered',
                            complaint=complaint.rec_name))

    @classmethod
    def copy(cls, complaints, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number', None)
        default.setdefault('answer', None)
        default.setdefault('answer_date', None)
        default.setdefault('answered_by', None)
        return super().copy(complaints, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('answered')
    def reply(cls, complaints):
        Date = Pool().get('ir.date')
        today = Date.today()
        to_write = []
        for complaint in complaints:
            if not (complaint.answer or '').strip():
                raise ComplaintError(gettext(
                        'cus_ipus.msg_complaint_answer_required',
                        complaint=complaint.rec_name))
            to_write.extend([[complaint], {
                        'answer_date': complaint.answer_date or today,
                        'answered_by': Transaction().user,
                        }])
        if to_write:
            cls.write(*to_write)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    complaint_count = fields.Function(
        fields.Integer(
            "Complaints",
            help="The complaints (not the requests) naming the party as "
            "provider."),
        'get_complaint_count')

    @classmethod
    def get_complaint_count(cls, parties, name):
        pool = Pool()
        Complaint = pool.get('cus.complaint')
        complaint = Complaint.__table__()
        cursor = Transaction().connection.cursor()
        counts = defaultdict(int)
        for sub_ids in grouped_slice(
                [p.id for p in parties], backend.MAX_QUERY_PARAMS):
            cursor.execute(*complaint.select(
                    complaint.provider, Count(complaint.id),
                    where=SQL_OPERATORS['in'](
                        complaint.provider, list(sub_ids))
                    & (complaint.kind == 'complaint'),
                    group_by=[complaint.provider]))
            counts.update(cursor)
        return {p.id: counts[p.id] for p in parties}
