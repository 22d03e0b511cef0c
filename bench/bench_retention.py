# This file is part of the CUS back office.
"""Benchmark of the retention job (issue 8): the closed-plans rule on a city

In one transaction rolled back at the end (the city is reused), with the
rule kept --years-kept years: the time to find the expired persons in SQL,
the time of the whole run (find, anonymise the persons and every record of
their cases, history rows included, log the run), the persons per second,
and a second run that finds nothing left. The figures the reports read
(deliveries and quantities by service and state, plans by state, persons by
sex, category and birth year) are checked equal before and after.

    python -m bench.bench_retention --deliveries 100000           # ~1 min
    python -m bench.bench_retention --deliveries 100000 --years-kept 2

The city (bench/citygen.py, DB name cus_bench_<deliveries> unless
--database) is built once and reused. Results:
bench/results/retention_<deliveries>.json.
"""
import argparse
import os
import sys

from bench import citygen, common


def figures(cursor):
    "What the reports count, read in SQL"
    queries = {
        'deliveries': 'SELECT service, state, COUNT(id), SUM(quantity) '
        'FROM cus_service_delivery GROUP BY service, state',
        'plans': 'SELECT state, COUNT(id) FROM cus_ipus GROUP BY state',
        'persons': 'SELECT sex, client_category, former_ops_client, '
        "EXTRACT(YEAR FROM birth_date), COUNT(id) FROM party_party "
        'WHERE cus_client GROUP BY 1, 2, 3, 4',
        }
    result = {}
    for name, query in queries.items():
        cursor.execute(query)
        result[name] = sorted(map(tuple, cursor), key=repr)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    citygen.add_arguments(parser)
    parser.add_argument('--years-kept', type=int, default=3)
    args = parser.parse_args(argv)
    load = os.getloadavg()
    marker = citygen.ensure_database(
        citygen.params_from_args(args), args.database, rebuild=args.rebuild)
    dbname = marker['database']
    citygen._configure_trytond()
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(dbname)
    pool.init()
    with Transaction().start(dbname, 0) as transaction:
        cursor = transaction.connection.cursor()
        Rule = pool.get('cus.retention.rule')
        rule, = Rule.search([('kind', '=', 'closed_plans')])
        Rule.write([rule], {'period_years': args.years_kept})
        before = rule.expiry_date()
        cursor.execute('SELECT COUNT(*) FROM party_party WHERE cus_client')
        clients, = cursor.fetchone()
        figures_before = figures(cursor)
        expired, find_s = common.timed(Rule._expired_persons,
            Rule.closed_plan_candidates(), before)
        (run,), run_s = common.timed(Rule.apply, [rule])
        (again,), again_s = common.timed(Rule.apply, [rule])
        figures_after = figures(cursor)
        cursor.execute('SELECT COUNT(*) FROM party_party '
            'WHERE anonymised_on IS NOT NULL')
        anonymised, = cursor.fetchone()
        settings = common.server_settings(cursor)
        run_persons, run_plans = run.persons, run.records
        again_persons = again.persons
        transaction.rollback()
    result = {
        'benchmark': 'retention',
        'date': common.now(),
        'database': dbname,
        'city': marker['params'],
        'counts': marker['counts'],
        'clients': clients,
        'years_kept': args.years_kept,
        'expired_before': before.isoformat(),
        'expired_persons': len(expired),
        'find_ms': round(find_s * 1000, 1),
        'run_persons': run_persons,
        'run_plans': run_plans,
        'run_s': round(run_s, 2),
        'persons_per_s': round(run_persons / run_s, 1) if run_s else None,
        'second_run_persons': again_persons,
        'second_run_ms': round(again_s * 1000, 1),
        'anonymised_in_db': anonymised,
        'figures_equal': figures_before == figures_after,
        'versions': common.versions(settings),
        'machine': common.machine(load),
        }
    path = common.write_result(common.RESULTS
        / f"retention_{marker['params']['deliveries']}.json", result)
    for key in ['clients', 'expired_persons', 'find_ms', 'run_persons',
            'run_plans', 'run_s', 'persons_per_s', 'second_run_persons',
            'second_run_ms', 'figures_equal']:
        print(f'{key}: {result[key]}')
    print(f'written to {path}')
    if not result['figures_equal'] or again_persons:
        sys.exit(1)


if __name__ == '__main__':
    main()
