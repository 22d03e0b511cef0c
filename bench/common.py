# This file is part of the CUS back office.
"""What the benchmarks share: a trytond session as a given user, the
interleaved rounds with their medians, the timing of a subprocess, the
machine and version figures and the JSON result file."""
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import citygen

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / 'results'
SETTINGS = ['server_version', 'shared_buffers', 'work_mem',
    'effective_cache_size', 'random_page_cost', 'jit',
    'max_parallel_workers_per_gather']


class Session:
    """The pool of a database and read-only transactions of one user, with
    the context a client gets from its preferences (company, employees)"""

    def __init__(self, dbname, login=None, user=None, context=None):
        from trytond.pool import Pool
        from trytond.transaction import Transaction
        citygen._configure_trytond()
        self.dbname = dbname
        self.pool = Pool(dbname)
        self.pool.init()
        if login is not None:
            with Transaction().start(dbname, 0, readonly=True):
                User = self.pool.get('res.user')
                found = User.search([('login', '=', login)])
                if not found:
                    raise LookupError(f'{dbname}: no user {login}')
                user = found[0].id
        self.user = citygen.ADMIN if user is None else user
        self.context = {}
        with self.transaction():
            User = self.pool.get('res.user')
            self.context = User.get_preferences(context_only=True)
        self.context.update(context or {})

    def transaction(self, user=None, **context):
        "A fresh read-only transaction (as a client's request)"
        from trytond.transaction import Transaction
        return Transaction().start(self.dbname,
            self.user if user is None else user, readonly=True,
            context=dict(self.context, **context))

    @contextlib.contextmanager
    def client_call(self, **context):
        """A transaction with the access checks of a call through RPC
        (model access, field access and record rules)"""
        from trytond.transaction import check_access
        with self.transaction(**context) as transaction, check_access():
            yield transaction

    def cursor(self):
        from trytond.transaction import Transaction
        return Transaction().connection.cursor()


def timed(function, *args, **kwargs):
    "(result, seconds) of a call"
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def interleaved(cases, repeat, warmup, log=print, indent='  '):
    """Run the cases round by round (warmup rounds unmeasured)

    cases: {name: callable returning (values, seconds)}. Returns the
    measured seconds per case and the values of the last round."""
    times = {name: [] for name in cases}
    values = {}
    for round_ in range(warmup + repeat):
        last = {}
        for name, case in cases.items():
            values[name], last[name] = case()
            if round_ >= warmup:
                times[name].append(last[name])
        label = ('warm-up' if round_ < warmup
            else f'run {round_ - warmup + 1}')
        log(f'{indent}{label:<8}' + ', '.join(
                f'{n} {t * 1000:.1f} ms' for n, t in last.items()))
    return times, values


def summary(times, digits=2):
    "Median, min, max and every run, in milliseconds"
    return {
        'median_ms': round(statistics.median(times) * 1000, digits),
        'min_ms': round(min(times) * 1000, digits),
        'max_ms': round(max(times) * 1000, digits),
        'runs_ms': [round(t * 1000, digits) for t in times],
        }


def run_json(command, log_name='run'):
    """Run a worker subprocess (PostgreSQL URI, no config file) from the
    project root; returns the JSON of its last output line"""
    env = dict(os.environ, TRYTOND_DATABASE_URI=citygen.database_uri())
    env.pop('TRYTOND_CONFIG', None)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True,
        text=True)
    if result.returncode:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-5000:])
        raise RuntimeError(f'{log_name} failed: {" ".join(command)}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def server_settings(cursor, names=SETTINGS):
    settings = {}
    for name in names:
        cursor.execute(f'SHOW {name}')
        settings[name], = cursor.fetchone()
    return settings


def versions(settings, **others):
    import psycopg
    import trytond
    return dict({
            'python': platform.python_version(),
            'trytond': trytond.__version__,
            'postgresql': settings.get('server_version'),
            'psycopg': f'{psycopg.__version__} ({psycopg.pq.__impl__})',
            }, **others)


def cpu_model():
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def machine(load_at_start=None):
    "CPU, platform and the load average (at the start and now)"
    info = {
        'cpus': os.cpu_count(),
        'cpu_model': cpu_model(),
        'platform': platform.platform(),
        'load_average': [round(x, 2) for x in os.getloadavg()],
        }
    if load_at_start is not None:
        info['load_average_at_start'] = [round(x, 2) for x in load_at_start]
    return info


def now():
    return dt.datetime.now().isoformat(timespec='seconds')


def write_result(path, result):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str) + '\n')
    return path
