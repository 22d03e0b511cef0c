# This file is part of the CUS back office.
"""What the fault tests measured, for bench/results/faults.json

Each test records its figures under its own key in
var/test-logs/faults-<backend>.json (kept between runs, a key overwritten
by the next run of its test); bench/fault_pg_restart.py merges them with
the real PostgreSQL restart into bench/results/faults.json."""
import datetime as dt
import json
import os

from browser import harness


def path(backend):
    return harness.LOGS / f'faults-{backend}.json'


def record(backend, key, **figures):
    harness.LOGS.mkdir(parents=True, exist_ok=True)
    file = path(backend)
    try:
        results = json.loads(file.read_text(encoding='utf-8'))
    except (OSError, ValueError):
        results = {}
    figures['measured_at'] = dt.datetime.now(dt.timezone.utc).isoformat(
        timespec='seconds')
    results[key] = figures
    tmp = file.with_suffix('.tmp')
    tmp.write_text(json.dumps(results, indent=2, sort_keys=True),
        encoding='utf-8')
    os.replace(tmp, file)
