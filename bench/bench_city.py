# This file is part of the CUS back office.
"""The main staff screens and reports at city scale, and their growth (issue 8)

In ONE run, on two cities of `bench.citygen` (N and 10 × N deliveries,
default 100 000 and 1 000 000; `--small`: 10 000 and 100 000), each built
with cus_partners and cus_osl in its own database `cus_bench_city_<n>`,
every case is measured through the path of the web client and against
plain SQL giving the same rows:

* service_base: the service base list (`cus.service`) as a coordinator:
  search + read of the fields of its list view (with the counters persons,
  granted, used, remaining); SQL: the counters query of
  bench_service_counters;
* ipus_<tab>: the list of plans (`cus.ipus`) as a coordinator (his record
  rule applies) for its tabs and filters: running, overdue monitoring, his
  own plans, the plans with a given service, a client name search; each
  is a search of the first page (80 rows, default order drawn up date,
  id descending) + read of the list view's fields + search_count (the
  figure sao shows); SQL: the same page and count; ipus_all_<tab>: the
  same as the director, over all the plans of the city;
* budget: the budget execution XLSX report as Finance (each run a fresh
  process; bench_budget_report) against SQL + xlsxwriter;
* indicators: the dashboard of the indicators by quarter over the life of
  the city as the director (bench_indicators) against plain SQL.

ORM cases run in a fresh read-only transaction of the user with
`check_access()` (model and field access, record rules: a client's call).
Rounds interleave ORM and SQL (medians); the run fails unless both give the
same figures. Results: bench/results/city.json (`--small`:
city_small.json): per case the times at N and 10N, the ratio to SQL at
each size and the growth (time at 10N / time at N) of ORM and SQL.

    python -m bench.bench_city              # 100 000 and 1 000 000 deliveries
    python -m bench.bench_city --small      # 10 000 and 100 000 (quick)
"""
import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = 'bench'

from bench import bench_budget_report as budget_bench  # noqa: E402
from bench import bench_indicators as indicators_bench  # noqa: E402
from bench import bench_service_counters as counters_bench  # noqa: E402
from bench import citygen, common  # noqa: E402

MODULES = ('cus_partners', 'cus_osl')
SIZES = (100_000, 1_000_000)
SMALL_SIZES = (10_000, 100_000)
COORDINATOR_LOGIN = 'bench_coordinator'
PAGE = 80  # the rows of a page of a sao list
RATIO_GOAL = 2.0


def dbname_for(deliveries):
    return f'cus_bench_city_{deliveries}'


def ensure_coordinator(dbname, log=print):
    "A coordinator user, employee of the first generated coordinator"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    citygen._configure_trytond()
    pool = Pool(dbname)
    pool.init()
    with Transaction().start(dbname, 0) as transaction:
        User = pool.get('res.user')
        Employee = pool.get('company.employee')
        ModelData = pool.get('ir.model.data')
        if User.search([('login', '=', COORDINATOR_LOGIN)]):
            return
        employee, = Employee.search([], order=[('id', 'ASC')], limit=1)
        User.create([{
                    'name': "Koordynatorka (benchmark)",
                    'login': COORDINATOR_LOGIN,
                    'groups': [('add', [ModelData.get_id(
                                    'cus_base', 'group_cus_coordinator')])],
                    'companies': [('add', [employee.company.id])],
                    'company': employee.company.id,
                    'employees': [('add', [employee.id])],
                    'employee': employee.id,
                    }])
        transaction.commit()
    log(f'{dbname}: user {COORDINATOR_LOGIN} created')


def prepare(deliveries, rebuild=False, log=print):
    "The city of deliveries with the budget, the extras and the users"
    params = citygen.CityParams.for_size(deliveries, modules=MODULES)
    dbname = dbname_for(deliveries)
    since = dt.datetime.now().isoformat(timespec='seconds')
    marker = citygen.ensure_database(params, dbname, rebuild=rebuild,
        log=log)
    # Built or updated (all its modules) just now: the extras need no
    # other trytond-admin -u.
    fresh = (not marker.get('reused')
        or marker.get('updated', '') >= since)
    # The extras first (they set the packages of the services), then a
    # budget over those packages and the services without one.
    extras = indicators_bench.ensure_extras(dbname, params, fresh=fresh,
        log=log)
    budget = budget_bench.ensure_budget(dbname, params, fresh=True, log=log,
        packages=True)
    ensure_coordinator(dbname, log=log)
    return {'params': params, 'database': dbname, 'marker': marker,
        'budget': budget, 'extras': extras}


# ---------------------------------------------------------------------------
# The screens

def list_fields(Model):
    """The fields sao reads for the list view: those of the view, the
    record names of its Many2One and the access flags"""
    view = Model.fields_view_get(view_type='tree')
    names = []
    for name, field in view['fields'].items():
        names.append(name)
        if field['type'] in {'many2one', 'reference'}:
            names.append(f'{name}.rec_name')
    return names + ['_timestamp', '_write', '_delete']


SERVICE_SQL = counters_bench.SQL.replace(
    'WHERE s.id = ANY(%s)', 'WHERE s.active')

# The plans as the coordinator sees them (his record rule), with the values
# of the list view: the page of the default order and the count.
IPUS_SELECT = """
SELECT p.id, p.number, p.version, c.name, ce.name, p.drawn_up_date,
    p.valid_from, p.valid_to, p.state, m.last_contact,
    (p.state = 'running' AND COALESCE(m.last_contact, p.valid_from)
        < CURRENT_DATE - %(interval)s) AS overdue
FROM ({plans}) AS p
JOIN party_party AS c ON c.id = p.client
LEFT JOIN company_employee AS e ON e.id = p.coordinator
LEFT JOIN party_party AS ce ON ce.id = e.party
LEFT JOIN LATERAL (
    SELECT MAX(mo.date) AS last_contact
    FROM cus_ipus AS v
    JOIN cus_ipus_monitoring AS mo ON mo.plan = v.id
    WHERE v.id = p.id OR v.number = p.number) AS m ON TRUE
ORDER BY p.drawn_up_date DESC, p.id DESC
"""
IPUS_VISIBLE = ("(p.coordinator IS NULL "
    "OR p.coordinator = ANY(%(employees)s))")
# Running plans whose last contact on any version is older than the
# interval (cus.ipus.overdue)
OVERDUE = """p.state = 'running' AND COALESCE((
    SELECT MAX(mo.date) FROM cus_ipus AS v
    JOIN cus_ipus_monitoring AS mo ON mo.plan = v.id
    WHERE (v.id = p.id OR v.number = p.number)
        AND mo.date <= CURRENT_DATE), p.valid_from)
    < CURRENT_DATE - %(interval)s"""
IPUS_FILTERS = {
    'running': (lambda v: [('state', '=', 'running')],
        "p.state = 'running'"),
    'overdue': (lambda v: [('overdue', '=', True)], OVERDUE),
    'coordinator': (lambda v: [('coordinator', '=', v['employee'])],
        "p.coordinator = %(employee)s"),
    'service': (lambda v: [('lines.service', '=', v['service'])],
        "EXISTS (SELECT 1 FROM cus_ipus_line AS l "
        "WHERE l.plan = p.id AND l.service = %(service)s)"),
    'client': (lambda v: [('client.rec_name', 'ilike', v['client'])],
        "EXISTS (SELECT 1 FROM party_party AS pc WHERE pc.id = p.client "
        "AND pc.name ILIKE %(client)s)"),
    }

# The tabs and filters also measured as the director (all the plans)
DIRECTOR_FILTERS = ['running', 'overdue', 'service', 'client']


class Screens:
    "The staff screens of one city, ORM and SQL"

    def __init__(self, city, log=print):
        self.city = city
        dbname = self.dbname = city['database']
        params = city['params']
        self.log = log
        self.coordinator = common.Session(dbname, COORDINATOR_LOGIN)
        # The director sees all the plans (no record rule)
        self.director = common.Session(
            dbname, indicators_bench.DIRECTOR_LOGIN)
        with self.coordinator.transaction():
            pool = self.coordinator.pool
            self.service_fields = list_fields(pool.get('cus.service'))
            self.ipus_fields = list_fields(pool.get('cus.ipus'))
            Configuration = pool.get('cus.configuration')
            interval = Configuration(1).monitoring_interval_days
            cursor = self.coordinator.cursor()
            # The most delivered service and the commonest surname stem
            cursor.execute('SELECT service FROM cus_ipus_line '
                'GROUP BY service ORDER BY COUNT(*) DESC, service LIMIT 1')
            service, = cursor.fetchone()
            # The employees of the user, as the record rules get them
            employees = pool.get('res.user').get_employees()
        self.values = {
            'interval': interval, 'employees': list(employees),
            'employee': employees[0] if employees else None,
            'service': service, 'client': '%Kowalsk%',
            }
        start = indicators_bench.city_start(params)
        as_of = dt.date.fromisoformat(params.as_of)
        self.indicators = indicators_bench.Bench(dbname, start, as_of)
        self.budget_files = tempfile.TemporaryDirectory()
        self.budget_round = 0

    # -- service base ------------------------------------------------------
    def service_orm(self):
        with self.coordinator.client_call():
            Service = self.coordinator.pool.get('cus.service')
            started = time.perf_counter()
            ids = [s.id for s in Service.search([])]
            rows = Service.read(ids, self.service_fields)
            elapsed = time.perf_counter() - started
        return {r['id']: tuple(r[n] for n in counters_bench.NAMES)
            for r in rows}, elapsed

    def service_sql(self):
        with self.coordinator.transaction():
            cursor = self.coordinator.cursor()
            started = time.perf_counter()
            cursor.execute(SERVICE_SQL)
            rows = cursor.fetchall()
            elapsed = time.perf_counter() - started
        return {r[0]: tuple(r[1:]) for r in rows}, elapsed

    # -- plans ---------------------------------------------------------------
    def ipus_orm(self, name, director=False):
        domain = IPUS_FILTERS[name][0](self.values)
        session = self.director if director else self.coordinator
        with session.client_call():
            Ipus = session.pool.get('cus.ipus')
            started = time.perf_counter()
            records = Ipus.search(domain, offset=0, limit=PAGE)
            rows = Ipus.read([r.id for r in records], self.ipus_fields)
            count = Ipus.search_count(domain)
            elapsed = time.perf_counter() - started
        # The rows in the order of the search (as sao lists them)
        by_id = {r['id']: r for r in rows}
        rows = [by_id[r.id] for r in records]
        page = [(r['id'], r['number'], r['version'],
                r['client.']['rec_name'] if r.get('client.') else None,
                (r['coordinator.']['rec_name']
                    if r.get('coordinator.') else None),
                r['drawn_up_date'], r['valid_from'], r['valid_to'],
                r['state'], r['last_contact'], r['overdue'])
            for r in rows]
        return (page, count), elapsed

    def ipus_sql(self, name, director=False):
        condition = IPUS_FILTERS[name][1]
        where = (condition if director
            else f'{IPUS_VISIBLE} AND {condition}')
        plans = f'SELECT * FROM cus_ipus AS p WHERE {where}'
        page_sql = (IPUS_SELECT.format(plans=plans + (
                    ' ORDER BY p.drawn_up_date DESC, p.id DESC LIMIT %(page)s'))
            )
        count_sql = f'SELECT COUNT(*) FROM cus_ipus AS p WHERE {where}'
        values = dict(self.values, page=PAGE)
        with self.coordinator.transaction():
            cursor = self.coordinator.cursor()
            started = time.perf_counter()
            cursor.execute(page_sql, values)
            page = [tuple(r) for r in cursor.fetchall()]
            cursor.execute(count_sql, values)
            count, = cursor.fetchone()
            elapsed = time.perf_counter() - started
        return (page, count), elapsed

    # -- budget (each run a fresh process) --------------------------------
    def budget_case(self, case):
        first = self.budget_round < 2
        output = Path(self.budget_files.name) / f'{case}.xlsx'
        run = budget_bench.run_case(case, self.dbname, self.city['budget'],
            output=output if first else None)
        self.budget_round += 1
        return output, run['seconds']

    def budget_check(self):
        "The two workbooks hold the same cells and reconcile to the grosz"
        files = Path(self.budget_files.name)
        differences, sheets = budget_bench.compare_workbooks(
            (files / 'report.xlsx').read_bytes(),
            (files / 'sql.xlsx').read_bytes())
        check = budget_bench.reconcile(
            self.dbname, self.city['budget'], sheets)
        return (not differences and check['equal_to_the_grosz'],
            {'differences': [repr(d)[:300] for d in differences], **check})

    def cases(self):
        "{case: {'orm': callable, 'sql': callable}}"
        cases = {'service_base': {
                'orm': self.service_orm, 'sql': self.service_sql}}
        for name in IPUS_FILTERS:
            cases[f'ipus_{name}'] = {
                'orm': lambda n=name: self.ipus_orm(n),
                'sql': lambda n=name: self.ipus_sql(n)}
        # The same lists over all the plans of the city
        for name in DIRECTOR_FILTERS:
            cases[f'ipus_all_{name}'] = {
                'orm': lambda n=name: self.ipus_orm(n, director=True),
                'sql': lambda n=name: self.ipus_sql(n, director=True)}
        cases['budget'] = {
            'orm': lambda: self.budget_case('report'),
            'sql': lambda: self.budget_case('sql')}
        cases['indicators'] = {
            'orm': self.indicators.orm, 'sql': self.indicators.sql}
        return cases


def _close(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) \
            and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= 1e-6 * max(1, abs(float(a)))
    try:
        from decimal import Decimal
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            return abs(float(a) - float(b)) <= 1e-6 * max(1, abs(float(a)))
    except (TypeError, ValueError):
        pass
    return a == b


def same(case, orm, sql):
    "Whether the ORM and SQL figures of a case are equal, and a sample"
    if case == 'service_base':
        differ = counters_bench.compare(sql, orm)
        return not differ, differ[:5]
    if case == 'indicators':
        differ = indicators_bench.compare(sql, orm)
        return not differ, differ[:5]
    if case.startswith('ipus_'):
        (orm_page, orm_count), (sql_page, sql_count) = orm, sql
        differ = [(i, a, b) for i, (a, b) in enumerate(
                zip(orm_page, sql_page))
            if not all(map(_close, a, b))]
        if len(orm_page) != len(sql_page) or orm_count != sql_count:
            differ.insert(0, ('rows/count', (len(orm_page), orm_count),
                    (len(sql_page), sql_count)))
        return not differ, differ[:5]
    raise KeyError(case)


def measure(screens, repeat, warmup, only=None, log=print):
    "Interleaved rounds of every case; {case: result}"
    results = {}
    for case, pair in screens.cases().items():
        if only and case not in only:
            continue
        log(f' {case}')
        rounds = max(1, repeat - 2) if case == 'budget' else repeat
        times, values = common.interleaved(pair, rounds, warmup, log=log,
            indent='   ')
        if case == 'budget':
            equal, detail = screens.budget_check()
            figures = detail
        else:
            equal, differ = same(case, values['orm'], values['sql'])
            figures = {'differ': [repr(d)[:300] for d in differ]}
            if case.startswith('ipus_'):
                figures.update({'count': values['sql'][1],
                        'page_rows': len(values['sql'][0])})
            elif case == 'service_base':
                figures['totals'] = {name: round(sum(
                            float(v[i]) for v in values['sql'].values()), 2)
                    for i, name in enumerate(counters_bench.NAMES)}
            elif case == 'indicators':
                figures['figures'] = len(values['sql'])
        medians = {n: statistics.median(t) for n, t in times.items()}
        results[case] = {
            'times': {n: common.summary(t) for n, t in times.items()},
            'ratio': round(medians['orm'] / medians['sql'], 2),
            'figures_equal': bool(equal),
            'figures': figures,
            }
        log(f'   ratio {results[case]["ratio"]}, figures equal: {equal}')
    return results


def growth_table(results, sizes):
    "The rows of the summary table (case, times, ratios, growth)"
    small, large = (results[str(s)] for s in sizes)
    rows = []
    for case in small['cases']:
        if case not in large['cases']:
            continue
        a, b = small['cases'][case], large['cases'][case]
        orm_n = a['times']['orm']['median_ms']
        orm_10n = b['times']['orm']['median_ms']
        sql_n = a['times']['sql']['median_ms']
        sql_10n = b['times']['sql']['median_ms']
        rows.append({
            'case': case,
            'orm_n_ms': orm_n, 'sql_n_ms': sql_n, 'ratio_n': a['ratio'],
            'orm_10n_ms': orm_10n, 'sql_10n_ms': sql_10n,
            'ratio_10n': b['ratio'],
            'growth_orm': round(orm_10n / orm_n, 2),
            'growth_sql': round(sql_10n / sql_n, 2),
            'figures_equal': a['figures_equal'] and b['figures_equal'],
            })
    return rows


def format_table(rows, sizes):
    n, n10 = (f'{s:,}'.replace(',', ' ') for s in sizes)
    lines = [
        f'| case | ORM at {n} | SQL | ratio | ORM at {n10} | SQL | ratio '
        '| growth ORM | growth SQL |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
    for r in rows:
        lines.append(
            f'| {r["case"]} | {r["orm_n_ms"]:.1f} ms | {r["sql_n_ms"]:.1f} ms'
            f' | {r["ratio_n"]:.2f} | {r["orm_10n_ms"]:.1f} ms'
            f' | {r["sql_10n_ms"]:.1f} ms | {r["ratio_10n"]:.2f}'
            f' | ×{r["growth_orm"]:.1f} | ×{r["growth_sql"]:.1f} |')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--small', action='store_true',
        help="10 000 and 100 000 deliveries (a quick run)")
    parser.add_argument('--sizes', type=int, nargs=2, metavar=('N', '10N'),
        help="the two sizes in deliveries (default 100000 1000000)")
    parser.add_argument('--repeat', type=int, default=5,
        help="measured rounds of each case (budget: 2 fewer; default "
        "%(default)s)")
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--case', action='append',
        help="only these cases (repeatable)")
    parser.add_argument('--rebuild', action='store_true')
    parser.add_argument('--output', type=Path)
    args = parser.parse_args(argv)
    sizes = tuple(args.sizes or (SMALL_SIZES if args.small else SIZES))
    output = args.output or common.RESULTS / (
        'city_small.json' if args.small else 'city.json')

    load_at_start = os.getloadavg()
    started = time.perf_counter()
    results = {}
    settings = None
    for deliveries in sizes:
        since = time.perf_counter()
        city = prepare(deliveries, rebuild=args.rebuild)
        setup = time.perf_counter() - since
        print(f'{city["database"]}: measuring (load '
            f'{os.getloadavg()[0]:.2f})')
        screens = Screens(city)
        with screens.coordinator.transaction():
            cursor = screens.coordinator.cursor()
            settings = common.server_settings(cursor)
            counts = {}
            for table in ['cus_service_delivery', 'party_party', 'cus_ipus',
                    'cus_ipus_line', 'cus_ipus_monitoring',
                    'cus_application', 'company_employee']:
                cursor.execute(f'SELECT COUNT(*) FROM {table}')
                counts[table], = cursor.fetchone()
        since_measure = time.perf_counter()
        cases = measure(screens, args.repeat, args.warmup, only=args.case)
        screens.budget_files.cleanup()
        results[str(deliveries)] = {
            'database': city['database'],
            'city': city['params'].to_dict(),
            'database_reused': city['marker'].get('reused'),
            'database_build_seconds': city['marker'].get('seconds'),
            'database_build_steps': city['marker'].get('steps'),
            'setup_seconds': round(setup, 1),
            'measure_seconds': round(time.perf_counter() - since_measure, 1),
            'row_counts': counts,
            'load_average': [round(x, 2) for x in os.getloadavg()],
            'cases': cases,
            }
    rows = growth_table(results, sizes)
    equal = all(c['figures_equal'] for r in results.values()
        for c in r['cases'].values())
    import xlsxwriter
    result = {
        'benchmark': 'city',
        'issue': 8,
        'date': common.now(),
        'sizes': list(sizes),
        'seconds': round(time.perf_counter() - started, 1),
        'repeat': args.repeat,
        'warmup': args.warmup,
        'ratio_goal': RATIO_GOAL,
        'figures_equal': equal,
        'table': rows,
        'results': results,
        'versions': common.versions(
            settings or {}, xlsxwriter=xlsxwriter.__version__),
        'server_settings': settings,
        'machine': common.machine(load_at_start),
        }
    common.write_result(output, result)
    print()
    print(format_table(rows, sizes))
    print(f'figures equal: {equal}; {result["seconds"]} s in all; load '
        f'{result["machine"]["load_average_at_start"]} at the start, '
        f'{result["machine"]["load_average"]} at the end')
    print(f'written to {output}')
    return 0 if equal else 1


if __name__ == '__main__':
    sys.exit(main())
