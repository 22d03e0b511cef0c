# This file is part of the CUS back office.
"""The indicators of the CUS, computed in SQL for any period

The dashboard `cus.indicator` gives one row per indicator and period of the
period asked in its context (`cus.indicator.context`: a start, an end and a
granularity, by default the current year by quarter). Each figure is the
number of distinct records behind it, the *members*: every indicator is one
SQL query that gives the pairs (period, member) for all the periods at once
(the periods are a VALUES table joined to the facts); its figure is
COUNT(DISTINCT member) per period, and its drill-down (`open_records`) opens
exactly these members, so the list opened has as many records as the
figure says.

The definitions (the docstrings of the `_members_*` methods, the ir.message
texts msg_indicator_definition_* shown beside the figures and README.md,
section "Indicators") follow the two seeds:

Starachowice, quarterly (seed 000, §5.1):

* new_persons: clients who are not former MOPS clients and whose first use
  of the CUS falls in the period; the first use is the earliest of their
  first confirmed delivery and of the decision date of their first
  qualified application. A person is new once, in the period of the first
  use, whatever happens later.
* new_services: services of the kind "new service" whose first confirmed
  delivery falls in the period.
* delivering_providers: the distinct providers of the confirmed deliveries
  of the period (deliveries by the CUS itself have no provider).
* supporters (with cus_osl, indicator_osl.py): the volunteers, neighbours
  and leaders with hours in the period for a person or an activity
  (`cus.osl.volunteer.hours.count_supporters`).

Koszalin (seed 004, §5.1-5.2):

* persons: the distinct clients of the confirmed deliveries of the period.
* catalogue_services: the services on the lines of the programmes running
  in the period (programme running or closed, the line's period, or else
  the programme's, overlapping the period), except the supporting
  activities.
* packages: the distinct pairs (client, package) of the confirmed
  deliveries of the period of services of a package (not of a package of
  supporting activities); the records are `cus.indicator.package` rows.
* entities: the distinct providers with a contract in force in the period
  (active, closed or terminated, its dates overlapping the period) or with
  confirmed deliveries in the period.
* partnerships: the partnerships (`cus.partnership`) whose agreement is in
  force in the period: signed on or before its end, not ended before its
  start.
* agreements: the contracts with providers in force in the period (as for
  entities).
* plans: the individual plans in force in the period (approved, running,
  closed or superseded by an update, valid over part of the period),
  counted once per plan whatever its number of versions: the records are
  the first versions.
* supporting_activities (with cus_osl, indicator_osl.py): the community
  activities done in the period (state done, done date in the period).
* supporting_services: the services of the packages of supporting
  activities (działania wspierające) with confirmed deliveries in the
  period.

Koszalin quality (seed 004, §5.2, the satisfaction questionnaires of
cus_ipus/survey.py), one figure per dimension (satisfaction, timeliness,
competence, availability, clarity), as
`cus.survey.response.indicator_scores(start, end)` gives them:

* quality_<dimension>: the value is the number of answered questionnaires
  sent in the period with at least one answer (1-5) to a scale question of
  the dimension (the records are these responses), the average is the mean
  of these answers and sent the number of the questionnaires sent in the
  period that have such a question.

A terminated contract counts over its contractual dates: the date of the
termination is not recorded.

The per-service figures of the service base (`cus.indicator.service`) are
the live counters of `cus.service` (cus_ipus/service.py): persons, granted,
used and remaining now.
"""
import datetime as dt
from collections import namedtuple

from dateutil.relativedelta import relativedelta
from lxml import etree
from sql import Cast, Column, Literal, Null, Union, Values, With
from sql.aggregate import Avg, Count, Max, Min
from sql.conditionals import Coalesce
from sql.functions import Extract

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If, PYSONEncoder
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

GRANULARITIES = [
    ('quarter', "Quarter"),
    ('month', "Month"),
    ('year', "Year"),
    ]
GROUPS = [
    ('starachowice', "Starachowice (Quarterly)"),
    ('koszalin', "Koszalin"),
    ('quality', "Koszalin (Quality)"),
    ]
# Who may see an indicator: the rules of cus.indicator (indicator.xml) give
# the director and the organiser every audience, the finance staff
# 'public' and 'contracts', the community organiser 'public' and
# 'community'; a role sees a figure only if it may open its records.
AUDIENCES = [
    ('cases', "Individual Cases"),
    ('public', "Services and Providers"),
    ('contracts', "Contracts"),
    ('community', "Community Work"),
    ]
CODES = [
    ('new_persons', "New persons using the CUS who did not use MOPS before"),
    ('new_services', "New social services not provided before"),
    ('delivering_providers', "Providers cooperating and delivering services"),
    ('persons', "Persons using services"),
    ('catalogue_services', "Services in the catalogue"),
    ('packages', "Service packages delivered"),
    ('entities', "Entities delivering services"),
    ('partnerships', "Cross-sector partnerships"),
    ('agreements', "Contracts and agreements with providers"),
    ('plans', "Individual plans (IPUS)"),
    ('supporting_services', "Supporting activities of the catalogue"),
    ('quality_satisfaction', "Satisfaction of the recipients"),
    ('quality_timeliness', "Timeliness of the services"),
    ('quality_competence', "Competence of the staff"),
    ('quality_availability', "Availability of the services"),
    ('quality_clarity', "Clarity of the procedures"),
    ]
# The Koszalin quality indicators: the dimensions of the satisfaction
# questionnaires (cus_ipus/survey.py)
QUALITY_PREFIX = 'quality_'
QUALITY_DIMENSIONS = [
    'satisfaction', 'timeliness', 'competence', 'availability', 'clarity']
# Plan states in which a plan is (or was) in force
PLAN_STATES = ['approved', 'running', 'closed', 'superseded']
# Contract states in which a contract is (or was) in force
CONTRACT_STATES = ['active', 'closed', 'terminated']
PROGRAMME_STATES = ['running', 'closed']
MAX_PERIODS = 120
# The function fields of the rows that are labels, not figures
LABELS = {'period', 'definition', 'records_model'}
ROMAN = {1: 'I', 2: 'II', 3: 'III', 4: 'IV'}
# Row ids: sequence × 10¹⁰ + days of the start × 10⁵ + days of the end
EPOCH = dt.date(1900, 1, 1)

# scored: the figure has an average score (and a number sent) besides its
# count of records; records: what the records are when the name of their
# model does not say it (msg_indicator_records_<records>)
Definition = namedtuple(
    'Definition', ['code', 'group', 'audience', 'sequence', 'model', 'scored',
        'records'],
    defaults=[False, None])


def period_buckets(start, end, granularity):
    """The periods from start to end by granularity: calendar quarters,
    months or years, the first and the last cut at start and end"""
    if not start or not end or end < start:
        return []
    buckets = []
    current = start
    while current <= end:
        if granularity == 'month':
            following = dt.date(current.year, current.month, 1) + \
                relativedelta(months=1)
        elif granularity == 'year':
            following = dt.date(current.year + 1, 1, 1)
        else:
            first_month = 3 * ((current.month - 1) // 3) + 1
            following = dt.date(current.year, first_month, 1) + \
                relativedelta(months=3)
        buckets.append((current, min(end, following - dt.timedelta(days=1))))
        current = following
    return buckets


def period_label(start, end):
    "The name of a period: 03.2023, I kw. 2023, 2023 or 15.02–31.03.2023"
    if start.day == 1 and end == start + relativedelta(months=1, days=-1):
        return start.strftime('%m.%Y')
    if (start.day == 1 and start.month in {1, 4, 7, 10}
            and end == start + relativedelta(months=3, days=-1)):
        quarter = (start.month - 1) // 3 + 1
        return gettext('cus_partners.msg_indicator_quarter',
            quarter=quarter, roman=ROMAN[quarter], year=start.year)
    if (start.month, start.day) == (1, 1) and (end.month, end.day) == (
            12, 31) and start.year == end.year:
        return str(start.year)
    return '%s–%s' % (start.strftime('%d.%m.%Y'), end.strftime('%d.%m.%Y'))


def _row_id(sequence, start, end):
    return (sequence * 10 ** 10 + (start - EPOCH).days * 10 ** 5
        + (end - EPOCH).days)


def context_period():
    """(start, end, granularity) of the context of the dashboard, by default
    the current year by quarter"""
    pool = Pool()
    Date = pool.get('ir.date')
    context = Transaction().context
    today = Date.today()
    start = context.get('start_date') or dt.date(today.year, 1, 1)
    end = context.get('end_date') or dt.date(start.year, 12, 31)
    granularity = context.get('granularity') or 'quarter'
    if isinstance(start, str):
        start = dt.date.fromisoformat(start)
    if isinstance(end, str):
        end = dt.date.fromisoformat(end)
    return start, end, granularity


class Periods:
    """The periods of a computation: a list of (start, end)

    When they follow each other by calendar month, quarter or year (the
    first and the last maybe cut), as period_buckets gives them, the period
    of a date is computed from the date, in one pass over the facts;
    otherwise the facts are joined to the table of the periods (VALUES).
    """
    __slots__ = ('buckets', 'granularity')

    def __init__(self, buckets):
        self.buckets = list(buckets)
        self.granularity = None
        if len(self.buckets) > 1:
            start, end = self.buckets[0][0], self.buckets[-1][1]
            for granularity, _ in GRANULARITIES:
                if period_buckets(start, end, granularity) == self.buckets:
                    self.granularity = granularity
                    break

    def table(self):
        """The periods as a table (bucket, start_date, end_date): bucket is
        the index of the period"""
        values = Values([[i, s, e] for i, (s, e) in enumerate(self.buckets)])
        return values.select(
            Column(values, 'column1').as_('bucket'),
            Column(values, 'column2').as_('start_date'),
            Column(values, 'column3').as_('end_date'))

    def of_date(self, date):
        """(the index of the period of the date column, the condition of the
        date in the periods), or None when the periods must be joined"""
        if not self.buckets:
            return None
        start, end = self.buckets[0][0], self.buckets[-1][1]
        condition = (date >= start) & (date <= end)
        if len(self.buckets) == 1:
            return Literal(0), condition
        if not self.granularity:
            return None
        year = Cast(Extract('YEAR', date), 'INTEGER')
        month = Cast(Extract('MONTH', date), 'INTEGER')
        if self.granularity == 'year':
            unit, first = year, start.year
        elif self.granularity == 'month':
            unit, first = year * 12 + month, start.year * 12 + start.month
        else:
            unit = year * 4 + (month - 1) / 3
            first = start.year * 4 + (start.month - 1) // 3
        return unit - first, condition


class IndicatorError(UserError):
    pass


class IndicatorContext(ModelView):
    "The period of the indicators"
    __name__ = 'cus.indicator.context'
    __string__ = "Indicators Period"

    start_date = fields.Date(
        "Start Date", required=True,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date", required=True,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    granularity = fields.Selection(
        GRANULARITIES, "Periods", required=True, sort=False,
        help="The figures are given for each quarter, month or year.")

    @classmethod
    def default_start_date(cls):
        return context_period()[0]

    @classmethod
    def default_end_date(cls):
        return context_period()[1]

    @classmethod
    def default_granularity(cls):
        return context_period()[2]


class Indicator(ModelSQL, ModelView):
    """A figure of the CUS indicators for a period

    Read-only rows computed for the period of the context; see the module
    docstring for the definitions.
    """
    __name__ = 'cus.indicator'
    __string__ = "Indicator"

    code = fields.Selection(CODES, "Indicator", sort=False, readonly=True)
    group = fields.Selection(GROUPS, "Group", sort=False, readonly=True)
    audience = fields.Selection(
        AUDIENCES, "Audience", sort=False, readonly=True,
        help="Who may see the figure: those who may open its records.")
    sequence = fields.Integer("Sequence", readonly=True)
    period_start = fields.Date("Period Start", readonly=True)
    period_end = fields.Date("Period End", readonly=True)
    period = fields.Function(fields.Char("Period"), 'get_figures')
    value = fields.Function(fields.Integer(
            "Value",
            help="The number of records behind the figure: open them with "
            "\"Records\"."),
        'get_figures')
    score = fields.Function(fields.Float(
            "Average", digits=(16, 2),
            help="For the quality indicators: the average of the answers "
            "(1 to 5) of the answered questionnaires."),
        'get_figures')
    sent = fields.Function(fields.Integer(
            "Sent",
            help="For the quality indicators: the questionnaires sent in the "
            "period; the value counts those of them answered."),
        'get_figures')
    definition = fields.Function(
        fields.Text("Definition"), 'get_figures')
    records_model = fields.Function(
        fields.Char("Records"), 'get_figures')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('sequence', 'ASC'), ('period_start', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'open_records': {
                    'icon': 'tryton-open',
                    'depends': ['code'],
                    },
                })

    @classmethod
    def definitions(cls):
        """The indicators as Definition(code, group, audience, sequence,
        model of the records behind the figure), in the order shown"""
        return [
            Definition(
                'new_persons', 'starachowice', 'cases', 10, 'party.party',
                records='client'),
            Definition(
                'new_services', 'starachowice', 'public', 20, 'cus.service'),
            Definition(
                'delivering_providers', 'starachowice', 'public', 30,
                'party.party', records='provider'),
            Definition(
                'persons', 'koszalin', 'cases', 110, 'party.party',
                records='client'),
            Definition(
                'catalogue_services', 'koszalin', 'public', 120,
                'cus.service'),
            Definition(
                'packages', 'koszalin', 'cases', 130,
                'cus.indicator.package'),
            Definition(
                'entities', 'koszalin', 'public', 140, 'party.party',
                records='provider'),
            Definition(
                'partnerships', 'koszalin', 'community', 150,
                'cus.partnership'),
            Definition(
                'agreements', 'koszalin', 'contracts', 160, 'cus.contract'),
            Definition('plans', 'koszalin', 'cases', 170, 'cus.ipus'),
            Definition(
                'supporting_services', 'koszalin', 'public', 190,
                'cus.service'),
            ] + [
            Definition(
                QUALITY_PREFIX + d, 'quality', 'cases', 200 + i,
                'cus.survey.response', scored=True)
            for i, d in enumerate(QUALITY_DIMENSIONS)]

    @classmethod
    def definition_of(cls, code):
        for definition in cls.definitions():
            if definition.code == code:
                return definition
        raise KeyError(code)

    # The rows of the dashboard: the indicators × the periods of the context;
    # the figures are function fields computed for the rows read

    @classmethod
    def table_query(cls):
        start, end, granularity = context_period()
        buckets = period_buckets(start, end, granularity)
        if len(buckets) > MAX_PERIODS:
            raise IndicatorError(gettext(
                    'cus_partners.msg_indicator_too_many_periods',
                    count=len(buckets), limit=MAX_PERIODS))
        # The indicators times the periods, the id made of both (_row_id)
        definitions = Values([
                [_row_id(d.sequence, EPOCH, EPOCH), d.code, d.group,
                    d.audience, d.sequence]
                for d in cls.definitions()])
        where = None
        if not buckets:
            # An empty period: a VALUES table cannot be empty
            buckets = [(EPOCH, EPOCH)]
            where = Literal(False)
        periods = Values([
                [_row_id(0, s, e), s, e] for s, e in buckets])
        column = lambda t, i: Column(t, 'column%s' % i)  # noqa: E731
        return definitions.join(periods, condition=Literal(True)).select(
            (column(definitions, 1) + column(periods, 1)).as_('id'),
            column(definitions, 2).as_('code'),
            column(definitions, 3).as_('group'),
            column(definitions, 4).as_('audience'),
            column(definitions, 5).as_('sequence'),
            column(periods, 2).as_('period_start'),
            column(periods, 3).as_('period_end'),
            where=where)

    @classmethod
    def get_figures(cls, rows, names):
        """The figures of the rows (one SQL query per indicator over the
        periods of the rows) and their labels"""
        labels = [n for n in names if n in LABELS]
        result = cls.get_labels(rows, labels) if labels else {}
        names = [n for n in names if n not in LABELS]
        if not names:
            return result
        periods = sorted({(r.period_start, r.period_end) for r in rows})
        index = {p: i for i, p in enumerate(periods)}
        codes = {r.code for r in rows}
        scored = {d.code for d in cls.definitions() if d.scored} & codes
        values, quality = {}, {}
        if 'value' in names and codes - scored:
            values = cls.compute(periods, codes=codes - scored)
        if scored:
            quality = cls._quality_figures(periods, scored)
        result.update({n: {} for n in names})
        for row in rows:
            key = (row.code, index[(row.period_start, row.period_end)])
            if key in quality:
                value, score, sent = quality[key]
            else:
                value, score, sent = values.get(key), None, None
            figures = {'value': value, 'score': score, 'sent': sent}
            for name in names:
                result[name][row.id] = figures[name]
        return result

    @classmethod
    def get_labels(cls, rows, names):
        "The period, the definition and the kind of records of the rows"
        periods, codes = {}, {}
        result = {n: {} for n in names}
        for row in rows:
            period = (row.period_start, row.period_end)
            if period not in periods:
                periods[period] = period_label(*period)
            if row.code not in codes:
                codes[row.code] = {
                    'definition': gettext(
                        'cus_partners.msg_indicator_definition_' + row.code),
                    'records_model': cls.records_label(row.code),
                    }
            for name in names:
                result[name][row.id] = (periods[period] if name == 'period'
                    else codes[row.code][name])
        return result

    @classmethod
    def records_label(cls, code):
        "What the records behind the figure of an indicator are"
        definition = cls.definition_of(code)
        if definition.records:
            return gettext(
                'cus_partners.msg_indicator_records_' + definition.records)
        return Pool().get(definition.model).__names__()['model']

    @classmethod
    def parse_view(cls, tree, type, *args, **kwargs):
        # In a graph, the series keyed by a group becomes a series per
        # indicator of the group (those of the active modules), named by
        # the indicator
        if type == 'graph':
            labels = dict(cls.fields_get(['code'])['code']['selection'])
            groups = dict(GROUPS)
            for y in tree.iter('y'):
                for field in list(y):
                    group = field.get('key')
                    if group not in groups:
                        continue
                    index = list(y).index(field)
                    y.remove(field)
                    definitions = [d for d in cls.definitions()
                        if d.group == group]
                    for offset, definition in enumerate(definitions):
                        y.insert(index + offset, etree.Element('field', {
                                    'name': field.get('name'),
                                    'key': definition.code,
                                    'string': labels[definition.code],
                                    }))
        return super().parse_view(tree, type, *args, **kwargs)

    @classmethod
    def view_attributes(cls):
        # A series of the graphs per indicator
        return super().view_attributes() + [
            ('/graph/y/field[@key="%s"]' % code, 'domain',
                Eval('code') == code, ['code'])
            for code, _ in cls.code.selection]

    def get_rec_name(self, name):
        return '%s, %s' % (
            dict(self.fields_get(['code'])['code']['selection']).get(
                self.code, self.code), self.period)

    # The computation

    @classmethod
    def members_query(cls, code, buckets):
        """The query of the pairs (bucket, member) of an indicator over the
        periods (bucket: the index of the period in buckets): the members
        are the ids of the records behind the figure (of the model of its
        definition); a pair may repeat"""
        periods = Periods(buckets)
        if code.startswith(QUALITY_PREFIX):
            return cls._quality_answers(
                [code[len(QUALITY_PREFIX):]], periods)
        return getattr(cls, '_members_' + code)(periods)

    @staticmethod
    def _period_of(periods, query, date):
        """The query (joined to the periods when needed), the expression of
        the period of the date and the condition of the date in the
        periods"""
        of_date = periods.of_date(date)
        if of_date:
            bucket, condition = of_date
            return query, bucket, condition
        table = periods.table()
        return (query.join(table, condition=(date >= table.start_date)
                & (date <= table.end_date)),
            table.bucket, Literal(True))

    @classmethod
    def compute(cls, buckets, codes=None):
        """{(code, index of the period): figure} for the periods, one SQL
        query per indicator (one for all the quality indicators)"""
        cursor = Transaction().connection.cursor()
        result = {}
        scored = [d.code for d in cls.definitions() if d.scored
            and (codes is None or d.code in codes)]
        if scored:
            quality = cls._quality_figures(buckets, scored)
            result.update({k: v[0] for k, v in quality.items()})
        for definition in cls.definitions():
            code = definition.code
            if definition.scored or (codes is not None and code not in codes):
                continue
            values = {}
            if buckets:
                members = cls.members_query(code, buckets)
                cursor.execute(*members.select(
                        members.bucket,
                        Count(members.member, distinct=True),
                        group_by=[members.bucket]))
                values = {int(b): c for b, c in cursor}
            for i in range(len(buckets)):
                result[(code, i)] = values.get(i, 0)
        return result

    @classmethod
    def compute_scores(cls, buckets, codes=None):
        """{(code, index of the period): (average, sent)} of the scored
        indicators for the periods, in SQL for all the periods at once"""
        scored = [d.code for d in cls.definitions() if d.scored
            and (codes is None or d.code in codes)]
        return {k: v[1:] for k, v in cls._quality_figures(
                buckets, scored).items()}

    @classmethod
    def _quality_figures(cls, buckets, codes):
        """{(code, index of the period): (answered, average, sent)} of the
        quality indicators of codes, in two queries"""
        cursor = Transaction().connection.cursor()
        dimensions = {c[len(QUALITY_PREFIX):]: c for c in codes}
        answered, sent = {}, {}
        if buckets and dimensions:
            answers = cls._quality_answers(list(dimensions), Periods(buckets))
            cursor.execute(*answers.select(
                    answers.dimension, answers.bucket,
                    Count(answers.member, distinct=True),
                    Cast(Avg(answers.scale), 'FLOAT'),
                    group_by=[answers.dimension, answers.bucket]))
            for dimension, bucket, count, average in cursor:
                answered[(dimension, int(bucket))] = (count, average)
            responses = cls._quality_sent(list(dimensions), Periods(buckets))
            cursor.execute(*responses.select(
                    responses.dimension, responses.bucket,
                    Count(responses.response, distinct=True),
                    group_by=[responses.dimension, responses.bucket]))
            for dimension, bucket, count in cursor:
                sent[(dimension, int(bucket))] = count
        result = {}
        for dimension, code in dimensions.items():
            for i in range(len(buckets)):
                count, average = answered.get((dimension, i), (0, None))
                if average is not None:
                    average = round(float(average), 2)
                result[(code, i)] = (
                    count, average, sent.get((dimension, i), 0))
        return result

    @classmethod
    def members(cls, code, start, end):
        "The ids of the records behind the figure of an indicator in a period"
        cursor = Transaction().connection.cursor()
        members = cls.members_query(code, [(start, end)])
        cursor.execute(*members.select(
                members.member, group_by=[members.member],
                order_by=[members.member]))
        return [m for m, in cursor]

    # The definitions of the indicators. Each _members_<code> method gives
    # the pairs (bucket, member) for the periods (a Periods).

    @classmethod
    def _confirmed_deliveries(cls, periods, query=None):
        """The deliveries (and query joined to them) with the period of
        their date and the condition of the confirmed deliveries of the
        periods"""
        Delivery = Pool().get('cus.service.delivery')
        delivery = Delivery.__table__()
        query, bucket, condition = cls._period_of(
            periods, delivery if query is None else query(delivery),
            delivery.date)
        return (delivery, query, bucket,
            condition & (delivery.state == 'confirmed'))

    @classmethod
    def _members_new_persons(cls, periods):
        """Clients not former MOPS clients whose first use of the CUS falls
        in the period: the earliest of their first confirmed delivery and of
        the decision date of their first qualified application"""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Application = pool.get('cus.application')
        Party = pool.get('party.party')
        delivery = Delivery.__table__()
        application = Application.__table__()
        party = Party.__table__()
        uses = Union(
            delivery.select(
                delivery.client.as_('client'),
                Min(delivery.date).as_('date'),
                where=delivery.state == 'confirmed',
                group_by=[delivery.client]),
            application.select(
                application.client.as_('client'),
                Min(Coalesce(application.decision_date,
                        application.application_date)).as_('date'),
                where=application.state == 'qualified',
                group_by=[application.client]),
            all_=True)
        first = uses.select(
            uses.client.as_('client'), Min(uses.date).as_('date'),
            group_by=[uses.client])
        query, bucket, condition = cls._period_of(periods,
            first.join(party, condition=party.id == first.client), first.date)
        return query.select(
            bucket.as_('bucket'),
            first.client.as_('member'),
            where=condition
            & (Coalesce(party.former_ops_client, Literal(False))
                == Literal(False)))

    @classmethod
    def _members_new_services(cls, periods):
        """Services of the kind "new service" whose first confirmed delivery
        falls in the period"""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Service = pool.get('cus.service')
        delivery = Delivery.__table__()
        service = Service.__table__()
        first = delivery.select(
            delivery.service.as_('service'), Min(delivery.date).as_('date'),
            where=delivery.state == 'confirmed',
            group_by=[delivery.service])
        query, bucket, condition = cls._period_of(periods,
            first.join(service, condition=service.id == first.service),
            first.date)
        return query.select(
            bucket.as_('bucket'),
            first.service.as_('member'),
            where=condition & (service.service_kind == 'new'))

    @classmethod
    def _members_delivering_providers(cls, periods):
        "The providers of the confirmed deliveries of the period"
        delivery, query, bucket, condition = cls._confirmed_deliveries(
            periods)
        return query.select(
            bucket.as_('bucket'),
            delivery.provider.as_('member'),
            where=condition & (delivery.provider != Null))

    @classmethod
    def _members_persons(cls, periods):
        "The clients of the confirmed deliveries of the period"
        delivery, query, bucket, condition = cls._confirmed_deliveries(
            periods)
        return query.select(
            bucket.as_('bucket'),
            delivery.client.as_('member'),
            where=condition)

    @classmethod
    def _not_supporting(cls, package):
        "The condition of a package (maybe none) not of supporting activities"
        return Coalesce(package.supporting_activities, Literal(False)) \
            == Literal(False)

    @classmethod
    def _members_catalogue_services(cls, periods):
        """The services on the lines of the programmes running in the
        period (running or closed programmes; the line's dates, or else the
        programme's, overlap the period), except supporting activities"""
        pool = Pool()
        Programme = pool.get('cus.programme')
        ProgrammeLine = pool.get('cus.programme.line')
        Service = pool.get('cus.service')
        Package = pool.get('cus.service.package')
        programme = Programme.__table__()
        line = ProgrammeLine.__table__()
        service = Service.__table__()
        package = Package.__table__()
        buckets = periods.table()
        return (line
            .join(programme, condition=programme.id == line.programme)
            .join(service, condition=service.id == line.service)
            .join(package, 'LEFT', condition=package.id == service.package)
            .join(buckets,
                condition=(Coalesce(line.start_date, programme.start_date)
                    <= buckets.end_date)
                & (Coalesce(line.end_date, programme.end_date)
                    >= buckets.start_date))
            .select(
                buckets.bucket.as_('bucket'),
                line.service.as_('member'),
                where=programme.state.in_(PROGRAMME_STATES)
                & cls._not_supporting(package)))

    @classmethod
    def _packages_query(cls, where=None, periods=None):
        """The confirmed deliveries of services of packages (not of
        supporting activities) grouped by client and package, and by period
        when periods are given: the member (and the id of the row of
        cus.indicator.package) is the smallest id of the deliveries"""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Service = pool.get('cus.service')
        Package = pool.get('cus.service.package')
        delivery = Delivery.__table__()
        service = Service.__table__()
        package = Package.__table__()
        query = (delivery
            .join(service, condition=service.id == delivery.service)
            .join(package, condition=package.id == service.package))
        condition = (delivery.state == 'confirmed') \
            & cls._not_supporting(package)
        bucket = Literal(0)
        if periods is not None:
            query, bucket, in_periods = cls._period_of(
                periods, query, delivery.date)
            condition &= in_periods
        if where is not None:
            condition &= where(delivery)
        deliveries = query.select(
            bucket.as_('bucket'),
            delivery.id.as_('id'),
            delivery.client.as_('client'),
            service.package.as_('package'),
            delivery.date.as_('date'),
            where=condition)
        columns = [
            Min(deliveries.id).as_('member'),
            deliveries.client.as_('client'),
            deliveries.package.as_('package'),
            Min(deliveries.date).as_('first_date'),
            Max(deliveries.date).as_('last_date'),
            Count(deliveries.id).as_('deliveries'),
            ]
        group_by = [deliveries.client, deliveries.package]
        if periods is not None:
            columns.insert(0, deliveries.bucket.as_('bucket'))
            group_by.insert(0, deliveries.bucket)
        return deliveries.select(*columns, group_by=group_by)

    @classmethod
    def _members_packages(cls, periods):
        """The pairs (client, package) of the confirmed deliveries of the
        period of services of a package (not of supporting activities)"""
        return cls._packages_query(periods=periods)

    @classmethod
    def _contracts_in_force(cls, periods):
        "The contracts in force in the period joined to it"
        Contract = Pool().get('cus.contract')
        contract = Contract.__table__()
        buckets = periods.table()
        return contract, (contract
            .join(buckets, condition=(contract.start_date <= buckets.end_date)
                & (contract.end_date >= buckets.start_date))
            .select(
                buckets.bucket.as_('bucket'),
                contract.id.as_('contract'),
                contract.provider.as_('provider'),
                where=contract.state.in_(CONTRACT_STATES)))

    @classmethod
    def _members_entities(cls, periods):
        """The providers with a contract in force in the period or with
        confirmed deliveries in the period"""
        _, contracts = cls._contracts_in_force(periods)
        return Union(
            contracts.select(
                contracts.bucket.as_('bucket'),
                contracts.provider.as_('member')),
            cls._members_delivering_providers(periods),
            all_=True)

    @classmethod
    def _members_partnerships(cls, periods):
        """The partnerships whose agreement is in force in the period:
        signed on or before its end and not ended before its start"""
        Partnership = Pool().get('cus.partnership')
        partnership = Partnership.__table__()
        buckets = periods.table()
        return (partnership
            .join(buckets,
                condition=(partnership.agreement_date <= buckets.end_date)
                & ((partnership.end_date == Null)
                    | (partnership.end_date >= buckets.start_date)))
            .select(
                buckets.bucket.as_('bucket'),
                partnership.id.as_('member'),
                where=partnership.agreement_date != Null))

    @classmethod
    def _members_agreements(cls, periods):
        """The contracts with providers in force in the period: active,
        closed or terminated, their dates overlapping the period"""
        _, contracts = cls._contracts_in_force(periods)
        return contracts.select(
            contracts.bucket.as_('bucket'),
            contracts.contract.as_('member'))

    @classmethod
    def _first_versions(cls):
        """The table (id, root) of every plan and the first version of its
        chain of updates (a recursive WITH)"""
        Ipus = Pool().get('cus.ipus')
        first, later = Ipus.__table__(), Ipus.__table__()
        chain = With('id', 'root', recursive=True)
        chain.query = Union(
            first.select(first.id, first.id,
                where=first.previous_version == Null),
            later.join(chain, condition=later.previous_version == chain.id)
            .select(later.id, chain.root),
            all_=True)
        return chain

    @classmethod
    def _members_plans(cls, periods):
        """The plans in force in the period (approved, running, closed or
        superseded, valid over part of the period), as their first
        versions: a plan and its updates count once"""
        Ipus = Pool().get('cus.ipus')
        plan = Ipus.__table__()
        buckets = periods.table()
        chain = cls._first_versions()
        return (plan
            .join(chain, condition=chain.id == plan.id)
            .join(buckets, condition=(plan.valid_from <= buckets.end_date)
                & (plan.valid_to >= buckets.start_date))
            .select(
                buckets.bucket.as_('bucket'),
                chain.root.as_('member'),
                where=plan.state.in_(PLAN_STATES),
                with_=[chain]))

    @classmethod
    def _members_supporting_services(cls, periods):
        """The services of the packages of supporting activities with
        confirmed deliveries in the period"""
        pool = Pool()
        Service = pool.get('cus.service')
        Package = pool.get('cus.service.package')
        service = Service.__table__()
        package = Package.__table__()
        delivery, query, bucket, condition = cls._confirmed_deliveries(
            periods, query=lambda delivery: delivery
            .join(service, condition=service.id == delivery.service)
            .join(package, condition=package.id == service.package))
        return query.select(
            bucket.as_('bucket'),
            delivery.service.as_('member'),
            where=condition
            & (package.supporting_activities == Literal(True)))

    @classmethod
    def _quality_answers(cls, dimensions, periods):
        """The scale answers (bucket, member: the response, dimension, scale)
        of the answered questionnaires sent in the period to the questions
        of the dimensions, as cus.survey.result.indicator_scores counts
        them"""
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Answer = pool.get('cus.survey.answer')
        Question = pool.get('cus.survey.question')
        response = Response.__table__()
        answer = Answer.__table__()
        question = Question.__table__()
        query, bucket, condition = cls._period_of(periods, answer
            .join(response, condition=answer.response == response.id)
            .join(question, condition=answer.question == question.id),
            response.sent_date)
        return query.select(
                bucket.as_('bucket'),
                response.id.as_('member'),
                question.dimension.as_('dimension'),
                answer.scale.as_('scale'),
                where=condition
                & (question.kind == 'scale')
                & question.dimension.in_(dimensions)
                & (response.state == 'answered')
                & (answer.scale != Null))

    @classmethod
    def _quality_sent(cls, dimensions, periods):
        """The questionnaires (bucket, response, dimension) sent in the
        period with a question of the dimensions"""
        pool = Pool()
        Response = pool.get('cus.survey.response')
        Question = pool.get('cus.survey.question')
        response = Response.__table__()
        question = Question.__table__()
        query, bucket, condition = cls._period_of(periods, response
            .join(question, condition=question.survey == response.survey),
            response.sent_date)
        return query.select(
            bucket.as_('bucket'),
            response.id.as_('response'),
            question.dimension.as_('dimension'),
            where=condition
            & (question.kind == 'scale')
            & question.dimension.in_(dimensions))

    # The drill-down

    @classmethod
    @ModelView.button_action('cus_partners.act_indicator_records')
    def open_records(cls, rows):
        "Open the records behind the figures (of one indicator)"
        codes = {r.code for r in rows}
        if len(codes) != 1:
            raise IndicatorError(gettext(
                    'cus_partners.msg_indicator_open_one'))
        code, = codes
        definition = cls.definition_of(code)
        ids = set()
        for row in rows:
            ids.update(cls.members(code, row.period_start, row.period_end))
        start = min(r.period_start for r in rows)
        end = max(r.period_end for r in rows)
        # The period of the dashboard: the client reads the names of the
        # rows in the context of the window it opens (as a relate action)
        period_start, period_end, granularity = context_period()
        context = {
            'start_date': period_start, 'end_date': period_end,
            'granularity': granularity,
            }
        if definition.model == 'cus.indicator.package' and len(rows) == 1:
            context.update({'indicator_start': start, 'indicator_end': end})
        elif definition.model == 'cus.indicator.package':
            # The packages of several periods are the rows of each period
            raise IndicatorError(gettext(
                    'cus_partners.msg_indicator_open_one_period'))
        encoder = PYSONEncoder()
        return {
            # the client adds the names of the rows
            'name': cls.records_label(code),
            'res_model': definition.model,
            'pyson_domain': encoder.encode([('id', 'in', sorted(ids))]),
            'pyson_context': encoder.encode(context),
            # an action built here: no order, search or tabs of its own
            'pyson_order': encoder.encode([]),
            'pyson_search_value': encoder.encode([]),
            'domains': [],
            'views': [],
            }


class IndicatorPackage(ModelSQL, ModelView):
    """A service package delivered to a client: the records behind the
    figure "service packages delivered"

    The confirmed deliveries of the period of the context (indicator_start,
    indicator_end; all of them without it) of services of a package grouped
    by client and package; the id of a row is the smallest id of its
    deliveries.
    """
    __name__ = 'cus.indicator.package'
    __string__ = "Service Package Delivered"

    client = fields.Many2One('party.party', "Client", readonly=True)
    package = fields.Many2One(
        'cus.service.package', "Package", readonly=True)
    first_date = fields.Date("First Delivery", readonly=True)
    last_date = fields.Date("Last Delivery", readonly=True)
    deliveries = fields.Integer("Deliveries", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('package', 'ASC'), ('client', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        Indicator = Pool().get('cus.indicator')
        context = Transaction().context
        start = context.get('indicator_start')
        end = context.get('indicator_end')

        def where(delivery):
            condition = Literal(True)
            if start:
                condition &= delivery.date >= start
            if end:
                condition &= delivery.date <= end
            return condition
        query = Indicator._packages_query(where=where)
        query.columns = [query.columns[0].expression.as_('id')] + list(
            query.columns[1:])
        return query

    def get_rec_name(self, name):
        return '%s – %s' % (self.client.rec_name, self.package.rec_name)


class IndicatorService(ModelSQL, ModelView):
    """The service base in figures: persons, granted, used and remaining
    per service, the live counters of cus.service"""
    __name__ = 'cus.indicator.service'
    __string__ = "Service Base in Figures"

    service = fields.Many2One('cus.service', "Service", readonly=True)
    package = fields.Many2One(
        'cus.service.package', "Package", readonly=True)
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_counters')
    persons = fields.Function(fields.Integer(
            "Persons", help="Persons with the service granted now."),
        'get_counters')
    granted = fields.Function(fields.Float(
            "Granted", digits=(16, 2),
            help="Units granted in open plans and qualified applications."),
        'get_counters')
    used = fields.Function(fields.Float(
            "Used", digits=(16, 2),
            help="Units of the granted ones confirmed as delivered."),
        'get_counters')
    remaining = fields.Function(fields.Float(
            "Remaining", digits=(16, 2),
            help="Units granted and not used yet."),
        'get_counters')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('service', 'ASC'), ('id', 'ASC')]
        cls._buttons.update({
                'open_persons': {
                    'icon': 'tryton-open',
                    },
                })

    @classmethod
    def table_query(cls):
        Service = Pool().get('cus.service')
        service = Service.__table__()
        return service.select(
            service.id.as_('id'),
            service.id.as_('service'),
            service.package.as_('package'),
            where=service.active == Literal(True))

    @classmethod
    def get_counters(cls, rows, names):
        "The counters of the services (cus_ipus/service.py get_counters)"
        Service = Pool().get('cus.service')
        services = Service.browse([r.id for r in rows])
        counters = [n for n in names if n != 'unit']
        result = Service.get_counters(services, counters) if counters else {}
        if 'unit' in names:
            result['unit'] = {s.id: s.unit.id for s in services}
        return result

    def get_rec_name(self, name):
        return self.service.rec_name

    @classmethod
    def persons_of(cls, service_ids):
        """The ids of the persons with the services granted now (the
        members of the counter persons of cus.service)"""
        Service = Pool().get('cus.service')
        cursor = Transaction().connection.cursor()
        lines = Service._granted_lines_query(list(service_ids),
            with_used=False)
        cursor.execute(*lines.select(
                lines.client, group_by=[lines.client],
                order_by=[lines.client]))
        return [c for c, in cursor]

    @classmethod
    @ModelView.button_action('cus_partners.act_indicator_records')
    def open_persons(cls, rows):
        "Open the persons counted by the services"
        ids = cls.persons_of([r.id for r in rows])
        return {
            # the client adds the names of the rows (the services)
            'name': gettext('cus_partners.msg_indicator_records_client'),
            'res_model': 'party.party',
            'pyson_domain': PYSONEncoder().encode([('id', 'in', ids)]),
            'pyson_context': PYSONEncoder().encode({}),
            'pyson_order': PYSONEncoder().encode([]),
            'pyson_search_value': PYSONEncoder().encode([]),
            'domains': [],
            'views': [],
            }


class ServicePackage(metaclass=PoolMeta):
    __name__ = 'cus.service.package'

    supporting_activities = fields.Boolean(
        "Supporting Activities",
        help="The services of the package are supporting activities "
        "(działania wspierające), counted apart from the social services by "
        "the indicators.")

    @classmethod
    def default_supporting_activities(cls):
        return False


class IndicatorExportStart(ModelView):
    "Export the indicators"
    __name__ = 'cus.indicator.export.start'
    __string__ = "Export Indicators"

    start_date = fields.Date(
        "Start Date", required=True,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date", required=True,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    granularity = fields.Selection(
        GRANULARITIES, "Periods", required=True, sort=False)
    records = fields.Boolean(
        "Records behind the Figures",
        help="Add a sheet listing the records counted by each figure.")

    @classmethod
    def default_start_date(cls):
        return context_period()[0]

    @classmethod
    def default_end_date(cls):
        return context_period()[1]

    @classmethod
    def default_granularity(cls):
        return context_period()[2]

    @classmethod
    def default_records(cls):
        return True


class IndicatorExport(Wizard):
    "Export the indicators to a spreadsheet"
    __name__ = 'cus.indicator.export'

    start = StateView('cus.indicator.export.start',
        'cus_partners.indicator_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-print', default=True),
            ])
    export = StateReport('cus_partners.report_indicator')

    def do_export(self, action):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        if not ModelAccess.check('cus.indicator', 'read',
                raise_exception=False):
            raise AccessError(gettext(
                    'cus_partners.msg_indicator_export_access'))
        return action, {
            'start_date': self.start.start_date,
            'end_date': self.start.end_date,
            'granularity': self.start.granularity,
            'records': bool(self.start.records),
            }

    def transition_export(self):
        return 'end'
