# This file is part of the CUS back office.
import re

from sql.aggregate import Max

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import AccreditationError, ProviderValidationError

PROVIDER_KINDS = [
    (None, ""),
    ('ngo', "Non-governmental Organisation"),
    ('social_cooperative', "Social Cooperative"),
    ('social_enterprise', "Social Enterprise"),
    ('other_pes', "Other Social Economy Entity"),
    ('jst_unit', "Local Government Unit"),
    ('culture_sport', "Cultural or Sports Institution"),
    ('health', "Health Care Provider"),
    ('commercial', "Commercial Entity"),
    ]
SECTORS = [
    (None, ""),
    ('public', "Public Administration"),
    ('social', "NGO and Social Economy"),
    ('business', "Business"),
    ]
# Kinds that count as NGOs or entities of art. 3 ust. 3 of the public
# benefit act (open competitions, small grants).
PUBLIC_BENEFIT_KINDS = {'ngo', 'social_cooperative', 'other_pes'}
PERIODS = [
    ('week', "Week"),
    ('month', "Month"),
    ('year', "Year"),
    ]
_provider_states = {'invisible': ~Eval('cus_provider', False)}


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    cus_provider = fields.Boolean(
        "CUS Provider", help="The party delivers social services to the CUS.")
    provider_kind = fields.Selection(
        PROVIDER_KINDS, "Provider Kind", sort=False,
        states={
            'invisible': ~Eval('cus_provider', False),
            'required': Eval('cus_provider', False),
            })
    sector = fields.Selection(
        SECTORS, "Sector", sort=False, states=_provider_states)
    nip = fields.Function(
        fields.Char("NIP", states=_provider_states),
        'get_identifier_code', setter='set_identifier_code',
        searcher='search_identifier_code')
    regon = fields.Function(
        fields.Char("REGON", states=_provider_states),
        'get_identifier_code', setter='set_identifier_code',
        searcher='search_identifier_code')
    krs = fields.Char(
        "KRS", size=10, states=_provider_states,
        help="The number in the National Court Register (10 digits).")
    accreditation = fields.Char(
        "Accreditation", states=_provider_states,
        help="The accreditation or certificate of the provider.")
    accreditation_expiry = fields.Date(
        "Accreditation Expiry", states=_provider_states)
    accreditation_valid = fields.Function(
        fields.Boolean("Accreditation Valid", states=_provider_states),
        'get_accreditation_valid')
    provided_services = fields.Many2Many(
        'cus.service-party.party', 'party', 'service', "Services Offered",
        states=_provider_states)
    capacities = fields.One2Many(
        'cus.provider.capacity', 'provider', "Capacity in the Service Base",
        states=_provider_states)

    _identifier_types = {'nip': 'pl_vat', 'regon': 'pl_regon'}

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/form/notebook/page[@id="cus_provider"]', 'states', {
                    'invisible': ~Eval('cus_provider', False),
                    }),
            ]

    @classmethod
    def get_identifier_code(cls, parties, name):
        pool = Pool()
        Identifier = pool.get('party.identifier')
        identifier = Identifier.__table__()
        cursor = Transaction().connection.cursor()
        result = dict.fromkeys(map(int, parties))
        for sub_ids in grouped_slice(
                list(map(int, parties)), backend.MAX_QUERY_PARAMS):
            cursor.execute(*identifier.select(
                    identifier.party, Max(identifier.code),
                    where=SQL_OPERATORS['in'](identifier.party, list(sub_ids))
                    & (identifier.type == cls._identifier_types[name]),
                    group_by=[identifier.party]))
            result.update(cursor)
        return result

    @classmethod
    def set_identifier_code(cls, parties, name, value):
        pool = Pool()
        Identifier = pool.get('party.identifier')
        type_ = cls._identifier_types[name]
        existing = Identifier.search([
                ('party', 'in', [p.id for p in parties]),
                ('type', '=', type_),
                ])
        if not value:
            Identifier.delete(existing)
            return
        if existing:
            Identifier.write(existing, {'code': value})
        with_code = {i.party for i in existing}
        Identifier.create([{'party': p.id, 'type': type_, 'code': value}
                for p in parties if p not in with_code])

    @classmethod
    def search_identifier_code(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str):
            operand = re.sub(r'[\s-]', '', operand)
        return [('identifiers', 'where', [
                    ('type', '=', cls._identifier_types[name]),
                    ('code_compact', operator, operand, *extra),
                    ])]

    @classmethod
    def get_accreditation_valid(cls, parties, name):
        today = Pool().get('ir.date').today()
        return {
            p.id: not p.accreditation_expiry or p.accreditation_expiry >= today
            for p in parties}

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        if not field_names or 'krs' in field_names:
            for party in parties:
                if party.krs and not re.fullmatch(r'\d{10}', party.krs):
                    raise ProviderValidationError(gettext(
                            'cus_partners.msg_krs_invalid',
                            krs=party.krs, party=party.rec_name))

    def check_accreditation(self, date=None):
        "Refuse new work for a provider whose accreditation has expired"
        if date is None:
            date = Pool().get('ir.date').today()
        if self.accreditation_expiry and self.accreditation_expiry < date:
            raise AccreditationError(gettext(
                    'cus_partners.msg_accreditation_expired',
                    provider=self.rec_name,
                    expiry=self.accreditation_expiry.strftime('%d.%m.%Y')))


class ProviderCapacity(ModelSQL, ModelView):
    "The part of a provider's capacity given to the CUS service base"
    __name__ = 'cus.provider.capacity'
    __string__ = "Provider Capacity"

    provider = fields.Many2One(
        'party.party', "Provider", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'cus.service', "Service", required=True, ondelete='CASCADE')
    quantity = fields.Float(
        "Quantity", digits=(16, 2), required=True,
        domain=[('quantity', '>', 0)])
    period = fields.Selection(PERIODS, "Per", required=True, sort=False)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    notes = fields.Char("Notes")

    @classmethod
    def default_period(cls):
        return 'month'

    @fields.depends('service', '_parent_service.unit')
    def on_change_with_unit(self, name=None):
        return self.service.unit if self.service else None
