# This file is part of the CUS back office.
"""The indicators in a spreadsheet (XLSX)

`cus_partners.report_indicator`, printed from the dashboard of the
indicators (its period is the one of the dashboard) or through the wizard
"Export Indicators" (cus.indicator.export):

* one sheet per group of indicators (Starachowice quarterly, Koszalin): a
  row per indicator, a column per period with its figure, a column for the
  whole period (distinct records over the whole period: not the sum of the
  periods) and the definition of the figure;
* "Koszalin (quality)": the quality indicators of the satisfaction
  questionnaires, for each period the average (1-5), the answered and the
  sent questionnaires;
* "Service base": the live counters of every service (persons, granted,
  used, remaining);
* "Records behind the figures" (unless unticked in the wizard): for every
  figure of a period, the records it counts — its number of rows is the
  figure, so that each figure can be checked.

The user sees what the dashboard shows to the user: the figures are read
from cus.indicator with the user's access rights and rules, the records
with the access rights of their models. Titles and labels come from the
field labels and ir.message records (indicator_message.xml) in the user's
language.
"""
from cus_base.xlsx import (
    Column, XlsxReport, field_labels, selection_labels)

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .indicator import context_period, period_buckets, period_label

RECORDS_SLICE = 1000


def _message(name, **variables):
    return gettext('cus_partners.msg_indicator_' + name, **variables)


class IndicatorReport(XlsxReport):
    "The indicators of the CUS"
    __name__ = 'cus_partners.report_indicator'

    @classmethod
    def period(cls, data):
        "(start, end, granularity) from the data of the wizard or the context"
        start, end, granularity = context_period()
        data = data or {}
        return (data.get('start_date') or start, data.get('end_date') or end,
            data.get('granularity') or granularity)

    @classmethod
    def write_workbook(cls, book, records, data):
        pool = Pool()
        Indicator = pool.get('cus.indicator')
        ModelAccess = pool.get('ir.model.access')
        start, end, granularity = cls.period(data)
        buckets = period_buckets(start, end, granularity)
        with Transaction().set_context(
                start_date=start, end_date=end, granularity=granularity):
            # The figures the user may see, with the user's rules
            rows = Indicator.search([])
            figures = {(r.code, r.period_start): r.value for r in rows}
            scores = {(r.code, r.period_start): (r.score, r.sent)
                for r in rows}
            codes = {r.code for r in rows}
            whole = Indicator.compute([(start, end)], codes=codes)
            whole_scores = Indicator.compute_scores(
                [(start, end)], codes=codes)

        labels = field_labels('cus.indicator', ['code', 'definition', 'period'])
        code_labels = selection_labels('cus.indicator', 'code')
        groups = selection_labels('cus.indicator', 'group')
        whole_label = _message('whole_period', period=period_label(start, end))
        for group in groups:
            definitions = [d for d in Indicator.definitions()
                if d.group == group]
            if any(d.scored for d in definitions):
                cls.write_scored(book, group, definitions, buckets, codes,
                    figures, scores, whole, whole_scores, (start, end))
                continue
            sheet = book.sheet(_message('sheet_' + group), [
                    Column(labels['code'], width=48)]
                + [Column(period_label(s, e), 'integer')
                    for s, e in buckets]
                + [Column(whole_label, 'integer', width=16),
                    Column(labels['definition'], width=90)])
            for definition in definitions:
                if definition.code not in codes:
                    continue
                sheet.write_row(
                    [code_labels[definition.code]]
                    + [figures.get((definition.code, s))
                        for s, _ in buckets]
                    + [whole[(definition.code, 0)],
                        _message('definition_' + definition.code)])

        if ModelAccess.check(
                'cus.indicator.service', 'read', raise_exception=False):
            cls.write_service_base(book)

        if (data or {}).get('records', True):
            cls.write_records(book, rows, code_labels)

    @classmethod
    def write_scored(cls, book, group, definitions, buckets, codes, figures,
            scores, whole, whole_scores, period):
        """The sheet of the quality indicators: for each period the
        average, the answered and the sent questionnaires"""
        labels = field_labels('cus.indicator', ['code', 'definition'])
        code_labels = selection_labels('cus.indicator', 'code')
        columns = [Column(labels['code'], width=40)]
        for label in [period_label(s, e) for s, e in buckets] + [
                _message('whole_period', period=period_label(*period))]:
            columns += [
                Column(_message('column_score', period=label), 'number'),
                Column(_message('column_answered', period=label), 'integer'),
                Column(_message('column_sent', period=label), 'integer'),
                ]
        columns.append(Column(labels['definition'], width=90))
        sheet = book.sheet(_message('sheet_' + group), columns)
        for definition in definitions:
            code = definition.code
            if code not in codes:
                continue
            values = [code_labels[code]]
            for start, _ in buckets:
                score, sent = scores.get((code, start), (None, None))
                values += [score, figures.get((code, start)), sent]
            score, sent = whole_scores.get((code, 0), (None, None))
            values += [score, whole[(code, 0)], sent,
                _message('definition_' + code)]
            sheet.write_row(values)

    @classmethod
    def write_service_base(cls, book):
        pool = Pool()
        IndicatorService = pool.get('cus.indicator.service')
        Date = pool.get('ir.date')
        labels = field_labels('cus.indicator.service', [
                'service', 'package', 'unit', 'persons', 'granted', 'used',
                'remaining'])
        code = field_labels('cus.service', ['code'])['code']
        sheet = book.sheet(_message('sheet_service_base',
                date=Date.today().strftime('%d.%m.%Y')), [
                Column(code, width=10),
                Column(labels['service'], width=44),
                Column(labels['package'], width=28),
                Column(labels['unit'], width=10),
                Column(labels['persons'], 'integer'),
                Column(labels['granted'], 'number'),
                Column(labels['used'], 'number'),
                Column(labels['remaining'], 'number'),
                ])
        rows = IndicatorService.search([])
        values = IndicatorService.read([r.id for r in rows], [
                'service.code', 'service.name', 'package.name', 'unit.symbol',
                'persons', 'granted', 'used', 'remaining'])
        for value in values:
            sheet.write_row([
                    (value.get('service.') or {}).get('code'),
                    (value.get('service.') or {}).get('name'),
                    (value.get('package.') or {}).get('name'),
                    (value.get('unit.') or {}).get('symbol'),
                    value['persons'], value['granted'], value['used'],
                    value['remaining']])

    @classmethod
    def write_records(cls, book, rows, code_labels):
        "A row per record behind each figure of a period"
        pool = Pool()
        Indicator = pool.get('cus.indicator')
        labels = field_labels('cus.indicator', ['code', 'period'])
        sheet = book.sheet(_message('sheet_records'), [
                Column(labels['code'], width=48),
                Column(labels['period'], width=14),
                Column(_message('record_model'), width=24),
                Column(_message('record'), width=50),
                Column(_message('record_id'), 'integer'),
                ])
        for row in rows:
            if not row.value:
                continue
            definition = Indicator.definition_of(row.code)
            Model = pool.get(definition.model)
            model_name = Indicator.records_label(row.code)
            ids = Indicator.members(
                row.code, row.period_start, row.period_end)
            context = {}
            if definition.model == 'cus.indicator.package':
                context = {
                    'indicator_start': row.period_start,
                    'indicator_end': row.period_end,
                    }
            with Transaction().set_context(**context):
                for sub_ids in grouped_slice(ids, RECORDS_SLICE):
                    for record in Model.read(list(sub_ids), ['rec_name']):
                        sheet.write_row([
                                code_labels[row.code], row.period,
                                model_name, record['rec_name'],
                                record['id']])
