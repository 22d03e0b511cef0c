# This file is part of the CUS back office.
"""The base of the spreadsheet (XLSX) reports of every CUS module

A report is a Tryton `Report` whose `_execute` returns ``('xlsx', bytes)``
built with xlsxwriter, so no LibreOffice is needed. Its action record is an
ordinary `ir.action.report` with ``template_extension`` ``ods`` and
``extension`` ``xlsx`` and no template file.

Big reports stream: the workbook is opened in xlsxwriter's constant-memory
mode (each row is flushed to a temporary file as soon as the next one
starts, so the rows must be written top to bottom), and the rows should come
from SQL aggregate queries read with the cursor, never from browsing records
one by one.

Usage::

    from cus_base.xlsx import Column, XlsxReport

    class BudgetExecution(XlsxReport):
        __name__ = 'cus_partners.report_budget_execution'

        @classmethod
        def write_workbook(cls, book, records, data):
            labels = Pool().get('cus.budget.line.month').fields_get(
                ['line', 'month', 'spent'])
            sheet = book.sheet(
                gettext('cus_partners.msg_report_sheet_execution'), [
                    Column(labels['line']['string'], width=40),
                    Column(labels['month']['string'], 'month'),
                    Column(labels['spent']['string'], 'money', total=True),
                    ])
            sheet.write_rows(cursor)          # tuples in column order
            sheet.write_total(gettext('cus_partners.msg_report_total'))

The texts are the users': sheet names and column titles come from the
field labels (fields_get) or from ir.message records (gettext), so they are
in the user's language and use the terms of the screens; never hard-code
them in Python.

The formats are the Polish ones: money ``1 234,56 zł`` (number format
``#,##0.00 "zł"``; Excel puts the separators of the user's locale), dates
``dd.mm.yyyy``, months ``mm.yyyy``, percentages ``12,34%``.
"""
import datetime as dt
from decimal import Decimal
from io import BytesIO

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction, without_check_access

MONEY_FORMAT = '#,##0.00 "zł"'
NUMBER_FORMAT = '#,##0.00'
INTEGER_FORMAT = '#,##0'
PERCENT_FORMAT = '0.00%'
DATE_FORMAT = 'dd.mm.yyyy'
MONTH_FORMAT = 'mm.yyyy'

# kind: (number format, default width)
KINDS = {
    'text': (None, 24),
    'integer': (INTEGER_FORMAT, 10),
    'number': (NUMBER_FORMAT, 12),
    'money': (MONEY_FORMAT, 16),
    'percent': (PERCENT_FORMAT, 10),
    'date': (DATE_FORMAT, 11),
    'month': (MONTH_FORMAT, 9),
    }
HEADER = {
    'bold': True, 'text_wrap': True, 'valign': 'top', 'bottom': 1,
    'bg_color': '#D9E1F2'}
SHEET_NAME_FORBIDDEN = str.maketrans({c: '-' for c in '[]:*?/\\'})


class Column:
    """A column of a sheet

    kind: text, integer, number, money, percent (a fraction: 0.5 is 50 %),
    date or month; total: the total row sums this column.
    """
    __slots__ = ('title', 'kind', 'width', 'total')

    def __init__(self, title, kind='text', width=None, total=False):
        if kind not in KINDS:
            raise ValueError(f'unknown column kind {kind!r}')
        self.title = title
        self.kind = kind
        self.width = width if width is not None else KINDS[kind][1]
        self.total = total


class Book:
    "An xlsxwriter workbook in constant-memory mode with the CUS formats"

    def __init__(self, output, title=None, author=None):
        # in_memory would override constant_memory: leave it off.
        self.workbook = xlsxwriter.Workbook(output, {
                'constant_memory': True,
                'strings_to_numbers': False,
                'strings_to_formulas': False,
                'strings_to_urls': False,
                'default_date_format': DATE_FORMAT,
                })
        self.workbook.set_properties({
                'title': title or '',
                'author': author or '',
                'comments': "CUS back office (Tryton)",
                })
        self._formats = {}
        self.sheets = []

    def format(self, kind=None, bold=False, **extra):
        "The (cached) cell format of a column kind"
        key = (kind, bold, tuple(sorted(extra.items())))
        if key not in self._formats:
            properties = dict(extra)
            num_format = KINDS[kind][0] if kind else None
            if num_format:
                properties['num_format'] = num_format
            if bold:
                properties['bold'] = True
            self._formats[key] = (
                self.workbook.add_format(properties) if properties else None)
        return self._formats[key]

    @property
    def header_format(self):
        if 'header' not in self._formats:
            self._formats['header'] = self.workbook.add_format(HEADER)
        return self._formats['header']

    def sheet(self, name, columns, **kwargs):
        sheet = Sheet(self, name, columns, **kwargs)
        self.sheets.append(sheet)
        return sheet

    def close(self):
        for sheet in self.sheets:
            sheet.finish()
        self.workbook.close()


class Sheet:
    """A worksheet written row after row

    The header is row 0, bold, frozen and with an autofilter; the column
    widths come from the columns. `write_row` takes the values in column
    order (None leaves the cell empty; Decimal, int and float are numbers;
    date and datetime are dates) and keeps the exact running sums of the
    total columns for `write_total`.
    """

    def __init__(self, book, name, columns, freeze=True, autofilter=True):
        self.book = book
        self.columns = list(columns)
        self.worksheet = book.workbook.add_worksheet(
            name.translate(SHEET_NAME_FORBIDDEN)[:31])
        self.autofilter = autofilter
        self.formats = [book.format(c.kind) for c in self.columns]
        self.bold_formats = [
            book.format(c.kind, bold=True, top=1) for c in self.columns]
        for i, column in enumerate(self.columns):
            self.worksheet.set_column(i, i, column.width)
        for i, column in enumerate(self.columns):
            self.worksheet.write_string(
                0, i, column.title, book.header_format)
        if freeze:
            self.worksheet.freeze_panes(1, 0)
        self.row = 1
        self.first_data_row = 1
        self.totals = [Decimal(0) if c.total else None for c in self.columns]
        self.finished = False

    def _write(self, row, col, value, cell_format):
        worksheet = self.worksheet
        if value is None:
            if cell_format is not None:
                worksheet.write_blank(row, col, None, cell_format)
            return
        if isinstance(value, bool):
            worksheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, (Decimal, int, float)):
            worksheet.write_number(row, col, float(value), cell_format)
        elif isinstance(value, dt.datetime):
            worksheet.write_datetime(row, col, value, cell_format)
        elif isinstance(value, dt.date):
            worksheet.write_datetime(
                row, col, dt.datetime.combine(value, dt.time()), cell_format)
        else:
            worksheet.write_string(row, col, str(value), cell_format)

    def write_row(self, values, bold=False):
        formats = self.bold_formats if bold else self.formats
        for col, (value, cell_format) in enumerate(zip(values, formats)):
            self._write(self.row, col, value, cell_format)
        if not bold:
            for col, value in enumerate(values):
                if self.totals[col] is not None and value is not None:
                    self.totals[col] += (
                        value if isinstance(value, Decimal)
                        else Decimal(str(value)))
        self.row += 1

    def write_rows(self, rows):
        "Write the rows of an iterable (e.g. a cursor); returns their count"
        count = 0
        for row in rows:
            self.write_row(row)
            count += 1
        return count

    def write_total(self, label, label_column=0, values=None):
        """A bold total row: SUBTOTAL formulas over the data rows of the
        total columns, with their exact sums as the cached values (shown by
        readers that do not recalculate); values gives other cells"""
        values = dict(values or {})
        last = self.row - 1
        for col, column in enumerate(self.columns):
            cell_format = self.bold_formats[col]
            if col == label_column:
                self._write(self.row, col, label, cell_format)
            elif column.total:
                if last >= self.first_data_row:
                    first_cell = xl_rowcol_to_cell(self.first_data_row, col)
                    last_cell = xl_rowcol_to_cell(last, col)
                    self.worksheet.write_formula(
                        self.row, col,
                        f'=SUBTOTAL(9,{first_cell}:{last_cell})',
                        cell_format, float(self.totals[col]))
                else:
                    self._write(self.row, col, 0, cell_format)
            elif col in values:
                self._write(self.row, col, values[col], cell_format)
            else:
                self._write(self.row, col, None, cell_format)
        self.autofilter_last = last
        self.row += 1

    def finish(self):
        if self.finished:
            return
        last = getattr(self, 'autofilter_last', self.row - 1)
        if self.autofilter and self.columns and last >= 0:
            self.worksheet.autofilter(
                0, 0, max(last, 0), len(self.columns) - 1)
        self.finished = True


class XlsxReport(Report):
    """A report rendered as an XLSX workbook with xlsxwriter

    Subclasses implement `write_workbook(book, records, data)`; the result is
    ``('xlsx', bytes)``. The access checks of `Report.execute` apply.
    """

    @classmethod
    def _execute(cls, records, header, data, action):
        # Ensure to restore the original context as Report._execute does
        with Transaction().set_context(Transaction().context):
            return 'xlsx', cls.render_xlsx(records, data, title=action.name)

    @classmethod
    def render_xlsx(cls, records, data, title=None):
        output = BytesIO()
        book = Book(output, title=title, author=cls.author())
        cls.write_workbook(book, records, data)
        book.close()
        return output.getvalue()

    @classmethod
    def author(cls):
        Company = Pool().get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is not None and company_id >= 0:
            return Company(company_id).rec_name
        return None

    @classmethod
    def write_workbook(cls, book, records, data):
        raise NotImplementedError


def field_labels(model, names):
    """{field name: label} of the fields of a model in the user's language,
    for column titles (the labels the user sees on the forms)"""
    Model = Pool().get(model)
    with without_check_access():
        definitions = Model.fields_get(list(names))
    return {n: definitions[n]['string'] for n in names}


def selection_labels(model, name):
    "{value: label} of a selection field in the user's language"
    Model = Pool().get(model)
    with without_check_access():
        selection = Model.fields_get([name])[name]['selection']
    return dict(selection)


def read_xlsx(content):
    """The cell values of every sheet of an XLSX file, as
    {sheet name: [[value, ...], ...]}: numbers as Decimal (from their
    stored text), strings as str, formulas as their cached value.

    A small reader for the tests (no openpyxl): it understands what
    xlsxwriter writes (inline or shared strings).
    """
    import re
    import zipfile
    from xml.etree import ElementTree

    ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
    rel_ns = ('{http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships}id')
    with zipfile.ZipFile(BytesIO(content)) as archive:
        names = set(archive.namelist())
        shared = []
        if 'xl/sharedStrings.xml' in names:
            root = ElementTree.fromstring(archive.read('xl/sharedStrings.xml'))
            for si in root.findall('m:si', ns):
                shared.append(''.join(t.text or '' for t in si.iter(
                            '{%s}t' % ns['m'])))
        workbook = ElementTree.fromstring(archive.read('xl/workbook.xml'))
        rels = ElementTree.fromstring(
            archive.read('xl/_rels/workbook.xml.rels'))
        targets = {r.get('Id'): r.get('Target') for r in rels}
        result = {}
        for sheet in workbook.find('m:sheets', ns):
            target = targets[sheet.get(rel_ns)]
            root = ElementTree.fromstring(archive.read('xl/' + target))
            rows = []
            for row in root.iter('{%s}row' % ns['m']):
                values = {}
                for cell in row.findall('m:c', ns):
                    ref = cell.get('r')
                    letters = re.match(r'[A-Z]+', ref).group(0)
                    col = 0
                    for letter in letters:
                        col = col * 26 + ord(letter) - 64
                    kind = cell.get('t')
                    v = cell.find('m:v', ns)
                    if kind == 'inlineStr':
                        value = ''.join(t.text or '' for t in cell.iter(
                                '{%s}t' % ns['m']))
                    elif kind == 's':
                        value = shared[int(v.text)]
                    elif kind == 'str':
                        value = v.text if v is not None else ''
                    elif v is not None and v.text is not None:
                        value = Decimal(v.text)
                    else:
                        value = None
                    values[col - 1] = value
                width = max(values) + 1 if values else 0
                rows.append([values.get(i) for i in range(width)])
            result[sheet.get('name')] = rows
        return result
