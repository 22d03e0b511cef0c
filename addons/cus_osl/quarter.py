# This file is part of the CUS back office.
import datetime as dt
import re

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.transaction import without_check_access

ROMAN = {1: 'I', 2: 'II', 3: 'III', 4: 'IV'}
ROMAN_NUMBERS = {v: k for k, v in ROMAN.items()}


def quarter_of(date):
    "(year, quarter) of a date"
    return date.year, (date.month - 1) // 3 + 1


def quarter_dates(year, quarter):
    "The first and the last day of a quarter"
    start = dt.date(year, 3 * quarter - 2, 1)
    if quarter == 4:
        end = dt.date(year, 12, 31)
    else:
        end = dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarters_between(start, end):
    "The (year, quarter) pairs touched by a period"
    year, quarter = quarter_of(start)
    last = quarter_of(end)
    result = []
    while (year, quarter) <= last:
        result.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return result


class Quarter(ModelSQL, ModelView):
    """A calendar quarter

    The schedules of the plans are made by quarters: activities and goals
    name the quarters they are planned for, and the board of planned and
    done activities groups them by quarter. The quarters are created when a
    plan needs them; nobody types them.
    """
    __name__ = 'cus.osl.quarter'
    __string__ = "Quarter"

    year = fields.Integer("Year", required=True, readonly=True)
    quarter = fields.Integer(
        "Quarter", required=True, readonly=True,
        domain=[('quarter', '>=', 1), ('quarter', '<=', 4)])
    code = fields.Char(
        "Code", required=True, readonly=True,
        help="The year and the quarter, e.g. 2021-Q2.")
    start_date = fields.Date("Start Date", required=True, readonly=True)
    end_date = fields.Date("End Date", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('year_quarter_unique', Unique(t, t.year, t.quarter),
                'cus_osl.msg_quarter_unique'),
            ]
        cls._sql_indexes.add(
            Index(t, (t.start_date, Index.Range()),
                (t.end_date, Index.Range())))
        cls._order = [('year', 'ASC'), ('quarter', 'ASC'), ('id', 'ASC')]

    def get_rec_name(self, name):
        return gettext('cus_osl.msg_quarter_name',
            year=self.year, quarter=self.quarter,
            roman=ROMAN.get(self.quarter, ''))

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if isinstance(operand, str) and not operator.startswith('not'):
            # "2021", "Q2 2021", "2021-Q2" and the Polish usage
            # "II kw. 2021" all find their quarters.
            years, quarters = [], []
            for token in re.split(r'[\s.,%/-]+', operand.upper()):
                if len(token) == 4 and token.isdigit():
                    years.append(int(token))
                elif token in ROMAN_NUMBERS:
                    quarters.append(ROMAN_NUMBERS[token])
                elif re.fullmatch(r'Q[1-4]', token):
                    quarters.append(int(token[1]))
            domain = []
            if years:
                domain.append(('year', 'in', years))
            if quarters:
                domain.append(('quarter', 'in', quarters))
            if domain:
                return domain
        return [('code', operator, operand, *extra)]

    @classmethod
    def order_rec_name(cls, tables):
        table, _ = tables[None]
        return [table.year, table.quarter]

    @classmethod
    def get_quarters(cls, pairs):
        "The quarters of the (year, quarter) pairs, created when missing"
        pairs = sorted(set(pairs))
        if not pairs:
            return []
        with without_check_access():
            years = {y for y, _ in pairs}
            existing = {
                (q.year, q.quarter): q for q in cls.search([
                        ('year', 'in', list(years)),
                        ])}
            to_create = []
            for year, quarter in pairs:
                if (year, quarter) not in existing:
                    start, end = quarter_dates(year, quarter)
                    to_create.append({
                            'year': year, 'quarter': quarter,
                            'code': f'{year}-Q{quarter}',
                            'start_date': start, 'end_date': end,
                            })
            if to_create:
                for quarter in cls.create(to_create):
                    existing[(quarter.year, quarter.quarter)] = quarter
        return [cls(existing[p].id) for p in pairs]

    @classmethod
    def between(cls, start, end):
        "The quarters of a period, created when missing"
        if not start or not end or end < start:
            return []
        return cls.get_quarters(quarters_between(start, end))

    @classmethod
    def of_date(cls, date):
        "The quarter of a date, created when missing"
        quarter, = cls.get_quarters([quarter_of(date)])
        return quarter



def quarters_label(quarters):
    """The quarters as short ranges: "Q2 2021 – Q4 2021, Q2 2022" for a
    list view"""
    quarters = sorted(quarters, key=lambda q: (q.year, q.quarter))
    ranges = []
    for quarter in quarters:
        index = quarter.year * 4 + quarter.quarter
        if ranges and ranges[-1][2] == index - 1:
            ranges[-1][1] = quarter
            ranges[-1][2] = index
        else:
            ranges.append([quarter, quarter, index])
    return ', '.join(
        first.rec_name if first == last
        else f'{first.rec_name} – {last.rec_name}'
        for first, last, _ in ranges)

