# This file is part of the CUS back office.
"""The machinery behind the fixtures of conftest.py

Everything trytond runs in subprocesses (trytond-admin, build_data.py,
trytond), with a configuration file of their own, so that the pytest
process, which runs the other tests on its in-memory database, keeps its
trytond configuration untouched. Each step has a time limit; a step that
fails or runs out of time raises HarnessError with the end of its output.
"""
import contextlib
import dataclasses
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from . import data

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CUS_ROOT = pathlib.Path(os.environ.get('CUS_ROOT') or ROOT)
SAO_ROOT = pathlib.Path(
    os.environ.get('CUS_SAO_ROOT') or CUS_ROOT / 'var' / 'sao' / 'package')
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run']
SCREENSHOTS = CUS_ROOT / 'var' / 'test-screenshots'
LOGS = CUS_ROOT / 'var' / 'test-logs'
LOGCONF = CUS_ROOT / 'config' / 'logging.conf'

# Time limits (seconds). Measured here: the whole build takes about 15 s
# on SQLite and 30 s on PostgreSQL, trytond answers in 1-2 s.
ADMIN_TIMEOUT = 480         # each trytond-admin run
DATA_TIMEOUT = 240          # build_data.py
SERVER_START_TIMEOUT = 90   # trytond answers the login
SERVER_STOP_TIMEOUT = 15
HTTP_TIMEOUT = 10           # one request while waiting for the server

# What the session did, for the terminal summary (conftest.py)
TIMINGS = {}

MODULES = ['cus_partners', 'cus_osl', 'web_user']


class HarnessError(Exception):
    pass


def _tail(text, lines=60):
    return '\n'.join(text.splitlines()[-lines:])


def _file_tail(path, lines=80):
    try:
        return _tail(pathlib.Path(path).read_text(errors='replace'), lines)
    except OSError as exception:
        return f"(cannot read {path}: {exception})"


def backend_from_environment():
    """('sqlite' | 'postgresql', uri) from TRYTOND_DATABASE_URI

    scripts/test sets it to sqlite:// for its first run and to the
    PostgreSQL server for the second; unset means SQLite, as for trytond's
    own tests."""
    uri = os.environ.get('TRYTOND_DATABASE_URI') or 'sqlite://'
    scheme = urllib.parse.urlsplit(uri).scheme.split('+')[0]
    if scheme == 'sqlite':
        return 'sqlite', uri
    if scheme in {'postgresql', 'postgres'}:
        return 'postgresql', uri
    raise HarnessError(f"unsupported TRYTOND_DATABASE_URI: {uri}")


def subprocess_environment(**extra):
    "The environment without the test run's trytond settings"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_')
        and k not in {'DB_NAME', 'DB_CACHE', 'TRYTONPASSFILE'}}
    env['PYTHONUNBUFFERED'] = '1'
    env.update(extra)
    return env


def run(command, timeout, log, env=None, what=None):
    "Run a command, its output appended to log; raise HarnessError on failure"
    what = what or ' '.join(map(str, command))
    start = time.monotonic()
    with open(log, 'a', encoding='utf-8') as file:
        file.write(f"\n$ {' '.join(map(str, command))}\n")
        file.flush()
        try:
            process = subprocess.run(
                list(map(str, command)), stdout=file, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, env=env, timeout=timeout,
                cwd=str(CUS_ROOT))
        except subprocess.TimeoutExpired:
            raise HarnessError(
                f"{what}: no answer after {timeout} s\n"
                f"--- end of {log} ---\n{_file_tail(log)}") from None
    if process.returncode != 0:
        raise HarnessError(
            f"{what}: exit code {process.returncode}\n"
            f"--- end of {log} ---\n{_file_tail(log)}")
    return time.monotonic() - start


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------

def _pg_connect(uri):
    import psycopg
    parts = urllib.parse.urlsplit(uri)
    dsn = urllib.parse.urlunsplit(
        ('postgresql', parts.netloc, '/postgres', parts.query, ''))
    return psycopg.connect(dsn, autocommit=True, connect_timeout=10)


def pg_drop(uri, name):
    from psycopg import sql
    with contextlib.closing(_pg_connect(uri)) as connection:
        connection.execute(sql.SQL('DROP DATABASE IF EXISTS {} WITH (FORCE)')
            .format(sql.Identifier(name)))


def pg_create(uri, name):
    from psycopg import sql
    pg_drop(uri, name)
    with contextlib.closing(_pg_connect(uri)) as connection:
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'")
            .format(sql.Identifier(name)))


# --------------------------------------------------------------------------
# The database
# --------------------------------------------------------------------------

@dataclasses.dataclass
class BrowserDatabase:
    """The database of the browser tests (yielded by ``browser_db``)

    name: the database name; backend: 'sqlite' or 'postgresql'; uri: the
    trytond database URI; config: the trytond configuration file (without
    [web]); directory: its working directory (SQLite file, file store,
    logs); ids: the ids of the records of data.py (build_data.lookup_ids);
    timings: seconds of each build step."""
    name: str
    backend: str
    uri: str
    config: pathlib.Path
    directory: pathlib.Path
    ids: dict
    timings: dict


def write_config(path, uri, directory):
    path.write_text(
        "# Generated by tests/browser/harness.py\n"
        "[database]\n"
        f"uri = {uri}\n"
        f"path = {directory}\n"
        f"language = {data.LANGUAGE}\n"
        "list = False\n"
        "\n[password]\n"
        "length = 8\n"
        "\n[queue]\n"
        "worker = False\n"
        "\n[request]\n"
        "timeout = 60\n",
        encoding='utf-8')


def build_database(backend, uri, directory):
    """Create, activate (Polish) and fill the database; return it

    directory must exist and be empty; the SQLite file goes there."""
    directory = pathlib.Path(directory)
    name = data.DATABASE_NAME
    config = directory / 'trytond.conf'
    write_config(config, uri, directory)
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f'browser-build-{backend}.log'
    log.write_text(f"browser database {name} on {backend}\n")
    passfile = directory / 'admin-password'
    passfile.write_text(data.ADMIN_PASSWORD + '\n')
    passfile.chmod(0o600)
    env = subprocess_environment(TRYTONPASSFILE=str(passfile))
    timings = {}

    start = time.monotonic()
    if backend == 'sqlite':
        # trytond's SQLite backend opens an existing file only
        (directory / f'{name}.sqlite').touch()
    else:
        pg_create(uri, name)
    admin = [shutil.which('trytond-admin', path=os.path.dirname(
                sys.executable)) or 'trytond-admin', '-c', config,
        '--logconf', LOGCONF, '-d', name]
    run(admin + ['--all', '-l', data.LANGUAGE, '--email',
            'admin@cus.example'],
        ADMIN_TIMEOUT, log, env=env,
        what="trytond-admin --all -l pl")
    timings['base'] = time.monotonic() - start
    timings['modules'] = run(
        admin + ['-u'] + MODULES + ['--activate-dependencies',
            '-l', data.LANGUAGE],
        ADMIN_TIMEOUT, log, env=env,
        what=f"trytond-admin -u {' '.join(MODULES)} --activate-dependencies")
    ids_file = directory / 'ids.json'
    timings['data'] = run(
        [sys.executable, HERE / 'build_data.py', '-c', config, '-d', name,
            '--out', ids_file],
        DATA_TIMEOUT, log, env=env, what="tests/browser/build_data.py")
    ids = json.loads(ids_file.read_text(encoding='utf-8'))
    return BrowserDatabase(
        name=name, backend=backend, uri=uri, config=config,
        directory=directory, ids=ids, timings=timings)


def drop_database(database):
    if database.backend == 'postgresql':
        pg_drop(database.uri, database.name)


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Server:
    """A running trytond (yielded by ``trytond_server``)

    url: the base URL with a trailing slash (http://127.0.0.1:PORT/);
    database: the name to put after '#' in sao's URL; log: the server's
    log file; process: its subprocess.Popen."""
    url: str
    database: str
    log: pathlib.Path
    process: subprocess.Popen
    started_in: float = 0

    def log_tail(self, lines=80):
        return _file_tail(self.log, lines)

    def rpc(self, method, params, session=None, timeout=HTTP_TIMEOUT):
        "One JSON-RPC call on the database (session: (login, user, key))"
        return _rpc(self.url + self.database + '/rpc/', method, params,
            session=session, timeout=timeout)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _rpc(url, method, params, session=None, timeout=HTTP_TIMEOUT):
    import base64
    body = json.dumps({'id': 1, 'method': method, 'params': params}).encode()
    request = urllib.request.Request(url, data=body, headers={
            'Content-Type': 'application/json'})
    if session:
        login, user, key = session
        token = base64.b64encode(f'{login}:{user}:{key}'.encode()).decode()
        request.add_header('Authorization', f'Session {token}')
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.loads(response.read())
    if answer.get('error'):
        raise HarnessError(f"{method}: {answer['error']}")
    return answer['result']


def start_server(database, name='browser'):
    """Start trytond on a free loopback port; return a Server once it
    serves sao and a staff login works"""
    if not (SAO_ROOT / 'index.html').is_file():
        raise HarnessError(
            f"the sao web client is missing in {SAO_ROOT}: run scripts/test "
            "(or . scripts/setup-env && ensure_sao)")
    port = free_port()
    web_config = database.directory / f'{name}-web.conf'
    web_config.write_text(
        "[web]\n"
        f"listen = 127.0.0.1:{port}\n"
        f"root = {SAO_ROOT}\n",
        encoding='utf-8')
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f'{name}-trytond-{database.backend}.log'
    trytond = shutil.which('trytond', path=os.path.dirname(
            sys.executable)) or 'trytond'
    env = subprocess_environment(TRYTOND_DATABASE_NAMES=database.name)
    start = time.monotonic()
    with open(log, 'w', encoding='utf-8') as file:
        process = subprocess.Popen(
            [trytond, '-c', str(database.config), str(web_config),
                '--logconf', str(LOGCONF)],
            stdout=file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, cwd=str(CUS_ROOT), start_new_session=True)
    server = Server(
        url=f'http://127.0.0.1:{port}/', database=database.name, log=log,
        process=process)
    try:
        _wait_until_ready(server)
    except BaseException:
        stop_server(server)
        raise
    server.started_in = time.monotonic() - start
    return server


def _wait_until_ready(server):
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    login = data.LOGINS['coordinator']
    last = None
    while True:
        if server.process.poll() is not None:
            raise HarnessError(
                f"trytond stopped with exit code {server.process.returncode}"
                f" before answering\n--- end of {server.log} ---\n"
                f"{server.log_tail()}")
        if time.monotonic() > deadline:
            raise HarnessError(
                f"trytond did not answer on {server.url} within "
                f"{SERVER_START_TIMEOUT} s (last error: {last})\n"
                f"--- end of {server.log} ---\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(
                    server.url, timeout=HTTP_TIMEOUT) as response:
                page = response.read().decode('utf-8', 'replace')
            if 'sao' not in page:
                raise HarnessError(f"{server.url} does not serve sao")
            # The database answers and the test data is there
            server.rpc('common.db.login', [
                    login, {'password': data.PASSWORDS[login]},
                    data.LANGUAGE])
            return
        except (OSError, urllib.error.URLError, HarnessError,
                ValueError) as exception:
            last = exception
            time.sleep(0.5)


def stop_server(server):
    process = server.process
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(SERVER_STOP_TIMEOUT)


# --------------------------------------------------------------------------
# Screenshots
# --------------------------------------------------------------------------

_SHOT_PREFIXES = {}


def safe_name(name):
    return re.sub(r'[^A-Za-z0-9_.-]+', '_', name).strip('_') or 'test'


def register_page(page, directory, test_name):
    "Screenshots of page go to directory/<test_name>-<step>.png"
    directory.mkdir(parents=True, exist_ok=True)
    test_name = safe_name(test_name)
    for old in directory.glob(f'{test_name}-*.png'):
        old.unlink()
    _SHOT_PREFIXES[page] = directory / test_name


def unregister_page(page):
    _SHOT_PREFIXES.pop(page, None)


def shot(page, name):
    """Save a screenshot of page as
    var/test-screenshots/<backend>/<test name>-<name>.png; return the path"""
    try:
        prefix = _SHOT_PREFIXES[page]
    except KeyError:
        raise HarnessError(
            "shot() takes the page of the `page` fixture") from None
    path = prefix.parent / f'{prefix.name}-{safe_name(name)}.png'
    # CSS transitions (sao's dialogs fade and slide in) fast-forwarded
    page.screenshot(path=str(path), animations='disabled')
    return path
