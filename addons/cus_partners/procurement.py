# This file is part of the CUS back office.
from collections import defaultdict
from decimal import Decimal

from cus_base.model import RecNameSearchMixin, ServerFieldsCopyMixin
from cus_base.service import COMMISSIONING_MODES

from trytond.exceptions import UserError, UserWarning
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id, If
from trytond.transaction import Transaction

from .provider import PUBLIC_BENEFIT_KINDS

STATES = [
    ('draft', "Draft"),
    ('published', "Published"),
    ('evaluation', "Evaluation"),
    ('awarded', "Awarded"),
    ('closed', "Closed"),
    ('cancelled', "Cancelled"),
    ]
OFFER_STATES = [
    ('submitted', "Submitted"),
    ('rejected', "Rejected"),
    ]
CRITERION_KINDS = [
    ('price', "Price"),
    ('quality', "Quality"),
    ('social', "Social"),
    ]

# Modes run as a procedure with a public notice, an offer deadline and
# offers weighed by criteria.
COMPETITIVE_MODES = {'pzp_social', 'coop_15a', 'open_competition'}
# Art. 13 ust. 1 of the public benefit act: the offer deadline is at least
# 21 days after the notice.
OPEN_COMPETITION_NOTICE_DAYS = 21
# Art. 19a of the public benefit act: outside competition at most
# 10 000 zł for a task of at most 90 days, and at most 20 000 zł a calendar
# year to the same organisation.
SMALL_GRANT_MAX_VALUE = Decimal('10000')
SMALL_GRANT_MAX_DAYS = 90
SMALL_GRANT_YEAR_MAX_VALUE = Decimal('20000')


class ProcurementError(UserError):
    pass


class ProcurementValidationError(ValidationError):
    pass


class ProcurementAccessError(AccessError):
    pass


class ProcurementWarning(UserWarning):
    pass


def _amount(value):
    return '{:,.2f}'.format(value).replace(',', ' ').replace('.', ',')


def _date(value):
    return value.strftime('%d.%m.%Y')


class Configuration(metaclass=PoolMeta):
    __name__ = 'cus.configuration'

    procurement_sequence = fields.Many2One(
        'ir.sequence', "Procurement Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('cus_partners', 'sequence_type_procurement')),
            ],
        help="Numbers the procurements when they are published.")

    @classmethod
    def default_procurement_sequence(cls):
        ModelData = Pool().get('ir.model.data')
        try:
            return ModelData.get_id('cus_partners', 'sequence_procurement')
        except KeyError:
            return None


class Procurement(
        ServerFieldsCopyMixin, RecNameSearchMixin, Workflow, ModelSQL,
        ModelView):
    "Procedure that commissions social services from providers"
    __name__ = 'cus.procurement'
    __string__ = "Procurement"
    _rec_name_search = ['number', 'name']
    _rec_name = 'name'

    _states = {'readonly': Eval('state') != 'draft'}

    number = fields.Char("Number", readonly=True)
    name = fields.Char("Name", required=True, states=_states)
    mode = fields.Selection(
        COMMISSIONING_MODES, "Commissioning Mode", required=True, sort=False,
        states=_states)
    programme = fields.Many2One(
        'cus.programme', "Programme", ondelete='RESTRICT', states=_states,
        help="The programme of social services the procurement carries out.")
    publication_date = fields.Date(
        "Publication Date", states=_states,
        help="The day the notice was published (BIP, notice board, "
        "website).")
    offer_deadline = fields.Date(
        "Offer Deadline", states=_states,
        domain=[
            If(Eval('publication_date') & Eval('offer_deadline'),
                ('offer_deadline', '>=', Eval('publication_date')),
                ()),
            ],
        help="The last day for the offers.")
    start_date = fields.Date(
        "Task Start", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ],
        help="The first day of the task commissioned.")
    end_date = fields.Date(
        "Task End", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ],
        help="The last day of the task commissioned.")
    estimated_value = fields.Numeric(
        "Estimated Value", digits=(16, 2), states=_states,
        domain=['OR', ('estimated_value', '=', None),
            ('estimated_value', '>=', 0)],
        help="The amount the CUS intends to spend, in zł.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    social_clauses = fields.Text(
        "Social Clauses",
        states={
            'readonly': Eval('state') != 'draft',
            'invisible': Eval('mode') != 'pzp_social',
            'required': ((Eval('mode') == 'pzp_social')
                & (Eval('state') != 'draft')),
            },
        help="The social clauses and aspects of the procedure, e.g. "
        "employment of persons at risk of exclusion (art. 96 PZP) or "
        "a procedure reserved for social economy entities (art. 94 PZP).")
    lots = fields.One2Many(
        'cus.procurement.lot', 'procurement', "Lots", states=_states)
    criteria = fields.One2Many(
        'cus.procurement.criterion', 'procurement', "Criteria",
        states=_states,
        help="The evaluation criteria; their weights must sum to 100%.")
    criteria_weight = fields.Function(
        fields.Numeric("Total Weight", digits=(5, 2)),
        'on_change_with_criteria_weight')
    commission = fields.Many2Many(
        'cus.procurement-company.employee', 'procurement', 'employee',
        "Evaluation Commission",
        states={
            'readonly': ~Eval('state').in_(['draft', 'published']),
            },
        help="The staff members who evaluate the offers.")
    ngo_representatives = fields.One2Many(
        'cus.procurement.ngo.representative', 'procurement',
        "NGO Representatives",
        states={
            'readonly': ~Eval('state').in_(['draft', 'published']),
            'invisible': Eval('mode') != 'open_competition',
            },
        help="The persons representing non-governmental organisations in "
        "the commission (art. 15 ust. 2a of the public benefit act).")
    offers = fields.One2Many(
        'cus.procurement.offer', 'procurement', "Offers",
        states={
            'readonly': ~Eval('state').in_(['published', 'evaluation']),
            })
    contracts = fields.One2Many(
        'cus.contract', 'procurement', "Contracts", readonly=True)
    awarded_value = fields.Function(
        fields.Numeric("Awarded Value", digits=(16, 2)),
        'get_awarded_value')
    award_date = fields.Date("Award Date", readonly=True)
    awarded_by = fields.Many2One('res.user', "Awarded By", readonly=True)
    cancel_reason = fields.Text(
        "Cancellation Reason",
        states={
            'readonly': Eval('state').in_(['cancelled', 'closed']),
            'invisible': Eval('state') == 'draft',
            })
    notes = fields.Text("Notes")
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.number, Index.Similarity())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'published', 'evaluation'])),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'published'),
            ('published', 'evaluation'),
            ('evaluation', 'awarded'),
            ('awarded', 'closed'),
            ('draft', 'cancelled'),
            ('published', 'cancelled'),
            ('evaluation', 'cancelled'),
            }
        cls._buttons.update({
                'publish': {
                    'invisible': Eval('state') != 'draft',
                    'readonly': ~Eval('lots', []),
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'evaluate': {
                    'invisible': Eval('state') != 'published',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'award': {
                    'invisible': Eval('state') != 'evaluation',
                    'readonly': ~Eval('offers', []),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'awarded',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'published', 'evaluation']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_mode(cls):
        return 'pzp_social'

    @classmethod
    def get_currency(cls, procurements, name):
        return Pool().get('cus.service').get_currency(procurements, name)

    @fields.depends('criteria')
    def on_change_with_criteria_weight(self, name=None):
        return sum(
            (c.weight or Decimal(0) for c in self.criteria or []),
            Decimal(0))

    @classmethod
    def get_awarded_value(cls, procurements, name):
        result = {}
        for procurement in procurements:
            offers = [o for o in procurement.offers if o.awarded]
            result[procurement.id] = (
                sum((o.total for o in offers), Decimal(0))
                if offers else None)
        return result

    def get_rec_name(self, name):
        if self.number:
            return f'{self.number} {self.name}'
        return self.name

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'cancelled', 'muted', '')),
            ]

    @property
    def task_days(self):
        "The number of days of the task period, both ends included"
        if self.start_date and self.end_date:
            return (self.end_date - self.start_date).days + 1

    @classmethod
    def validate_fields(cls, procurements, field_names):
        super().validate_fields(procurements, field_names)
        cls.check_small_grant(procurements, field_names)
        cls.check_notice_period(procurements, field_names)

    @classmethod
    def check_small_grant(cls, procurements, field_names=None):
        if field_names and not (field_names & {
                    'mode', 'start_date', 'end_date', 'estimated_value'}):
            return
        for procurement in procurements:
            if procurement.mode != 'small_grant':
                continue
            if procurement.task_days > SMALL_GRANT_MAX_DAYS:
                raise ProcurementValidationError(gettext(
                        'cus_partners.msg_procurement_small_grant_days',
                        procurement=procurement.rec_name,
                        days=procurement.task_days,
                        max_days=SMALL_GRANT_MAX_DAYS))
            procurement.check_small_grant_value(procurement.estimated_value)

    def check_small_grant_value(self, value):
        if value is not None and value > SMALL_GRANT_MAX_VALUE:
            raise ProcurementValidationError(gettext(
                    'cus_partners.msg_procurement_small_grant_value',
                    procurement=self.rec_name,
                    value=_amount(value),
                    max_value=_amount(SMALL_GRANT_MAX_VALUE)))

    @classmethod
    def check_notice_period(cls, procurements, field_names=None):
        if field_names and not (field_names & {
                    'mode', 'publication_date', 'offer_deadline'}):
            return
        for procurement in procurements:
            if (procurement.mode == 'open_competition'
                    and procurement.publication_date
                    and procurement.offer_deadline):
                days = (procurement.offer_deadline
                    - procurement.publication_date).days
                if days < OPEN_COMPETITION_NOTICE_DAYS:
                    raise ProcurementValidationError(gettext(
                            'cus_partners.msg_procurement_notice_period',
                            procurement=procurement.rec_name,
                            days=days,
                            min_days=OPEN_COMPETITION_NOTICE_DAYS,
                            publication_date=_date(
                                procurement.publication_date),
                            offer_deadline=_date(
                                procurement.offer_deadline)))

    @classmethod
    def check_modification(cls, mode, procurements, values=None,
            external=False):
        super().check_modification(
            mode, procurements, values=values, external=external)
        if mode == 'delete':
            for procurement in procurements:
                if procurement.state not in {'draft', 'cancelled'}:
                    raise ProcurementAccessError(gettext(
                            'cus_partners.msg_procurement_delete',
                            procurement=procurement.rec_name))

    @classmethod
    def copy(cls, procurements, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'publication_date', 'offer_deadline',
                'offers', 'contracts', 'award_date', 'awarded_by',
                'cancel_reason']:
            default.setdefault(name, None)
        return super().copy(procurements, default=default)

    def check_publishable(self):
        if not self.lots:
            raise ProcurementError(gettext(
                    'cus_partners.msg_procurement_no_lots',
                    procurement=self.rec_name))
        if self.criteria or self.mode in COMPETITIVE_MODES:
            weight = self.on_change_with_criteria_weight()
            if weight != 100:
                raise ProcurementError(gettext(
                        'cus_partners.msg_procurement_criteria_weight',
                        procurement=self.rec_name,
                        weight=format(
                            (weight or Decimal(0)).normalize(), 'f')))
        if self.mode in COMPETITIVE_MODES and not (
                self.publication_date and self.offer_deadline):
            raise ProcurementError(gettext(
                    'cus_partners.msg_procurement_notice_dates',
                    procurement=self.rec_name))
        if self.mode == 'pzp_social' and not (
                self.social_clauses and self.social_clauses.strip()):
            raise ProcurementError(gettext(
                    'cus_partners.msg_procurement_social_clauses',
                    procurement=self.rec_name))
        if self.mode == 'small_grant':
            budget = sum(
                (lot.budget for lot in self.lots if lot.budget is not None),
                Decimal(0))
            self.check_small_grant_value(budget)

    @classmethod
    @ModelView.button
    @Workflow.transition('published')
    def publish(cls, procurements):
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        Sequence = pool.get('ir.sequence')
        Date = pool.get('ir.date')
        today = Date.today()
        for procurement in procurements:
            procurement.check_publishable()
            if not procurement.publication_date:
                procurement.publication_date = today
        # The notice period is checked again with the date of today.
        cls.check_notice_period(procurements)
        to_number = [p for p in procurements if not p.number]
        if to_number:
            sequence = Configuration(1).procurement_sequence
            if not sequence:
                # A database upgraded to this module has none set yet.
                sequence = Sequence(
                    Configuration.default_procurement_sequence())
            for procurement, number in zip(
                    to_number, sequence.get_many(len(to_number))):
                procurement.number = number
        cls.save(procurements)

    @classmethod
    @ModelView.button
    @Workflow.transition('evaluation')
    def evaluate(cls, procurements):
        today = Pool().get('ir.date').today()
        for procurement in procurements:
            deadline = procurement.offer_deadline
            if deadline and deadline > today:
                raise ProcurementError(gettext(
                        'cus_partners.msg_procurement_evaluate_early',
                        procurement=procurement.rec_name,
                        offer_deadline=_date(procurement.offer_deadline)))

    @classmethod
    @ModelView.button
    @Workflow.transition('awarded')
    def award(cls, procurements):
        pool = Pool()
        Contract = pool.get('cus.contract')
        Offer = pool.get('cus.procurement.offer')
        Date = pool.get('ir.date')
        Warning = pool.get('res.user.warning')
        today = Date.today()

        contracts, contract_offers = [], []
        for procurement in procurements:
            winners = procurement.get_winning_offers()
            procurement.check_commission(winners)
            by_provider = defaultdict(list)
            for offer in winners:
                procurement.check_provider(offer.provider)
                by_provider[offer.provider].append(offer)
            if procurement.mode == 'small_grant':
                procurement.check_small_grant_value(
                    sum((o.total for o in winners), Decimal(0)))
                procurement.check_small_grant_year(by_provider)
            over_budget = [o for o in winners
                if o.lot.budget is not None and o.total > o.lot.budget]
            if over_budget:
                key = Warning.format(
                    'cus_procurement_over_budget', over_budget)
                if Warning.check(key):
                    offer = over_budget[0]
                    raise ProcurementWarning(key, gettext(
                            'cus_partners.msg_procurement_over_budget',
                            lot=offer.lot.rec_name,
                            provider=offer.provider.rec_name,
                            total=_amount(offer.total),
                            budget=_amount(offer.lot.budget)))
            for provider, offers in by_provider.items():
                contracts.append(procurement._get_contract(provider, offers))
                contract_offers.append(offers)
        Contract.save(contracts)
        to_write = []
        for contract, offers in zip(contracts, contract_offers):
            to_write.extend([offers, {
                        'awarded': True,
                        'contract': contract.id,
                        }])
        if to_write:
            Offer.write(*to_write)
        cls.write(procurements, {
                'award_date': today,
                'awarded_by': Transaction().user,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, procurements):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, procurements):
        for procurement in procurements:
            if procurement.state != 'draft' and not (
                    procurement.cancel_reason
                    and procurement.cancel_reason.strip()):
                raise ProcurementError(gettext(
                        'cus_partners.msg_procurement_cancel_reason',
                        procurement=procurement.rec_name))

    def get_winning_offers(self):
        "Return the offer that wins each lot"
        winners = []
        for lot in self.lots:
            valid = [o for o in self.offers
                if o.lot == lot and o.state == 'submitted']
            selected = [o for o in valid if o.selected]
            if len(selected) > 1:
                raise ProcurementError(gettext(
                        'cus_partners.msg_procurement_lot_selected',
                        procurement=self.rec_name, lot=lot.rec_name))
            elif selected:
                winners.extend(selected)
                continue
            best = [o for o in valid if o.ranking == 1]
            if not best:
                raise ProcurementError(gettext(
                        'cus_partners.msg_procurement_lot_no_offer',
                        procurement=self.rec_name, lot=lot.rec_name))
            elif len(best) > 1:
                raise ProcurementError(gettext(
                        'cus_partners.msg_procurement_lot_tie',
                        procurement=self.rec_name, lot=lot.rec_name,
                        providers=', '.join(
                            o.provider.rec_name for o in best)))
            winners.extend(best)
        return winners

    def check_provider(self, provider):
        "Check the provider may be awarded in the mode of the procurement"
        pool = Pool()
        Party = pool.get('party.party')
        kind = provider.provider_kind
        kind_string = (
            dict(Party.fields_get(['provider_kind'])['provider_kind'][
                    'selection']).get(kind) or '')
        if self.mode == 'coop_15a' and kind != 'social_cooperative':
            raise ProcurementError(gettext(
                    'cus_partners.msg_procurement_coop_15a',
                    procurement=self.rec_name,
                    provider=provider.rec_name,
                    kind=kind_string))
        if (self.mode in {'open_competition', 'small_grant'}
                and kind not in PUBLIC_BENEFIT_KINDS):
            raise ProcurementError(gettext(
                    'cus_partners.msg_procurement_public_benefit',
                    procurement=self.rec_name,
                    provider=provider.rec_name,
                    kind=kind_string))
        provider.check_accreditation(self.start_date)

    def check_commission(self, winners):
        "Check the commission of an open competition"
        if self.mode != 'open_competition':
            return
        if not self.commission:
            raise ProcurementError(gettext(
                    'cus_partners.msg_procurement_no_commission',
                    procurement=self.rec_name))
        # Art. 15 ust. 2d: no representative of an organisation taking part
        # in the competition may sit in the commission.
        bidders = {o.provider for o in self.offers}
        for representative in self.ngo_representatives:
            if representative.organisation in bidders:
                raise ProcurementError(gettext(
                        'cus_partners.msg_procurement_commission_conflict',
                        procurement=self.rec_name,
                        representative=representative.name,
                        organisation=representative.organisation.rec_name))

    def check_small_grant_year(self, by_provider):
        "Check the yearly total of small grants to each provider"
        pool = Pool()
        Contract = pool.get('cus.contract')
        year = self.start_date.year
        for provider, offers in by_provider.items():
            contracts = Contract.search([
                    ('provider', '=', provider.id),
                    ('mode', '=', 'small_grant'),
                    ('start_date', '>=', self.start_date.replace(
                            month=1, day=1)),
                    ('start_date', '<=', self.start_date.replace(
                            month=12, day=31)),
                    ])
            given = sum(
                (c.value_cap or Decimal(0) for c in contracts), Decimal(0))
            total = given + sum((o.total for o in offers), Decimal(0))
            if total > SMALL_GRANT_YEAR_MAX_VALUE:
                raise ProcurementError(gettext(
                        'cus_partners.msg_procurement_small_grant_year',
                        procurement=self.rec_name,
                        provider=provider.rec_name,
                        year=year,
                        given=_amount(given),
                        total=_amount(total),
                        max_value=_amount(SMALL_GRANT_YEAR_MAX_VALUE)))

    def _get_contract(self, provider, offers):
        "Return the contract for the offers won by the provider"
        pool = Pool()
        Contract = pool.get('cus.contract')
        Line = pool.get('cus.contract.line')
        value = sum((o.total for o in offers), Decimal(0))
        return Contract(
            provider=provider,
            mode=self.mode,
            start_date=self.start_date,
            end_date=self.end_date,
            value_cap=value or None,
            procurement=self,
            lines=[Line(
                    service=o.lot.service,
                    unit_price=o.unit_price,
                    max_quantity=o.lot.quantity,
                    allowed_deviation=o.lot.service.allowed_deviation)
                for o in offers],
            )


class ProcurementEmployee(ModelSQL):
    "Member of the evaluation commission of a procurement"
    __name__ = 'cus.procurement-company.employee'
    procurement = fields.Many2One(
        'cus.procurement', "Procurement", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('procurement')


class ProcurementNgoRepresentative(ModelSQL, ModelView):
    "Representative of an NGO in the evaluation commission"
    __name__ = 'cus.procurement.ngo.representative'
    __string__ = "NGO Representative"
    procurement = fields.Many2One(
        'cus.procurement', "Procurement", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    organisation = fields.Many2One(
        'party.party', "Organisation", ondelete='RESTRICT',
        help="The organisation the person represents; it may not take part "
        "in the competition.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('procurement')


class _ProcurementChildMixin:
    "Child of a procurement that can only change while it is a draft"
    __slots__ = ()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        allowed = {'draft', 'cancelled'} if mode == 'delete' else {'draft'}
        for record in records:
            if record.procurement.state not in allowed:
                raise ProcurementAccessError(gettext(
                        'cus_partners.msg_procurement_modify_draft',
                        procurement=record.procurement.rec_name))


class ProcurementLot(
        RecNameSearchMixin, _ProcurementChildMixin, sequence_ordered(),
        ModelSQL, ModelView):
    "Lot of a procurement"
    __name__ = 'cus.procurement.lot'
    __string__ = "Procurement Lot"
    _rec_name_search = ['service', 'description']

    procurement = fields.Many2One(
        'cus.procurement', "Procurement", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='RESTRICT')
    description = fields.Text("Description")
    quantity = fields.Float(
        "Quantity", digits=(16, 2), required=True,
        domain=[('quantity', '>', 0)],
        help="The quantity of the service to commission.")
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    budget = fields.Numeric(
        "Budget", digits=(16, 2),
        domain=['OR', ('budget', '=', None), ('budget', '>=', 0)],
        help="The value the CUS intends to spend on the lot, in zł.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('procurement')

    @fields.depends('service', '_parent_service.unit')
    def on_change_with_unit(self, name=None):
        return self.service.unit if self.service else None

    @classmethod
    def get_currency(cls, lots, name):
        return Pool().get('cus.service').get_currency(lots, name)

    def get_rec_name(self, name):
        rec_name = self.service.rec_name
        if self.description:
            rec_name += ' - ' + self.description.splitlines()[0]
        return rec_name


class ProcurementCriterion(
        _ProcurementChildMixin, sequence_ordered(), ModelSQL, ModelView):
    "Weighted criterion of evaluation of the offers"
    __name__ = 'cus.procurement.criterion'
    __string__ = "Procurement Criterion"

    procurement = fields.Many2One(
        'cus.procurement', "Procurement", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    kind = fields.Selection(CRITERION_KINDS, "Kind", required=True,
        sort=False,
        help="Price criteria not scored by hand score the lowest price of "
        "the lot 100 and the others in proportion.")
    weight = fields.Numeric(
        "Weight", digits=(5, 2), required=True,
        domain=[('weight', '>', 0), ('weight', '<=', 100)],
        help="In %; the weights of the criteria sum to 100.")
    description = fields.Text("Description")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('procurement')

    @classmethod
    def default_kind(cls):
        return 'quality'


class ProcurementOffer(
        ServerFieldsCopyMixin, RecNameSearchMixin, Workflow, ModelSQL,
        ModelView):
    "Offer of a provider for a lot of a procurement"
    __name__ = 'cus.procurement.offer'
    __string__ = "Procurement Offer"
    _rec_name_search = ['provider', 'lot']

    _states = {
        'readonly': ((Eval('state') != 'submitted')
            | ~Eval('procurement_state').in_(['published', 'evaluation'])),
        }

    procurement = fields.Many2One(
        'cus.procurement', "Procurement", required=True, ondelete='CASCADE',
        states=_states)
    procurement_state = fields.Function(
        fields.Selection(STATES, "Procurement State"),
        'on_change_with_procurement_state')
    lot = fields.Many2One(
        'cus.procurement.lot', "Lot", required=True, ondelete='CASCADE',
        domain=[('procurement', '=', Eval('procurement', -1))],
        states=_states)
    provider = fields.Many2One(
        'party.party', "Provider", required=True, ondelete='RESTRICT',
        domain=[('cus_provider', '=', True)], states=_states)
    unit_price = fields.Numeric(
        "Unit Price", digits=(16, 2), required=True, states=_states,
        domain=[('unit_price', '>=', 0)])
    total = fields.Function(
        fields.Numeric("Total", digits=(16, 2),
            help="The unit price times the quantity of the lot."),
        'on_change_with_total')
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    scores = fields.One2Many(
        'cus.procurement.offer.score', 'offer', "Scores", states=_states)
    weighted_total = fields.Function(
        fields.Numeric("Weighted Score", digits=(16, 2),
            help="The sum of the scores weighted by their criteria."),
        'get_evaluation')
    ranking = fields.Function(
        fields.Integer("Ranking",
            help="The place of the offer in its lot (1 is the best)."),
        'get_evaluation')
    selected = fields.Boolean(
        "Selected", states=_states,
        help="The commission chose this offer for its lot in place of the "
        "best-ranked one.")
    awarded = fields.Boolean("Awarded", readonly=True)
    contract = fields.Many2One('cus.contract', "Contract", readonly=True)
    rejection_reason = fields.Text(
        "Rejection Reason",
        states={
            'readonly': ((Eval('state') == 'rejected')
                | ~Eval('procurement_state').in_(
                    ['published', 'evaluation'])),
            },
        help="Needed to reject the offer.")
    notes = fields.Text("Notes")
    state = fields.Selection(
        OFFER_STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('procurement')
        t = cls.__table__()
        cls._sql_constraints += [
            ('lot_provider_unique', Unique(t, t.lot, t.provider),
                'cus_partners.msg_procurement_offer_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.provider, Index.Range())))
        cls._order = [('lot', 'ASC'), ('id', 'ASC')]
        cls._transitions |= {
            ('submitted', 'rejected'),
            ('rejected', 'submitted'),
            }
        cls._buttons.update({
                'reject': {
                    'invisible': ((Eval('state') != 'submitted')
                        | ~Eval('procurement_state').in_(
                            ['published', 'evaluation'])),
                    'icon': 'tryton-cancel',
                    'depends': ['state', 'procurement_state'],
                    },
                'submit': {
                    'invisible': ((Eval('state') != 'rejected')
                        | ~Eval('procurement_state').in_(
                            ['published', 'evaluation'])),
                    'icon': 'tryton-back',
                    'depends': ['state', 'procurement_state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'submitted'

    @classmethod
    def default_selected(cls):
        return False

    @classmethod
    def default_awarded(cls):
        return False

    @fields.depends('procurement', '_parent_procurement.state')
    def on_change_with_procurement_state(self, name=None):
        return self.procurement.state if self.procurement else None

    @fields.depends('unit_price', 'lot', '_parent_lot.quantity')
    def on_change_with_total(self, name=None):
        if self.unit_price is None or not self.lot or not self.lot.quantity:
            return None
        quantity = Decimal(str(self.lot.quantity))
        return (self.unit_price * quantity).quantize(Decimal('0.01'))

    @classmethod
    def get_currency(cls, offers, name):
        return Pool().get('cus.service').get_currency(offers, name)

    @classmethod
    def get_evaluation(cls, offers, names):
        lots = {o.lot.id for o in offers}
        by_lot = defaultdict(list)
        for offer in cls.search([
                    ('lot', 'in', list(lots)),
                    ('state', '=', 'submitted'),
                    ]):
            by_lot[offer.lot.id].append(offer)
        totals, ranking = {}, {}
        for lot_offers in by_lot.values():
            best_price = min(o.unit_price for o in lot_offers)
            for offer in lot_offers:
                totals[offer.id] = offer._weighted_total(best_price)
            for offer in lot_offers:
                ranking[offer.id] = 1 + sum(
                    1 for o in lot_offers if totals[o.id] > totals[offer.id])
        result = {}
        if 'weighted_total' in names:
            result['weighted_total'] = {o.id: totals.get(o.id) for o in offers}
        if 'ranking' in names:
            result['ranking'] = {o.id: ranking.get(o.id) for o in offers}
        return result

    def price_score(self, best_price):
        "The score of the price: 100 for the lowest, less in proportion"
        if not self.unit_price:
            return Decimal(100)
        return best_price * 100 / self.unit_price

    def _weighted_total(self, best_price):
        price_score = self.price_score(best_price)
        criteria = self.procurement.criteria
        if not criteria:
            total = price_score
        else:
            scores = {s.criterion: s.score for s in self.scores}
            total = Decimal(0)
            for criterion in criteria:
                score = scores.get(criterion)
                if score is None and criterion.kind == 'price':
                    score = price_score
                total += criterion.weight * (score or Decimal(0)) / 100
        return total.quantize(Decimal('0.01'))

    def get_rec_name(self, name):
        return f'{self.provider.rec_name} - {self.lot.rec_name}'

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'rejected', 'muted',
                    If(Eval('awarded', False), 'success', ''))),
            ]

    @classmethod
    def check_modification(cls, mode, offers, values=None, external=False):
        super().check_modification(
            mode, offers, values=values, external=external)
        allowed = {'published', 'evaluation'}
        if mode == 'delete':
            allowed |= {'draft', 'cancelled'}
        for offer in offers:
            if offer.procurement.state not in allowed:
                raise ProcurementAccessError(gettext(
                        'cus_partners.msg_procurement_offer_modify',
                        procurement=offer.procurement.rec_name))

    @classmethod
    def copy(cls, offers, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('awarded', False)
        default.setdefault('contract', None)
        return super().copy(offers, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, offers):
        for offer in offers:
            if not (offer.rejection_reason
                    and offer.rejection_reason.strip()):
                raise ProcurementError(gettext(
                        'cus_partners.msg_procurement_offer_reject_reason',
                        offer=offer.rec_name))
        cls.write(offers, {'selected': False})

    @classmethod
    @ModelView.button
    @Workflow.transition('submitted')
    def submit(cls, offers):
        cls.write(offers, {'rejection_reason': None})


class ProcurementOfferScore(ModelSQL, ModelView):
    "Score of an offer for a criterion"
    __name__ = 'cus.procurement.offer.score'
    __string__ = "Offer Score"

    offer = fields.Many2One(
        'cus.procurement.offer', "Offer", required=True, ondelete='CASCADE')
    procurement = fields.Function(
        fields.Many2One('cus.procurement', "Procurement"),
        'on_change_with_procurement')
    criterion = fields.Many2One(
        'cus.procurement.criterion', "Criterion", required=True,
        ondelete='CASCADE',
        domain=[('procurement', '=', Eval('procurement', -1))])
    weight = fields.Function(
        fields.Numeric("Weight", digits=(5, 2)), 'on_change_with_weight')
    score = fields.Numeric(
        "Score", digits=(5, 2), required=True,
        domain=[('score', '>=', 0), ('score', '<=', 100)],
        help="From 0 to 100.")
    comment = fields.Char("Comment")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('offer')
        t = cls.__table__()
        cls._sql_constraints += [
            ('offer_criterion_unique', Unique(t, t.offer, t.criterion),
                'cus_partners.msg_procurement_score_unique'),
            ]

    @fields.depends('offer', '_parent_offer.procurement')
    def on_change_with_procurement(self, name=None):
        return self.offer.procurement if self.offer else None

    @fields.depends('criterion', '_parent_criterion.weight')
    def on_change_with_weight(self, name=None):
        return self.criterion.weight if self.criterion else None

    @classmethod
    def check_modification(cls, mode, scores, values=None, external=False):
        super().check_modification(
            mode, scores, values=values, external=external)
        allowed = {'published', 'evaluation'}
        if mode == 'delete':
            allowed |= {'draft', 'cancelled'}
        for score in scores:
            procurement = score.offer.procurement
            if procurement.state not in allowed:
                raise ProcurementAccessError(gettext(
                        'cus_partners.msg_procurement_offer_modify',
                        procurement=procurement.rec_name))


class Contract(metaclass=PoolMeta):
    __name__ = 'cus.contract'

    procurement = fields.Many2One(
        'cus.procurement', "Procurement", readonly=True, ondelete='RESTRICT',
        help="The procurement whose award created the contract.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.procurement, Index.Range()),
                where=t.procurement != None))  # noqa: E711

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('procurement', None)
        return super().copy(contracts, default=default)
