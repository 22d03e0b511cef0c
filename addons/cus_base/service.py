# This file is part of the CUS back office.
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction

from .exceptions import ServiceValidationError
from .model import RecNameSearchMixin

CHALLENGES = [
    ('old_age', "Old Age"),
    ('disability', "Disability"),
    ('family_crisis', "Family Crisis"),
    ('social_isolation', "Social Isolation"),
    ]
WEEKDAYS = [
    ('mon', "Monday"),
    ('tue', "Tuesday"),
    ('wed', "Wednesday"),
    ('thu', "Thursday"),
    ('fri', "Friday"),
    ('sat', "Saturday"),
    ('sun', "Sunday"),
    ]
PLACE_TYPES = [
    (None, ""),
    ('home', "Client's Home"),
    ('cus', "CUS Premises"),
    ('provider', "Provider's Premises"),
    ('city', "In the City"),
    ('online', "Remote"),
    ]
FEE_TYPES = [
    ('free', "Free"),
    ('paid', "Paid"),
    ('co_paid', "Co-paid"),
    ]
COMMISSIONING_MODES = [
    ('pzp_social', "Public Procurement (PZP) with Social Clauses"),
    ('coop_15a', "Art. 15a of the Social Cooperatives Act"),
    ('open_competition', "Open Competition (Public Benefit Act)"),
    ('small_grant', "Small Grant outside Competition"),
    ('outside_pzp', "Order outside PZP"),
    ('in_house', "In-house (not commissioned)"),
    ]
REALISER_CATEGORIES = [
    (None, ""),
    ('pes', "Social Economy Entity (PES)"),
    ('jst', "Local Government Unit (JST)"),
    ('pes_jst', "PES or JST"),
    ('jst_pes', "JST or PES"),
    ]
SERVICE_KINDS = [
    (None, ""),
    ('new', "New Service"),
    ('more_volume', "More Volume of an Existing Service"),
    ]
PERIODS = [
    (None, ""),
    ('week', "Week"),
    ('month', "Month"),
    ('year', "Year"),
    ]


def _positive_or_empty(name):
    return ['OR', (name, '=', None), (name, '>', 0)]


class ServicePackage(DeactivableMixin, ModelSQL, ModelView):
    __name__ = 'cus.service.package'
    __string__ = "Service Package"

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True)
    description = fields.Text("Description")
    target_groups = fields.Many2Many(
        'cus.service.package-cus.target.group', 'package', 'target_group',
        "Target Groups")
    areas = fields.Many2Many(
        'cus.service.package-cus.service.area', 'package', 'area',
        "Areas")
    services = fields.One2Many('cus.service', 'package', "Services")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'cus_base.msg_package_code_unique'),
            ]
        cls._order = [('name', 'ASC'), ('id', 'ASC')]


class ServicePackageTargetGroup(ModelSQL):
    __name__ = 'cus.service.package-cus.target.group'
    package = fields.Many2One(
        'cus.service.package', "Package", required=True, ondelete='CASCADE')
    target_group = fields.Many2One(
        'cus.target.group', "Target Group", required=True,
        ondelete='CASCADE')


class ServicePackageArea(ModelSQL):
    __name__ = 'cus.service.package-cus.service.area'
    package = fields.Many2One(
        'cus.service.package', "Package", required=True, ondelete='CASCADE')
    area = fields.Many2One(
        'cus.service.area', "Area", required=True, ondelete='CASCADE')


class Service(
        RecNameSearchMixin, DeactivableMixin, ModelSQL, ModelView):
    "A record of the service base (baza usług)"
    __name__ = 'cus.service'
    __string__ = "Social Service"
    _rec_name_search = ['code', 'name']

    code = fields.Char(
        "Code", readonly=True,
        help="Given from the service sequence when the service is created.")
    name = fields.Char("Name", required=True)
    description = fields.Text("Description")
    goal = fields.Text("Goal")
    package = fields.Many2One(
        'cus.service.package', "Package", ondelete='RESTRICT')
    components = fields.One2Many(
        'cus.service.component', 'service', "Components")
    challenges = fields.MultiSelection(
        CHALLENGES, "Community Challenges", sort=False,
        help="The challenges of the community, from the diagnosis, "
        "that the service answers.")
    areas = fields.Many2Many(
        'cus.service-cus.service.area', 'service', 'area', "Areas",
        help="Areas of social services of art. 2 of the act.")
    target_groups = fields.Many2Many(
        'cus.service-cus.target.group', 'service', 'target_group',
        "Target Groups")
    unit = fields.Many2One(
        'product.uom', "Unit", required=True, ondelete='RESTRICT',
        help="The unit in which the service is granted and counted.")
    providers = fields.Many2Many(
        'cus.service-party.party', 'service', 'party', "Providers",
        help="The entities that deliver the service.")
    realiser_category = fields.Selection(
        REALISER_CATEGORIES, "Realiser Category", sort=False)
    commissioning_modes = fields.MultiSelection(
        COMMISSIONING_MODES, "Commissioning Modes", sort=False)
    service_kind = fields.Selection(
        SERVICE_KINDS, "Kind", sort=False,
        help="A new service or more volume of an existing one.")

    availability_days = fields.MultiSelection(
        WEEKDAYS, "Days", sort=False)
    availability_from = fields.Time("From")
    availability_to = fields.Time(
        "To",
        domain=[
            If(Eval('availability_from') & Eval('availability_to'),
                ('availability_to', '>', Eval('availability_from')),
                ()),
            ])
    availability_note = fields.Char(
        "Availability Note", help="E.g. \"by appointment\".")
    place_type = fields.Selection(PLACE_TYPES, "Place Type", sort=False)
    place = fields.Char("Place", help="Where the service is delivered.")

    fee_type = fields.Selection(FEE_TYPES, "Fee", required=True, sort=False)
    fee_amount = fields.Numeric(
        "Client Fee per Unit", digits=(16, 2),
        domain=[
            If(Eval('fee_type') == 'free',
                ('fee_amount', '=', None),
                ('fee_amount', '>', 0)),
            ],
        states={
            'invisible': Eval('fee_type') == 'free',
            'required': Eval('fee_type').in_(['paid', 'co_paid']),
            })
    fee_note = fields.Char(
        "Fee Note", help="E.g. \"Free within the pilot\".")
    unit_price = fields.Numeric(
        "Unit Price", digits=(16, 2),
        domain=['OR', ('unit_price', '=', None), ('unit_price', '>=', 0)],
        help="The reference price of one unit paid by the CUS.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')

    max_per_week = fields.Float(
        "Max per Week", digits=(16, 2), domain=_positive_or_empty(
            'max_per_week'),
        help="The most units one person may be granted in a week.")
    max_per_month = fields.Float(
        "Max per Month", digits=(16, 2), domain=_positive_or_empty(
            'max_per_month'),
        help="The most units one person may be granted in a month.")
    max_per_year = fields.Float(
        "Max per Year", digits=(16, 2), domain=_positive_or_empty(
            'max_per_year'),
        help="The most units one person may be granted in a year.")
    max_unit_duration = fields.Float(
        "Max Duration of a Unit", digits=(16, 2),
        domain=_positive_or_empty('max_unit_duration'),
        help="In hours, e.g. a handyman visit of at most 2 hours.")
    quota_note = fields.Text(
        "Quota Rules",
        help="Rules of use, e.g. \"a ride is a round trip the same day\".")

    quality_quantitative = fields.Text("Quantitative Standard")
    quality_qualitative = fields.Text("Qualitative Standard")
    allowed_deviation = fields.Numeric(
        "Allowed Deviation", digits=(5, 2),
        domain=['OR', ('allowed_deviation', '=', None),
            [('allowed_deviation', '>=', 0),
                ('allowed_deviation', '<=', 100)]],
        help="In %: how far the delivery may depart from the standard.")
    capacity = fields.Float(
        "Capacity", digits=(16, 2), domain=_positive_or_empty('capacity'),
        help="Units the base can offer in the capacity period.")
    capacity_period = fields.Selection(
        PERIODS, "Capacity Period", sort=False,
        states={'required': Eval('capacity', None) != None})  # noqa: E711
    rules = fields.Text("Rules of Use", help="The service's regulations.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'cus_base.msg_service_code_unique'),
            ]
        cls._order = [('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_fee_type(cls):
        return 'free'

    @classmethod
    def get_currency(cls, services, name):
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        currency = None
        if company_id is not None and company_id >= 0:
            currency = Company(company_id).currency.id
        return {s.id: currency for s in services}

    def get_rec_name(self, name):
        if self.code:
            return f'{self.code} {self.name}'
        return self.name

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Configuration = pool.get('cus.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('code'):
            values['code'] = Configuration(1).service_sequence.get()
        return values

    @classmethod
    def validate_fields(cls, services, field_names):
        super().validate_fields(services, field_names)
        cls.check_quotas(services, field_names)

    @classmethod
    def check_quotas(cls, services, field_names=None):
        "A shorter period cannot allow more than a longer one"
        if field_names and not (field_names & {
                    'max_per_week', 'max_per_month', 'max_per_year'}):
            return
        for service in services:
            limits = [
                (service.max_per_week, 'max_per_week'),
                (service.max_per_month, 'max_per_month'),
                (service.max_per_year, 'max_per_year'),
                ]
            limits = [(v, n) for v, n in limits if v is not None]
            for (short, short_name), (long, long_name) in zip(
                    limits, limits[1:]):
                if short > long:
                    raise ServiceValidationError(gettext(
                            'cus_base.msg_service_quota_inconsistent',
                            service=service.rec_name,
                            short=cls.__names__(short_name)['field'],
                            long=cls.__names__(long_name)['field']))

    @classmethod
    def copy(cls, services, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code', None)
        return super().copy(services, default=default)


class ServiceArea(ModelSQL):
    __name__ = 'cus.service-cus.service.area'
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='CASCADE')
    area = fields.Many2One(
        'cus.service.area', "Area", required=True, ondelete='CASCADE')


class ServiceTargetGroup(ModelSQL):
    __name__ = 'cus.service-cus.target.group'
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='CASCADE')
    target_group = fields.Many2One(
        'cus.target.group', "Target Group", required=True,
        ondelete='CASCADE')


class ServiceProvider(ModelSQL):
    __name__ = 'cus.service-party.party'
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='CASCADE')
    party = fields.Many2One(
        'party.party', "Provider", required=True, ondelete='CASCADE')


class ServiceComponent(sequence_ordered(), ModelSQL, ModelView):
    "An activity or sub-type of a service (e.g. a kind of mediation)"
    __name__ = 'cus.service.component'
    __string__ = "Service Component"

    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    description = fields.Text("Description")
