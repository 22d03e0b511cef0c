# This file is part of the CUS back office.
"""Financial plans of services (cus.budget) and their execution

What a budget line covers
-------------------------
A budget line names a service or a service group (cus.service.package). A
fact (a delivery, a plan line, an order) counts on a line when:

* its service belongs to the budget's programme (a cus.programme.line of
  the programme has the service);
* its service is the line's service, or the line is a group line, the
  service is in the group and has no line of its own in the budget (the
  most specific line wins, so no fact counts twice in one budget);
* its date falls within the budget's period: a delivery by its date, a
  plan line by its start date, an order by the start date of its plan line
  (or its own date when it has no plan line).

Two approved budgets of one programme whose periods overlap may not cover
the same service (checked at approval), so a fact counts in one approved
budget at most.

The figures, computed in SQL for all the lines at once
------------------------------------------------------
* spent: confirmed deliveries, quantity × price, where the price is the
  unit price of the delivery's order when it has one, else the unit price
  of the service (the exact products are summed; amounts are shown in
  grosze);
* committed: what is granted or ordered and not yet delivered:
  - each open line of an approved or running plan commits its units not
    yet handed to a provider nor delivered: granted − the units of its
    orders sent, accepted or done − its confirmed deliveries outside those
    orders (never below 0), at the unit price of the contract line of its
    latest order that is not cancelled, else at the service's unit price;
  - each order sent or accepted commits its units not yet delivered:
    ordered − its confirmed deliveries (never below 0), at the order's unit
    price. A done or cancelled order commits nothing more.
  So the units of a plan line are counted once: by the plan line until an
  order takes them, by the order until they are delivered, then as spent.
* remaining = amount − committed − spent; execution = spent / amount.

The figures are computed live from the states of the plans, orders and
deliveries: approving a plan or sending an order commits its value at once.
Right after the transition (`cus.ipus._approve`, `cus.service.order.send`)
the lines of the approved budgets that the document touches are locked and
measured again; when a line's remaining amount is negative and the document
added to its committed amount (compared with the same figures without the
document), the transition is refused with the amount, committed, spent and
the document's value, and nothing of it is kept.
"""
import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from cus_base.format import format_money, round_amount
from cus_base.model import RecNameSearchMixin, ServerFieldsCopyMixin
from sql import Cast, Literal, Null, Union, Window
from sql.aggregate import Sum
from sql.conditionals import Case, Coalesce, NullIf
from sql.functions import DateTrunc, Extract, Substring
from sql.operators import Exists

from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields, sequence_ordered)
from trytond.model.exceptions import AccessError, ValidationError
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, If
from trytond.tools import grouped_slice, sqlite_apply_types
from trytond.transaction import Transaction, without_check_access

STATES = [
    ('draft', "Draft"),
    ('approved', "Approved"),
    ('closed', "Closed"),
    ]
FUNDING_SOURCES = [
    ('efs', "EFS Project"),
    ('municipal', "Municipal Funds"),
    ('state', "State Budget"),
    ('other', "Other"),
    ]
# Orders whose units are not yet delivered are committed in these states.
ORDER_COMMITTING_STATES = ['sent', 'accepted']
# Orders in these states have taken the units of their plan line.
ORDER_HANDED_STATES = ['sent', 'accepted', 'done']
PLAN_COMMITTING_STATES = ['approved', 'running']
# Fields of an approved budget that may still change.
BUDGET_FREE_FIELDS = {
    'state', 'approved_by', 'approved_date', 'notes', 'funding_reference'}
CENT = Decimal('0.01')
CLASSIFICATION = {
    'division': re.compile(r'^\d{3}$'),
    'chapter': re.compile(r'^\d{5}$'),
    'paragraph': re.compile(r'^\d{4}$'),
    }


class BudgetError(UserError):
    pass


class BudgetOverrunError(UserError):
    pass


class BudgetValidationError(ValidationError):
    pass


class BudgetDeleteError(AccessError):
    pass


def _money(value):
    "A Decimal amount rounded to the grosz (0,00 for None)"
    return round_amount(value if value is not None else 0)


def month_start(column):
    "The first day of the month of a date column, as a date"
    if backend.name == 'sqlite':
        # date_trunc of trytond's SQLite gives 'YYYY-MM-DD HH:MM:SS'
        return Substring(DateTrunc('month', column), 1, 10)
    return Cast(DateTrunc('month', column), 'DATE')


class Budget(ServerFieldsCopyMixin, Workflow, ModelSQL, ModelView):
    "Financial plan of social services"
    __name__ = 'cus.budget'
    __string__ = "Budget"

    _states = {'readonly': Eval('state') != 'draft'}

    name = fields.Char("Name", required=True, states=_states)
    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    programme = fields.Many2One(
        'cus.programme', "Programme", required=True, ondelete='RESTRICT',
        states=_states,
        help="Only the services of the programme count on the budget.")
    start_date = fields.Date(
        "Start Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('start_date', '<=', Eval('end_date')),
                ()),
            ])
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        domain=[
            If(Eval('start_date') & Eval('end_date'),
                ('end_date', '>=', Eval('start_date')),
                ()),
            ])
    funding_source = fields.Selection(
        FUNDING_SOURCES, "Funding Source", required=True, sort=False,
        states=_states)
    funding_reference = fields.Char(
        "Funding Reference",
        states={'readonly': Eval('state') == 'closed'},
        help="E.g. the number of the EFS project agreement or of the "
        "council's budget resolution.")
    lines = fields.One2Many(
        'cus.budget.line', 'budget', "Lines", states=_states)
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    amount = fields.Function(fields.Numeric(
            "Amount", digits=(16, 2)), 'get_figures')
    committed = fields.Function(fields.Numeric(
            "Committed", digits=(16, 2),
            help="Granted in approved plans or ordered, not yet delivered."),
        'get_figures')
    spent = fields.Function(fields.Numeric(
            "Spent", digits=(16, 2),
            help="Confirmed deliveries at their price."),
        'get_figures')
    remaining = fields.Function(fields.Numeric(
            "Remaining", digits=(16, 2),
            help="Amount less committed and spent."),
        'get_figures')
    execution = fields.Function(fields.Numeric(
            "Execution (%)", digits=(16, 2),
            help="Spent as a percentage of the amount."),
        'get_figures')
    notes = fields.Text("Notes")
    approved_by = fields.Many2One('res.user', "Approved By", readonly=True)
    approved_date = fields.Date("Approved On", readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.programme, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['draft', 'approved'])),
                })
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'approved'),
            ('approved', 'draft'),
            ('approved', 'closed'),
            }
        cls._buttons.update({
                'draft': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'readonly': ~Eval('lines', []),
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': Eval('state') != 'approved',
                    'icon': 'tryton-close',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_funding_source(cls):
        return 'efs'

    @fields.depends('programme', 'start_date', 'end_date',
        '_parent_programme.start_date', '_parent_programme.end_date')
    def on_change_programme(self):
        if self.programme:
            if not self.start_date:
                self.start_date = self.programme.start_date
            if not self.end_date:
                self.end_date = self.programme.end_date

    @classmethod
    def get_currency(cls, budgets, name):
        return Pool().get('cus.service').get_currency(budgets, name)

    @classmethod
    def get_figures(cls, budgets, names):
        pool = Pool()
        Line = pool.get('cus.budget.line')
        lines = Line.search([('budget', 'in', [b.id for b in budgets])])
        figures = Line.figures([l.id for l in lines])
        totals = {b.id: defaultdict(Decimal) for b in budgets}
        for line in lines:
            committed, spent = figures[line.id]
            total = totals[line.budget.id]
            total['amount'] += line.amount or 0
            total['committed'] += committed
            total['spent'] += spent
        result = {name: {} for name in names}
        for budget_id, total in totals.items():
            values = _complete(
                total['amount'], total['committed'], total['spent'])
            for name in names:
                result[name][budget_id] = values[name]
        return result

    def get_rec_name(self, name):
        return self.name

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'closed', 'muted', '')),
            ]

    @classmethod
    def check_modification(cls, mode, budgets, values=None, external=False):
        super().check_modification(
            mode, budgets, values=values, external=external)
        if mode == 'delete':
            for budget in budgets:
                if budget.state != 'draft':
                    raise BudgetDeleteError(gettext(
                            'cus_partners.msg_budget_delete_draft',
                            budget=budget.rec_name))
        elif mode == 'write':
            changed = set(values) - BUDGET_FREE_FIELDS
            for budget in budgets:
                if budget.state != 'draft' and changed:
                    raise BudgetError(gettext(
                            'cus_partners.msg_budget_change_draft',
                            budget=budget.rec_name))

    @classmethod
    def copy(cls, budgets, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('approved_by', None)
        default.setdefault('approved_date', None)
        return super().copy(budgets, default=default)

    def check_approvable(self):
        pool = Pool()
        Line = pool.get('cus.budget.line')
        if not self.lines:
            raise BudgetError(gettext(
                    'cus_partners.msg_budget_no_lines', budget=self.rec_name))
        covered = Line.covered_services([l.id for l in self.lines])
        for line in self.lines:
            if not covered.get(line.id):
                raise BudgetError(gettext(
                        'cus_partners.msg_budget_line_no_service',
                        budget=self.rec_name, line=line.rec_name,
                        programme=self.programme.rec_name))

    @classmethod
    def check_overlap(cls, budgets):
        """Approved budgets of a programme whose periods overlap may not
        cover the same service"""
        pool = Pool()
        Line = pool.get('cus.budget.line')
        Service = pool.get('cus.service')
        for budget in budgets:
            others = cls.search([
                    ('id', '!=', budget.id),
                    ('programme', '=', budget.programme.id),
                    ('state', 'in', ['approved', 'closed']),
                    ('start_date', '<=', budget.end_date),
                    ('end_date', '>=', budget.start_date),
                    ])
            if not others:
                continue
            mine = Line.covered_services([l.id for l in budget.lines])
            theirs = Line.covered_services(
                [l.id for o in others for l in o.lines])
            my_services = {s for ss in mine.values() for s in ss}
            for other in others:
                for line in other.lines:
                    common = my_services & theirs.get(line.id, set())
                    if common:
                        service = Service(min(common))
                        raise BudgetError(gettext(
                                'cus_partners.msg_budget_overlap',
                                budget=budget.rec_name,
                                other=other.rec_name,
                                service=service.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, budgets):
        cls.write(budgets, {'approved_by': None, 'approved_date': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, budgets):
        pool = Pool()
        Date = pool.get('ir.date')
        for budget in budgets:
            budget.check_approvable()
        cls.check_overlap(budgets)
        cls.write(budgets, {
                'approved_by': Transaction().user,
                'approved_date': Date.today(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, budgets):
        pass


def _complete(amount, committed, spent):
    "All the figures of a line or a budget from the three sums"
    amount, committed, spent = map(_money, (amount, committed, spent))
    return {
        'amount': amount,
        'committed': committed,
        'spent': spent,
        'remaining': amount - committed - spent,
        'execution': ((spent * 100 / amount).quantize(CENT)
            if amount else None),
        }


class BudgetLine(
        RecNameSearchMixin, sequence_ordered(), ModelSQL, ModelView):
    "A line of a financial plan: a service or a service group"
    __name__ = 'cus.budget.line'
    __string__ = "Budget Line"
    _rec_name_search = ['name', 'budget']

    _states = {'readonly': Eval('budget_state') != 'draft'}

    budget = fields.Many2One(
        'cus.budget', "Budget", required=True, ondelete='CASCADE',
        states=_states)
    name = fields.Char("Name", required=True, states=_states)
    package = fields.Many2One(
        'cus.service.package', "Service Group", ondelete='RESTRICT',
        states={
            'readonly': Eval('budget_state') != 'draft',
            'required': ~Eval('service'),
            'invisible': Bool(Eval('service')),
            },
        help="The services of the group that have no line of their own in "
        "the budget count on this line.")
    service = fields.Many2One(
        'cus.service', "Service", ondelete='RESTRICT',
        states={
            'readonly': Eval('budget_state') != 'draft',
            'required': ~Eval('package'),
            'invisible': Bool(Eval('package')),
            })
    division = fields.Char(
        "Division", size=3, states=_states,
        help="Dział of the budget classification: 3 digits, e.g. 852.")
    chapter = fields.Char(
        "Chapter", size=5, states=_states,
        help="Rozdział of the budget classification: 5 digits starting "
        "with the division, e.g. 85228.")
    paragraph = fields.Char(
        "Paragraph", size=4, states=_states,
        help="Paragraf of the budget classification: 4 digits, e.g. 4307.")
    amount = fields.Numeric(
        "Amount", digits=(16, 2), required=True, states=_states,
        domain=[('amount', '>=', 0)])
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')
    committed = fields.Function(fields.Numeric(
            "Committed", digits=(16, 2),
            help="Granted in approved plans or ordered, not yet delivered."),
        'get_figures')
    spent = fields.Function(fields.Numeric(
            "Spent", digits=(16, 2),
            help="Confirmed deliveries at their price."),
        'get_figures')
    remaining = fields.Function(fields.Numeric(
            "Remaining", digits=(16, 2),
            help="Amount less committed and spent."),
        'get_figures')
    execution = fields.Function(fields.Numeric(
            "Execution (%)", digits=(16, 2),
            help="Spent as a percentage of the amount."),
        'get_figures')
    budget_state = fields.Function(
        fields.Selection(STATES, "Budget State"),
        'on_change_with_budget_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('budget')
        t = cls.__table__()
        cls._sql_constraints += [
            ('service_unique', Unique(t, t.budget, t.service),
                'cus_partners.msg_budget_line_service_unique'),
            ('package_unique', Unique(t, t.budget, t.package),
                'cus_partners.msg_budget_line_package_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.budget, Index.Range())),
                Index(t, (t.service, Index.Range())),
                Index(t, (t.package, Index.Range())),
                })

    @fields.depends('budget', '_parent_budget.state')
    def on_change_with_budget_state(self, name=None):
        return self.budget.state if self.budget else None

    @fields.depends('service', 'package', 'name')
    def on_change_service(self):
        if self.service:
            self.package = None
            if not self.name:
                self.name = self.service.name

    @fields.depends('service', 'package', 'name')
    def on_change_package(self):
        if self.package:
            self.service = None
            if not self.name:
                self.name = self.package.name

    @fields.depends('division', 'chapter')
    def on_change_division(self):
        if self.division and not self.chapter:
            self.chapter = self.division

    @classmethod
    def get_currency(cls, lines, name):
        return Pool().get('cus.service').get_currency(lines, name)

    def get_rec_name(self, name):
        return f'{self.budget.rec_name} - {self.name}'

    @property
    def classification(self):
        "dział-rozdział-paragraf"
        return '-'.join(filter(None, [
                    self.division, self.chapter, self.paragraph]))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('remaining', 0) < 0, 'danger',
                    If(Eval('execution', 0) >= 80, 'warning', ''))),
            ]

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if not field_names or field_names & {
                'service', 'package', 'division', 'chapter', 'paragraph'}:
            for line in lines:
                line.check_target()
                line.check_classification()

    def check_target(self):
        "A line is for a service or for a group, not both"
        if bool(self.service) == bool(self.package):
            raise BudgetValidationError(gettext(
                    'cus_partners.msg_budget_line_target',
                    line=self.rec_name))

    def check_classification(self):
        for name, pattern in CLASSIFICATION.items():
            value = getattr(self, name)
            if value and not pattern.match(value):
                raise BudgetValidationError(gettext(
                        'cus_partners.msg_budget_line_%s' % name,
                        line=self.rec_name, value=value))
        if (self.division and self.chapter
                and not self.chapter.startswith(self.division)):
            raise BudgetValidationError(gettext(
                    'cus_partners.msg_budget_line_chapter_division',
                    line=self.rec_name, chapter=self.chapter,
                    division=self.division))

    @classmethod
    def check_modification(cls, mode, lines, values=None, external=False):
        super().check_modification(
            mode, lines, values=values, external=external)
        if mode in {'write', 'delete'}:
            for line in lines:
                if line.budget.state != 'draft':
                    raise BudgetError(gettext(
                            'cus_partners.msg_budget_change_draft',
                            budget=line.budget.rec_name))

    # -- SQL -----------------------------------------------------------------
    @classmethod
    def service_map(cls, line_ids=None):
        """A query of (line, service, start_date, end_date): the services
        each budget line covers over the period of its budget"""
        pool = Pool()
        Budget = pool.get('cus.budget')
        Service = pool.get('cus.service')
        ProgrammeLine = pool.get('cus.programme.line')
        line = cls.__table__()
        own = cls.__table__()
        budget = Budget.__table__()
        service = Service.__table__()
        programme_line = ProgrammeLine.__table__()
        # A group line covers the group's services that have no line of
        # their own in the budget.
        covers = ((line.service == service.id)
            | ((line.service == Null)
                & (line.package == service.package)
                & ~Exists(own.select(own.id,
                        where=(own.budget == line.budget)
                        & (own.service == service.id)))))
        where = service.id.in_(programme_line.select(
                programme_line.service,
                where=programme_line.programme == budget.programme))
        if line_ids is not None:
            where &= SQL_OPERATORS['in'](line.id, list(line_ids))
        return (line
            .join(budget, condition=budget.id == line.budget)
            .join(service, condition=covers)
            .select(
                line.id.as_('line'),
                service.id.as_('service'),
                budget.start_date.as_('start_date'),
                budget.end_date.as_('end_date'),
                where=where))

    @classmethod
    def covered_services(cls, line_ids):
        "{line id: set of service ids}"
        cursor = Transaction().connection.cursor()
        result = defaultdict(set)
        for sub_ids in grouped_slice(line_ids, backend.MAX_QUERY_PARAMS):
            query = cls.service_map(sub_ids)
            cursor.execute(*query.select(query.line, query.service))
            for line_id, service_id in cursor:
                result[line_id].add(service_id)
        return result

    @classmethod
    def delivery_value(cls, delivery, service, order):
        """The SQL value of a delivery: quantity × the unit price of its
        order, else of its service"""
        price = Coalesce(order.unit_price, service.unit_price, 0)
        return Cast(delivery.quantity, 'NUMERIC') * price

    @classmethod
    def spent_query(cls, service_map, by_service=False, by_month=False,
            with_quantity=False, types=True):
        """Confirmed deliveries per budget line of the map (and service and
        month): columns line, [service], [month], [quantity], spent

        types: name the SQLite types of the columns (not for a sub-query).
        """
        pool = Pool()
        Delivery = pool.get('cus.service.delivery')
        Service = pool.get('cus.service')
        Order = pool.get('cus.service.order')
        delivery = Delivery.__table__()
        service = Service.__table__()
        from_ = (service_map
            .join(delivery, condition=(
                    delivery.service == service_map.service)
                & (delivery.date >= service_map.start_date)
                & (delivery.date <= service_map.end_date))
            .join(service, condition=service.id == delivery.service))
        order = Order.__table__()
        from_ = from_.join(
            order, 'LEFT', condition=order.id == delivery.order)
        value = cls.delivery_value(delivery, service, order)
        # The rows are grouped in an outer query: PostgreSQL does not match
        # a GROUP BY expression with parameters (the month) to its column.
        facts = from_.select(
            service_map.line.as_('line'),
            delivery.service.as_('service'),
            month_start(delivery.date).as_('month'),
            delivery.quantity.as_('quantity'),
            value.as_('value'),
            where=delivery.state == 'confirmed')
        columns = [facts.line.as_('line')]
        group_by = [facts.line]
        sqlite_types = [None]
        if by_service:
            columns.append(facts.service.as_('service'))
            group_by.append(facts.service)
            sqlite_types.append(None)
        if by_month:
            columns.append(facts.month.as_('month'))
            group_by.append(facts.month)
            sqlite_types.append('DATE')
        if with_quantity:
            columns.append(Sum(facts.quantity).as_('quantity'))
            sqlite_types.append(None)
        columns.append(Sum(facts.value).as_('spent'))
        sqlite_types.append('NUMERIC')
        query = facts.select(*columns, group_by=group_by)
        if types:
            sqlite_apply_types(query, sqlite_types)
        return query

    @classmethod
    def commitments_query(cls, exclude_plans=(), exclude_orders=()):
        """(service, date, value) of each open plan line and of each order
        for what they commit (see the module docstring)"""
        pool = Pool()
        Plan = pool.get('cus.ipus')
        PlanLine = pool.get('cus.ipus.line')
        Delivery = pool.get('cus.service.delivery')
        Service = pool.get('cus.service')
        Order = pool.get('cus.service.order')
        ContractLine = pool.get('cus.contract.line')
        exclude_plans = list(exclude_plans)
        exclude_orders = list(exclude_orders)

        def kept(column, ids):
            if ids:
                return ~SQL_OPERATORS['in'](column, ids)
            return Literal(True)

        # Plan lines: granted - handed to orders - delivered outside them
        plan = Plan.__table__()
        plan_line = PlanLine.__table__()
        service = Service.__table__()
        delivery = Delivery.__table__()
        order = Order.__table__()
        handed = Order.__table__()
        latest = Order.__table__()
        contract_line = ContractLine.__table__()
        ordered = order.select(Sum(order.quantity),
            where=(order.ipus_line == plan_line.id)
            & order.state.in_(ORDER_HANDED_STATES)
            & kept(order.id, exclude_orders))
        delivered = delivery.select(Sum(delivery.quantity),
            where=(delivery.line == plan_line.id)
            & (delivery.state == 'confirmed')
            & ((delivery.order == Null)
                | ~delivery.order.in_(handed.select(handed.id,
                        where=handed.state.in_(ORDER_HANDED_STATES)
                        & kept(handed.id, exclude_orders)))))
        contract_price = (latest
            .join(contract_line,
                condition=contract_line.id == latest.contract_line)
            .select(contract_line.unit_price,
                where=(latest.ipus_line == plan_line.id)
                & (latest.state != 'cancelled')
                & kept(latest.id, exclude_orders),
                order_by=[latest.id.desc], limit=1))
        price = Coalesce(contract_price, service.unit_price, 0)
        left = (plan_line.quantity - Coalesce(ordered, 0)
            - Coalesce(delivered, 0))
        plans = (plan_line
            .join(plan, condition=plan.id == plan_line.plan)
            .join(service, condition=service.id == plan_line.service)
            .select(
                plan_line.service.as_('service'),
                plan_line.start_date.as_('date'),
                Case((left > 0, Cast(left, 'NUMERIC') * price),
                    else_=Literal(0)).as_('value'),
                where=plan.state.in_(PLAN_COMMITTING_STATES)
                & (plan_line.state == 'open')
                & kept(plan.id, exclude_plans)))

        # Orders sent or accepted: ordered - delivered on them. They count
        # at the start of their plan line, like the line they come from.
        order = Order.__table__()
        delivery = Delivery.__table__()
        order_line = PlanLine.__table__()
        left = order.quantity - Coalesce(
            delivery.select(Sum(delivery.quantity),
                where=(delivery.order == order.id)
                & (delivery.state == 'confirmed')), 0)
        orders = (order
            .join(order_line, 'LEFT',
                condition=order_line.id == order.ipus_line)
            .select(
                order.service.as_('service'),
                Coalesce(order_line.start_date, order.start_date).as_('date'),
                Case((left > 0, Cast(left, 'NUMERIC') * order.unit_price),
                    else_=Literal(0)).as_('value'),
                where=order.state.in_(ORDER_COMMITTING_STATES)
                & kept(order.id, exclude_orders)))
        return Union(plans, orders, all_=True)

    @classmethod
    def committed_query(cls, service_map, exclude_plans=(),
            exclude_orders=()):
        "columns line, committed"
        commitments = cls.commitments_query(
            exclude_plans=exclude_plans, exclude_orders=exclude_orders)
        query = (service_map
            .join(commitments, condition=(
                    commitments.service == service_map.service)
                & (commitments.date >= service_map.start_date)
                & (commitments.date <= service_map.end_date))
            .select(
                service_map.line.as_('line'),
                Sum(commitments.value).as_('committed'),
                group_by=[service_map.line]))
        sqlite_apply_types(query, [None, 'NUMERIC'])
        return query

    @classmethod
    def figures(cls, line_ids, exclude_plans=(), exclude_orders=()):
        "{line id: (committed, spent)} in grosze, computed in SQL"
        cursor = Transaction().connection.cursor()
        committed = defaultdict(Decimal)
        spent = defaultdict(Decimal)
        for sub_ids in grouped_slice(line_ids, backend.MAX_QUERY_PARAMS):
            sub_ids = list(sub_ids)
            cursor.execute(*cls.spent_query(cls.service_map(sub_ids)))
            for line_id, value in cursor:
                spent[line_id] += Decimal(str(value or 0))
            cursor.execute(*cls.committed_query(cls.service_map(sub_ids),
                    exclude_plans=exclude_plans,
                    exclude_orders=exclude_orders))
            for line_id, value in cursor:
                committed[line_id] += Decimal(str(value or 0))
        return {
            i: (_money(committed[i]), _money(spent[i])) for i in line_ids}

    @classmethod
    def get_figures(cls, lines, names):
        figures = cls.figures([l.id for l in lines])
        result = {name: {} for name in names}
        for line in lines:
            values = _complete(line.amount, *figures[line.id])
            for name in names:
                result[name][line.id] = values[name]
        return result

    # -- overrun -------------------------------------------------------------
    @classmethod
    def covering(cls, facts):
        """{(service id, date): budget line} of the approved budgets for
        the (service id, date) facts"""
        facts = set(facts)
        if not facts:
            return {}
        services = list({s for s, _ in facts})
        lines = cls.search([
                ('budget.state', '=', 'approved'),
                ['OR',
                    ('service', 'in', services),
                    ('package.services', 'in', services),
                    ],
                ])
        if not lines:
            return {}
        cursor = Transaction().connection.cursor()
        query = cls.service_map([l.id for l in lines])
        cursor.execute(*query.select(
                query.line, query.service, query.start_date, query.end_date,
                where=SQL_OPERATORS['in'](query.service, services)))
        by_service = defaultdict(list)
        for line_id, service_id, start, end in cursor:
            by_service[service_id].append(
                (line_id, _parse_date(start), _parse_date(end)))
        budget_lines = {l.id: l for l in lines}
        result = {}
        for service_id, date in facts:
            for line_id, start, end in by_service.get(service_id, []):
                if date and start <= date <= end:
                    result[(service_id, date)] = budget_lines[line_id]
        return result

    @classmethod
    def check_overrun(cls, values, document, document_plans=(),
            document_orders=(), exclude_plans=(), exclude_orders=()):
        """Refuse a document (a plan or an order) that overruns a line of an
        approved budget

        values: {budget line: value of the document on the line}, for the
        message; document_*: the plans and orders of the document, left out
        to measure what it adds (a document that adds nothing to a line
        already overrun passes); exclude_*: left out of both measures (the
        previous versions that an approved update supersedes).
        """
        lines = [l for l, v in values.items() if v]
        if not lines:
            return
        # Two documents checked at the same time would both pass.
        cls.lock(lines)
        ids = [l.id for l in lines]
        with_document = cls.figures(ids,
            exclude_plans=exclude_plans, exclude_orders=exclude_orders)
        without = None
        for line in sorted(lines, key=lambda l: l.id):
            committed, spent = with_document[line.id]
            remaining = _money(line.amount) - committed - spent
            if remaining >= 0:
                continue
            if without is None:
                without = cls.figures(ids,
                    exclude_plans=list(exclude_plans) + list(document_plans),
                    exclude_orders=(
                        list(exclude_orders) + list(document_orders)))
            if committed <= without[line.id][0]:
                continue
            raise BudgetOverrunError(gettext(
                    'cus_partners.msg_budget_overrun',
                    document=document,
                    line=line.rec_name,
                    value=format_money(values[line]),
                    amount=format_money(line.amount),
                    committed=format_money(committed),
                    spent=format_money(spent),
                    overrun=format_money(-remaining)))


def _parse_date(value):
    "A date from the database (SQLite gives text in sub-queries)"
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class BudgetLineMonth(ModelSQL, ModelView):
    "Spending of a budget line in a month"
    __name__ = 'cus.budget.line.month'
    __string__ = "Budget Execution by Month"

    line = fields.Many2One('cus.budget.line', "Budget Line", required=True)
    budget = fields.Many2One('cus.budget', "Budget", required=True)
    month = fields.Date("Month")
    spent = fields.Numeric("Spent", digits=(16, 2))
    cumulative_spent = fields.Numeric("Cumulative Spent", digits=(16, 2))
    execution = fields.Numeric(
        "Execution (%)", digits=(16, 2),
        help="Cumulative spent as a percentage of the line's amount.")
    currency = fields.Function(
        fields.Many2One('currency.currency', "Currency"), 'get_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('line')
        cls._order = [
            ('budget', 'ASC'), ('line', 'ASC'), ('month', 'ASC'),
            ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Line = pool.get('cus.budget.line')
        line = Line.__table__()
        spent = Line.spent_query(
            Line.service_map(), by_month=True, types=False)
        window = Window([spent.line], order_by=[spent.month.asc])
        cumulative = Sum(spent.spent, window=window)
        month_number = (
            (Extract('YEAR', spent.month) - 2000) * 12
            + Extract('MONTH', spent.month))
        return (spent
            .join(line, condition=line.id == spent.line)
            .select(
                Cast(spent.line * 10000 + month_number, 'BIGINT').as_('id'),
                spent.line.as_('line'),
                line.budget.as_('budget'),
                spent.month.as_('month'),
                spent.spent.as_('spent'),
                cumulative.as_('cumulative_spent'),
                (cumulative * 100 / NullIf(line.amount, 0)).as_('execution'),
                ))

    @classmethod
    def get_currency(cls, records, name):
        return Pool().get('cus.service').get_currency(records, name)

    @classmethod
    def read(cls, ids, fields_names):
        rows = super().read(ids, fields_names)
        # The exact sums are shown in grosze.
        for row in rows:
            for name in ['spent', 'cumulative_spent', 'execution']:
                if row.get(name) is not None:
                    row[name] = _money(row[name])
        return rows


class Ipus(metaclass=PoolMeta):
    __name__ = 'cus.ipus'

    @classmethod
    def _approve(cls, plans):
        super()._approve(plans)
        cls.check_budget(plans)

    @classmethod
    def check_budget(cls, plans):
        """An approved plan commits its open lines at once: refuse the
        approval when it overruns a line of an approved budget"""
        pool = Pool()
        BudgetLine = pool.get('cus.budget.line')
        Order = pool.get('cus.service.order')
        plans = [p for p in plans if p.state == 'approved']
        lines = [l for p in plans for l in p.lines if l.state == 'open']
        with without_check_access():
            covering = BudgetLine.covering(
                (l.service.id, l.start_date) for l in lines)
            if not covering:
                return
            # An update supersedes its previous version right after this
            # transition, and the orders of the previous version follow
            # the new lines: count neither twice.
            previous = [p.previous_version.id for p in plans
                if p.previous_version]
            previous_orders = [o.id for o in Order.search([
                        ('ipus_line.plan', 'in', previous),
                        ('state', 'in', ORDER_COMMITTING_STATES),
                        ])] if previous else []
            for plan in plans:
                values = defaultdict(Decimal)
                for line in plan.lines:
                    budget_line = covering.get(
                        (line.service.id, line.start_date))
                    if budget_line and line.state == 'open':
                        values[budget_line] += _money(
                            Decimal(str(line.quantity))
                            * (line.service.unit_price or 0))
                BudgetLine.check_overrun(values,
                    gettext('cus_partners.msg_budget_document_plan',
                        plan=plan.rec_name),
                    document_plans=[plan.id], exclude_plans=previous,
                    exclude_orders=previous_orders)


class ServiceOrder(metaclass=PoolMeta):
    __name__ = 'cus.service.order'

    @classmethod
    def send(cls, orders):
        super().send(orders)
        cls.check_budget(orders)

    @classmethod
    def check_budget(cls, orders):
        """A sent order commits its value at once: refuse to send it when
        it overruns a line of an approved budget"""
        pool = Pool()
        BudgetLine = pool.get('cus.budget.line')
        orders = [o for o in orders if o.state == 'sent']

        def fact(order):
            date = (order.ipus_line.start_date if order.ipus_line
                else order.start_date)
            return (order.service.id, date)
        with without_check_access():
            covering = BudgetLine.covering(map(fact, orders))
            for order in orders:
                budget_line = covering.get(fact(order))
                if not budget_line:
                    continue
                BudgetLine.check_overrun({budget_line: order.amount},
                    gettext('cus_partners.msg_budget_document_order',
                        order=order.rec_name),
                    document_orders=[order.id])
