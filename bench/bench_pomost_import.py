# This file is part of the CUS back office.
"""Benchmark of the import of clients from Pomost (issue 7)

Generates a deterministic Pomost export (Polish headers, Windows-1250, ';',
valid PESEL numbers, 100 000 lines by default) and measures in one run, on
the same PostgreSQL database with cus_base activated:

* import_new:    cus.pomost.import.log|process on the file, every PESEL new:
                 what the wizard queues for a large file (decode, parse,
                 check every line, look up the PESELs, create the clients
                 with their identifier, address and phone, progress written
                 in side transactions);
* import_update: the same method in the same transaction on the export of
                 the same persons a month later (every PESEL known; a
                 third of them moved, a fifth changed marital status):
                 update by PESEL, writing only what differs;
* preview:       the checks of the wizard's preview (read_csv, check_rows,
                 existing_parties) on the file;
* copy:          a plain COPY of the same file into a staging table of 14
                 text columns (the floor: PostgreSQL parsing the CSV).

Each round runs the cases in that order; the import transaction is rolled
back at the end of the round, so every round starts from the same empty
database. Medians; ratios import/copy; rows per second; for the ORM cases
also the CPU seconds of the benchmark process (what remains of their time
when other processes share the machine; the database server's share is
not in it). The run fails if an
import does not create (then update) exactly one client per line or if the
progress of the import was not visible from another connection.

    python -m bench.bench_pomost_import               # 100 000 lines
    python -m bench.bench_pomost_import --rows 10000 --repeat 1
    python -m bench.bench_pomost_import --rebuild     # a fresh database

Results: bench/results/pomost_import.json (pomost_import_<rows>.json for
other sizes).
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = 'bench'

from bench import citygen  # noqa: E402

GENERATOR = 'bench.bench_pomost_import'
DEFAULT_DATABASE = 'cus_bench_pomost'
DEFAULT_ROWS = 100_000
RESULTS = Path(__file__).resolve().parent / 'results'
ADMIN = citygen.ADMIN
HEADER = [
    'Lp.', 'Nazwisko', 'Imię', 'PESEL', 'Data urodzenia', 'Płeć', 'Ulica',
    'Nr domu', 'Nr lokalu', 'Kod pocztowy', 'Miejscowość', 'Telefon',
    'Stan cywilny', 'Liczba osób w rodzinie']
STREETS = [
    "Radomska", "Kolejowa", "Żeromskiego", "Kościelna", "Wojska Polskiego",
    "Mickiewicza", "Armii Krajowej", "Złota", "Słoneczna", "Szkolna",
    "Ostrowiecka", "Leśna", "Polna", "Łąkowa", "Świętokrzyska"]
CITIES = [
    ("Starachowice", '27-200'), ("Wąchock", '27-215'),
    ("Brody", '27-230'), ("Mirzec", '27-220'), ("Pawłów", '27-225')]
MARITAL_F = ['panna', 'zamężna', 'wdowa', 'rozwiedziona', '']
MARITAL_M = ['kawaler', 'żonaty', 'wdowiec', 'rozwiedziony', '']
STAGING = """
CREATE TEMPORARY TABLE pomost_staging (
    lp text, nazwisko text, imie text, pesel text, data_urodzenia text,
    plec text, ulica text, nr_domu text, nr_lokalu text, kod_pocztowy text,
    miejscowosc text, telefon text, stan_cywilny text, liczba_osob text)
"""
COPY = ("COPY pomost_staging FROM STDIN WITH (FORMAT csv, HEADER true, "
    "DELIMITER ';', ENCODING 'WIN1250')")


def generate(rows, seed=1, changes=False):
    """A Pomost export of rows lines (bytes, Windows-1250)

    With changes, the same persons a month later: every third one moved
    (street, house and flat numbers, phone), every fifth one's marital
    status changed.
    """
    rng = random.Random(seed)
    later = random.Random(seed + 1000)
    end = dt.date(2026, 10, 31).toordinal()
    used = set()
    lines = [';'.join(HEADER)]
    for n in range(1, rows + 1):
        female = rng.random() < 0.58
        surname = rng.choice(citygen.SURNAMES)
        if female:
            first, last = (rng.choice(citygen.FIRST_NAMES_F),
                citygen._female(surname))
        else:
            first, last = rng.choice(citygen.FIRST_NAMES_M), surname
        while True:
            birth = dt.date.fromordinal(
                end - rng.randrange(18 * 365, 95 * 365))
            serial = rng.randrange(1000)
            if (birth, serial, female) not in used:
                used.add((birth, serial, female))
                break
        pesel = citygen.pesel(birth, serial, female)
        city, postal = rng.choice(CITIES)
        flat = str(rng.randrange(1, 60)) if rng.random() < 0.6 else ''
        phone = (f'{rng.choice((5, 6, 7, 8))}{rng.randrange(10 ** 8):08d}'
            if rng.random() < 0.7 else '')
        marital = rng.choice(MARITAL_F if female else MARITAL_M)
        street, number = rng.choice(STREETS), str(rng.randrange(1, 120))
        family = str(rng.choice((1, 1, 2, 2, 3, 4, 5)))
        if changes and n % 3 == 0:
            street = later.choice(STREETS)
            number = str(later.randrange(120, 240))
            flat = str(later.randrange(1, 60))
            phone = (f'{later.choice((5, 6, 7, 8))}'
                f'{later.randrange(10 ** 8):08d}')
        if changes and n % 5 == 0:
            marital = later.choice(
                [m for m in (MARITAL_F if female else MARITAL_M)
                    if m and m != marital])
        lines.append(';'.join([
                    str(n), last, first, pesel,
                    birth.strftime('%d.%m.%Y'), 'K' if female else 'M',
                    street, number, flat, postal, city, phone, marital,
                    family]))
    return ('\r\n'.join(lines) + '\r\n').encode('cp1250')


def source_hash():
    digest = hashlib.sha256()
    for path in sorted((citygen.ROOT / 'addons/cus_base').rglob('*')):
        if path.suffix in {'.py', '.xml', '.cfg'} and path.is_file() \
                and '__pycache__' not in path.parts:
            digest.update(str(path.relative_to(citygen.ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_marker(dbname):
    if not citygen.database_exists(dbname):
        return None
    with citygen.connect('postgres', autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') "
            "FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
    try:
        marker = json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None
    if not isinstance(marker, dict) or marker.get('generator') != GENERATOR:
        return None
    return marker


def ensure_database(dbname, rebuild=False, log=print):
    """A database with cus_base activated and no client, reused when it
    exists (updated with trytond-admin -u when cus_base changed)"""
    citygen._configure_trytond()
    marker = None if rebuild else read_marker(dbname)
    current = source_hash()
    if marker:
        if marker['source'] != current:
            log(f'{dbname}: cus_base changed since the build, updating')
            citygen._run_admin(dbname, ['-u', 'cus_base'], log)
            marker.update(source=current,
                updated=dt.datetime.now().isoformat(timespec='seconds'))
            citygen.write_marker(dbname, marker)
        log(f'Reusing {dbname} (built {marker["built"]})')
        return dict(marker, reused=True)
    started = time.perf_counter()
    log(f'Building {dbname}')
    citygen.drop_database(dbname)
    citygen.create_database(dbname)
    citygen._run_admin(dbname, ['-u', 'cus_base', '--activate-dependencies',
            '--email', 'admin@example.com'], log)
    marker = {
        'generator': GENERATOR,
        'source': current,
        'built': dt.datetime.now().isoformat(timespec='seconds'),
        'seconds': round(time.perf_counter() - started, 1),
        }
    citygen.write_marker(dbname, marker)
    return dict(marker, reused=False)


class Bench:

    def __init__(self, dbname, data, changed):
        from trytond.pool import Pool
        self.dbname = dbname
        self.data = data
        self.changed = changed
        # CPU seconds of this process in the ORM cases: the part of their
        # time that other processes on the machine do not stretch
        self.cpu = {'import_new': [], 'import_update': [], 'preview': []}
        self.pool = Pool(dbname)
        self.pool.init()
        with self.transaction(readonly=True):
            User = self.pool.get('res.user')
            self.context = User.get_preferences(context_only=True)
            Party = self.pool.get('party.party')
            self.parties = Party.search([], count=True)

    def transaction(self, readonly=False, **context):
        from trytond.transaction import Transaction
        return Transaction().start(self.dbname, ADMIN, readonly=readonly,
            context=dict(getattr(self, 'context', {}), **context))

    def targets(self, header):
        from cus_base.pomost import guess_target
        return [guess_target(h) for h in header]

    def create_logs(self, files):
        "Committed logs of the files, as the wizard leaves them queued"
        from cus_base.pomost import read_csv
        vlist = []
        with self.transaction():
            Log = self.pool.get('cus.pomost.import.log')
            for data in files:
                header, rows, encoding, delimiter = read_csv(data)
                vlist.append({
                        'file': data,
                        'file_name': 'pomost_bench.csv',
                        'encoding': encoding,
                        'delimiter': delimiter,
                        'mapping': Log.dump_mapping(
                            header, self.targets(header)),
                        'lines': len(rows),
                        })
            return [l.id for l in Log.create(vlist)]

    def delete_logs(self, ids):
        with self.transaction():
            Log = self.pool.get('cus.pomost.import.log')
            Log.delete(Log.browse(ids))

    def progress_seen(self, log_id):
        "The progress of a log as another connection sees it"
        with citygen.connect(self.dbname) as conn:
            return conn.execute(
                'SELECT phase, lines_done, progress '
                'FROM cus_pomost_import_progress WHERE log = %s',
                (log_id,)).fetchone()

    def imports(self, rows):
        """import_new then import_update of the file in one transaction,
        rolled back; returns their seconds"""
        from trytond.transaction import Transaction
        new_id, update_id = self.create_logs([self.data, self.changed])
        times = {}
        try:
            with self.transaction(pomost_progress=True) as transaction:
                Log = self.pool.get('cus.pomost.import.log')
                Party = self.pool.get('party.party')
                for name, log_id in [
                        ('import_new', new_id), ('import_update', update_id)]:
                    start, cpu = time.perf_counter(), time.process_time()
                    Log.process([Log(log_id)])
                    times[name] = time.perf_counter() - start
                    self.cpu[name].append(time.process_time() - cpu)
                    log = Log(log_id)
                    expected = ((rows, 0) if name == 'import_new'
                        else (0, rows))
                    if (log.state, (log.created, log.updated)) != (
                            'done', expected):
                        raise SystemExit(
                            f'{name}: {log.state} created {log.created} '
                            f'updated {log.updated}, expected {expected}')
                    seen = self.progress_seen(log_id)
                    if not seen or seen[:2] != ('importing', rows):
                        raise SystemExit(
                            f'{name}: progress seen from another '
                            f'connection {seen}')
                clients = Party.search([
                        ('cus_client', '=', True),
                        ('former_ops_client', '=', True),
                        ], count=True)
                if clients != rows:
                    raise SystemExit(f'{clients} clients after the import')
                # The moves of the second file were written (the first
                # file's house numbers are below 120).
                cursor = Transaction().connection.cursor()
                cursor.execute('SELECT count(*) FROM party_address '
                    'WHERE CAST(building_number AS integer) >= 120')
                moved, = cursor.fetchone()
                if moved != rows // 3:
                    raise SystemExit(f'{moved} clients moved, expected '
                        f'{rows // 3}')
                transaction.rollback()
        finally:
            self.delete_logs([new_id, update_id])
        return times

    def preview(self, rows):
        from cus_base.pomost import read_csv
        with self.transaction(readonly=True):
            Log = self.pool.get('cus.pomost.import.log')
            start, cpu = time.perf_counter(), time.process_time()
            header, lines, _, _ = read_csv(self.data)
            result = Log.check_rows(header, lines, self.targets(header))
            known = Log.existing_parties([r['pesel'] for r in result.valid])
            elapsed = time.perf_counter() - start
            self.cpu['preview'].append(time.process_time() - cpu)
        if len(result.valid) != rows or result.refused or known:
            raise SystemExit(
                f'preview: {len(result.valid)} valid, {len(result.refused)} '
                f'refused, {len(known)} known')
        return elapsed

    def copy(self, rows):
        with citygen.connect(self.dbname) as conn:
            conn.execute(STAGING)
            start = time.perf_counter()
            with conn.cursor() as cursor:
                with cursor.copy(COPY) as copy:
                    copy.write(self.data)
            elapsed = time.perf_counter() - start
            count, = conn.execute(
                'SELECT count(*) FROM pomost_staging').fetchone()
            conn.rollback()
        if count != rows:
            raise SystemExit(f'COPY loaded {count} rows')
        return elapsed

    def run(self, rows, repeat, log=print):
        times = {n: [] for n in
            ['import_new', 'import_update', 'preview', 'copy']}
        for round_ in range(repeat):
            last = self.imports(rows)
            last['preview'] = self.preview(rows)
            last['copy'] = self.copy(rows)
            for name, seconds in last.items():
                times[name].append(seconds)
            log(f'  run {round_ + 1}: ' + ', '.join(
                    f'{n} {s:.2f} s' for n, s in last.items()))
        return times


def summary(times, rows):
    median = statistics.median(times)
    return {
        'median_s': round(median, 3),
        'min_s': round(min(times), 3),
        'max_s': round(max(times), 3),
        'runs_s': [round(t, 3) for t in times],
        'rows_per_s': round(rows / median),
        }


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rows', type=int, default=DEFAULT_ROWS,
        help="lines of the generated file (default %(default)s)")
    parser.add_argument('--repeat', type=int, default=3,
        help="measured rounds (default %(default)s)")
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--database', default=DEFAULT_DATABASE)
    parser.add_argument('--rebuild', action='store_true',
        help="drop and build the database even if it exists")
    parser.add_argument('--output', type=Path)
    args = parser.parse_args(argv)
    suffix = '' if args.rows == DEFAULT_ROWS else f'_{args.rows}'
    output = args.output or RESULTS / f'pomost_import{suffix}.json'

    started = time.perf_counter()
    load_start = os.getloadavg()
    marker = ensure_database(args.database, rebuild=args.rebuild)
    data = generate(args.rows, args.seed)
    changed = generate(args.rows, args.seed, changes=True)
    print(f'File: {args.rows} lines, {len(data) / 2 ** 20:.1f} MiB '
        f'(Windows-1250), generated in '
        f'{time.perf_counter() - started:.1f} s with the database')

    import psycopg
    import trytond

    bench = Bench(args.database, data, changed)
    if bench.parties:
        raise SystemExit(f'{args.database} holds {bench.parties} parties')
    times = bench.run(args.rows, args.repeat)
    results = {n: summary(t, args.rows) for n, t in times.items()}
    for name, cpu in bench.cpu.items():
        results[name]['cpu_median_s'] = round(statistics.median(cpu), 3)
        results[name]['cpu_runs_s'] = [round(c, 3) for c in cpu]
    copy = results['copy']['median_s']
    ratios = {n: round(results[n]['median_s'] / copy, 1)
        for n in ['import_new', 'import_update', 'preview']}
    with citygen.connect(args.database) as conn:
        server_version, = conn.execute('SHOW server_version').fetchone()
    result = {
        'benchmark': 'pomost_import',
        'issue': 7,
        'date': dt.datetime.now().isoformat(timespec='seconds'),
        'database': args.database,
        'database_reused': marker['reused'],
        'rows': args.rows,
        'file_bytes': len(data),
        'file_sha256': hashlib.sha256(data).hexdigest(),
        'seed': args.seed,
        'repeat': args.repeat,
        'times': results,
        'ratio_to_copy': ratios,
        'versions': {
            'python': platform.python_version(),
            'trytond': trytond.__version__,
            'psycopg': psycopg.__version__,
            'postgresql': server_version,
            },
        'cpus': os.cpu_count(),
        'load_average_start': load_start,
        'load_average_end': os.getloadavg(),
        'total_seconds': round(time.perf_counter() - started, 1),
        }
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + '\n')
    print(f'\n{args.rows} lines, medians of {args.repeat} rounds:')
    for name, values in results.items():
        ratio = f', {ratios[name]}× COPY' if name in ratios else ''
        cpu = (f' (CPU of the process {values["cpu_median_s"]:.1f} s)'
            if 'cpu_median_s' in values else '')
        print(f'  {name:<14} {values["median_s"]:8.2f} s '
            f'{values["rows_per_s"]:>10,} rows/s{ratio}{cpu}')
    print(f'Written to {output}')


if __name__ == '__main__':
    main()
