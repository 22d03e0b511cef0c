# This file is part of the CUS back office.
"""A database and a trytond server that the fault tests may kill

The database is built as the browser tests build theirs (tests/browser:
trytond-admin in Polish, then build_data.py with the data of data.py) but
under its own name, so that both can run in one pytest session. The server
is a plain ``trytond`` (no sao) on a free loopback port, in its own process
group, so that a test can SIGKILL it and start another one on the same
database.
"""
import base64
import contextlib
import dataclasses
import http.cookiejar
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
import urllib.parse
import urllib.request
import uuid

from browser import data, harness

DATABASE_NAME = 'cus_fault_db'
START_TIMEOUT = 90
STOP_TIMEOUT = 15
# The production value (config/production.conf): retries of a transaction
# on a serialization failure and of a lock taken at its start.
RETRY = 30


class FaultError(Exception):
    pass


@dataclasses.dataclass
class FaultDatabase:
    name: str
    backend: str
    uri: str
    config: pathlib.Path
    directory: pathlib.Path
    ids: dict

    @property
    def sqlite_path(self):
        return self.directory / f'{self.name}.sqlite'

    def pg_connect(self, autocommit=True):
        "A psycopg connection of the test itself to the database"
        import psycopg
        parts = urllib.parse.urlsplit(self.uri)
        dsn = urllib.parse.urlunsplit(
            ('postgresql', parts.netloc, '/' + self.name, parts.query, ''))
        return psycopg.connect(dsn, autocommit=autocommit, connect_timeout=10)

    def query(self, sql, params=()):
        "Rows of a read-only query, outside of any trytond process"
        if self.backend == 'postgresql':
            with contextlib.closing(self.pg_connect()) as connection:
                return connection.execute(sql, params).fetchall()
        import sqlite3
        sql = sql.replace('%s', '?')
        # Opening the file rolls back a hot journal left by a killed
        # process, as trytond's next connection would.
        with contextlib.closing(
                sqlite3.connect(str(self.sqlite_path), timeout=30)) as conn:
            return conn.execute(sql, params).fetchall()


def build_database(backend, uri, directory, name=DATABASE_NAME):
    "Create, activate in Polish and fill the database with data.py"
    directory = pathlib.Path(directory)
    config = directory / 'trytond.conf'
    harness.write_config(config, uri, directory)
    harness.LOGS.mkdir(parents=True, exist_ok=True)
    log = harness.LOGS / f'fault-build-{backend}.log'
    log.write_text(f"fault database {name} on {backend}\n")
    passfile = directory / 'admin-password'
    passfile.write_text(data.ADMIN_PASSWORD + '\n')
    passfile.chmod(0o600)
    env = harness.subprocess_environment(TRYTONPASSFILE=str(passfile))
    if backend == 'sqlite':
        (directory / f'{name}.sqlite').touch()
    else:
        harness.pg_create(uri, name)
    admin = [shutil.which('trytond-admin', path=os.path.dirname(
                sys.executable)) or 'trytond-admin', '-c', config,
        '--logconf', harness.LOGCONF, '-d', name]
    # One run initialises the empty database and activates the modules
    # (as tests/deploy and bench/citygen.py do): --all then -u would cost
    # as much again.
    harness.run(admin + ['-u'] + harness.MODULES + [
            '--activate-dependencies', '-l', data.LANGUAGE, '--email',
            'admin@cus.example'], harness.ADMIN_TIMEOUT, log, env=env)
    ids_file = directory / 'ids.json'
    harness.run([sys.executable, harness.HERE / 'build_data.py',
            '-c', config, '-d', name, '--out', ids_file],
        harness.DATA_TIMEOUT, log, env=env)
    return FaultDatabase(
        name=name, backend=backend, uri=uri, config=config,
        directory=directory,
        ids=json.loads(ids_file.read_text(encoding='utf-8')))


def drop_database(database):
    if database.backend == 'postgresql':
        harness.pg_drop(database.uri, database.name)


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Server:
    url: str
    database: FaultDatabase
    log: pathlib.Path
    process: subprocess.Popen

    @property
    def rpc_url(self):
        return self.url + self.database.name + '/rpc/'

    def alive(self):
        return self.process.poll() is None

    def kill(self):
        "SIGKILL the whole process group: no cleanup of any kind"
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(STOP_TIMEOUT)

    def stop(self):
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines=60):
        return harness._file_tail(self.log, lines)


def start_server(database, name='fault'):
    port = harness.free_port()
    web_config = database.directory / f'{name}-web.conf'
    web_config.write_text(
        f"[web]\nlisten = 127.0.0.1:{port}\n"
        f"[database]\nretry = {RETRY}\n", encoding='utf-8')
    harness.LOGS.mkdir(parents=True, exist_ok=True)
    log = harness.LOGS / f'{name}-trytond-{database.backend}.log'
    trytond = shutil.which('trytond', path=os.path.dirname(
            sys.executable)) or 'trytond'
    env = harness.subprocess_environment(
        TRYTOND_DATABASE_NAMES=database.name)
    with open(log, 'a', encoding='utf-8') as file:
        file.write(f"\n=== trytond started at {time.ctime()} ===\n")
        file.flush()
        process = subprocess.Popen(
            [trytond, '-c', str(database.config), str(web_config),
                '--logconf', str(harness.LOGCONF)],
            stdout=file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, cwd=str(harness.CUS_ROOT), start_new_session=True)
    server = Server(url=f'http://127.0.0.1:{port}/', database=database,
        log=log, process=process)
    deadline = time.monotonic() + START_TIMEOUT
    last = None
    while True:
        if process.poll() is not None:
            raise FaultError(f"trytond stopped ({process.returncode}):\n"
                + server.log_tail())
        if time.monotonic() > deadline:
            server.stop()
            raise FaultError(f"trytond did not answer ({last}):\n"
                + server.log_tail())
        try:
            login(server, data.LOGINS['coordinator'])
            return server
        except (OSError, RpcError) as exception:
            last = exception
            time.sleep(0.3)


# --------------------------------------------------------------------------
# JSON-RPC
# --------------------------------------------------------------------------

class RpcError(Exception):
    "An error answered by trytond: ``error`` as JSON-RPC gives it"

    def __init__(self, error, status=200):
        super().__init__(error)
        self.error = error
        self.status = status

    @property
    def user_error(self):
        "(message, description) of a UserError, or None"
        error = self.error
        if (isinstance(error, list) and error
                and error[0] == 'UserError'):
            return error[1]


@dataclasses.dataclass
class Session:
    login: str
    user: int
    key: str


def rpc(server, method, params, session=None, timeout=30):
    body = json.dumps(
        {'id': 1, 'method': method, 'params': params}).encode()
    request = urllib.request.Request(server.rpc_url, data=body,
        headers={'Content-Type': 'application/json'})
    if session:
        token = base64.b64encode(
            f'{session.login}:{session.user}:{session.key}'.encode()).decode()
        request.add_header('Authorization', f'Session {token}')
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exception:
        raise RpcError(
            exception.read().decode('utf-8', 'replace'),
            status=exception.code) from None
    if answer.get('error'):
        raise RpcError(answer['error'])
    return answer['result']


def login(server, login_name):
    # [user id, session key, ...] (8.0 adds the session's extras)
    answer = rpc(server, 'common.db.login', [
            login_name, {'password': data.PASSWORDS[login_name]},
            data.LANGUAGE])
    return Session(login_name, answer[0], answer[1])


def context(server, session):
    return rpc(server, 'model.res.user.get_preferences', [True, {}],
        session=session)


# --------------------------------------------------------------------------
# The partner portal
# --------------------------------------------------------------------------

class Portal:
    "A provider's browser on the portal: cookies and the form token"

    def __init__(self, server, email):
        self.server = server
        self.base = server.url + server.database.name + '/portal'
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar))
        self.email = email

    def _open(self, request, timeout=120):
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode(
                    'utf-8', 'replace')
        except urllib.error.HTTPError as exception:
            return exception.code, exception.read().decode(
                'utf-8', 'replace')

    @staticmethod
    def _csrf(page):
        match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
        if not match:
            raise FaultError("no form token in the page")
        return match.group(1)

    def login(self):
        status, page = self._open(self.base + '/login')
        body = urllib.parse.urlencode({
                'csrf_token': self._csrf(page),
                'email': self.email,
                'password': data.WEB_USERS[self.email],
                }).encode()
        status, page = self._open(urllib.request.Request(
                self.base + '/login', data=body))
        if status != 200 or 'portal/logout' not in page:
            raise FaultError(f"portal login failed ({status})")
        return self

    def upload_request(self, filename, content):
        "The POST of the upload form (built now, sent by upload())"
        status, page = self._open(self.base + '/upload')
        if status != 200:
            raise FaultError(f"upload page: {status}")
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; '
            f'name="csrf_token"\r\n\r\n{self._csrf(page)}\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
            .encode(),
            content, f'\r\n--{boundary}--\r\n'.encode()]
        return urllib.request.Request(self.base + '/upload',
            data=b''.join(parts), headers={
                'Content-Type': f'multipart/form-data; boundary={boundary}'})

    def upload(self, filename, content, timeout=120):
        "(HTTP status, page) of uploading content as filename"
        return self._open(
            self.upload_request(filename, content), timeout=timeout)


def csv_file(order_number, dates, quantity):
    "A delivery CSV: one line per date of quantity units"
    lines = ['zlecenie;data;ilosc;czas;uwagi']
    lines += [f'{order_number};{d.strftime("%d.%m.%Y")};{quantity};;'
        f'wizyta {i}' for i, d in enumerate(dates, 1)]
    return ('\r\n'.join(lines) + '\r\n').encode('utf-8')


def upload_saved(page):
    "The number of deliveries the upload page says were saved, or None"
    match = re.search(r'role="status">([^<]*)<', page)
    if not match:
        return None
    numbers = re.findall(r'\d+', match.group(1))
    return int(numbers[-1]) if numbers else None


def upload_errors(page):
    "The messages of the refused lines shown by the upload page"
    table = re.search(r'id="upload-errors".*?</table>', page, re.S)
    if not table:
        return []
    return [re.sub(r'\s+', ' ', m).strip() for m in re.findall(
            r'<tr><td class="num">[^<]*</td><td>(.*?)</td></tr>',
            table.group(0), re.S)]
