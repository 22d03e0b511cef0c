# This file is part of the CUS back office.
"""Benchmark of the budget execution XLSX report (issue 4)

On the cities of `bench.citygen` (built with cus_partners active, in their
own databases `cus_bench_budget_<deliveries>`), a financial plan is added
over the whole life of the city: one line per service group (3 groups of 20
services, set on the services) and 5 service lines, all in the city's
programme, approved. Then, in the same run:

* report: `cus_partners.report_budget_execution` executed through Tryton
  (`Report.execute`, as a Finance user with the access checks of a client's
  call): the sheets "Linie budżetu", "Wykonanie" (line × service × month),
  "Według usług" and "Według miesięcy";
* sql:    the same rows from hand-written SQL on a plain psycopg connection,
          written with xlsxwriter (constant-memory mode) into the same four
          sheets: the floor the report is compared to.

Every run is a fresh subprocess that times only the work (pool start and
imports excluded). Rounds interleave the two cases after --warmup rounds; the
medians give `ratio = report / sql` (goal < 2). The two workbooks must hold
the same cells, and their spending total must equal, to the grosz,
SUM(quantity × price) of the confirmed deliveries of the budget in SQL.

Memory: one more subprocess per case and size measures the peak of the
Python heap during the work (tracemalloc) and the peak RSS of the process
during the work (VmHWM after resetting it through /proc/self/clear_refs,
against VmRSS before), at N and 10 × N deliveries (goal: flat). Every run
also records its RSS growth. (ru_maxrss cannot be used: Linux keeps the
peak of the parent process across fork and exec.)

    python -m bench.bench_budget_report                 # N = 103 000, 10 N
    python -m bench.bench_budget_report --deliveries 200000 --repeat 3

Results: bench/results/budget_report.json (other sizes:
budget_report_<deliveries>.json).
"""
import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from io import BytesIO
from pathlib import Path

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = 'bench'

from bench import citygen, common  # noqa: E402

GOAL = 2.0
RESULTS = Path(__file__).resolve().parent / 'results'
# 97 % of the generated deliveries are confirmed: 1 030 000 give about
# 1 000 000 confirmed deliveries, all within the budget.
DEFAULT_DELIVERIES = 1_030_000
MODULES = ('cus_partners',)
BUDGET_NAME = "Plan finansowania usług (benchmark)"
FINANCE_LOGIN = 'bench_finance'
PACKAGES = [
    ('BEN-OG', "Usługi ogólne"),
    ('BEN-SEN', "Usługi dla seniorów"),
    ('BEN-NPS', "Usługi dla osób z niepełnosprawnościami"),
    ]
SERVICE_LINES = 5
ROOT = Path(__file__).resolve().parent.parent


def dbname_for(deliveries):
    return f'cus_bench_budget_{deliveries}'


def partners_hash():
    "Hash of the cus_partners sources (the schema of the budget tables)"
    digest = hashlib.sha256()
    directory = ROOT / 'addons' / 'cus_partners'
    for path in sorted(directory.rglob('*')):
        if path.suffix in {'.py', '.xml', '.cfg'} and path.is_file() \
                and '__pycache__' not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------
# Set-up: the budget of the city

def _budget_marker(dbname):
    with citygen.connect(dbname, autocommit=True) as conn:
        row = conn.execute(
            "SELECT to_regclass('cus_budget') IS NOT NULL").fetchone()
        if not row[0]:
            return None
        row = conn.execute(
            "SELECT obj_description('cus_budget'::regclass, 'pg_class')"
            ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def ensure_budget(dbname, params, fresh=False, log=print, packages=False):
    """The id of the benchmark budget of the city, created unless it exists
    with the same cus_partners sources

    fresh: the city was just built (its schema is current); packages: the
    budget follows the packages the services already have (see
    `_create_budget`)."""
    current = partners_hash()
    layout = 'packages' if packages else 'groups'
    marker = _budget_marker(dbname)
    if (marker and marker.get('source') == current
            and marker.get('layout', 'groups') == layout):
        log(f'{dbname}: reusing budget {marker["budget"]}')
        return marker['budget']
    if not fresh:
        # cus_partners may have changed since the city was built
        citygen._run_admin(dbname, ['-u', *MODULES], log)
    started = time.perf_counter()
    budget_id = _create_budget(dbname, params, packages=packages)
    with citygen.connect(dbname, autocommit=True) as conn:
        from psycopg import sql
        conn.execute(sql.SQL('COMMENT ON TABLE cus_budget IS {}').format(
                sql.Literal(json.dumps({
                            'source': current, 'budget': budget_id,
                            'layout': layout}))))
        conn.execute('ANALYZE')
    log(f'{dbname}: budget {budget_id} created '
        f'({time.perf_counter() - started:.1f} s)')
    return budget_id


def _create_budget(dbname, params, packages=False):
    """The budget of the programme over the life of the city, approved

    By default one line per service group (3 groups of 20 services, set on
    the services as packages) and 5 service lines; with packages, one line
    per package the services have (e.g. those of bench_indicators) and one
    per service without a package, so that the budget still covers every
    service."""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    citygen._configure_trytond()
    pool = Pool(dbname)
    pool.init()
    with Transaction().start(dbname, 0) as transaction:
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Company = pool.get('company.company')
        Package = pool.get('cus.service.package')
        Service = pool.get('cus.service')
        Programme = pool.get('cus.programme')
        Budget = pool.get('cus.budget')

        company, = Company.search([], limit=1)
        finance = User.search([('login', '=', FINANCE_LOGIN)])
        if not finance:
            User.create([{
                        'name': "Finanse (benchmark)",
                        'login': FINANCE_LOGIN,
                        'groups': [('add', [ModelData.get_id(
                                        'cus_base', 'group_cus_finance')])],
                        'companies': [('add', [company.id])],
                        'company': company.id,
                        }])
        for budget in Budget.search([('name', '=', BUDGET_NAME)]):
            Budget.draft([budget])
            Budget.delete([budget])

        services = Service.search([], order=[('id', 'ASC')])
        if packages:
            groups = sorted({s.package for s in services if s.package},
                key=lambda p: p.id)
            package_lines = [(p, p.name) for p in groups]
            service_lines = [s for s in services if not s.package]
        else:
            groups = {p.code: p for p in Package.search([
                        ('code', 'in', [c for c, _ in PACKAGES])])}
            missing = [{'code': c, 'name': n} for c, n in PACKAGES
                if c not in groups]
            for package in Package.create(missing):
                groups[package.code] = package
            # citygen: service i is kind i % 20 of variant i // 20
            of_service = [groups[PACKAGES[(i // 20) % len(PACKAGES)][0]]
                for i in range(len(services))]
            for package in groups.values():
                Service.write([s for s, g in zip(services, of_service)
                        if g == package], {'package': package.id})
            package_lines = [(groups[c], n) for c, n in PACKAGES]
            service_lines = services[:SERVICE_LINES]

        programme, = Programme.search([('state', '=', 'running')], limit=1)
        as_of = dt.date.fromisoformat(params.as_of)
        lines = [{
                'name': name, 'package': package.id,
                'division': '852', 'chapter': '85228', 'paragraph': '4307',
                'amount': Decimal('80000000.00'),
                } for package, name in package_lines]
        lines += [{
                'name': service.name, 'service': service.id,
                'division': '852', 'chapter': '85295', 'paragraph': '4300',
                'amount': Decimal('10000000.00'),
                } for service in service_lines]
        with transaction.set_context(company=company.id):
            budget, = Budget.create([{
                        'name': BUDGET_NAME,
                        'programme': programme.id,
                        'start_date': programme.start_date,
                        'end_date': as_of,
                        'funding_source': 'efs',
                        'lines': [('create', lines)],
                        }])
            Budget.approve([budget])
        transaction.commit()
        return budget.id


# ---------------------------------------------------------------------------
# The hand-written floor: plain SQL and xlsxwriter

MAP_SQL = """
    SELECT l.id AS line, s.id AS service, b.start_date, b.end_date
    FROM cus_budget_line AS l
    JOIN cus_budget AS b ON b.id = l.budget
    JOIN cus_service AS s ON s.id = l.service
        OR (l.service IS NULL AND l.package = s.package
            AND NOT EXISTS (SELECT 1 FROM cus_budget_line AS o
                WHERE o.budget = l.budget AND o.service = s.id))
    WHERE l.budget = ANY(%(budgets)s)
        AND s.id IN (SELECT pl.service FROM cus_programme_line AS pl
            WHERE pl.programme = b.programme)
"""
MONTH_SQL = """
WITH map AS (""" + MAP_SQL + """),
spent AS (
    SELECT m.line, d.service,
        CAST(date_trunc('month', d.date) AS DATE) AS month,
        SUM(d.quantity) AS quantity,
        SUM(CAST(d.quantity AS NUMERIC)
            * COALESCE(o.unit_price, s.unit_price, 0)) AS spent
    FROM map AS m
    JOIN cus_service_delivery AS d ON d.service = m.service
        AND d.date >= m.start_date AND d.date <= m.end_date
    JOIN cus_service AS s ON s.id = d.service
    LEFT JOIN cus_service_order AS o ON o.id = d."order"
    WHERE d.state = 'confirmed'
    GROUP BY 1, 2, 3)
SELECT p.name, b.name, l.name, l.division, l.chapter, l.paragraph,
    pk.name, s.code, s.name, sp.month, sp.quantity, u.symbol, sp.spent,
    b.id, l.id, s.id
FROM spent AS sp
JOIN cus_budget_line AS l ON l.id = sp.line
JOIN cus_budget AS b ON b.id = l.budget
JOIN cus_programme AS p ON p.id = b.programme
JOIN cus_service AS s ON s.id = sp.service
LEFT JOIN cus_service_package AS pk ON pk.id = s.package
JOIN product_uom AS u ON u.id = s.unit
ORDER BY p.name, b.start_date, b.id, l.sequence, l.id, s.name, s.id,
    sp.month
"""
COMMITTED_SQL = """
WITH map AS (""" + MAP_SQL + """),
commitments AS (
    SELECT il.service, il.start_date AS date,
        CASE WHEN il.quantity
                - COALESCE((SELECT SUM(o.quantity) FROM cus_service_order o
                    WHERE o.ipus_line = il.id
                        AND o.state IN ('sent', 'accepted', 'done')), 0)
                - COALESCE((SELECT SUM(d.quantity)
                    FROM cus_service_delivery AS d
                    WHERE d.line = il.id AND d.state = 'confirmed'
                        AND (d."order" IS NULL OR d."order" NOT IN (
                            SELECT h.id FROM cus_service_order AS h
                            WHERE h.state IN ('sent', 'accepted', 'done')))
                    ), 0) > 0
            THEN CAST(il.quantity
                - COALESCE((SELECT SUM(o.quantity) FROM cus_service_order o
                    WHERE o.ipus_line = il.id
                        AND o.state IN ('sent', 'accepted', 'done')), 0)
                - COALESCE((SELECT SUM(d.quantity)
                    FROM cus_service_delivery AS d
                    WHERE d.line = il.id AND d.state = 'confirmed'
                        AND (d."order" IS NULL OR d."order" NOT IN (
                            SELECT h.id FROM cus_service_order AS h
                            WHERE h.state IN ('sent', 'accepted', 'done')))
                    ), 0) AS NUMERIC)
                * COALESCE((SELECT cl.unit_price
                    FROM cus_service_order AS lo
                    JOIN cus_contract_line AS cl ON cl.id = lo.contract_line
                    WHERE lo.ipus_line = il.id AND lo.state <> 'cancelled'
                    ORDER BY lo.id DESC LIMIT 1), s.unit_price, 0)
            ELSE 0 END AS value
    FROM cus_ipus_line AS il
    JOIN cus_ipus AS p ON p.id = il.plan
    JOIN cus_service AS s ON s.id = il.service
    WHERE p.state IN ('approved', 'running') AND il.state = 'open'
    UNION ALL
    SELECT o.service, COALESCE(ol.start_date, o.start_date),
        CASE WHEN o.quantity - COALESCE((SELECT SUM(d.quantity)
                FROM cus_service_delivery AS d
                WHERE d."order" = o.id AND d.state = 'confirmed'), 0) > 0
            THEN CAST(o.quantity - COALESCE((SELECT SUM(d.quantity)
                FROM cus_service_delivery AS d
                WHERE d."order" = o.id AND d.state = 'confirmed'), 0)
                AS NUMERIC) * o.unit_price
            ELSE 0 END
    FROM cus_service_order AS o
    LEFT JOIN cus_ipus_line AS ol ON ol.id = o.ipus_line
    WHERE o.state IN ('sent', 'accepted'))
SELECT m.line, SUM(c.value)
FROM map AS m
JOIN commitments AS c ON c.service = m.service
    AND c.date >= m.start_date AND c.date <= m.end_date
GROUP BY m.line
"""
LINES_SQL = """
SELECT p.name, b.name, b.funding_source, b.state, b.start_date, b.end_date,
    l.name, l.division, l.chapter, l.paragraph,
    CASE WHEN l.service IS NOT NULL THEN
        CASE WHEN s.code IS NOT NULL THEN s.code || ' ' || s.name
        ELSE s.name END
    ELSE pk.name END,
    l.amount, l.id, b.id
FROM cus_budget_line AS l
JOIN cus_budget AS b ON b.id = l.budget
JOIN cus_programme AS p ON p.id = b.programme
LEFT JOIN cus_service AS s ON s.id = l.service
LEFT JOIN cus_service_package AS pk ON pk.id = l.package
WHERE l.budget = ANY(%(budgets)s)
ORDER BY p.name, b.start_date, b.id, l.sequence, l.id
"""


def report_labels(dbname, user):
    """The texts of the report in the user's language (sheet names, column
    titles, selection labels, total): constants for the floor, read before
    its timing as the report reads them from the field definitions and
    ir.message"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from cus_base.xlsx import selection_labels
    from cus_partners.budget_report import _message

    pool = Pool(dbname)
    pool.init()
    with Transaction().start(dbname, user, readonly=True):
        User = pool.get('res.user')
        context = User.get_preferences(context_only=True)
    with Transaction().start(dbname, user, readonly=True, context=context):
        R = pool.get('cus_partners.report_budget_execution', type='report')
        titles = R.titles()
        return {
            'sheets': [
                (_message('sheet_budget_lines'), R.line_columns(titles)),
                (_message('sheet_execution'), R.month_columns(titles)),
                (_message('sheet_by_service'), R.service_columns(titles)),
                (_message('sheet_by_month'),
                    R.budget_month_columns(titles)),
                ],
            'total': _message('total'),
            'funding_sources': selection_labels(
                'cus.budget', 'funding_source'),
            'states': selection_labels('cus.budget', 'state'),
            }


def sql_workbook(dbname, budget_ids, labels):
    """The budget execution workbook from plain SQL and xlsxwriter

    The same sheets, columns, formats and rows as the report."""
    import xlsxwriter
    from xlsxwriter.utility import xl_rowcol_to_cell

    from cus_base.xlsx import HEADER, KINDS

    params = {'budgets': list(budget_ids)}
    output = BytesIO()
    workbook = xlsxwriter.Workbook(output, {
            'constant_memory': True, 'default_date_format': 'dd.mm.yyyy'})
    header = workbook.add_format(HEADER)
    formats = {}

    def fmt(kind, bold=False):
        if (kind, bold) not in formats:
            props = {}
            if KINDS[kind][0]:
                props['num_format'] = KINDS[kind][0]
            if bold:
                props.update(bold=True, top=1)
            formats[(kind, bold)] = workbook.add_format(props) if props \
                else None
        return formats[(kind, bold)]

    class Out:
        def __init__(self, name, columns):
            self.ws = workbook.add_worksheet(name)
            self.columns = columns
            self.formats = [fmt(c.kind) for c in columns]
            for i, c in enumerate(columns):
                self.ws.set_column(i, i, c.width)
                self.ws.write_string(0, i, c.title, header)
            self.ws.freeze_panes(1, 0)
            self.row = 1
            self.sums = [Decimal(0) if c.total else None for c in columns]

        def write(self, values):
            for i, (v, f) in enumerate(zip(values, self.formats)):
                if v is None:
                    if f is not None:
                        self.ws.write_blank(self.row, i, None, f)
                elif isinstance(v, (Decimal, int, float)):
                    self.ws.write_number(self.row, i, float(v), f)
                    if self.sums[i] is not None:
                        self.sums[i] += (v if isinstance(v, Decimal)
                            else Decimal(str(v)))
                elif isinstance(v, dt.date):
                    self.ws.write_datetime(self.row, i,
                        dt.datetime.combine(v, dt.time()), f)
                else:
                    self.ws.write_string(self.row, i, v, f)
            self.row += 1

        def total(self):
            last = self.row - 1
            for i, c in enumerate(self.columns):
                f = fmt(c.kind, True)
                if i == 0:
                    self.ws.write_string(self.row, i, labels['total'], f)
                elif c.total and last >= 1:
                    self.ws.write_formula(self.row, i,
                        '=SUBTOTAL(9,%s:%s)' % (
                            xl_rowcol_to_cell(1, i),
                            xl_rowcol_to_cell(last, i)),
                        f, float(self.sums[i]))
                elif c.total:
                    self.ws.write_number(self.row, i, 0, f)
                else:
                    self.ws.write_blank(self.row, i, None, f)
            self.ws.autofilter(0, 0, last, len(self.columns) - 1)
            self.row += 1

    line_sheet, month_sheet, service_sheet, budget_month_sheet = (
        Out(name, columns) for name, columns in labels['sheets'])

    spent_by_line = {}
    by_service = {}
    by_budget_month = {}
    with citygen.connect(dbname) as conn:
        cursor = conn.cursor()
        cursor.execute(MONTH_SQL, params)
        for (programme, budget, line, division, chapter, paragraph, package,
                code, service, month, quantity, unit, spent, budget_id,
                line_id, service_id) in cursor:
            month_sheet.write((programme, budget, line, division, chapter,
                    paragraph, package, code, service, month, quantity,
                    unit, spent))
            spent_by_line[line_id] = spent_by_line.get(
                line_id, Decimal(0)) + spent
            values = by_service.get((line_id, service_id))
            if values is None:
                values = by_service[(line_id, service_id)] = [
                    programme, budget, line, package, code, service, 0,
                    unit, Decimal(0)]
            values[6] += quantity
            values[8] += spent
            key = (budget_id, month)
            by_budget_month[key] = by_budget_month.get(
                key, Decimal(0)) + spent
        month_sheet.total()
        cursor.execute(COMMITTED_SQL, params)
        committed = dict(cursor.fetchall())
        cursor.execute(LINES_SQL, params)
        budgets = []
        amounts = {}
        for (programme, budget, funding, state, start, end, line, division,
                chapter, paragraph, target, amount, line_id,
                budget_id) in cursor.fetchall():
            spent = spent_by_line.get(line_id, Decimal(0))
            line_committed = committed.get(line_id) or Decimal(0)
            line_sheet.write((programme, budget,
                    labels['funding_sources'].get(funding),
                    labels['states'].get(state), start, end, line, division,
                    chapter, paragraph, target, amount, line_committed,
                    spent, amount - line_committed - spent,
                    spent / amount if amount else None))
            if budget_id not in amounts:
                budgets.append((budget_id, programme, budget))
            amounts[budget_id] = amounts.get(budget_id, Decimal(0)) + amount
        line_sheet.total()
    for values in by_service.values():
        service_sheet.write(values)
    service_sheet.total()
    for budget_id, programme, budget in budgets:
        cumulative = Decimal(0)
        for month in sorted(m for b, m in by_budget_month if b == budget_id):
            spent = by_budget_month[(budget_id, month)]
            cumulative += spent
            amount = amounts[budget_id]
            budget_month_sheet.write((programme, budget, month, spent,
                    cumulative, cumulative / amount if amount else None))
    budget_month_sheet.total()
    workbook.close()
    return output.getvalue()


SPENT_CHECK_SQL = """
SELECT SUM(CAST(d.quantity AS NUMERIC)
        * COALESCE(o.unit_price, s.unit_price, 0)), COUNT(*)
FROM cus_service_delivery AS d
JOIN cus_service AS s ON s.id = d.service
LEFT JOIN cus_service_order AS o ON o.id = d."order"
JOIN cus_budget AS b ON b.id = %(budget)s
WHERE d.state = 'confirmed'
    AND d.date >= b.start_date AND d.date <= b.end_date
    AND d.service IN (SELECT service FROM cus_programme_line
        WHERE programme = b.programme)
"""


# ---------------------------------------------------------------------------
# One measured run (in its own process)

def worker(args):
    import resource
    import tracemalloc

    citygen._configure_trytond()
    dbname, budget_id = args.database, args.budget
    # Everything but the work itself is loaded first.
    import xlsxwriter  # noqa: F401

    import cus_base.xlsx  # noqa: F401
    import cus_partners.budget_report  # noqa: F401
    if args.worker == 'report':
        from trytond.pool import Pool
        from trytond.transaction import Transaction, check_access
        pool = Pool(dbname)
        pool.init()
        with Transaction().start(dbname, 0, readonly=True):
            User = pool.get('res.user')
            finance, = User.search([('login', '=', FINANCE_LOGIN)])
        with Transaction().start(dbname, finance.id, readonly=True):
            context = User.get_preferences(context_only=True)

        def work():
            with Transaction().start(dbname, finance.id, readonly=True,
                    context=context), check_access():
                Report = pool.get(
                    'cus_partners.report_budget_execution', type='report')
                oext, content, _, _ = Report.execute([budget_id], {})
            assert oext == 'xlsx'
            return content
    else:
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        pool = Pool(dbname)
        pool.init()
        with Transaction().start(dbname, 0, readonly=True):
            User = pool.get('res.user')
            finance, = User.search([('login', '=', FINANCE_LOGIN)])
        labels = report_labels(dbname, finance.id)

        def work():
            return sql_workbook(dbname, [budget_id], labels)

    rss_before = _proc_status('VmRSS')
    # Reset the peak RSS of the process (Linux >= 4.0) so that VmHWM
    # gives the peak during the work; ru_maxrss cannot: Linux keeps the
    # peak of the parent across fork and exec.
    reset = _reset_peak_rss()
    if args.tracemalloc:
        tracemalloc.start()
    start = time.perf_counter()
    content = work()
    seconds = time.perf_counter() - start
    peak = None
    if args.tracemalloc:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss_peak = _proc_status('VmHWM') if reset else None
    if args.output:
        Path(args.output).write_bytes(content)
    print(json.dumps({
                'case': args.worker,
                'seconds': seconds,
                'bytes': len(content),
                'tracemalloc_peak_kib': (
                    round(peak / 1024, 1) if peak is not None else None),
                'rss_before_kib': rss_before,
                'rss_peak_kib': rss_peak,
                'rss_growth_kib': (rss_peak - rss_before
                    if rss_peak is not None and rss_before is not None
                    else None),
                'ru_maxrss_kib': resource.getrusage(
                    resource.RUSAGE_SELF).ru_maxrss,
                }))


def _proc_status(key):
    "A memory figure of /proc/self/status in KiB (None elsewhere)"
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith(key + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss():
    try:
        with open('/proc/self/clear_refs', 'w') as clear_refs:
            clear_refs.write('5')
        return True
    except OSError:
        return False


def run_case(case, dbname, budget_id, tracemalloc=False, output=None):
    command = [sys.executable, '-m', 'bench.bench_budget_report',
        '--worker', case, '--database', dbname, '--budget', str(budget_id)]
    if tracemalloc:
        command.append('--tracemalloc')
    if output:
        command += ['--output', str(output)]
    return common.run_json(command, f'{case} run on {dbname}')


# ---------------------------------------------------------------------------
# Checks and the main program

def compare_workbooks(report, floor):
    "The cells that differ between two workbooks (at most 10)"
    from cus_base.xlsx import read_xlsx
    a, b = read_xlsx(report), read_xlsx(floor)
    differences = []
    if list(a) != list(b):
        differences.append(('sheets', list(a), list(b)))
    for name in a:
        rows_a, rows_b = a[name], b.get(name, [])
        if len(rows_a) != len(rows_b):
            differences.append((name, 'rows', len(rows_a), len(rows_b)))
        for i, (ra, rb) in enumerate(zip(rows_a, rows_b)):
            if ra != rb:
                differences.append((name, i, ra, rb))
                break
    return differences[:10], a


def reconcile(dbname, budget_id, sheets):
    "The spending of the report against SQL, to the grosz"
    # The execution sheet is the second; its spending the last column (the
    # names are in the language of the user).
    rows = list(sheets.values())[1]
    col = len(rows[0]) - 1
    report_spent = sum(r[col] for r in rows[1:-1])
    total_cell = rows[-1][col]
    with citygen.connect(dbname) as conn:
        sql_spent, deliveries = conn.execute(
            SPENT_CHECK_SQL, {'budget': budget_id}).fetchone()
    cent = Decimal('0.01')
    return {
        'confirmed_deliveries_in_budget': deliveries,
        'sql_spent': str(sql_spent.quantize(cent)),
        'report_spent_rows_sum': str(report_spent.quantize(cent)),
        'report_total_cell': str(total_cell.quantize(cent)),
        'month_rows': len(rows) - 2,
        'equal_to_the_grosz': (
            report_spent.quantize(cent) == sql_spent.quantize(cent)
            == total_cell.quantize(cent)),
        }


def summary(times):
    return common.summary(times, digits=1)


def prepare(params, args, log=print):
    dbname = dbname_for(params.deliveries)
    marker = citygen.ensure_database(params, dbname, rebuild=args.rebuild,
        log=log)
    budget_id = ensure_budget(
        dbname, params, fresh=not marker.get('reused'), log=log)
    return marker, dbname, budget_id


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    citygen.add_arguments(parser)
    parser.set_defaults(deliveries=DEFAULT_DELIVERIES)
    parser.add_argument('--repeat', type=int, default=5,
        help="measured rounds at 10 × N (default %(default)s)")
    parser.add_argument('--warmup', type=int, default=1,
        help="unmeasured rounds first (default %(default)s)")
    parser.add_argument('--small-repeat', type=int, default=3,
        help="measured rounds at N (default %(default)s)")
    parser.add_argument('--output', type=Path)
    parser.add_argument('--worker', choices=['report', 'sql'],
        help=argparse.SUPPRESS)
    parser.add_argument('--budget', type=int, help=argparse.SUPPRESS)
    parser.add_argument('--tracemalloc', action='store_true',
        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args)
        return 0

    large = dataclasses.replace(
        citygen.params_from_args(args), modules=MODULES)
    small = dataclasses.replace(
        citygen.CityParams.for_size(large.deliveries // 10,
            services=args.services, years=args.years, seed=args.seed,
            as_of=args.as_of, history=args.history), modules=MODULES)
    suffix = ('' if large.deliveries == DEFAULT_DELIVERIES
        else f'_{large.deliveries}')
    output = args.output or RESULTS / f'budget_report{suffix}.json'

    load_at_start = os.getloadavg()
    started = time.perf_counter()
    sizes = {}
    for label, params in [('N', small), ('10N', large)]:
        marker, dbname, budget_id = prepare(params, args)
        sizes[label] = {
            'params': params, 'marker': marker, 'database': dbname,
            'budget': budget_id}
    setup_seconds = time.perf_counter() - started

    result_sizes = {}
    for label, size in sizes.items():
        dbname, budget_id = size['database'], size['budget']
        repeat = args.repeat if label == '10N' else args.small_repeat
        print(f'{label}: {dbname}, budget {budget_id}')
        times = {'report': [], 'sql': []}
        rss = {'report': [], 'sql': []}
        with tempfile.TemporaryDirectory() as tmp:
            files = {c: Path(tmp) / f'{c}.xlsx' for c in times}
            for round_ in range(args.warmup + repeat):
                last = {}
                for case in times:
                    run = run_case(case, dbname, budget_id,
                        output=files[case] if round_ == 0 else None)
                    last[case] = run['seconds']
                    if round_ >= args.warmup:
                        times[case].append(run['seconds'])
                        rss[case].append(run['rss_growth_kib'])
                label_ = ('warm-up' if round_ < args.warmup
                    else f'run {round_ - args.warmup + 1}')
                print(f'  {label_:<8}' + ', '.join(
                        f'{c} {t * 1000:.0f} ms' for c, t in last.items()))
            differences, sheets = compare_workbooks(
                files['report'].read_bytes(), files['sql'].read_bytes())
            check = reconcile(dbname, budget_id, sheets)
            sizes_bytes = {c: f.stat().st_size for c, f in files.items()}
        memory = {}
        for case in times:
            run = run_case(case, dbname, budget_id, tracemalloc=True)
            memory[case] = {
                'tracemalloc_peak_kib': run['tracemalloc_peak_kib'],
                'rss_before_kib': run['rss_before_kib'],
                'rss_peak_kib': run['rss_peak_kib'],
                'rss_growth_kib': run['rss_growth_kib'],
                }
            print(f'  memory {case}: tracemalloc peak '
                f'{run["tracemalloc_peak_kib"]} KiB, RSS '
                f'{run["rss_before_kib"]} KiB before, peak '
                f'{run["rss_peak_kib"]} KiB during the work')
        medians = {c: statistics.median(t) for c, t in times.items()}
        counts = size['marker'].get('counts', {})
        result_sizes[label] = {
            'database': dbname,
            'database_reused': size['marker'].get('reused'),
            'city': size['params'].to_dict(),
            'deliveries': counts.get('cus_service_delivery'),
            'budget': budget_id,
            'repeat': repeat,
            'times': {c: summary(t) for c, t in times.items()},
            'ratio': round(medians['report'] / medians['sql'], 2),
            'rss_growth_kib_runs': rss,
            'memory': memory,
            'workbook_bytes': sizes_bytes,
            'workbooks_equal': not differences,
            'differences': [repr(d)[:500] for d in differences],
            'reconciliation': check,
            }
        print(f'  ratio report/sql = {result_sizes[label]["ratio"]}, '
            f'workbooks equal: {not differences}, reconciled: '
            f'{check["equal_to_the_grosz"]} ({check["sql_spent"]} zł over '
            f'{check["confirmed_deliveries_in_budget"]} deliveries)')

    import xlsxwriter
    with citygen.connect(sizes['10N']['database']) as conn:
        settings = common.server_settings(conn.cursor())
    big, little = result_sizes['10N'], result_sizes['N']
    growth = {c: round(big['memory'][c]['tracemalloc_peak_kib']
            / little['memory'][c]['tracemalloc_peak_kib'], 2)
        for c in ['report', 'sql']}
    result = {
        'benchmark': 'budget_report',
        'issue': 4,
        'date': dt.datetime.now().isoformat(timespec='seconds'),
        'setup_seconds': round(setup_seconds, 1),
        'goal_ratio': GOAL,
        'ratio': big['ratio'],
        'goal_ratio_met': big['ratio'] < GOAL,
        'memory_peak_growth_10x': growth,
        'memory_flat': all(g < 1.5 for g in growth.values()),
        'figures_equal': all(
            s['workbooks_equal'] and s['reconciliation']['equal_to_the_grosz']
            for s in result_sizes.values()),
        'sizes': result_sizes,
        'versions': common.versions(
            settings, xlsxwriter=xlsxwriter.__version__),
        'server_settings': settings,
        'machine': common.machine(load_at_start),
        }
    common.write_result(output, result)
    print(f'ratio at 10N = {big["ratio"]} (goal < {GOAL}); tracemalloc '
        f'peak growth N -> 10N: {growth}; figures equal: '
        f'{result["figures_equal"]}')
    print(f'written to {output}')
    return 0 if result['figures_equal'] else 1


if __name__ == '__main__':
    sys.exit(main())
