# This file is part of the CUS back office.
"""Spreadsheet reports of the budgets and contracts (XLSX, xlsxwriter)

* Budget execution (`cus_partners.report_budget_execution`, on cus.budget
  and from the "Export Budget Execution" wizard): one SQL aggregate query
  gives the spending per budget line, service and month (the only pass over
  the deliveries); its rows are streamed to the sheet "Execution" and summed
  on the way for the sheets by line ("Budget Lines", with the committed
  amounts from one more SQL query over the plan lines and orders), by
  service and by month. Every total is therefore the sum of the monthly
  rows: the report reconciles to the grosz with the confirmed deliveries.
* Contract consumption (`cus_partners.report_contract_consumption`, on
  cus.contract): one SQL query gives, per contract line, the ordered and the
  delivered quantity and value, the consumption of the maximum quantity and
  the deviation of the deliveries from the orders against the allowed
  deviation, with the alerts (80 %, 100 %, deviation); a sheet sums them
  per provider.

The sheets are in the user's language, with the terms of the screens: the
column headers are the labels of the model fields (fields_get), the values
of the selections their labels, and the other texts (sheet names, totals,
alerts) ir.message records (msg_report_*, in budget.xml), translated in
locale/*.po like the rest of the module.
"""
from collections import defaultdict
from decimal import Decimal

from cus_base.xlsx import (
    Column, XlsxReport, field_labels, selection_labels)

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.fields import SQL_OPERATORS
from trytond.pool import Pool
from trytond.tools import sqlite_apply_types
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from .budget import _parse_date

ALERT_80 = Decimal(80)
ALERT_100 = Decimal(100)


def _fraction(part, whole):
    "part / whole as a fraction for a percent cell (None when no whole)"
    if not whole:
        return None
    return Decimal(part or 0) / Decimal(whole)


def _message(name, **variables):
    return gettext('cus_partners.msg_report_' + name, **variables)


def _decimal(value):
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


class BudgetExecutionReport(XlsxReport):
    "Budget execution by programme, group, service and month"
    __name__ = 'cus_partners.report_budget_execution'

    @classmethod
    def titles(cls):
        "The column titles: the labels of the fields shown on the screens"
        budget = field_labels('cus.budget', [
                'programme', 'funding_source', 'state', 'start_date',
                'end_date'])
        line = field_labels('cus.budget.line', [
                'budget', 'division', 'chapter', 'paragraph', 'package',
                'service', 'amount', 'committed', 'spent', 'remaining',
                'execution'])
        month = field_labels('cus.budget.line.month', [
                'line', 'month', 'spent', 'cumulative_spent', 'execution'])
        titles = {'budget_' + k: v for k, v in budget.items()}
        titles.update({'line_' + k: v for k, v in line.items()})
        titles.update({'month_' + k: v for k, v in month.items()})
        titles['service_code'] = _message('service_code')
        titles['quantity'] = field_labels(
            'cus.service.delivery', ['quantity'])['quantity']
        titles['unit'] = field_labels('cus.service', ['unit'])['unit']
        return titles

    @classmethod
    def line_columns(cls, t):
        return [
            Column(t['budget_programme'], width=30),
            Column(t['line_budget'], width=30),
            Column(t['budget_funding_source'], width=16),
            Column(t['budget_state'], width=12),
            Column(t['budget_start_date'], 'date'),
            Column(t['budget_end_date'], 'date'),
            Column(t['month_line'], width=34),
            Column(t['line_division'], width=7),
            Column(t['line_chapter'], width=9),
            Column(t['line_paragraph'], width=9),
            Column('%s / %s' % (t['line_package'], t['line_service']),
                width=30),
            Column(t['line_amount'], 'money', total=True),
            Column(t['line_committed'], 'money', total=True),
            Column(t['line_spent'], 'money', total=True),
            Column(t['line_remaining'], 'money', total=True),
            Column(t['line_execution'], 'percent'),
            ]

    @classmethod
    def month_columns(cls, t):
        return [
            Column(t['budget_programme'], width=30),
            Column(t['line_budget'], width=30),
            Column(t['month_line'], width=34),
            Column(t['line_division'], width=7),
            Column(t['line_chapter'], width=9),
            Column(t['line_paragraph'], width=9),
            Column(t['line_package'], width=26),
            Column(t['service_code'], width=10),
            Column(t['line_service'], width=36),
            Column(t['month_month'], 'month'),
            Column(t['quantity'], 'number'),
            Column(t['unit'], width=9),
            Column(t['month_spent'], 'money', total=True),
            ]

    @classmethod
    def service_columns(cls, t):
        return [
            Column(t['budget_programme'], width=30),
            Column(t['line_budget'], width=30),
            Column(t['month_line'], width=34),
            Column(t['line_package'], width=26),
            Column(t['service_code'], width=10),
            Column(t['line_service'], width=36),
            Column(t['quantity'], 'number'),
            Column(t['unit'], width=9),
            Column(t['month_spent'], 'money', total=True),
            ]

    @classmethod
    def budget_month_columns(cls, t):
        return [
            Column(t['budget_programme'], width=30),
            Column(t['line_budget'], width=30),
            Column(t['month_month'], 'month'),
            Column(t['month_spent'], 'money', total=True),
            Column(t['month_cumulative_spent'], 'money'),
            Column(t['month_execution'], 'percent'),
            ]

    @classmethod
    def _get_records(cls, ids, model, data):
        records = super()._get_records(ids, model, data)
        return sorted(records, key=lambda b: (
                b.programme.name, b.start_date, b.id))

    @classmethod
    def month_rows_query(cls, line_ids):
        """Spending per budget line, service and month of the lines, with
        the names to print, in the order of the report"""
        pool = Pool()
        Line = pool.get('cus.budget.line')
        Budget = pool.get('cus.budget')
        Programme = pool.get('cus.programme')
        Service = pool.get('cus.service')
        Package = pool.get('cus.service.package')
        Uom = pool.get('product.uom')
        spent = Line.spent_query(Line.service_map(line_ids),
            by_service=True, by_month=True, with_quantity=True, types=False)
        line = Line.__table__()
        budget = Budget.__table__()
        programme = Programme.__table__()
        service = Service.__table__()
        package = Package.__table__()
        uom = Uom.__table__()
        query = (spent
            .join(line, condition=line.id == spent.line)
            .join(budget, condition=budget.id == line.budget)
            .join(programme, condition=programme.id == budget.programme)
            .join(service, condition=service.id == spent.service)
            .join(package, 'LEFT', condition=package.id == service.package)
            .join(uom, condition=uom.id == service.unit)
            .select(
                programme.name.as_('programme'),
                budget.name.as_('budget'),
                line.name.as_('line'),
                line.division.as_('division'),
                line.chapter.as_('chapter'),
                line.paragraph.as_('paragraph'),
                package.name.as_('package'),
                service.code.as_('code'),
                service.name.as_('service'),
                spent.month.as_('month'),
                spent.quantity.as_('quantity'),
                uom.symbol.as_('unit'),
                spent.spent.as_('spent'),
                budget.id.as_('budget_id'),
                line.id.as_('line_id'),
                service.id.as_('service_id'),
                order_by=[
                    programme.name, budget.start_date, budget.id,
                    line.sequence, line.id, service.name, service.id,
                    spent.month]))
        sqlite_apply_types(query, [None] * 9 + ['DATE', None, None,
                'NUMERIC', None, None, None])
        return query

    @classmethod
    def write_workbook(cls, book, budgets, data):
        pool = Pool()
        Line = pool.get('cus.budget.line')
        cursor = Transaction().connection.cursor()
        lines = Line.search([('budget', 'in', [b.id for b in budgets])],
            order=[('budget', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')])
        line_ids = [l.id for l in lines]

        funding_sources = selection_labels('cus.budget', 'funding_source')
        states = selection_labels('cus.budget', 'state')
        titles = cls.titles()
        total_label = _message('total')

        # The tabs in reading order; the rows are written when known.
        line_sheet = book.sheet(
            _message('sheet_budget_lines'), cls.line_columns(titles))
        month_sheet = book.sheet(
            _message('sheet_execution'), cls.month_columns(titles))
        service_sheet = book.sheet(
            _message('sheet_by_service'), cls.service_columns(titles))
        budget_month_sheet = book.sheet(
            _message('sheet_by_month'), cls.budget_month_columns(titles))

        spent_by_line = defaultdict(Decimal)
        by_service = {}
        by_budget_month = defaultdict(Decimal)
        if line_ids:
            cursor.execute(*cls.month_rows_query(line_ids))
            for row in cursor:
                (programme, budget, line, division, chapter, paragraph,
                    package, code, service, month, quantity, unit, spent,
                    budget_id, line_id, service_id) = row
                spent = _decimal(spent)
                month = _parse_date(month)
                month_sheet.write_row((programme, budget, line, division,
                        chapter, paragraph, package, code, service, month,
                        quantity, unit, spent))
                spent_by_line[line_id] += spent
                key = (line_id, service_id)
                if key not in by_service:
                    by_service[key] = [programme, budget, line, package, code,
                        service, 0, unit, Decimal(0)]
                values = by_service[key]
                values[6] += quantity or 0
                values[8] += spent
                by_budget_month[(budget_id, month)] += spent
        month_sheet.write_total(total_label)

        committed = cls.committed(line_ids)
        for line in lines:
            budget = line.budget
            amount = line.amount or Decimal(0)
            spent = spent_by_line[line.id]
            line_committed = committed.get(line.id, Decimal(0))
            line_sheet.write_row((
                    budget.programme.name, budget.name,
                    funding_sources.get(budget.funding_source),
                    states.get(budget.state),
                    budget.start_date, budget.end_date,
                    line.name, line.division, line.chapter, line.paragraph,
                    (line.service or line.package).rec_name,
                    amount, line_committed, spent,
                    amount - line_committed - spent,
                    _fraction(spent, amount)))
        line_sheet.write_total(total_label)

        for values in by_service.values():
            service_sheet.write_row(values)
        service_sheet.write_total(total_label)

        amounts = defaultdict(Decimal)
        for line in lines:
            amounts[line.budget.id] += line.amount or 0
        for budget in budgets:
            cumulative = Decimal(0)
            months = sorted(m for b, m in by_budget_month if b == budget.id)
            for month in months:
                spent = by_budget_month[(budget.id, month)]
                cumulative += spent
                budget_month_sheet.write_row((
                        budget.programme.name, budget.name, month, spent,
                        cumulative,
                        _fraction(cumulative, amounts[budget.id])))
        budget_month_sheet.write_total(total_label)

    @classmethod
    def committed(cls, line_ids):
        "{line id: committed} from one SQL query"
        pool = Pool()
        Line = pool.get('cus.budget.line')
        cursor = Transaction().connection.cursor()
        result = {}
        if line_ids:
            cursor.execute(*Line.committed_query(Line.service_map(line_ids)))
            for line_id, value in cursor:
                result[line_id] = _decimal(value)
        return result


class ContractConsumptionReport(XlsxReport):
    "Contract consumption and deviations per provider"
    __name__ = 'cus_partners.report_contract_consumption'

    @classmethod
    def titles(cls):
        "The column titles: the labels of the fields shown on the screens"
        contract = field_labels('cus.contract', [
                'provider', 'mode', 'state', 'start_date', 'end_date',
                'lines', 'max_value', 'ordered_value', 'delivered_value',
                'consumption'])
        line = field_labels('cus.contract.line', [
                'contract', 'service', 'unit', 'unit_price', 'max_quantity',
                'ordered_quantity', 'ordered_value', 'delivered_quantity',
                'delivered_value', 'consumption', 'allowed_deviation'])
        deviation = field_labels('cus.service.order.deviation', [
                'provider', 'service', 'order', 'month', 'ordered',
                'delivered', 'deviation', 'allowed'])
        titles = {'contract_' + k: v for k, v in contract.items()}
        titles.update({'line_' + k: v for k, v in line.items()})
        titles.update({'deviation_' + k: v for k, v in deviation.items()})
        titles['nip'] = field_labels('party.party', ['nip'])['nip']
        for name in ['execution_delivered', 'deviation_months',
                'largest_deviation', 'alert', 'contracts', 'alert_lines']:
            titles[name] = _message(name)
        return titles

    @classmethod
    def columns(cls, t):
        return [
            Column(t['contract_provider'], width=34),
            Column(t['nip'], width=12),
            Column(t['line_contract'], width=16),
            Column(t['contract_mode'], width=14),
            Column(t['contract_state'], width=12),
            Column(t['contract_start_date'], 'date'),
            Column(t['contract_end_date'], 'date'),
            Column(t['line_service'], width=34),
            Column(t['line_unit'], width=9),
            Column(t['line_unit_price'], 'money'),
            Column(t['line_max_quantity'], 'number'),
            Column(t['contract_max_value'], 'money', total=True),
            Column(t['line_ordered_quantity'], 'number'),
            Column(t['line_ordered_value'], 'money', total=True),
            Column(t['line_delivered_quantity'], 'number'),
            Column(t['line_delivered_value'], 'money', total=True),
            Column(t['line_consumption'], 'percent'),
            Column(t['execution_delivered'], 'percent'),
            Column(t['line_allowed_deviation'], 'percent'),
            Column(t['deviation_months'], 'integer', total=True),
            Column(t['largest_deviation'], 'percent'),
            Column(t['alert'], width=30),
            ]

    @classmethod
    def provider_columns(cls, t):
        return [
            Column(t['contract_provider'], width=34),
            Column(t['nip'], width=12),
            Column(t['contracts'], 'integer'),
            Column(t['contract_lines'], 'integer'),
            Column(t['contract_max_value'], 'money', total=True),
            Column(t['contract_ordered_value'], 'money', total=True),
            Column(t['contract_delivered_value'], 'money', total=True),
            Column(t['contract_consumption'], 'percent'),
            Column(t['alert_lines'], 'integer', total=True),
            Column(t['deviation_months'], 'integer', total=True),
            ]

    @classmethod
    def deviation_columns(cls, t):
        return [
            Column(t['deviation_provider'], width=34),
            Column(t['line_contract'], width=16),
            Column(t['deviation_service'], width=34),
            Column(t['deviation_order'], width=16),
            Column(t['deviation_month'], 'month'),
            Column(t['deviation_ordered'], 'number'),
            Column(t['deviation_delivered'], 'number'),
            Column(t['deviation_deviation'], 'percent'),
            Column(t['deviation_allowed'], 'percent'),
            ]

    @classmethod
    def _get_records(cls, ids, model, data):
        records = super()._get_records(ids, model, data)
        return sorted(records, key=lambda c: (
                c.provider.rec_name, c.start_date, c.id))

    @classmethod
    def lines_query(cls, contract_ids):
        "The contract lines with the names to print, in report order"
        pool = Pool()
        Contract = pool.get('cus.contract')
        ContractLine = pool.get('cus.contract.line')
        Service = pool.get('cus.service')
        Party = pool.get('party.party')
        Uom = pool.get('product.uom')
        contract = Contract.__table__()
        line = ContractLine.__table__()
        service = Service.__table__()
        party = Party.__table__()
        uom = Uom.__table__()
        query = (line
            .join(contract, condition=contract.id == line.contract)
            .join(party, condition=party.id == contract.provider)
            .join(service, condition=service.id == line.service)
            .join(uom, condition=uom.id == service.unit)
            .select(
                line.id.as_('line'),
                party.name.as_('provider'),
                contract.provider.as_('provider_id'),
                contract.number.as_('contract'),
                contract.id.as_('contract_id'),
                contract.mode.as_('mode'),
                contract.state.as_('state'),
                contract.start_date.as_('start_date'),
                contract.end_date.as_('end_date'),
                service.name.as_('service'),
                uom.symbol.as_('unit'),
                line.unit_price.as_('unit_price'),
                line.max_quantity.as_('max_quantity'),
                line.allowed_deviation.as_('allowed_deviation'),
                where=SQL_OPERATORS['in'](contract.id, contract_ids),
                order_by=[party.name, contract.provider, contract.start_date,
                    contract.id, line.sequence, line.id]))
        sqlite_apply_types(query, [None] * 7 + ['DATE', 'DATE', None, None,
                'NUMERIC', None, 'NUMERIC'])
        return query

    @classmethod
    def deviations_query(cls, contract_ids):
        """The deviation alerts of the orders (cus.service.order.deviation)
        of the contracts, in report order"""
        pool = Pool()
        Deviation = pool.get('cus.service.order.deviation')
        Order = pool.get('cus.service.order')
        ContractLine = pool.get('cus.contract.line')
        Contract = pool.get('cus.contract')
        Party = pool.get('party.party')
        Service = pool.get('cus.service')
        deviation = Deviation.__table__()
        order = Order.__table__()
        line = ContractLine.__table__()
        contract = Contract.__table__()
        party = Party.__table__()
        service = Service.__table__()
        query = (deviation
            .join(order, condition=order.id == deviation.order)
            .join(line, condition=line.id == order.contract_line)
            .join(contract, condition=contract.id == line.contract)
            .join(party, condition=party.id == contract.provider)
            .join(service, condition=service.id == order.service)
            .select(
                line.id.as_('line'),
                party.name.as_('provider'),
                contract.number.as_('contract'),
                service.name.as_('service'),
                order.number.as_('order'),
                deviation.month.as_('month'),
                deviation.ordered.as_('ordered'),
                deviation.delivered.as_('delivered'),
                deviation.deviation.as_('deviation'),
                deviation.allowed.as_('allowed'),
                where=SQL_OPERATORS['in'](contract.id, contract_ids),
                order_by=[party.name, contract.provider, contract.start_date,
                    contract.id, line.sequence, line.id, deviation.month,
                    order.id]))
        sqlite_apply_types(query, [None] * 5 + ['DATE', None, None,
                'NUMERIC', 'NUMERIC'])
        return query

    @classmethod
    def write_workbook(cls, book, contracts, data):
        pool = Pool()
        Party = pool.get('party.party')
        ContractLine = pool.get('cus.contract.line')
        cursor = Transaction().connection.cursor()
        titles = cls.titles()
        total_label = _message('total')
        sheet = book.sheet(
            _message('sheet_contract_consumption'), cls.columns(titles))
        provider_sheet = book.sheet(
            _message('sheet_by_provider'), cls.provider_columns(titles))
        deviation_sheet = book.sheet(
            field_labels('cus.service.order', ['deviations'])['deviations'],
            cls.deviation_columns(titles))
        modes = selection_labels('cus.contract', 'mode')
        states = selection_labels('cus.contract', 'state')
        ids = [c.id for c in contracts]
        if not ids:
            for s in [sheet, provider_sheet, deviation_sheet]:
                s.write_total(total_label)
            return

        # The deviation alerts, streamed and counted per contract line
        alerts = defaultdict(int)
        worst = {}
        cursor.execute(*cls.deviations_query(ids))
        for (line_id, provider, number, service, order, month, ordered,
                delivered, deviation, allowed) in cursor:
            deviation = _decimal(deviation) / 100
            deviation_sheet.write_row((provider, number, service, order,
                    _parse_date(month), ordered, delivered, deviation,
                    _decimal(allowed) / 100))
            alerts[line_id] += 1
            worst[line_id] = max(worst.get(line_id, deviation), deviation)
        deviation_sheet.write_total(total_label)

        # The figures of the contract lines (as on the contract form)
        cursor.execute(*cls.lines_query(ids))
        rows = cursor.fetchall()
        totals = ContractLine.consumption_totals(
            line_ids=[r[0] for r in rows])
        nips = {p.id: p.nip for p in Party.browse(
                list({c.provider.id for c in contracts}))}
        providers = {}
        for row in rows:
            (line_id, provider, provider_id, number, contract_id, mode, state,
                start_date, end_date, service, unit, unit_price,
                max_quantity, allowed) = row
            unit_price = _decimal(unit_price)
            max_value = unit_price * _decimal(max_quantity)
            ordered_quantity = totals['ordered_quantity'][line_id]
            ordered_value = _decimal(totals['ordered_value'][line_id])
            delivered_quantity = totals['delivered_quantity'][line_id]
            delivered_value = _decimal(totals['delivered_value'][line_id])
            consumption = _fraction(
                _decimal(ordered_quantity), _decimal(max_quantity))
            execution = _fraction(
                _decimal(delivered_quantity), _decimal(max_quantity))
            messages = []
            if consumption is not None:
                if consumption * 100 > ALERT_100:
                    messages.append(_message(
                            'alert_over_quantity', percent=ALERT_100))
                elif consumption * 100 >= ALERT_100:
                    messages.append(_message(
                            'alert_quantity', percent=ALERT_100))
                elif consumption * 100 >= ALERT_80:
                    messages.append(_message(
                            'alert_quantity', percent=ALERT_80))
            if alerts.get(line_id):
                messages.append(_message('alert_deviations'))
            sheet.write_row((
                    provider, nips.get(provider_id), number,
                    modes.get(mode, mode),
                    states.get(state, state),
                    _parse_date(start_date), _parse_date(end_date),
                    service, unit, unit_price, max_quantity, max_value,
                    ordered_quantity, ordered_value,
                    delivered_quantity, delivered_value, consumption,
                    execution,
                    _decimal(allowed) / 100 if allowed is not None else None,
                    alerts.get(line_id, 0), worst.get(line_id),
                    ', '.join(messages) or None))
            total = providers.setdefault(provider_id, {
                    'name': provider, 'nip': nips.get(provider_id),
                    'contracts': set(), 'lines': 0,
                    'max': Decimal(0), 'ordered': Decimal(0),
                    'delivered': Decimal(0), 'alerts': 0, 'months': 0})
            total['contracts'].add(contract_id)
            total['lines'] += 1
            total['max'] += max_value
            total['ordered'] += ordered_value
            total['delivered'] += delivered_value
            total['alerts'] += 1 if messages else 0
            total['months'] += alerts.get(line_id, 0)
        sheet.write_total(total_label)
        for total in providers.values():
            provider_sheet.write_row((
                    total['name'], total['nip'], len(total['contracts']),
                    total['lines'], total['max'], total['ordered'],
                    total['delivered'],
                    _fraction(total['ordered'], total['max']),
                    total['alerts'], total['months']))
        provider_sheet.write_total(total_label)


class BudgetExecutionExportStart(ModelView):
    "Export Budget Execution"
    __name__ = 'cus.budget.execution.export.start'

    budgets = fields.Many2Many(
        'cus.budget', None, None, "Budgets", required=True)

    @classmethod
    def default_budgets(cls):
        Budget = Pool().get('cus.budget')
        return [b.id for b in Budget.search([('state', '=', 'approved')])]


class BudgetExecutionExport(Wizard):
    "Export Budget Execution"
    __name__ = 'cus.budget.execution.export'

    start = StateView('cus.budget.execution.export.start',
        'cus_partners.budget_execution_export_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Export", 'export', 'tryton-print', default=True),
            ])
    export = StateReport('cus_partners.report_budget_execution')

    def do_export(self, action):
        ids = [b.id for b in self.start.budgets]
        return action, {'ids': ids, 'model': 'cus.budget'}

    def transition_export(self):
        return 'end'
