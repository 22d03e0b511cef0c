# This file is part of the CUS back office.
"""The yearly report and the final information on a programme (art. 6)

A `cus.programme.report` holds what people write (conclusions, the
assessment against the evaluation criteria, recommendations) and computes,
from the data of its period, the figures the report needs: persons,
services delivered by target group and service, plans, budget execution,
providers, and — when the modules are there — the indicators, the
satisfaction surveys and the community work. Each figure is an SQL
aggregate over the period; the sections are rendered by an editable ODT
document and by XLSX annexes with the same numbers.
"""
import datetime as dt
from collections import defaultdict, namedtuple
from decimal import Decimal

from cus_base.model import ServerFieldsCopyMixin
from cus_base.format import format_money, format_quantity
from cus_base.xlsx import Column, XlsxReport
from cus_ipus.report import PolishReportMixin
from sql import Literal, Null
from sql.aggregate import Count, Sum

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction

from .indicator import period_label

AGE_BANDS = [
    (0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 74),
    (75, 84), (85, None)]

# A section of the report: a title, the column titles and kinds (kinds of
# cus_base.xlsx.Column) and the rows.
Section = namedtuple('Section', ['key', 'title', 'columns', 'rows'])

# The columns of the wide table of the document (the widest section)
WIDE = 8
KINDS = [
    ('yearly', "Yearly Report"),
    ('final', "Final Information on the Programme"),
    ]
STATES = [
    ('draft', "Draft"),
    ('done', "Done"),
    ]


def _msg(name, **kwargs):
    return gettext('cus_partners.msg_programme_report_' + name, **kwargs)


def age_band(age):
    for low, high in AGE_BANDS:
        if high is None or age <= high:
            if age >= low:
                return f'{low}+' if high is None else f'{low}–{high}'
    return '?'


class ProgrammeReportDeleteError(AccessError):
    pass


class ProgrammeReport(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "Report on a programme of social services"
    __name__ = 'cus.programme.report'
    __string__ = "Programme Report"
    _history = True

    _states = {'readonly': Eval('state') != 'draft'}

    programme = fields.Many2One(
        'cus.programme', "Programme", required=True, ondelete='RESTRICT',
        states=_states)
    kind = fields.Selection(
        KINDS, "Kind", required=True, sort=False, states=_states,
        help="The yearly report with conclusions (at least once a year) or "
        "the information on the programme after it ends (art. 6).")
    start_date = fields.Date(
        "Start Date", required=True, states=_states,
        domain=[('start_date', '<=', Eval('end_date', None))])
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[('end_date', '>=', Eval('start_date', None))])
    date = fields.Date("Date", required=True, states=_states)
    author = fields.Many2One(
        'company.employee', "Author", states=_states)
    summary = fields.Text(
        "Course of the Programme", states=_states,
        help="How the programme went in the period.")
    effectiveness = fields.Text(
        "Effectiveness", states=_states,
        help="To what extent the goals were reached (skuteczność).")
    efficiency = fields.Text(
        "Efficiency", states=_states,
        help="The results against the means used (efektywność).")
    utility = fields.Text(
        "Utility", states=_states,
        help="Whether the results answer the residents' needs "
        "(użyteczność).")
    sustainability = fields.Text(
        "Sustainability", states=_states,
        help="Whether the results last (trwałość).")
    relevance = fields.Text(
        "Relevance", states=_states,
        help="Whether the goals fit the diagnosed needs (trafność).")
    conclusions = fields.Text("Conclusions", states=_states)
    recommendations = fields.Text("Recommendations", states=_states)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('end_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {('draft', 'done'), ('done', 'draft')}
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'done',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'yearly'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_author(cls):
        return Transaction().context.get('employee')

    @fields.depends('programme', 'kind', 'start_date', 'end_date', 'date')
    def on_change_programme(self):
        self._fill_period()

    @fields.depends('programme', 'kind', 'start_date', 'end_date', 'date')
    def on_change_kind(self):
        self._fill_period()

    def _fill_period(self):
        "The whole programme, or the calendar year of the report's date"
        programme = self.programme
        if not programme or not programme.start_date:
            return
        if self.kind == 'final':
            self.start_date = programme.start_date
            self.end_date = programme.end_date
        else:
            year = (self.date or dt.date.today()).year - 1
            year = max(year, programme.start_date.year)
            start = max(dt.date(year, 1, 1), programme.start_date)
            end = dt.date(year, 12, 31)
            if programme.end_date:
                end = min(end, programme.end_date)
            self.start_date, self.end_date = start, end

    def get_rec_name(self, name):
        return '%s %s (%s–%s)' % (
            self.programme.rec_name,
            dict(KINDS).get(self.kind, ''),
            self.start_date.strftime('%d.%m.%Y'),
            self.end_date.strftime('%d.%m.%Y'))

    @classmethod
    def check_modification(cls, mode, reports, values=None, external=False):
        super().check_modification(
            mode, reports, values=values, external=external)
        if mode == 'delete':
            for report in reports:
                if report.state != 'draft':
                    raise ProgrammeReportDeleteError(gettext(
                            'cus_partners.msg_programme_report_delete',
                            report=report.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, reports):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, reports):
        pass

    # --- The figures -----------------------------------------------------

    def service_ids(self):
        "The services of the programme"
        return sorted({l.service.id for l in self.programme.lines})

    def _delivery_where(self, delivery):
        where = ((delivery.state == 'confirmed')
            & (delivery.date >= self.start_date)
            & (delivery.date <= self.end_date))
        ids = self.service_ids()
        if not ids:
            return where & Literal(False)
        return where & delivery.service.in_(ids)

    def _execute(self, query):
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return cursor.fetchall()

    def persons_section(self):
        """Persons with a confirmed delivery of a service of the programme
        in the period, by category, sex, age band and former MOPS client"""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Party = pool.get('party.party')
        delivery = Delivery.__table__()
        party = Party.__table__()
        clients = delivery.select(
            delivery.client.as_('client'),
            where=self._delivery_where(delivery),
            group_by=[delivery.client])
        query = clients.join(party,
            condition=party.id == clients.client
            ).select(
                party.client_category, party.sex, party.former_ops_client,
                party.birth_date, Count(clients.client),
                group_by=[party.client_category, party.sex,
                    party.former_ops_client, party.birth_date])
        categories = dict(Party.fields_get(
                ['client_category'])['client_category']['selection'])
        sexes = dict(Party.fields_get(['sex'])['sex']['selection'])
        total = 0
        by_category, by_sex, by_age = (
            defaultdict(int), defaultdict(int), defaultdict(int))
        new = 0
        end = self.end_date
        for category, sex, former, birth_date, count in self._execute(query):
            total += count
            by_category[categories.get(category) or _msg('unknown')] += count
            by_sex[sexes.get(sex) or _msg('unknown')] += count
            if not former:
                new += count
            if birth_date:
                if isinstance(birth_date, str):
                    birth_date = dt.date.fromisoformat(birth_date)
                age = end.year - birth_date.year - (
                    (end.month, end.day) < (birth_date.month, birth_date.day))
                by_age[age_band(age)] += count
            else:
                by_age[_msg('unknown')] += count
        rows = [(_msg('persons_total'), total),
            (_msg('persons_new'), new)]
        rows += [(_msg('by_category', value=k), v)
            for k, v in sorted(by_category.items())]
        rows += [(_msg('by_sex', value=k), v) for k, v in sorted(by_sex.items())]
        band_order = [age_band(low) for low, _ in AGE_BANDS]
        rows += [(_msg('by_age', value=k), by_age[k])
            for k in sorted(by_age, key=lambda b: (
                    band_order.index(b) if b in band_order else 99))]
        return Section('persons', _msg('section_persons'), [
                (_msg('column_figure'), 'text'),
                (_msg('column_persons'), 'integer')], rows)

    def services_section(self):
        """Per target group of the programme lines and service: persons,
        quantity and value of the confirmed deliveries of the period"""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Service = pool.get('cus.service')
        Order = pool.get('cus.service.order')
        BudgetLine = pool.get('cus.budget.line')
        delivery = Delivery.__table__()
        service = Service.__table__()
        order = Order.__table__()
        value = BudgetLine.delivery_value(delivery, service, order)
        query = delivery.join(service,
            condition=service.id == delivery.service
            ).join(order, 'LEFT', condition=order.id == delivery.order
            ).select(
                delivery.service, Count(delivery.client, distinct=True),
                Sum(delivery.quantity), Sum(value),
                where=self._delivery_where(delivery),
                group_by=[delivery.service])
        figures = {s: (p, q, v) for s, p, q, v in self._execute(query)}
        rows = []
        for line in self.programme.lines:
            persons, quantity, amount = figures.get(
                line.service.id, (0, 0, 0))
            rows.append((
                    line.target_group.rec_name if line.target_group else '',
                    line.service.rec_name, line.planned_persons or 0,
                    persons, line.planned_quantity or 0, quantity or 0,
                    line.service.unit.rec_name,
                    Decimal(str(amount or 0)).quantize(Decimal('0.01'))))
        return Section('services', _msg('section_services'), [
                (_msg('column_target_group'), 'text'),
                (_msg('column_service'), 'text'),
                (_msg('column_planned_persons'), 'integer'),
                (_msg('column_persons'), 'integer'),
                (_msg('column_planned_quantity'), 'number'),
                (_msg('column_quantity'), 'number'),
                (_msg('column_unit'), 'text'),
                (_msg('column_value'), 'money')], rows)

    def plans_section(self):
        "Individual plans: drawn up, updated, in force, closed, cancelled"
        pool = Pool()
        Ipus = pool.get('cus.ipus')
        ipus = Ipus.__table__()
        start, end = self.start_date, self.end_date
        query = ipus.select(
            Count(ipus.id, filter_=(ipus.version == 1)
                & (ipus.drawn_up_date >= start) & (ipus.drawn_up_date <= end)
                & ipus.state.in_(['approved', 'running', 'closed',
                        'superseded'])),
            Count(ipus.id, filter_=(ipus.version > 1)
                & (ipus.drawn_up_date >= start) & (ipus.drawn_up_date <= end)
                & ipus.state.in_(['approved', 'running', 'closed',
                        'superseded'])),
            Count(ipus.client, distinct=True, filter_=ipus.state.in_(
                    ['approved', 'running', 'closed', 'superseded'])
                & (ipus.valid_from <= end) & (ipus.valid_to >= start)),
            Count(ipus.id, filter_=(ipus.state == 'closed')
                & (ipus.valid_to >= start) & (ipus.valid_to <= end)),
            Count(ipus.id, filter_=(ipus.state == 'cancelled')
                & (ipus.drawn_up_date >= start)
                & (ipus.drawn_up_date <= end)))
        drawn, updated, in_force, closed, cancelled = self._execute(query)[0]
        return Section('plans', _msg('section_plans'), [
                (_msg('column_figure'), 'text'),
                (_msg('column_count'), 'integer')], [
                (_msg('plans_drawn_up'), drawn),
                (_msg('plans_updated'), updated),
                (_msg('plans_clients'), in_force),
                (_msg('plans_closed'), closed),
                (_msg('plans_cancelled'), cancelled),
                ])

    def budget_section(self):
        "The budgets of the programme: amount, committed, spent, execution"
        Budget = Pool().get('cus.budget')
        budgets = Budget.search([
                ('programme', '=', self.programme.id),
                ('state', '!=', 'draft'),
                ])
        rows = []
        for budget in budgets:
            execution = budget.execution
            rows.append((budget.rec_name, budget.amount or 0,
                    budget.committed or 0, budget.spent or 0,
                    (execution or 0) / 100 if execution is not None
                    else None))
        return Section('budget', _msg('section_budget'), [
                (_msg('column_budget'), 'text'),
                (_msg('column_amount'), 'money'),
                (_msg('column_committed'), 'money'),
                (_msg('column_spent'), 'money'),
                (_msg('column_execution'), 'percent')], rows)

    def providers_section(self):
        """Providers of the period: the contracts in force and their
        confirmed deliveries of the programme's services"""
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Service = pool.get('cus.service')
        Order = pool.get('cus.service.order')
        Contract = pool.get('cus.contract')
        Party = pool.get('party.party')
        BudgetLine = pool.get('cus.budget.line')
        delivery = Delivery.__table__()
        service = Service.__table__()
        order = Order.__table__()
        value = BudgetLine.delivery_value(delivery, service, order)
        query = delivery.join(service,
            condition=service.id == delivery.service
            ).join(order, 'LEFT', condition=order.id == delivery.order
            ).select(
                delivery.provider, Count(delivery.client, distinct=True),
                Sum(delivery.quantity), Sum(value),
                where=self._delivery_where(delivery)
                & (delivery.provider != Null),
                group_by=[delivery.provider])
        figures = {p: (c, q, v) for p, c, q, v in self._execute(query)}
        contract = Contract.__table__()
        query = contract.select(
            contract.provider, Count(contract.id),
            where=contract.state.in_(['active', 'closed', 'terminated'])
            & (contract.start_date <= self.end_date)
            & (contract.end_date >= self.start_date),
            group_by=[contract.provider])
        contracts = dict(self._execute(query))
        kinds = dict(Party.fields_get(
                ['provider_kind'])['provider_kind']['selection'])
        rows = []
        for provider in Party.browse(sorted(set(figures) | set(contracts))):
            persons, quantity, amount = figures.get(provider.id, (0, 0, 0))
            rows.append((provider.rec_name,
                    kinds.get(provider.provider_kind) or '',
                    contracts.get(provider.id, 0), persons, quantity or 0,
                    Decimal(str(amount or 0)).quantize(Decimal('0.01'))))
        rows.sort(key=lambda r: r[0])
        return Section('providers', _msg('section_providers'), [
                (_msg('column_provider'), 'text'),
                (_msg('column_provider_kind'), 'text'),
                (_msg('column_contracts'), 'integer'),
                (_msg('column_persons'), 'integer'),
                (_msg('column_quantity'), 'number'),
                (_msg('column_value'), 'money')], rows)

    def surveys_section(self):
        """The Koszalin survey indicators of the questionnaires sent in the
        period: average score, answered, sent and the response rate"""
        pool = Pool()
        Result = pool.get('cus.survey.result')
        Question = pool.get('cus.survey.question')
        labels = dict(Question.fields_get(
                ['dimension'])['dimension']['selection'])
        rows = []
        scores = Result.indicator_scores(self.start_date, self.end_date)
        for dimension, (average, answered, sent) in scores.items():
            rows.append((labels.get(dimension, dimension),
                    average, answered or 0, sent or 0,
                    (answered or 0) / sent if sent else None))
        return Section('surveys', _msg('section_surveys'), [
                (_msg('column_indicator'), 'text'),
                (_msg('column_average'), 'number'),
                (_msg('column_answered'), 'integer'),
                (_msg('column_sent'), 'integer'),
                (_msg('column_response_rate'), 'percent')], rows)

    def _buckets(self):
        """The periods of the indicator columns: the quarters of a report
        within one year, else its years (at most six), and the whole
        period last"""
        start, end = self.start_date, self.end_date
        buckets = []
        if start.year == end.year:
            for quarter in range(4):
                first = dt.date(start.year, 3 * quarter + 1, 1)
                last = (dt.date(start.year + 1, 1, 1) if quarter == 3
                    else dt.date(start.year, 3 * quarter + 4, 1)
                    ) - dt.timedelta(days=1)
                if first <= end and last >= start:
                    buckets.append((max(first, start), min(last, end)))
        else:
            for year in range(start.year, min(end.year, start.year + 5) + 1):
                buckets.append((max(dt.date(year, 1, 1), start),
                        min(dt.date(year, 12, 31), end)))
        return buckets + [(start, end)]

    def indicators_section(self):
        """The indicators of both seeds (cus.indicator) by quarter or year
        of the period and for the whole period; the survey indicators are
        in their own section"""
        pool = Pool()
        Indicator = pool.get('cus.indicator')
        labels = dict(Indicator.fields_get(['code'])['code']['selection'])
        buckets = self._buckets()
        definitions = [d for d in Indicator.definitions() if not d.scored]
        figures = Indicator.compute(
            buckets, codes={d.code for d in definitions})
        rows = [(labels.get(d.code, d.code),) + tuple(
                figures[(d.code, i)] for i in range(len(buckets)))
            for d in definitions]
        columns = [(_msg('column_indicator'), 'text')] + [
            (period_label(s, e), 'integer') for s, e in buckets[:-1]] + [
            (_msg('column_whole_period'), 'integer')]
        return Section(
            'indicators', _msg('section_indicators'), columns, rows)

    def sections(self):
        """The sections in the order of the report; the modules that add a
        section (indicators, surveys, community work) extend it"""
        return [
            self.persons_section(),
            self.services_section(),
            self.plans_section(),
            self.budget_section(),
            self.providers_section(),
            self.indicators_section(),
            self.surveys_section(),
            ]


def _cell(value, kind):
    "The text of a value in the ODT document, as Poles write it"
    if value is None:
        return ''
    if kind == 'money':
        return format_money(value)
    if kind == 'percent':
        return format_quantity(Decimal(str(value)) * 100) + ' %'
    if kind in {'number', 'integer'}:
        return format_quantity(value)
    return str(value)


class ProgrammeReportDocument(PolishReportMixin, Report):
    "The report as an editable document (ODT)"
    __name__ = 'cus_partners.report_programme'

    @classmethod
    def get_context(cls, records, header, data):
        Company = Pool().get('company.company')
        context = super().get_context(records, header, data)
        company_id = Transaction().context.get('company')
        context['company'] = (
            Company(company_id) if company_id is not None and company_id >= 0
            else None)
        context['sections'] = cls.sections
        context['cell'] = _cell
        context['kind_label'] = lambda r: dict(
            r.__class__.fields_get(['kind'])['kind']['selection']).get(
                r.kind, '')
        context['msg'] = _msg
        return context

    @staticmethod
    def sections(report):
        "Sections with their rows as texts, padded to the widest section"
        result = []
        for section in report.sections():
            kinds = [k for _, k in section.columns]
            width = 2 if len(kinds) <= 2 else WIDE
            pad = [''] * (width - len(kinds))
            result.append({
                    'title': section.title,
                    'wide': width == WIDE,
                    'columns': [t for t, _ in section.columns] + pad,
                    'rows': [[_cell(v, k) for v, k in zip(row, kinds)] + pad
                        for row in section.rows],
                    })
        return result


class ProgrammeReportAnnexes(XlsxReport):
    "The sections of the report as spreadsheets (annexes)"
    __name__ = 'cus_partners.report_programme_annexes'

    @classmethod
    def write_workbook(cls, book, reports, data):
        for report in reports:
            prefix = f'{report.id} ' if len(reports) > 1 else ''
            for section in report.sections():
                sheet = book.sheet(
                    (prefix + section.title)[:31],
                    [Column(t, k) for t, k in section.columns])
                sheet.write_rows(section.rows)
                sheet.finish()
