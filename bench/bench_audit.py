# This file is part of the CUS back office.
"""Benchmark of the audit of the reads of sensitive client data (issue 8)

Measures, in one run on PostgreSQL, what a coordinator's read of --clients
clients with their sensitive fields (PESEL, birth date, health, disability,
problems) costs with the audit and without it. Each read runs as the RPC
does: a read-only transaction with the access checks, so with the audit the
rows of cus.audit.access are written by one INSERT in a transaction of
their own. "Without" is the same read with the declared sensitive fields of
party.party emptied for the run. A read of non-sensitive fields (name,
category) is measured too: it must cost the same with the audit.

    python -m bench.bench_audit                 # 1 000 clients, ~10 s
    python -m bench.bench_audit --clients 5000

The database (DB_NAME, default bench_a1_audit) is created from the
template cache of the tests (DB_CACHE) and dropped at the end.
Results: bench/results/audit.json.
"""
import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault(
    'TRYTOND_DATABASE_URI', 'postgresql://root@127.0.0.1:5432/')
os.environ.setdefault('DB_NAME', 'bench_a1_audit')
os.environ.setdefault('DB_CACHE', '/tmp/dbcache-bench-audit')

RESULTS = Path(__file__).resolve().parent / 'results'
SENSITIVE = [
    'name', 'pesel', 'birth_date', 'health_condition', 'disability_degree',
    'disability_description', 'problems']
PLAIN = ['name', 'client_category', 'code']


def pesel(birth_date, serial):
    "A valid PESEL of a birth date in the 1900s"
    digits = (f'{birth_date.year % 100:02d}{birth_date.month:02d}'
        f'{birth_date.day:02d}{serial:04d}')
    weights = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights)) % 10) % 10
    return digits + str(check)


def setup(count):
    "Commit count clients and a coordinator; return their ids"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import Transaction
    with Transaction().start(DB_NAME, 0) as transaction:
        pool = Pool()
        Party = pool.get('party.party')
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        start = dt.date(1930, 1, 1)
        clients = Party.create([{
                    'name': f"Klient {i}",
                    'cus_client': True,
                    'client_category': 'resident',
                    'pesel': pesel(start + dt.timedelta(days=i % 20000), i),
                    'health_condition': "Nadciśnienie, cukrzyca typu 2.",
                    'disability_degree': 'moderate',
                    'problems': "Samotność.",
                    } for i in range(count)])
        user, = User.create([{
                    'name': "Koordynator", 'login': 'bench_koordynator',
                    'groups': [('add', [ModelData.get_id(
                                    'cus_base', 'group_cus_coordinator')])],
                    }])
        transaction.commit()
        return [c.id for c in clients], user.id


def read(user, ids, names):
    "A read of the user as the RPC does it; returns the seconds it took"
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import Transaction
    started = time.perf_counter()
    with Transaction().start(DB_NAME, user, readonly=True,
            context={'_check_access': True}):
        rows = Pool().get('party.party').read(ids, names)
    elapsed = time.perf_counter() - started
    assert len(rows) == len(ids)
    return elapsed


def audit_rows():
    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME
    from trytond.transaction import Transaction
    with Transaction().start(DB_NAME, 0):
        return Pool().get('cus.audit.access').search([], count=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--clients', type=int, default=1000)
    parser.add_argument('--repeat', type=int, default=7)
    args = parser.parse_args()

    from trytond.pool import Pool
    from trytond.tests.test_tryton import DB_NAME, activate_module, drop_db

    drop_db()
    activate_module('cus_base')
    try:
        ids, user = setup(args.clients)
        Party = Pool(DB_NAME).get('party.party')
        declared = Party._audit_fields
        times = {'with_audit': [], 'without_audit': [],
            'plain_with_audit': []}
        read(user, ids, SENSITIVE)  # warm-up (caches of the pool)
        before = audit_rows()
        for _ in range(args.repeat):
            times['with_audit'].append(read(user, ids, SENSITIVE))
            Party._audit_fields = frozenset()
            try:
                times['without_audit'].append(read(user, ids, SENSITIVE))
            finally:
                Party._audit_fields = declared
            times['plain_with_audit'].append(read(user, ids, PLAIN))
        logged = audit_rows() - before
        # one row per client per audited read, none for the plain reads
        assert logged == args.clients * args.repeat, logged
        medians = {k: statistics.median(v) for k, v in times.items()}
        result = {
            'clients': args.clients,
            'repeat': args.repeat,
            'backend': os.environ['TRYTOND_DATABASE_URI'].split(':')[0],
            'fields': SENSITIVE,
            'median_seconds': {k: round(v, 4) for k, v in medians.items()},
            'ratio_with_without': round(
                medians['with_audit'] / medians['without_audit'], 3),
            'ratio_plain_without': round(
                medians['plain_with_audit'] / medians['without_audit'], 3),
            'rows_logged': logged,
            }
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / 'audit.json').write_text(
            json.dumps(result, indent=2) + '\n')
        print(json.dumps(result, indent=2))
    finally:
        drop_db()

if __name__ == '__main__':
    sys.exit(main())
