# This file is part of the CUS back office.
"""The name-day and birthday calendar of the members of a community

"Kwiatek dla seniora" of the Łazy seniors' plan: the organiser and the
volunteers greet the seniors on their birthdays and name days. The name days
come from the data table `name_days.csv` of this module (see its header),
loaded into `cus.osl.name.day` at each module update and editable there.
"""
import csv
import datetime as dt
import os

from sql import Cast, Literal, Null, Union
from sql.conditionals import Coalesce
from sql.functions import CurrentTimestamp, Extract, Function, Lower, Trim

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import NameDayValidationError

NAME_DAYS_FILE = os.path.join(os.path.dirname(__file__), 'name_days.csv')
OCCASIONS = [
    ('birthday', "Birthday"),
    ('name_day', "Name Day"),
    ]


class SplitPart(Function):
    "SPLIT_PART(text, delimiter, n): PostgreSQL's, and trytond's on SQLite"
    __slots__ = ()
    _function = 'SPLIT_PART'


def read_name_days(path=NAME_DAYS_FILE):
    "The (name, month, day) rows of the data file"
    with open(path, encoding='utf-8', newline='') as file:
        lines = (l for l in file if l.strip() and not l.startswith('#'))
        return [
            (row['name'].strip(), int(row['month']), int(row['day']))
            for row in csv.DictReader(lines)]


def anniversary(month, day, year):
    "The date of a yearly occasion in a year (29 February on 28 February)"
    try:
        return dt.date(year, month, day)
    except ValueError:
        return dt.date(year, month, day - 1)


def next_occurrence(month, day, date):
    "The first date on or after date that falls on month and day"
    candidate = anniversary(month, day, date.year)
    if candidate < date:
        candidate = anniversary(month, day, date.year + 1)
    return candidate


class NameDay(ModelSQL, ModelView):
    """A name day of a first name

    Polish first names have one or more name days; a person celebrates the
    first of them that follows the birthday (the usual custom).
    """
    __name__ = 'cus.osl.name.day'
    __string__ = "Name Day"

    name = fields.Char("First Name", required=True)
    month = fields.Integer(
        "Month", required=True,
        domain=[('month', '>=', 1), ('month', '<=', 12)])
    day = fields.Integer(
        "Day", required=True, domain=[('day', '>=', 1), ('day', '<=', 31)])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('name_date_unique', Unique(t, t.name, t.month, t.day),
                'cus_osl.msg_name_day_unique'),
            ]
        cls._sql_indexes.add(Index(t, (Lower(t.name), Index.Equality())))
        cls._order = [
            ('name', 'ASC'), ('month', 'ASC'), ('day', 'ASC'), ('id', 'ASC')]

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        cls.load_name_days()

    @classmethod
    def load_name_days(cls, path=NAME_DAYS_FILE):
        "Insert the name days of the data file that the table lacks"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(table.name, table.month, table.day))
        existing = set(cursor)
        rows = [r for r in read_name_days(path) if r not in existing]
        if rows:
            cursor.execute(*table.insert(
                    [table.name, table.month, table.day, table.create_uid,
                        table.create_date],
                    [[n, m, d, 0, CurrentTimestamp()] for n, m, d in rows]))

    def get_rec_name(self, name):
        return '%s %02d.%02d' % (self.name, self.day, self.month)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('name',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, name_days, field_names):
        super().validate_fields(name_days, field_names)
        if field_names & {'month', 'day'}:
            for name_day in name_days:
                # 2000 is a leap year: 29 February is a valid name day.
                try:
                    dt.date(2000, name_day.month, name_day.day)
                except ValueError:
                    raise NameDayValidationError(gettext(
                            'cus_osl.msg_name_day_invalid',
                            name=name_day.name, day=name_day.day,
                            month=name_day.month))

    @classmethod
    def of_person(cls, first_name, birth_date=None):
        "The (month, day) a person with the first name celebrates, or None"
        dates = sorted(
            (n.month, n.day) for n in cls.search([
                    ('name', 'ilike', (first_name or '').strip()),
                    ]))
        if not dates:
            return None
        reference = ((birth_date.month, birth_date.day) if birth_date
            else (1, 1))
        following = [d for d in dates if d >= reference]
        return (following or dates)[0]


class Celebration(ModelSQL, ModelView):
    """The birthdays and name days of the members of the communities, from
    a date on, the nearest first"""
    __name__ = 'cus.osl.celebration'
    __string__ = "Birthday and Name Day"

    community = fields.Many2One('cus.osl.community', "Community")
    client = fields.Many2One('party.party', "Person")
    occasion = fields.Selection(OCCASIONS, "Occasion", sort=False)
    month = fields.Integer("Month")
    day = fields.Integer("Day")
    sort_key = fields.Integer("Order")
    date = fields.Function(fields.Date("Date"), 'get_dates')
    birth_date = fields.Function(fields.Date("Birth Date"), 'get_dates')
    age = fields.Function(
        fields.Integer("Age", help="The age reached on the birthday."),
        'get_dates')
    phone = fields.Function(fields.Char("Phone"), 'get_phone')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('sort_key', 'ASC'), ('occasion', 'ASC'), ('id', 'ASC')]

    @classmethod
    def from_date(cls):
        return Transaction().context.get('from_date') or Pool().get(
            'ir.date').today()

    @classmethod
    def table_query(cls):
        pool = Pool()
        CommunityClient = pool.get('cus.osl.community-client-party.party')
        Party = pool.get('party.party')
        NameDay = pool.get('cus.osl.name.day')
        context = Transaction().context
        start = cls.from_date()
        start_key = start.month * 100 + start.day

        def sort_key(month, day):
            # The order of the dates in the year that starts on the date
            return (month * 100 + day - start_key + 1300) % 1300

        member = CommunityClient.__table__()
        party = Party.__table__()
        where = Literal(True)
        if context.get('community'):
            where &= member.community == context['community']
        birth_month = Cast(Extract('MONTH', party.birth_date), 'INTEGER')
        birth_day = Cast(Extract('DAY', party.birth_date), 'INTEGER')
        birthdays = (member
            .join(party, condition=member.client == party.id)
            .select(
                (member.id * 1000).as_('id'),
                member.community.as_('community'),
                member.client.as_('client'),
                Cast(Literal('birthday'), 'VARCHAR').as_('occasion'),
                birth_month.as_('month'),
                birth_day.as_('day'),
                sort_key(birth_month, birth_day).as_('sort_key'),
                where=where & (party.birth_date != Null)))

        member = CommunityClient.__table__()
        party = Party.__table__()
        name_day = NameDay.__table__()
        closer = NameDay.__table__()
        where = Literal(True)
        if context.get('community'):
            where &= member.community == context['community']
        first_name = Lower(SplitPart(Trim(party.name), ' ', 1))
        reference = Coalesce(
            Cast(Extract('MONTH', party.birth_date), 'INTEGER') * 100
            + Cast(Extract('DAY', party.birth_date), 'INTEGER'), 101)

        def after_birthday(table):
            # The days from the birthday (1 January without one) to the
            # name day, in the year's order
            return (table.month * 100 + table.day - reference + 1300) % 1300

        name_days = (member
            .join(party, condition=member.client == party.id)
            .join(name_day, condition=Lower(name_day.name) == first_name)
            .join(closer, 'LEFT',
                condition=(Lower(closer.name) == Lower(name_day.name))
                & ((after_birthday(closer) < after_birthday(name_day))
                    | ((after_birthday(closer) == after_birthday(name_day))
                        & (closer.id < name_day.id))))
            .select(
                (member.id * 1000 + name_day.month * 32
                    + name_day.day).as_('id'),
                member.community.as_('community'),
                member.client.as_('client'),
                Cast(Literal('name_day'), 'VARCHAR').as_('occasion'),
                name_day.month.as_('month'),
                name_day.day.as_('day'),
                sort_key(name_day.month, name_day.day).as_('sort_key'),
                where=where & (closer.id == Null)))
        rows = Union(birthdays, name_days, all_=True)
        return rows.select(
            rows.id, rows.community, rows.client, rows.occasion, rows.month,
            rows.day, rows.sort_key)

    @classmethod
    def get_dates(cls, celebrations, names):
        start = cls.from_date()
        result = {n: {} for n in names}
        for celebration in celebrations:
            date = next_occurrence(celebration.month, celebration.day, start)
            birth_date = celebration.client.birth_date
            if 'date' in result:
                result['date'][celebration.id] = date
            if 'birth_date' in result:
                result['birth_date'][celebration.id] = birth_date
            if 'age' in result:
                result['age'][celebration.id] = (
                    date.year - birth_date.year
                    if celebration.occasion == 'birthday' and birth_date
                    else None)
        return result

    @classmethod
    def get_phone(cls, celebrations, name):
        return {c.id: c.client.phone or c.client.mobile for c in celebrations}

    def get_rec_name(self, name):
        occasions = dict(
            self.fields_get(['occasion'])['occasion']['selection'])
        return '%s – %s' % (
            self.client.rec_name, occasions.get(self.occasion, ''))


class CelebrationContext(ModelView):
    "Filter of the birthday and name-day calendar"
    __name__ = 'cus.osl.celebration.context'
    __string__ = "Birthday and Name Day Calendar"

    from_date = fields.Date(
        "From", required=True,
        help="The calendar lists the occasions from this day on.")
    community = fields.Many2One(
        'cus.osl.community', "Community",
        domain=[('kind', '=', 'categorial')])

    @classmethod
    def default_from_date(cls):
        return (Transaction().context.get('from_date')
            or Pool().get('ir.date').today())

    @classmethod
    def default_community(cls):
        return Transaction().context.get('community')
