# This file is part of the CUS back office.
import datetime as dt

from sql import Union
from sql.aggregate import Count
from sql.conditionals import Coalesce
from stdnum.exceptions import ValidationError
from stdnum.pl import pesel as stdnum_pesel

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .exceptions import PeselError

SEXES = [
    (None, ""),
    ('female', "Female"),
    ('male', "Male"),
    ]
MARITAL_STATUSES = [
    (None, ""),
    ('single', "Single"),
    ('married', "Married"),
    ('cohabiting', "Cohabiting"),
    ('separated', "Separated"),
    ('divorced', "Divorced"),
    ('widowed', "Widowed"),
    ]
EMPLOYMENT_SITUATIONS = [
    (None, ""),
    ('employed', "Employed"),
    ('self_employed', "Self-employed"),
    ('farmer', "Farmer"),
    ('unemployed', "Unemployed"),
    ('job_seeker', "Registered Job Seeker"),
    ('retired', "Retired"),
    ('disability_pension', "Disability Pension"),
    ('pupil_student', "Pupil or Student"),
    ('carer', "Not Working, Caring for a Relative"),
    ('other', "Other"),
    ]
DISABILITY_DEGREES = [
    (None, ""),
    ('none', "None"),
    ('light', "Light"),
    ('moderate', "Moderate"),
    ('severe', "Severe"),
    ('child_certificate', "Disability Certificate (under 16)"),
    ('pending', "Being Assessed"),
    ]
CLIENT_CATEGORIES = [
    (None, ""),
    ('resident', "Resident"),
    ('hybrid', "Hybrid Client"),
    ('social_assistance', "Social Assistance Client"),
    ]
# The special-category data (GDPR art. 9): field access restricts them to
# the groups that work with individual clients (party.xml).
SENSITIVE_FIELDS = [
    'disability_degree', 'disability_description', 'health_condition',
    'problems']

_client_states = {'invisible': ~Eval('cus_client', False)}


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    cus_client = fields.Boolean(
        "CUS Client", help="The party is a client of the CUS.")
    pesel = fields.Function(
        fields.Char("PESEL", states=_client_states),
        'get_pesel', setter='set_pesel', searcher='search_pesel')
    birth_date = fields.Date(
        "Birth Date", states=_client_states,
        help="Taken from the PESEL when left empty.")
    age = fields.Function(
        fields.Integer("Age", states=_client_states), 'get_age')
    sex = fields.Selection(
        SEXES, "Sex", sort=False, states=_client_states,
        help="Taken from the PESEL when left empty.")
    marital_status = fields.Selection(
        MARITAL_STATUSES, "Marital Status", sort=False,
        states=_client_states)
    occupation = fields.Char("Occupation", states=_client_states)
    employment_situation = fields.Selection(
        EMPLOYMENT_SITUATIONS, "Employment Situation", sort=False,
        states=_client_states)
    household_size = fields.Function(
        fields.Integer(
            "Household Size", states=_client_states,
            help="The client and the members of the client's household "
            "(relations of a household type)."),
        'get_household', searcher='search_household_size')
    household_members = fields.Function(
        fields.Many2Many(
            'party.party', None, None, "Household Members",
            states=_client_states),
        'get_household')
    disability_degree = fields.Selection(
        DISABILITY_DEGREES, "Disability Degree", sort=False,
        states=_client_states)
    disability_description = fields.Text(
        "Disability", states=_client_states)
    health_condition = fields.Text("Health", states=_client_states)
    problems = fields.Text(
        "Problems", states=_client_states,
        help="The difficulties the client and the family face.")
    client_category = fields.Selection(
        CLIENT_CATEGORIES, "Client Category", sort=False,
        states={
            'invisible': ~Eval('cus_client', False),
            'required': Eval('cus_client', False),
            })
    former_ops_client = fields.Boolean(
        "Former MOPS Client", states=_client_states,
        help="The person used the municipal social assistance centre "
        "before the CUS.")
    priority_groups = fields.Many2Many(
        'party.party-cus.target.group', 'party', 'target_group',
        "Priority Groups", states=_client_states)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/form/notebook/page[@id="cus_client"]', 'states', {
                    'invisible': ~Eval('cus_client', False),
                    }),
            ('/form/notebook/page[@id="cus_sensitive"]', 'states', {
                    'invisible': ~Eval('cus_client', False),
                    }),
            ]

    @classmethod
    def default_cus_client(cls):
        return Transaction().context.get('cus_client', False)

    @classmethod
    def default_client_category(cls):
        if Transaction().context.get('cus_client'):
            return 'resident'

    @fields.depends('cus_client', 'client_category')
    def on_change_cus_client(self):
        if self.cus_client and not self.client_category:
            self.client_category = 'resident'

    @classmethod
    def default_former_ops_client(cls):
        return False

    @classmethod
    def get_pesel(cls, parties, name):
        pool = Pool()
        Identifier = pool.get('party.identifier')
        identifier = Identifier.__table__()
        cursor = Transaction().connection.cursor()
        result = dict.fromkeys(map(int, parties))
        for sub_ids in grouped_slice(
                list(map(int, parties)), backend.MAX_QUERY_PARAMS):
            cursor.execute(*identifier.select(
                    identifier.party, identifier.code,
                    where=SQL_OPERATORS['in'](identifier.party, list(sub_ids))
                    & (identifier.type == 'pl_pesel')))
            result.update(cursor)
        return result

    @classmethod
    def set_pesel(cls, parties, name, value):
        pool = Pool()
        Identifier = pool.get('party.identifier')
        existing = Identifier.search([
                ('party', 'in', [p.id for p in parties]),
                ('type', '=', 'pl_pesel'),
                ])
        if not value:
            Identifier.delete(existing)
            return
        if existing:
            Identifier.write(existing, {'code': value})
        with_pesel = {i.party for i in existing}
        Identifier.create([{
                    'party': p.id, 'type': 'pl_pesel', 'code': value}
                for p in parties if p not in with_pesel])

    @classmethod
    def search_pesel(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str):
            operand = operand.replace(' ', '')
        return [('identifiers', 'where', [
                    ('type', '=', 'pl_pesel'),
                    ('code_compact', operator, operand, *extra),
                    ])]

    @classmethod
    def get_age(cls, parties, name):
        today = Pool().get('ir.date').today()
        ages = {}
        for party in parties:
            birth = party.birth_date
            ages[party.id] = (
                today.year - birth.year
                - ((today.month, today.day) < (birth.month, birth.day))
                if birth else None)
        return ages

    @classmethod
    def _household_query(cls):
        """Pairs (party, member) of the household relations in force today.

        Living together is mutual, so both directions of a relation count,
        whatever the reverse type of the relation type.
        """
        pool = Pool()
        Relation = pool.get('party.relation')
        Type = pool.get('party.relation.type')
        Date = pool.get('ir.date')
        relation = Relation.__table__()
        today = Date.today()
        types = [t.id for t in Type.search([('usages', 'in', ['household'])])]
        where = (relation.type.in_(types or [-1])
            & (Coalesce(relation.start_date, dt.date.min) <= today)
            & (Coalesce(relation.end_date, dt.date.max) >= today))
        forward = relation.select(
            relation.from_.as_('party'), relation.to.as_('member'),
            where=where)
        backward = relation.select(
            relation.to.as_('party'), relation.from_.as_('member'),
            where=where)
        return Union(forward, backward, all_=True)

    @classmethod
    def get_household(cls, parties, names):
        cursor = Transaction().connection.cursor()
        ids = list(map(int, parties))
        members = {i: [] for i in ids}
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            household = cls._household_query()
            cursor.execute(*household.select(
                    household.party, household.member,
                    where=SQL_OPERATORS['in'](household.party, list(sub_ids)),
                    ))
            for party_id, member_id in cursor:
                if member_id not in members[party_id]:
                    members[party_id].append(member_id)
        result = {}
        if 'household_members' in names:
            result['household_members'] = members
        if 'household_size' in names:
            result['household_size'] = {
                i: 1 + len(m) for i, m in members.items()}
        return result

    @classmethod
    def search_household_size(cls, name, clause):
        _, operator, value = clause
        household = cls._household_query()
        party = cls.__table__()
        size = household.select(
            household.party,
            Count(household.member, distinct=True).as_('members'),
            group_by=[household.party])
        Operator = SQL_OPERATORS[operator]
        query = party.join(size, 'LEFT',
            condition=size.party == party.id).select(
                party.id,
                where=Operator(Coalesce(size.members, 0) + 1, value))
        return [('id', 'in', query)]


class PartyPriorityGroup(ModelSQL):
    __name__ = 'party.party-cus.target.group'
    party = fields.Many2One(
        'party.party', "Party", required=True, ondelete='CASCADE')
    target_group = fields.Many2One(
        'cus.target.group', "Target Group", required=True,
        ondelete='CASCADE')


class Identifier(metaclass=PoolMeta):
    __name__ = 'party.identifier'

    @fields.depends('type', 'code')
    def check_code(self):
        # A PESEL gets messages that tell what is wrong, before the generic
        # check of the party module.
        if self.type == 'pl_pesel' and self.code:
            code = stdnum_pesel.compact(self.code)
            if not code.isdigit() or len(code) != 11:
                raise PeselError(gettext(
                        'cus_base.msg_pesel_format', code=self.code))
            try:
                stdnum_pesel.get_birth_date(code)
            except ValidationError:
                raise PeselError(gettext(
                        'cus_base.msg_pesel_birth_date', code=self.code))
            try:
                stdnum_pesel.validate(code)
            except ValidationError:
                raise PeselError(gettext(
                        'cus_base.msg_pesel_checksum', code=self.code))
        super().check_code()

    @classmethod
    def validate_fields(cls, identifiers, field_names):
        super().validate_fields(identifiers, field_names)
        cls.check_pesel_unique(identifiers, field_names)

    @classmethod
    def check_pesel_unique(cls, identifiers, field_names=None):
        if field_names and not (field_names & {'type', 'code', 'party'}):
            return
        pesels = [i for i in identifiers if i.type == 'pl_pesel']
        if not pesels:
            return
        codes = {i.code_compact for i in pesels}
        others = cls.search([
                ('type', '=', 'pl_pesel'),
                ('code_compact', 'in', list(codes)),
                ])
        by_code = {}
        for other in others:
            by_code.setdefault(other.code_compact, set()).add(other.party)
        for identifier in pesels:
            owners = by_code.get(identifier.code_compact, set())
            if len(owners) > 1:
                other = next(p for p in owners if p != identifier.party)
                raise PeselError(gettext(
                        'cus_base.msg_pesel_duplicate',
                        code=identifier.code,
                        party=other.rec_name))

    @classmethod
    def on_modification(cls, mode, identifiers, field_names=None):
        super().on_modification(mode, identifiers, field_names=field_names)
        if mode in {'create', 'write'}:
            cls.fill_from_pesel(identifiers)

    @classmethod
    def fill_from_pesel(cls, identifiers):
        "Derive the birth date and sex of a party from its PESEL if unset"
        pool = Pool()
        Party = pool.get('party.party')
        to_write = []
        for identifier in identifiers:
            if identifier.type != 'pl_pesel' or not identifier.code:
                continue
            party = identifier.party
            code = identifier.code_compact or identifier.code
            values = {}
            if not party.birth_date:
                values['birth_date'] = stdnum_pesel.get_birth_date(code)
            if not party.sex:
                values['sex'] = (
                    'male' if stdnum_pesel.get_gender(code) == 'M'
                    else 'female')
            if values:
                to_write.extend([[party], values])
        if to_write:
            Party.write(*to_write)


class RelationType(metaclass=PoolMeta):
    __name__ = 'party.relation.type'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.usages.selection.append(('household', "Household"))
