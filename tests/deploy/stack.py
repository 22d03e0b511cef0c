# This file is part of the CUS back office.
"""The production set-up of docs/deployment.md, started for a test

A database built like the browser tests' (tests/browser/build_data.py) but
under a name of its own, then the shipped configuration
(config/production.conf + a small override of the site values: database
URI, file store, sao folder), N ``trytond`` processes on free loopback
ports (the port through TRYTOND_WEB__LISTEN, as trytond@.service does),
``trytond-worker``, ``trytond-cron`` and nginx running
deploy/nginx/cus.conf with the test's ports. Every process has its own log
in the working directory; each step has a time limit and raises
browser.harness.HarnessError with the end of the log when it fails.
"""
import contextlib
import dataclasses
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from browser import data
from browser import harness
from browser.harness import HarnessError

ROOT = harness.ROOT
PRODUCTION_CONF = ROOT / 'config' / 'production.conf'
NGINX_CONF = ROOT / 'deploy' / 'nginx' / 'cus.conf'
LOGCONF = ROOT / 'config' / 'logging.conf'
NGINX = shutil.which('nginx') or '/usr/sbin/nginx'
BIN = pathlib.Path(sys.executable).parent

START_TIMEOUT = 60
STOP_TIMEOUT = 15


def tool(name):
    return str(shutil.which(name, path=str(BIN)) or name)


def backend_uri():
    "The PostgreSQL URI of the run, or None on another backend"
    backend, uri = harness.backend_from_environment()
    return uri if backend == 'postgresql' else None


def write_override(directory, uri, filestore):
    """The site values of production.conf for this machine (what the
    administrator fills in): later -c files win over earlier ones"""
    path = directory / 'site.conf'
    path.write_text(
        "# tests/deploy: the FILL IN values of config/production.conf\n"
        "[database]\n"
        f"uri = {uri}\n"
        f"path = {filestore}\n"
        "[web]\n"
        f"root = {harness.SAO_ROOT}\n"
        "hostname = 127.0.0.1\n"
        "[email]\n"
        # Nothing listens there: e-mails of the cron jobs fail fast.
        "uri = smtp://127.0.0.1:9\n",
        encoding='utf-8')
    return path


def configs(directory):
    return [str(PRODUCTION_CONF), str(directory / 'site.conf')]


def build_database(uri, name, directory):
    """Create, activate (Polish) and fill database name with the production
    configuration; return the ids of tests/browser/build_data.py"""
    directory = pathlib.Path(directory)
    filestore = directory / 'filestore'
    filestore.mkdir(exist_ok=True)
    write_override(directory, uri, filestore)
    log = directory / 'build.log'
    passfile = directory / 'admin-password'
    passfile.write_text(data.ADMIN_PASSWORD + '\n')
    passfile.chmod(0o600)
    env = harness.subprocess_environment(TRYTONPASSFILE=str(passfile))
    harness.pg_create(uri, name)
    admin = [tool('trytond-admin'), '-c', *configs(directory),
        '--logconf', LOGCONF, '-d', name]
    # One run initialises the empty database and activates the modules
    # (as bench/citygen.py does): a second run (--all, then -u) would cost
    # as much again in catalogue queries.
    harness.run(admin + ['-u'] + harness.MODULES + [
            '--activate-dependencies', '-l', data.LANGUAGE, '--email',
            'admin@cus.example'], harness.ADMIN_TIMEOUT, log, env=env)
    ids_file = directory / 'ids.json'
    # build_data.py reads one configuration file: the browser tests' one
    # (same database and file store; queued tasks at once while loading)
    data_conf = directory / 'build-data.conf'
    harness.write_config(data_conf, uri, filestore)
    harness.run([sys.executable, harness.HERE / 'build_data.py',
            '-c', data_conf, '-d', name, '--out', ids_file],
        harness.DATA_TIMEOUT, log, env=env)
    return json.loads(ids_file.read_text(encoding='utf-8'))


@dataclasses.dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: pathlib.Path

    def tail(self, lines=60):
        return harness._file_tail(self.log, lines)

    def alive(self):
        return self.popen.poll() is None


def spawn(name, command, directory, env):
    log = pathlib.Path(directory) / f'{name}.log'
    with open(log, 'w', encoding='utf-8') as file:
        popen = subprocess.Popen(
            list(map(str, command)), stdout=file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=env, cwd=str(ROOT),
            start_new_session=True)
    return Process(name, popen, log)


def stop(process, timeout=STOP_TIMEOUT):
    """SIGTERM to the process group, as systemd's KillSignal; returns the
    exit code, or None when it had to be killed"""
    if not process.alive():
        return process.popen.returncode
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.popen.pid, signal.SIGTERM)
    try:
        return process.popen.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout)
        return None


def start_trytond(directory, database, port, name=None):
    "One trytond process, configured as deploy/systemd/trytond@.service"
    env = harness.subprocess_environment(
        TRYTOND_DATABASE_NAMES=database,
        TRYTOND_WEB__LISTEN=f'127.0.0.1:{port}')
    return spawn(name or f'trytond-{port}', [tool('trytond'),
            '-c', *configs(directory), '--logconf', LOGCONF],
        directory, env)


def start_worker(directory, database):
    env = harness.subprocess_environment()
    return spawn('trytond-worker', [tool('trytond-worker'),
            '-c', *configs(directory), '-d', database,
            '--logconf', LOGCONF, '-n', '1'], directory, env)


def start_cron(directory, database):
    env = harness.subprocess_environment()
    return spawn('trytond-cron', [tool('trytond-cron'),
            '-c', *configs(directory), '-d', database,
            '--logconf', LOGCONF, '-n', '1'], directory, env)


def wait_http(url, process, timeout=START_TIMEOUT, expect=200):
    "Wait until url answers expect (the process must stay alive)"
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if not process.alive():
            raise HarnessError(
                f"{process.name} stopped with exit code "
                f"{process.popen.returncode}\n--- end of {process.log} ---\n"
                f"{process.tail()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == expect:
                    return
                last = response.status
        except urllib.error.HTTPError as error:
            if error.code == expect:
                return
            last = error
        except OSError as error:
            last = error
        time.sleep(0.3)
    raise HarnessError(
        f"{url} did not answer within {timeout} s (last: {last})\n"
        f"--- end of {process.log} ---\n{process.tail()}")


def render_nginx(directory, listen_port, upstream_ports):
    """deploy/nginx/cus.conf with the test's ports, sao folder and logs,
    and a main nginx.conf including it; returns the main file"""
    directory = pathlib.Path(directory)
    text = NGINX_CONF.read_text(encoding='utf-8')
    if len(re.findall(
            r'^ *server 127\.0\.0\.1:\d+ .*;$', text, flags=re.M)) < 2:
        raise HarnessError(
            f"{NGINX_CONF}: no upstream with several server lines")
    replacements = [
        # the upstream's server lines: one per test process
        (r'^( *)server 127\.0\.0\.1:\d+ (.*);$', None),
        (r'^( *)listen 80;$', rf'\1listen 127.0.0.1:{listen_port};'),
        (r'^( *)root /srv/cus/sao/package;$', rf'\1root {harness.SAO_ROOT};'),
        (r'^( *)access_log /var/log/nginx/cus\.access\.log cus;$',
            rf'\1access_log {directory}/nginx-access.log cus;'),
        (r'^( *)error_log /var/log/nginx/cus\.error\.log;$',
            rf'\1error_log {directory}/nginx-error.log;'),
        ]
    for pattern, replacement in replacements:
        if not re.search(pattern, text, flags=re.M):
            raise HarnessError(
                f"{NGINX_CONF}: no line matching {pattern!r}")
        if replacement is None:
            text = _replace_servers(text, pattern, upstream_ports)
        else:
            text = re.sub(pattern, replacement, text, flags=re.M)
    site = directory / 'cus.conf'
    site.write_text(text, encoding='utf-8')
    temp = directory / 'nginx-temp'
    temp.mkdir(exist_ok=True)
    user = 'root' if os.geteuid() == 0 else None
    main = directory / 'nginx.conf'
    main.write_text(
        (f"user {user};\n" if user else "")
        + "worker_processes 1;\n"
        f"pid {directory}/nginx.pid;\n"
        f"error_log {directory}/nginx-error.log;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    client_body_temp_path {temp}/body;\n"
        f"    proxy_temp_path {temp}/proxy;\n"
        f"    fastcgi_temp_path {temp}/fastcgi;\n"
        f"    uwsgi_temp_path {temp}/uwsgi;\n"
        f"    scgi_temp_path {temp}/scgi;\n"
        f"    include {site};\n"
        "}\n", encoding='utf-8')
    return main


def _replace_servers(text, pattern, ports):
    "All the upstream server lines become one line per test port"
    lines = text.split('\n')
    out, done = [], False
    for line in lines:
        match = re.match(pattern, line)
        if not match:
            out.append(line)
        elif not done:
            done = True
            out.extend(f'{match.group(1)}server 127.0.0.1:{port} '
                f'{match.group(2)};' for port in ports)
    return '\n'.join(out)


def check_nginx(main):
    process = subprocess.run([NGINX, '-t', '-c', str(main)],
        capture_output=True, text=True, timeout=30)
    if process.returncode != 0:
        raise HarnessError(f"nginx -t failed:\n{process.stderr}")


def start_nginx(directory, main):
    return spawn('nginx', [NGINX, '-c', main, '-g', 'daemon off;'],
        directory, harness.subprocess_environment())


def psql(uri, database, query, params=None):
    "Rows of a query on database (autocommit)"
    import psycopg
    import urllib.parse
    parts = urllib.parse.urlsplit(uri)
    dsn = urllib.parse.urlunsplit(
        ('postgresql', parts.netloc, '/' + database, parts.query, ''))
    with psycopg.connect(dsn, autocommit=True, connect_timeout=10) as conn:
        cursor = conn.execute(query, params)
        if cursor.description is None:
            return []
        return cursor.fetchall()


def wait_for(predicate, timeout, what, processes=()):
    "Poll predicate() until true; fail with the processes' logs"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for process in processes:
            if not process.alive():
                break
        time.sleep(0.5)
    logs = '\n'.join(f"--- end of {p.log} ---\n{p.tail(30)}"
        for p in processes)
    raise HarnessError(f"{what}: not seen within {timeout} s\n{logs}")
