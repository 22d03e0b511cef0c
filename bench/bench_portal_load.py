# This file is part of the CUS back office.
"""Portal load: 50 providers at once, one trytond process and two behind nginx

    python -m bench.bench_portal_load                 # 60 s per configuration
    python -m bench.bench_portal_load --duration 20 --warmup 5
    python -m bench.bench_portal_load --configurations two

1. A city of bench/citygen.py with cus_partners (``CityParams.for_size``,
   100 000 deliveries by default, ``providers`` = the number of simulated
   providers), reused when it exists with the same parameters.
2. What the city lacks for the portal, created once through the ORM (and
   found again on a reused database): each provider's accreditation, an
   active contract for the services it provides, its service orders made
   from its lines of the running and approved plans
   (``create_from_ipus_lines``) and sent (the quantity of each raised so
   that a long run never exhausts it), and its portal login (``web.user``).
3. For each configuration, with config/production.conf (site values for
   this machine) and deploy/nginx/cus.conf, as tests/deploy starts them:
   ``one`` = 1 trytond process behind nginx, ``two`` = 2 processes behind
   nginx, on the same database. Then 50 provider threads (http.client,
   one keep-alive connection each, through nginx on loopback) log in and,
   without think time (a closed loop: the figures are the capacity of the
   set-up), repeat a mix drawn at random: the dashboard (30 %), the order
   list (20 %), an order page (20 %), a week report POST with the session's
   CSRF token (15 %, one unit on one day), a CSV upload of two lines (15 %).
   ``--warmup`` seconds are not counted, then ``--duration`` seconds are.
4. Reported per configuration: requests/s, p50/p95/p99 latency per kind of
   request, errors (any unexpected status or failure: must be 0), the CPU
   used by the trytond processes, nginx, PostgreSQL and the load generator
   and the machine's load, and the deliveries recorded in the database by
   the portal users during the run against the reports that succeeded.

Results to bench/results/portal_load.json; bench/README.md has the table.
"""
import argparse
import datetime as dt
import http.client
import json
import os
import pathlib
import random
import re
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from decimal import Decimal

from bench import citygen, common

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tests'))
from deploy import stack  # noqa: E402  (the deployment test's launcher)

RESULT = ROOT / 'bench' / 'results' / 'portal_load.json'
EMAIL = 'dostawca{:02d}@portal-obciazenie.example'
PASSWORD = 'Obciazenie-Portal-2026'
ORDER_QUANTITY = Decimal(100_000)
MIX = [('dashboard', 30), ('orders', 20), ('order', 20), ('week', 15),
    ('upload', 15)]
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
CLK = os.sysconf('SC_CLK_TCK')


# ---------------------------------------------------------------------------
# Portal data through the ORM

def prepare_portal(dbname, providers, log=print):
    """Contracts, sent orders and portal logins of the city's providers
    (created once); returns {email: [(order id, number, start, end)]}"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    citygen._configure_trytond()
    pool = Pool(dbname)
    pool.init()
    with Transaction().start(dbname, citygen.ADMIN) as transaction:
        Company = pool.get('company.company')
        company, = Company.search([], limit=1)
        with transaction.set_context(company=company.id):
            result = _prepare(pool, providers, log)
        transaction.commit()
    return result


def _prepare(pool, count, log):
    from sql import Null

    from trytond.transaction import Transaction
    Party = pool.get('party.party')
    Contract = pool.get('cus.contract')
    Order = pool.get('cus.service.order')
    IpusLine = pool.get('cus.ipus.line')
    WebUser = pool.get('web.user')
    Date = pool.get('ir.date')
    today = Date.today()
    parties = Party.search([('cus_provider', '=', True)],
        order=[('id', 'ASC')], limit=count)
    if len(parties) < count:
        raise SystemExit(f'the city has {len(parties)} providers, '
            f'{count} wanted')
    emails = [EMAIL.format(i) for i in range(1, count + 1)]
    users = {u.email: u for u in WebUser.search([('email', 'in', emails)])}
    if len(users) < count:
        started = time.perf_counter()
        to_write = []
        for party in parties:
            if not party.accreditation:
                to_write.extend([[party], {
                            'accreditation': 'Akredytacja CUS (obciążenie)',
                            'accreditation_expiry': dt.date(2030, 12, 31),
                            }])
        if to_write:
            Party.write(*to_write)
        contracts = Contract.create([{
                    'provider': p.id,
                    'mode': 'open_competition',
                    'start_date': dt.date(2021, 1, 1),
                    'end_date': dt.date(2030, 12, 31),
                    'lines': [('create', [{
                                    'service': s.id,
                                    'unit_price': Decimal('40.00'),
                                    'max_quantity': 10_000_000,
                                    'allowed_deviation': Decimal('20'),
                                    } for s in p.provided_services])],
                    } for p in parties if p.provided_services])
        Contract.activate(contracts)
        lines = IpusLine.search([
                ('plan.state', 'in', ['approved', 'running']),
                ('state', '=', 'open'),
                ('provider', 'in', [p.id for p in parties]),
                ])
        orders = Order.create_from_ipus_lines(lines)
        # A long run must not exhaust an order (the portal refuses more
        # than what remains): the quantities are raised before sending.
        if orders:
            Order.write(orders, {'quantity': ORDER_QUANTITY})
            Order.send(orders)
        WebUser.create([{'email': e, 'password': PASSWORD, 'party': p.id}
                for e, p in zip(emails, parties) if e not in users])
        log(f'portal data: {len(contracts)} contracts, {len(orders)} '
            f'orders, {count - len(users)} portal users in '
            f'{time.perf_counter() - started:.0f} s')
    # The plan lines of the orders grant what the deliveries may reach
    # (cus.service.delivery check_granted): raised like the orders' own
    # quantities, in SQL since the lines of approved plans are not
    # writable, so that no run exhausts them (bench data only).
    line = IpusLine.__table__()
    order = Order.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*line.update([line.quantity], [float(ORDER_QUANTITY)],
            where=line.id.in_(order.select(order.ipus_line,
                    where=(order.quantity == ORDER_QUANTITY)
                    & (order.ipus_line != Null)))
            & (line.quantity < ORDER_QUANTITY)))
    result = {}
    for email, party in zip(emails, parties):
        orders = Order.search([
                ('contract_line.contract.provider', '=', party.id),
                ('state', '=', 'sent'),
                ('start_date', '<=', today),
                ], order=[('id', 'ASC')], limit=20)
        result[email] = [(o.id, o.number, o.start_date.isoformat(),
                o.end_date.isoformat()) for o in orders]
    missing = [e for e, o in result.items() if not o]
    if missing:
        log(f'{len(missing)} providers without an order in progress: '
            'they browse and upload nothing')
    return result


# ---------------------------------------------------------------------------
# One simulated provider

class Provider(threading.Thread):

    def __init__(self, port, dbname, email, orders, seed, start_at,
            measure_at, stop_at):
        # start_at: when this provider logs in (the logins are spread over
        # the warm-up: 50 argon2 password checks at the same instant are a
        # login storm, measured apart, not the steady state)
        super().__init__(daemon=True)
        self.port = port
        self.base = f'/{dbname}/portal'
        self.email = email
        self.orders = orders
        self.rng = random.Random(seed)
        self.start_at, self.measure_at, self.stop_at = (
            start_at, measure_at, stop_at)
        self.cookies = {}
        self.csrf = None
        self.connection = None
        self.samples = []       # (kind, seconds, ok) while measuring
        self.errors = []        # (kind, description)
        self.units = 0          # units of the reports that succeeded
        self.reports = 0
        self.login_seconds = None
        self.detail = None

    # -- HTTP ---------------------------------------------------------------
    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers['Cookie'] = '; '.join(
                f'{k}={v}' for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    '127.0.0.1', self.port, timeout=120)
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError):
                # a keep-alive connection closed by the server between two
                # requests: reconnect once (nothing was processed)
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == 'set-cookie':
                name, _, rest = value.partition('=')
                self.cookies[name.strip()] = rest.split(';', 1)[0]
        return response.status, response.getheader('Location'), data

    def form(self, path, fields):
        body = urllib.parse.urlencode(fields).encode()
        return self.request('POST', path, body, {
                'Content-Type': 'application/x-www-form-urlencoded'})

    def login(self):
        status, _, page = self.request('GET', self.base + '/login')
        assert status == 200, status
        csrf = CSRF.search(page.decode()).group(1)
        status, location, _ = self.form(self.base + '/login', {
                'email': self.email, 'password': PASSWORD,
                'csrf_token': csrf})
        assert status == 303 and location.endswith('/portal/'), (
            status, location)
        status, _, page = self.request('GET', self.base + '/')
        assert status == 200, status
        self.csrf = CSRF.search(page.decode()).group(1)

    # -- the mix ------------------------------------------------------------
    def pick(self):
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        kind = self.rng.choices(kinds, weights)[0]
        if kind in {'order', 'week', 'upload'} and not self.orders:
            kind = 'orders'
        return kind

    def report_day(self, order):
        _, _, start, end = order
        today = dt.date.today()
        first = dt.date.fromisoformat(start)
        last = min(dt.date.fromisoformat(end), today)
        return first + dt.timedelta(
            days=self.rng.randrange((last - first).days + 1))

    def do(self, kind):
        "One request of kind; returns (ok, units reported)"
        if kind in {'dashboard', 'orders', 'order'}:
            path = {'dashboard': '/', 'orders': '/orders'}.get(kind)
            if path is None:
                path = f'/orders/{self.rng.choice(self.orders)[0]}'
            status, _, _ = self.request('GET', self.base + path)
            if status != 200:
                self.detail = f'{status} GET {path}'
            return status == 200, 0
        order = self.rng.choice(self.orders)
        day = self.report_day(order)
        if kind == 'week':
            monday = day - dt.timedelta(days=day.weekday())
            status, location, _ = self.form(
                f'{self.base}/orders/{order[0]}/week', {
                    'csrf_token': self.csrf, 'start': monday.isoformat(),
                    f'q-{day.isoformat()}': '1'})
            ok = status == 303 and 'saved=1' in (location or '')
            if not ok:
                self.detail = f'{status} {location}'
            return ok, 1 if ok else 0
        # upload: two lines of one unit
        other = self.report_day(order)
        csv = ('zlecenie;data;ilosc;czas;uwagi\r\n'
            f'{order[1]};{day.isoformat()};1;;obciążenie\r\n'
            f'{order[1]};{other.strftime("%d.%m.%Y")};1;1;\r\n'
            ).encode('utf-8')
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; '
            f'name="csrf_token"\r\n\r\n{self.csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            'filename="dostawy.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode() + csv + f'\r\n--{boundary}--\r\n'.encode()
        status, _, page = self.request('POST', self.base + '/upload', body, {
                'Content-Type': f'multipart/form-data; boundary={boundary}'})
        ok = status == 200
        if not ok:
            self.detail = f'{status} ' + ' '.join(re.findall(
                    r'<td>([^<]{0,200})</td>', page.decode()))[:300]
        return ok, 2 if ok else 0

    def run(self):
        try:
            while time.monotonic() < self.start_at:
                time.sleep(0.01)
            started = time.perf_counter()
            self.login()
            self.login_seconds = time.perf_counter() - started
        except Exception as exception:
            self.errors.append(('login', repr(exception)))
            return
        while True:
            now = time.monotonic()
            if now >= self.stop_at:
                break
            kind = self.pick()
            self.detail = None
            started = time.perf_counter()
            try:
                ok, units = self.do(kind)
            except Exception as exception:
                ok, units = False, 0
                self.errors.append((kind, repr(exception)))
            elapsed = time.perf_counter() - started
            # a request is counted when it started in the measured window
            if now >= self.measure_at:
                self.samples.append((kind, elapsed, ok))
                if not ok and self.detail is not None:
                    self.errors.append((kind, self.detail))
            # units of every successful report, warm-up included: the
            # database check compares all of them
            self.units += units
            self.reports += 1 if units else 0


# ---------------------------------------------------------------------------
# CPU accounting

def cpu_seconds(pids):
    "utime + stime of processes and their children that exited (seconds)"
    total = 0
    for pid in pids:
        try:
            fields = pathlib.Path(f'/proc/{pid}/stat').read_text().rsplit(
                ')', 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])
    return total / CLK


def tree(pid):
    "pid and its descendants"
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            children = pathlib.Path(
                f'/proc/{current}/task/{current}/children').read_text()
        except OSError:
            continue
        todo.extend(int(c) for c in children.split())
    return found


def backend_cpu(uri, dbname):
    "{pid: CPU seconds} of the PostgreSQL backends serving dbname"
    pids = [pid for pid, in stack.psql(uri, dbname,
            'SELECT pid FROM pg_stat_activity WHERE datname = %s '
            'AND pid <> pg_backend_pid()', (dbname,))]
    return {pid: cpu_seconds([pid]) for pid in pids}


def machine_cpu():
    "(busy, total) jiffies of the whole machine"
    values = [int(x) for x in
        pathlib.Path('/proc/stat').read_text().split('\n')[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# ---------------------------------------------------------------------------
# One configuration

def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    k = (len(values) - 1) * q
    f = int(k)
    c = min(f + 1, len(values) - 1)
    return values[f] + (values[c] - values[f]) * (k - f)


def run_configuration(name, processes, dbname, uri, portal, args, log):
    directory = pathlib.Path(args.workdir) / name
    directory.mkdir(parents=True, exist_ok=True)
    filestore = directory / 'filestore'
    filestore.mkdir(exist_ok=True)
    stack.write_override(directory, uri, filestore)
    ports = [stack.harness.free_port() for _ in range(processes)]
    nginx_port = stack.harness.free_port()
    started = []
    try:
        servers = [stack.start_trytond(directory, dbname, port)
            for port in ports]
        started.extend(servers)
        for port, server in zip(ports, servers):
            stack.wait_http(f'http://127.0.0.1:{port}/{dbname}/portal/login',
                server, timeout=120)
        main = stack.render_nginx(directory, nginx_port, ports)
        stack.check_nginx(main)
        nginx = stack.start_nginx(directory, main)
        started.append(nginx)
        stack.wait_http(f'http://127.0.0.1:{nginx_port}/{dbname}/portal/'
            'login', nginx)

        (deliveries_before,), = stack.psql(uri, dbname,
            'SELECT coalesce(max(id), 0) FROM cus_service_delivery')
        begin = time.monotonic() + 1
        measure_at = begin + args.warmup
        stop_at = measure_at + args.duration
        # logins spread over the first two thirds of the warm-up
        spread = args.warmup * 2 / 3 / max(1, len(portal))
        providers = [Provider(nginx_port, dbname, email, orders,
                seed=i, start_at=begin + i * spread, measure_at=measure_at,
                stop_at=stop_at)
            for i, (email, orders) in enumerate(sorted(portal.items()))]
        trytond_pids = lambda: [p for s in servers  # noqa: E731
            for p in tree(s.popen.pid)]
        for provider in providers:
            provider.start()
        while time.monotonic() < measure_at:
            time.sleep(0.05)
        cpu0 = (cpu_seconds(trytond_pids()), cpu_seconds(tree(
                    nginx.popen.pid)), backend_cpu(uri, dbname),
            time.process_time(), machine_cpu(), os.getloadavg())
        wall0 = time.monotonic()
        while time.monotonic() < stop_at:
            time.sleep(0.05)
        cpu1 = (cpu_seconds(trytond_pids()), cpu_seconds(tree(
                    nginx.popen.pid)), backend_cpu(uri, dbname),
            time.process_time(), machine_cpu(), os.getloadavg())
        wall = time.monotonic() - wall0
        for provider in providers:
            provider.join(180)
        # requests that started in the window and ended after it are in
        # the samples; the throughput counts the window's requests
        (recorded, units), = stack.psql(uri, dbname,
            'SELECT count(*), coalesce(sum(quantity), 0) '
            'FROM cus_service_delivery d JOIN web_user u '
            'ON d.web_user = u.id WHERE d.id > %s AND u.email LIKE %s',
            (deliveries_before, '%@portal-obciazenie.example'))
    finally:
        for process in reversed(started):
            stack.stop(process)

    samples = [s for p in providers for s in p.samples]
    errors = [e for p in providers for e in p.errors]
    by_kind = {}
    for kind, _ in MIX:
        times = [t for k, t, ok in samples if k == kind and ok]
        by_kind[kind] = {
            'requests': sum(1 for k, _, _ in samples if k == kind),
            'p50_ms': _ms(percentile(times, 0.50)),
            'p95_ms': _ms(percentile(times, 0.95)),
            'p99_ms': _ms(percentile(times, 0.99)),
            'mean_ms': _ms(statistics.fmean(times) if times else None),
            }
    all_times = [t for _, t, ok in samples if ok]
    logins = [p.login_seconds for p in providers
        if p.login_seconds is not None]
    busy = cpu1[4][0] - cpu0[4][0]
    total = cpu1[4][1] - cpu0[4][1]
    expected_units = sum(p.units for p in providers)
    # CPU of the set-up per request (the load generator excluded: it would
    # be the providers' own computers), and the throughput those figures
    # allow when the machine's cores do nothing else: the CPU-bound ceiling
    cpu = {
        'trytond': cpu1[0] - cpu0[0],
        'nginx': cpu1[1] - cpu0[1],
        'postgresql': sum(v - cpu0[2].get(pid, 0)
            for pid, v in cpu1[2].items()),
        'load_generator': cpu1[3] - cpu0[3],
        }
    served = cpu['trytond'] + cpu['nginx'] + cpu['postgresql']
    per_request_ms = 1000 * served / len(samples) if samples else None
    result = {
        'trytond_processes': processes,
        'behind_nginx': True,
        'providers': len(providers),
        'logged_in': sum(1 for p in providers if p.csrf),
        'seconds': round(wall, 1),
        'requests': len(samples),
        'requests_per_s': round(len(samples) / wall, 1),
        'p50_ms': _ms(percentile(all_times, 0.50)),
        'p95_ms': _ms(percentile(all_times, 0.95)),
        'p99_ms': _ms(percentile(all_times, 0.99)),
        'errors': len(errors),
        'error_examples': errors[:5],
        'by_kind': by_kind,
        'login_during_warmup': {
            'logins': len(logins),
            'p50_ms': _ms(percentile(logins, 0.50)),
            'max_ms': _ms(max(logins) if logins else None),
            },
        'deliveries': {
            'reports_succeeded': sum(p.reports for p in providers),
            'units_reported': expected_units,
            'rows_recorded': recorded,
            'units_recorded': float(units),
            'match': float(units) == expected_units,
            },
        'cpu_seconds': {k: round(v, 1) for k, v in cpu.items()},
        'trytond_cpu_cores_used': round(cpu['trytond'] / wall, 2),
        'cpu_ms_per_request': {
            'trytond': round(1000 * cpu['trytond'] / len(samples), 1)
                if samples else None,
            'trytond_nginx_postgresql': round(per_request_ms, 1)
                if per_request_ms else None,
            },
        'cpu_bound_ceiling_req_per_s': round(
            os.cpu_count() * 1000 / per_request_ms, 1)
            if per_request_ms else None,
        'machine_cpu_busy_percent': round(100 * busy / total, 1)
            if total else None,
        'cpus': os.cpu_count(),
        'loadavg_1min_before_after': [round(cpu0[5][0], 2),
            round(cpu1[5][0], 2)],
        }
    log(f"{name}: {result['requests_per_s']} req/s, p50 {result['p50_ms']}"
        f" ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, "
        f"errors {result['errors']}, deliveries match "
        f"{result['deliveries']['match']} "
        f"({result['deliveries']['units_recorded']:.0f} units), machine "
        f"CPU {result['machine_cpu_busy_percent']} %")
    for kind, description in errors[:5]:
        log(f'  error ({kind}): {description}')
    return result


def _ms(value):
    return None if value is None else round(value * 1000, 1)


def table(results):
    lines = ['| configuration | req/s | p50 ms | p95 ms | p99 ms | errors '
        '| deliveries recorded / reported (units) | trytond cores used '
        '| CPU ms per request (trytond + nginx + PostgreSQL) '
        '| CPU-bound ceiling, req/s | machine CPU busy % |',
        '|---|---|---|---|---|---|---|---|---|---|---|']
    for name, r in results.items():
        d = r['deliveries']
        lines.append(
            f"| {name} ({r['trytond_processes']} trytond behind nginx) "
            f"| {r['requests_per_s']} | {r['p50_ms']} | {r['p95_ms']} "
            f"| {r['p99_ms']} | {r['errors']} | {d['units_recorded']:.0f} / "
            f"{d['units_reported']} | {r['trytond_cpu_cores_used']} "
            f"| {r['cpu_ms_per_request']['trytond_nginx_postgresql']} "
            f"| {r['cpu_bound_ceiling_req_per_s']} "
            f"| {r['machine_cpu_busy_percent']} |")
    lines += ['', '| request (count) | ' + ' | '.join(
            f'{n}: p50 / p95 / p99 ms' for n in results) + ' |',
        '|---|' + '---|' * len(results)]
    for kind, _ in MIX:
        cells = []
        for r in results.values():
            k = r['by_kind'][kind]
            cells.append(f"{k['p50_ms']} / {k['p95_ms']} / {k['p99_ms']} "
                f"({k['requests']})")
        lines.append(f'| {kind} | ' + ' | '.join(cells) + ' |')
    cells = []
    for r in results.values():
        k = r['login_during_warmup']
        cells.append(f"{k['p50_ms']} / max {k['max_ms']} ({k['logins']})")
    lines.append('| login (warm-up, not in req/s) | ' + ' | '.join(cells)
        + ' |')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--deliveries', type=int, default=100_000,
        help="size of the city (citygen CityParams.for_size)")
    parser.add_argument('--providers', type=int, default=50,
        help="simulated providers, each with its portal login")
    parser.add_argument('--database', default='cus_load_city')
    parser.add_argument('--duration', type=float, default=60)
    parser.add_argument('--warmup', type=float, default=15,
        help="seconds not counted; the logins are spread over the first "
        "two thirds")
    parser.add_argument('--configurations', nargs='+',
        choices=['one', 'two'], default=['one', 'two'])
    parser.add_argument('--workdir', default=str(ROOT / 'var' / 'bench-portal'))
    parser.add_argument('--output', default=str(RESULT))
    parser.add_argument('--rebuild', action='store_true')
    args = parser.parse_args(argv)

    for what, path in [('nginx', stack.NGINX),
            ('sao', stack.harness.SAO_ROOT / 'index.html')]:
        if not os.path.exists(path):
            raise SystemExit(f'{what} missing: {path} (scripts/setup-env '
                'ensure_nginx / ensure_sao)')
    uri = citygen.database_uri()
    params = citygen.CityParams.for_size(args.deliveries,
        providers=args.providers, modules=('cus_partners',))
    started = time.perf_counter()
    marker = citygen.ensure_database(params, dbname=args.database,
        rebuild=args.rebuild)
    city_seconds = time.perf_counter() - started
    portal = prepare_portal(args.database, args.providers)
    with_orders = sum(1 for o in portal.values() if o)
    print(f'{len(portal)} providers, {with_orders} with orders in progress '
        f'({sum(len(o) for o in portal.values())} orders used)')

    results = {}
    for name in args.configurations:
        results[name] = run_configuration(
            name, {'one': 1, 'two': 2}[name], args.database, uri, portal,
            args, print)
    print()
    print(table(results))
    output = {
        'benchmark': 'bench.bench_portal_load',
        'date': dt.datetime.now().isoformat(timespec='seconds'),
        'command': 'python -m bench.bench_portal_load ' + ' '.join(
            argv if argv is not None else sys.argv[1:]),
        'city': {'database': args.database,
            'params': params.to_dict(),
            'counts': marker.get('counts'),
            'reused': marker.get('reused'),
            'seconds': round(city_seconds, 1)},
        'providers': args.providers,
        'providers_with_orders': with_orders,
        'mix_percent': dict(MIX),
        'warmup_s': args.warmup,
        'duration_s': args.duration,
        'think_time_s': 0,
        'machine': common.machine(),
        'results': results,
        'table': table(results),
        }
    if len(results) == 2 and results['one']['requests_per_s']:
        output['two_over_one'] = round(
            results['two']['requests_per_s']
            / results['one']['requests_per_s'], 2)
    pathlib.Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(args.output).write_text(
        json.dumps(output, indent=2, ensure_ascii=False) + '\n',
        encoding='utf-8')
    print(f'\nwritten to {args.output}')
    failed = [n for n, r in results.items()
        if r['errors'] or not r['deliveries']['match']
        or r['logged_in'] != r['providers']]
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
