# This file is part of the CUS back office.
"""PostgreSQL really restarted under load; the fault figures collected

    python -m bench.fault_pg_restart                # restart once, merge
    python -m bench.fault_pg_restart --merge-only   # only merge the tests'

A trytond serves the fault-test database (tests/faults/server.py, built as
the browser tests build theirs, here as cus_fault_bench) under the steady
light load of tests/faults/load.py (portal orders page, JSON-RPC read, JSON-
RPC write). After LOAD_BEFORE seconds PostgreSQL is restarted for real
(`pg_ctlcluster 15 main restart`, or the command given with --restart):
every connection of every database on the server is closed, and PostgreSQL
refuses new ones until it is up again. The load goes on until each kind of
request succeeded again, then LOAD_AFTER seconds more; nothing is done to
trytond. It disturbs every user of the server for a few seconds: run it
once, on purpose.

Figures written to bench/results/faults.json under ``pg_restart``: how long
the restart command took, requests sent, failed (and their errors), failed
after the first success that followed the restart (must be 0), seconds from
the restart to the first success of each kind. The figures that the fault
tests recorded (var/test-logs/faults-<backend>.json, see
tests/faults/measure.py) are merged in under ``tests``.
"""
import argparse
import datetime as dt
import json
import pathlib
import shlex
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))

from browser import harness  # noqa: E402
from faults import load, measure, server  # noqa: E402

RESULTS = ROOT / 'bench' / 'results' / 'faults.json'
DATABASE = 'cus_fault_bench'
RESTART = 'pg_ctlcluster 15 main restart'
LOAD_BEFORE = 3.0
LOAD_AFTER = 3.0
RECOVERY_LIMIT = 90.0


def _merge_tests(results):
    tests = {}
    for backend in ['sqlite', 'postgresql']:
        path = measure.path(backend)
        if path.exists():
            tests[backend] = json.loads(path.read_text(encoding='utf-8'))
    results['tests'] = tests
    return results


def _write(results):
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True,
            ensure_ascii=False) + '\n', encoding='utf-8')


def restart_under_load(restart_command, log=print):
    backend, uri = harness.backend_from_environment()
    if backend != 'postgresql':
        uri = 'postgresql://root@127.0.0.1:5432/'
    with tempfile.TemporaryDirectory(prefix='cus-fault-bench-') as directory:
        log(f"building database {DATABASE} (about a minute or more)")
        database = server.build_database(
            'postgresql', uri, directory, name=DATABASE)
        try:
            srv = server.start_server(database, name='fault-bench')
            try:
                work = load.Load(srv).start()
                try:
                    time.sleep(LOAD_BEFORE)
                    log(f"restarting PostgreSQL: {restart_command}")
                    fault_at = time.monotonic()
                    subprocess.run(shlex.split(restart_command), check=True)
                    restarted = time.monotonic()
                    while time.monotonic() < fault_at + RECOVERY_LIMIT:
                        if len(work.summary(fault_at, restarted)[
                                    'recovered_in_s']) == 3:
                            break
                        time.sleep(0.2)
                    time.sleep(LOAD_AFTER)
                finally:
                    work.stop()
                summary = work.summary(fault_at, restarted)
                summary['restart_command'] = restart_command
                summary['restart_command_s'] = round(restarted - fault_at, 2)
                summary['trytond_restarted'] = False
                summary['trytond_alive'] = srv.alive()
            finally:
                srv.stop()
        finally:
            # The server may still be coming up.
            for _ in range(30):
                try:
                    server.drop_database(database)
                    break
                except Exception:
                    time.sleep(1)
    summary['measured_at'] = dt.datetime.now(dt.timezone.utc).isoformat(
        timespec='seconds')
    return summary


def main(args=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--merge-only', action='store_true',
        help="only merge the figures of the fault tests")
    parser.add_argument('--restart', default=RESTART,
        help=f"the command that restarts PostgreSQL ({RESTART})")
    options = parser.parse_args(args)
    try:
        results = json.loads(RESULTS.read_text(encoding='utf-8'))
    except (OSError, ValueError):
        results = {}
    if not options.merge_only:
        summary = restart_under_load(options.restart)
        results['pg_restart'] = summary
        print(json.dumps(summary, indent=2))
    _write(_merge_tests(results))
    print(f"written to {RESULTS.relative_to(ROOT)}")
    if not options.merge_only and (
            summary['failed_after_recovery']
            or len(summary['recovered_in_s']) != 3):
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
