# This file is part of the CUS back office.
"""Benchmark of the counters of the service base (issue 3)

Measures, in one run and on the same database, the time to get the four
counters of every service (persons, granted, used, remaining):

* orm_read:   Service.read(ids, ['persons', 'granted', 'used', 'remaining'])
              inside a trytond transaction (what a client's read does);
* orm_browse: Service.search([]) then the four attributes of each browsed
              record (the path of a list view / server-side code);
* sql:        one hand-written SQL query computing the same four figures
              per service (the floor the ORM is compared to).

Each case runs --warmup times unmeasured, then --repeat times, the cases
interleaved round by round, each repetition in a fresh transaction; the
medians are reported and the ratios orm/sql. The ORM and SQL figures must be
equal (the run fails otherwise).

    python -m bench.bench_service_counters           # 1 000 000 deliveries
    python -m bench.bench_service_counters --deliveries 20000
    python -m bench.bench_service_counters --explain       # + EXPLAIN ANALYZE

Results: bench/results/service_counters.json (for the default size;
service_counters_<deliveries>.json for other sizes).
"""
import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = 'bench'

from bench import citygen, common  # noqa: E402

GOAL = 1.5
NAMES = ['persons', 'granted', 'used', 'remaining']
RESULTS = Path(__file__).resolve().parent / 'results'

# The same figures as cus.service.get_counters, written by hand in the
# shape that was the fastest of the plain queries tried (see README): the
# lines granted now (open lines of approved or running plans, granted lines
# of qualified applications whose period is not over) with, for each, the confirmed deliveries on it
# summed through the delivery indexes on line and application_line; then
# persons, granted and used per service.
SQL = """
SELECT s.id,
    COALESCE(g.persons, 0),
    COALESCE(g.granted, 0),
    COALESCE(g.used, 0),
    COALESCE(g.granted, 0) - COALESCE(g.used, 0)
FROM cus_service AS s
LEFT JOIN (
    SELECT service, COUNT(DISTINCT client) AS persons,
        SUM(quantity) AS granted, SUM(used) AS used
    FROM (
        SELECT l.service, p.client, l.quantity,
            (SELECT SUM(d.quantity) FROM cus_service_delivery AS d
                WHERE d.line = l.id AND d.state = 'confirmed') AS used
        FROM cus_ipus_line AS l
        JOIN cus_ipus AS p ON p.id = l.plan
        WHERE p.state IN ('approved', 'running') AND l.state = 'open'
        UNION ALL
        SELECT al.service, a.client, al.quantity,
            (SELECT SUM(d.quantity) FROM cus_service_delivery AS d
                WHERE d.application_line = al.id AND d.state = 'confirmed')
        FROM cus_application_line AS al
        JOIN cus_application AS a ON a.id = al.application
        WHERE a.state = 'qualified' AND al.state = 'granted'
            AND (al.end_date >= CURRENT_DATE
                OR (al.end_date IS NULL
                    AND a.application_date >= CURRENT_DATE - 92))
        ) AS granted
    GROUP BY service
    ) AS g ON g.service = s.id
WHERE s.id = ANY(%s)
"""

COUNTS_SQL = {
    'deliveries': "SELECT count(*) FROM cus_service_delivery",
    'deliveries_confirmed': (
        "SELECT count(*) FROM cus_service_delivery "
        "WHERE state = 'confirmed'"),
    'deliveries_on_granted_lines': (
        "SELECT count(*) FROM cus_service_delivery AS d "
        "WHERE d.state = 'confirmed' AND (d.line IN ("
        "SELECT l.id FROM cus_ipus_line AS l "
        "JOIN cus_ipus AS p ON p.id = l.plan "
        "WHERE p.state IN ('approved', 'running') AND l.state = 'open') "
        "OR d.application_line IN (SELECT al.id "
        "FROM cus_application_line AS al "
        "JOIN cus_application AS a ON a.id = al.application "
        "WHERE a.state = 'qualified' AND al.state = 'granted'))"),
    'clients': "SELECT count(*) FROM party_party WHERE cus_client",
    'services': "SELECT count(*) FROM cus_service WHERE active",
    'plans': "SELECT count(*) FROM cus_ipus",
    'plans_approved_running': (
        "SELECT count(*) FROM cus_ipus "
        "WHERE state IN ('approved', 'running')"),
    'plan_lines': "SELECT count(*) FROM cus_ipus_line",
    'plan_lines_granted': (
        "SELECT count(*) FROM cus_ipus_line AS l "
        "JOIN cus_ipus AS p ON p.id = l.plan "
        "WHERE p.state IN ('approved', 'running') AND l.state = 'open'"),
    'applications': "SELECT count(*) FROM cus_application",
    'application_lines': "SELECT count(*) FROM cus_application_line",
    'application_lines_granted': (
        "SELECT count(*) FROM cus_application_line AS al "
        "JOIN cus_application AS a ON a.id = al.application "
        "WHERE a.state = 'qualified' AND al.state = 'granted'"),
    }


def _close(a, b):
    return abs(float(a) - float(b)) <= 1e-6 * max(1, abs(float(a)))


class Bench:

    def __init__(self, dbname):
        # As client requests of the admin user (company in the context).
        self.session = common.Session(dbname)
        self.dbname = dbname
        self.pool = self.session.pool
        self.transaction = self.session.transaction
        with self.transaction():
            Service = self.pool.get('cus.service')
            self.ids = [s.id for s in Service.search([])]

    # The measured cases: each returns {id: (persons, granted, used,
    # remaining)} and the seconds spent in the measured part.
    def orm_read(self):
        with self.transaction():
            Service = self.pool.get('cus.service')
            start = time.perf_counter()
            rows = Service.read(self.ids, NAMES)
            elapsed = time.perf_counter() - start
        return {r['id']: tuple(r[n] for n in NAMES) for r in rows}, elapsed

    def orm_browse(self):
        with self.transaction():
            Service = self.pool.get('cus.service')
            start = time.perf_counter()
            values = {s.id: (s.persons, s.granted, s.used, s.remaining)
                for s in Service.search([])}
            elapsed = time.perf_counter() - start
        return values, elapsed

    def sql(self):
        from trytond.transaction import Transaction
        with self.transaction():
            cursor = Transaction().connection.cursor()
            start = time.perf_counter()
            cursor.execute(SQL, (self.ids,))
            rows = cursor.fetchall()
            elapsed = time.perf_counter() - start
        return {r[0]: tuple(r[1:]) for r in rows}, elapsed

    def run(self, repeat, warmup, log=print):
        return common.interleaved({
                'orm_read': self.orm_read,
                'orm_browse': self.orm_browse,
                'sql': self.sql,
                }, repeat, warmup, log=log)

    def counts(self):
        from trytond.transaction import Transaction
        with self.transaction():
            cursor = Transaction().connection.cursor()
            counts = {}
            for name, query in COUNTS_SQL.items():
                cursor.execute(query)
                counts[name], = cursor.fetchone()
            settings = common.server_settings(cursor)
        return counts, settings

    def explain(self):
        "EXPLAIN ANALYZE of the queries of an ORM read and of the SQL"
        from trytond.transaction import Transaction
        queries = []

        class Capture(logging.Handler):
            def emit(self, record):
                queries.append(record.getMessage())

        logger = logging.getLogger('trytond.backend.postgresql.database')
        handler = Capture(level=logging.DEBUG)
        level, propagate = logger.level, logger.propagate
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        try:
            self.orm_read()
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        report = []
        with self.transaction():
            cursor = Transaction().connection.cursor()
            orm_queries = [q for q in queries
                if q.lstrip().upper().startswith(('SELECT', 'WITH'))]
            from psycopg import ClientCursor
            mogrified = ClientCursor(cursor.connection).mogrify(
                SQL, (self.ids,))
            for title, query in (
                    [(f'ORM query {i + 1}', q)
                        for i, q in enumerate(orm_queries)]
                    + [('hand-written SQL', mogrified)]):
                cursor.execute('EXPLAIN (ANALYZE, BUFFERS) ' + query)
                plan = '\n'.join(r[0] for r in cursor.fetchall())
                report.append(f'=== {title}\n{query}\n\n{plan}\n')
        return report


summary = common.summary


def compare(reference, other):
    "Ids whose figures differ between two results"
    differ = []
    for id_ in set(reference) | set(other):
        a, b = reference.get(id_), other.get(id_)
        if a is None or b is None or not all(map(_close, a, b)):
            differ.append((id_, a, b))
    return sorted(differ, key=lambda d: d[0])


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    citygen.add_arguments(parser)
    parser.add_argument('--repeat', type=int, default=7,
        help="measured repetitions of each case (default %(default)s)")
    parser.add_argument('--warmup', type=int, default=2,
        help="unmeasured repetitions first (default %(default)s)")
    parser.add_argument('--explain', action='store_true',
        help="also EXPLAIN ANALYZE the ORM's queries and the SQL, into "
        "results/service_counters_explain[_<deliveries>].txt")
    parser.add_argument('--output', type=Path,
        help="JSON result file (default: results/service_counters.json for "
        "the default size, service_counters_<deliveries>.json otherwise)")
    args = parser.parse_args(argv)

    params = citygen.params_from_args(args)
    default_size = params == citygen.CityParams()
    suffix = '' if default_size else f'_{params.deliveries}'
    output = args.output or RESULTS / f'service_counters{suffix}.json'

    started = time.perf_counter()
    marker = citygen.ensure_database(params, args.database,
        rebuild=args.rebuild)
    dbname = marker['database']
    setup_seconds = time.perf_counter() - started

    load_at_start = os.getloadavg()
    bench = Bench(dbname)
    counts, settings = bench.counts()
    print(f'Database {dbname}: {counts["deliveries"]} deliveries, '
        f'{len(bench.ids)} services')
    times, values = bench.run(args.repeat, args.warmup)

    orm_differ = compare(values['sql'], values['orm_read'])
    browse_differ = compare(values['sql'], values['orm_browse'])
    equal = not orm_differ and not browse_differ
    medians = {name: statistics.median(t) for name, t in times.items()}
    ratio_read = medians['orm_read'] / medians['sql']
    ratio_browse = medians['orm_browse'] / medians['sql']
    totals = {name: round(sum(float(v[i]) for v in values['sql'].values()),
            2) for i, name in enumerate(NAMES)}

    result = {
        'benchmark': 'service_counters',
        'issue': 3,
        'date': dt.datetime.now().isoformat(timespec='seconds'),
        'database': dbname,
        'database_reused': marker['reused'],
        'database_built': marker.get('built'),
        'database_build_seconds': marker.get('seconds'),
        'setup_seconds': round(setup_seconds, 1),
        'city': marker['params'],
        'row_counts': counts,
        'services_read': len(bench.ids),
        'repeat': args.repeat,
        'warmup': args.warmup,
        'times': {name: summary(t) for name, t in times.items()},
        'ratio_read': round(ratio_read, 2),
        'ratio_browse': round(ratio_browse, 2),
        'goal': GOAL,
        'goal_met': ratio_read < GOAL and ratio_browse < GOAL,
        'figures_equal': equal,
        'figures_totals': totals,
        'sql': ' '.join(SQL.split()),
        'versions': common.versions(settings),
        'server_settings': settings,
        'machine': common.machine(load_at_start),
        }
    if args.explain:
        report = bench.explain()
        path = RESULTS / f'service_counters_explain{suffix}.txt'
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('\n'.join(report))
        result['explain'] = str(path.relative_to(RESULTS.parent.parent))
        print(f'EXPLAIN ANALYZE written to {path}')

    common.write_result(output, result)

    print()
    print(f'{"case":<12}{"median":>12}{"min":>12}{"max":>12}')
    for name, t in times.items():
        s = summary(t)
        print(f'{name:<12}{s["median_ms"]:>10.1f}ms{s["min_ms"]:>10.1f}ms'
            f'{s["max_ms"]:>10.1f}ms')
    print(f'ratio orm_read/sql   = {ratio_read:.2f} (goal < {GOAL})')
    print(f'ratio orm_browse/sql = {ratio_browse:.2f} (goal < {GOAL})')
    print(f'figures equal: {equal}; totals {totals}')
    print(f'written to {output}')
    if not equal:
        for id_, a, b in (orm_differ + browse_differ)[:10]:
            print(f'  service {id_}: sql {a} orm {b}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
