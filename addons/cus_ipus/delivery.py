# This file is part of the CUS back office.
from cus_base.model import ServerFieldsCopyMixin
from cus_base.format import format_quantity
from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .exceptions import DeliveryValidationError

STATES = [
    ('reported', "Reported"),
    ('confirmed', "Confirmed"),
    ('rejected', "Rejected"),
    ]


class ServiceDelivery(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "A delivered batch of service units: the one source of used figures"
    __name__ = 'cus.service.delivery'
    __string__ = "Service Delivery"
    _history = True

    _states = {'readonly': Eval('state') != 'reported'}

    date = fields.Date("Date", required=True, states=_states)
    line = fields.Many2One(
        'cus.ipus.line', "Plan Line", ondelete='RESTRICT',
        # The state of the plan is checked by check_line, with a message
        # that says what is wrong.
        domain=[
            If(Bool(Eval('client')), ('plan.client', '=', Eval('client')),
                ()),
            ],
        states={
            'readonly': Eval('state') != 'reported',
            'required': ~Eval('application_line'),
            'invisible': Bool(Eval('application_line')),
            })
    application_line = fields.Many2One(
        'cus.application.line', "Application Line", ondelete='RESTRICT',
        domain=[
            ('application.path', 'in', ['one_off', 'short']),
            If(Bool(Eval('client')),
                ('application.client', '=', Eval('client')), ()),
            ],
        states={
            'readonly': Eval('state') != 'reported',
            'required': ~Eval('line'),
            'invisible': Bool(Eval('line')),
            },
        help="For the one-off and short paths, without a plan.")
    client = fields.Many2One(
        'party.party', "Client", required=True, ondelete='RESTRICT',
        domain=[('cus_client', '=', True)], states=_states)
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='RESTRICT',
        states=_states)
    provider = fields.Many2One(
        'party.party', "Provider", ondelete='RESTRICT', states=_states,
        help="Leave empty when the CUS delivered the service itself.")
    quantity = fields.Float(
        "Quantity", digits=(16, 2), required=True, states=_states,
        domain=[('quantity', '>', 0)])
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    duration = fields.Float(
        "Hours", digits=(16, 2), states=_states,
        domain=['OR', ('duration', '=', None), ('duration', '>', 0)])
    notes = fields.Text("Notes")
    rejection_reason = fields.Text(
        "Rejection Reason",
        states={
            'invisible': Eval('state') != 'rejected',
            'required': Eval('state') == 'rejected',
            })
    reported_by = fields.Many2One('res.user', "Reported By", readonly=True)
    decided_by = fields.Many2One('res.user', "Decided By", readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.line, Index.Range())),
                Index(t, (t.application_line, Index.Range())),
                Index(t, (t.service, Index.Range()),
                    (t.date, Index.Range())),
                Index(t, (t.client, Index.Range())),
                Index(t, (t.provider, Index.Range())),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('reported', 'confirmed'),
            ('reported', 'rejected'),
            ('rejected', 'reported'),
            }
        cls._buttons.update({
                'confirm': {
                    'invisible': Eval('state') != 'reported',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'reported',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'reset': {
                    'invisible': Eval('state') != 'rejected',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'reported'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_reported_by(cls):
        return Transaction().user

    @fields.depends('line', '_parent_line.service', '_parent_line.provider',
        '_parent_line.plan', '_parent_line.unit_duration')
    def on_change_line(self):
        if self.line:
            self.service = self.line.service
            self.client = self.line.plan.client
            self.provider = self.line.provider
            if self.line.unit_duration:
                self.duration = self.line.unit_duration

    @fields.depends('application_line', '_parent_application_line.service',
        '_parent_application_line.application')
    def on_change_application_line(self):
        if self.application_line:
            self.service = self.application_line.service
            self.client = self.application_line.application.client

    @fields.depends('service', '_parent_service.unit')
    def on_change_with_unit(self, name=None):
        return self.service.unit if self.service else None

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.date.strftime('%d.%m.%Y'), self.service.rec_name,
            self.client.rec_name)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'rejected', 'danger',
                    If(Eval('state') == 'reported', 'warning', ''))),
            ]

    @classmethod
    def validate_fields(cls, deliveries, field_names):
        super().validate_fields(deliveries, field_names)
        if not field_names or field_names & {
                'date', 'line', 'application_line', 'quantity', 'service',
                'client', 'duration', 'state'}:
            cls.check_deliveries(
                [d for d in deliveries if d.state != 'rejected'])

    @classmethod
    def check_deliveries(cls, deliveries):
        for delivery in deliveries:
            if delivery.line:
                delivery.check_line()
            elif delivery.application_line:
                delivery.check_application_line()
            else:
                raise DeliveryValidationError(gettext(
                        'cus_ipus.msg_delivery_no_origin',
                        delivery=delivery.rec_name))
        cls.check_granted(deliveries)

    def _error(self, msg_id, **values):
        return DeliveryValidationError(gettext(
                'cus_ipus.' + msg_id, delivery=self.rec_name, **values))

    def check_line(self):
        line = self.line
        plan = line.plan
        if plan.state not in {'approved', 'running'} or line.state != 'open':
            raise self._error('msg_delivery_plan_closed', plan=plan.rec_name)
        if self.service != line.service or self.client != plan.client:
            raise self._error('msg_delivery_mismatch', line=line.rec_name)
        if not (line.start_date <= self.date <= line.end_date):
            raise self._error('msg_delivery_outside_period',
                start=line.start_date.strftime('%d.%m.%Y'),
                end=line.end_date.strftime('%d.%m.%Y'))
        if (line.unit_duration and self.duration
                and self.duration > line.unit_duration * self.quantity):
            raise self._error('msg_delivery_duration',
                limit=format_quantity(line.unit_duration))

    def check_application_line(self):
        app_line = self.application_line
        application = app_line.application
        if application.state != 'qualified' or app_line.state != 'granted':
            raise self._error('msg_delivery_application_not_qualified',
                application=application.rec_name)
        if (self.service != app_line.service
                or self.client != application.client):
            raise self._error('msg_delivery_mismatch',
                line=app_line.rec_name)
        start = app_line.start_date or application.application_date
        if self.date < start or (
                app_line.end_date and self.date > app_line.end_date):
            raise self._error('msg_delivery_outside_period',
                start=start.strftime('%d.%m.%Y'),
                end=(app_line.end_date.strftime('%d.%m.%Y')
                    if app_line.end_date else '…'))

    @classmethod
    def check_granted(cls, deliveries):
        "Deliveries not rejected may not exceed what was granted"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        for field in ['line', 'application_line']:
            origins = {getattr(d, field) for d in deliveries} - {None}
            if not origins:
                continue
            column = getattr(table, field)
            cursor.execute(*table.select(
                    column, Sum(table.quantity),
                    where=column.in_([o.id for o in origins])
                    & (table.state != 'rejected'),
                    group_by=[column]))
            totals = dict(cursor)
            for origin in origins:
                total = totals.get(origin.id) or 0
                if total > origin.quantity + 1e-6:
                    raise DeliveryValidationError(gettext(
                            'cus_ipus.msg_delivery_exceeds_granted',
                            line=origin.rec_name,
                            granted=format_quantity(origin.quantity),
                            total=format_quantity(total)))

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, deliveries):
        cls.write(deliveries, {'decided_by': Transaction().user})

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, deliveries):
        for delivery in deliveries:
            if not delivery.rejection_reason:
                raise DeliveryValidationError(gettext(
                        'cus_ipus.msg_delivery_rejection_reason',
                        delivery=delivery.rec_name))
        cls.write(deliveries, {'decided_by': Transaction().user})

    @classmethod
    @ModelView.button
    @Workflow.transition('reported')
    def reset(cls, deliveries):
        cls.write(deliveries, {'decided_by': None})
