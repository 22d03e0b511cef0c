# This file is part of the CUS back office.
"""The production set-up of docs/deployment.md, run end to end

Two trytond processes with config/production.conf (each on its own port
through TRYTOND_WEB__LISTEN, as deploy/systemd/trytond@.service), nginx
with deploy/nginx/cus.conf in front of them, one trytond-worker and one
trytond-cron; then, through nginx only: sao's files served by nginx, a
staff login and reads answered by both processes with the one session, the
portal's login page and a provider's login, a Pomost import above the
synchronous limit queued and run by the worker, a scheduled action run by
the cron; at last every process stops on SIGTERM (systemd's KillSignal).

PostgreSQL only (skipped on SQLite, see conftest.py); needs nginx
(scripts/setup-env ensure_nginx) and the sao web client (ensure_sao).
"""
import base64
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest

from browser import data
from browser.harness import SAO_ROOT, HarnessError, free_port

from . import stack


def rpc(url, method, params, session=None):
    body = json.dumps({'id': 1, 'method': method, 'params': params}).encode()
    request = urllib.request.Request(url, data=body, headers={
            'Content-Type': 'application/json'})
    if session:
        token = base64.b64encode(':'.join(map(str, session)).encode())
        request.add_header('Authorization', 'Session ' + token.decode())
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    assert not answer.get('error'), (method, answer['error'])
    return answer['result']


def upstreams(access_log, pattern):
    "upstream=... of the nginx access log lines whose request matches"
    found = []
    for line in access_log.read_text(encoding='utf-8').splitlines():
        if re.search(pattern, line):
            found.append(re.search(r' upstream=(\S+) ', line).group(1))
    return found


@pytest.fixture
def stack_directory(tmp_path):
    directory = tmp_path / 'stack'
    directory.mkdir()
    return directory


def test_production_stack(deploy_db, stack_directory):
    for what, path in [
            ("nginx (scripts/setup-env ensure_nginx)", stack.NGINX),
            ("the sao web client (ensure_sao)", SAO_ROOT / 'index.html')]:
        if not os.path.exists(path):
            pytest.fail(f"{what} is missing: {path}", pytrace=False)
    uri, name, directory = deploy_db.uri, deploy_db.name, stack_directory
    # the site values sit next to the file store of the database
    stack.write_override(directory, uri, deploy_db.directory / 'filestore')

    # Only the scheduled action of the test is due (the others are a day
    # away, so that the cron runs exactly that one).
    (cron_id,), = stack.psql(uri, name,
        "SELECT db_id FROM ir_model_data "
        "WHERE module = 'cus_partners' AND fs_id = 'cron_check_deviations'")
    stack.psql(uri, name, "UPDATE ir_cron SET next_call = "
        "(now() AT TIME ZONE 'UTC') + interval '1 day'")
    stack.psql(uri, name, "UPDATE ir_cron SET next_call = "
        "(now() AT TIME ZONE 'UTC') - interval '1 minute' WHERE id = %s",
        (cron_id,))
    (cron_runs,), = stack.psql(uri, name,
        "SELECT count(*) FROM ir_cron_log WHERE cron = %s", (cron_id,))

    ports = [free_port(), free_port()]
    nginx_port = free_port()
    base = f'http://127.0.0.1:{nginx_port}/'
    processes = []
    stopped = {}
    try:
        servers = [stack.start_trytond(directory, name, port)
            for port in ports]
        processes.extend(servers)
        for port, server in zip(ports, servers):
            stack.wait_http(f'http://127.0.0.1:{port}/', server)
        main = stack.render_nginx(directory, nginx_port, ports)
        stack.check_nginx(main)
        nginx = stack.start_nginx(directory, main)
        processes.append(nginx)
        worker = stack.start_worker(directory, name)
        cron = stack.start_cron(directory, name)
        processes.extend([worker, cron])
        stack.wait_http(base + 'dist/tryton-sao.js', nginx)
        access_log = directory / 'nginx-access.log'

        # sao: its index and files, the files from nginx itself
        with urllib.request.urlopen(base, timeout=10) as response:
            assert 'sao' in response.read().decode('utf-8', 'replace')
        # (nginx logs a request once it is answered: wait for the lines)
        assert stack.wait_for(lambda: upstreams(
                access_log, r'"GET /dist/tryton-sao\.js '), 10,
            "the nginx log line of sao's file", [nginx]) == ['-']

        # Staff: one login, then reads spread over both processes with
        # the same session (sessions are rows of the database)
        rpc_url = base + name + '/rpc/'
        login = data.LOGINS['coordinator']
        user_id, key, *_ = rpc(rpc_url, 'common.db.login', [
                login, {'password': data.PASSWORDS[login]}, data.LANGUAGE])
        session = (login, user_id, key)
        context = rpc(rpc_url, 'model.res.user.get_preferences',
            [True, {}], session)
        for _ in range(8):
            client, = rpc(rpc_url, 'model.party.party.read',
                [[deploy_db.ids['client']], ['name'], context], session)
            assert client['name'] == data.CLIENT['name']
        answered = stack.wait_for(lambda: (lambda found: found
                if len(found) >= 10 else None)(
                upstreams(access_log, rf'"POST /{name}/rpc/ ')), 10,
            "the nginx log lines of the 10 calls", [nginx])
        assert len(answered) == 10
        assert set(answered) == {f'127.0.0.1:{p}' for p in ports}, answered
        for server in servers:
            stack.wait_for(lambda: 'POST /' + name + '/rpc/'
                in server.log.read_text(encoding='utf-8'), 10,
                f"a JSON-RPC call in the log of {server.name}", [server])

        # The portal: its login page, then a provider's login
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar))
        with opener.open(base + name + '/portal/login', timeout=10) as page:
            assert page.status == 200
            csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"',
                page.read().decode()).group(1)
        provider = data.PROVIDERS['coop']
        form = urllib.parse.urlencode({
                'email': provider['email'], 'password': provider['password'],
                'csrf_token': csrf}).encode()
        with opener.open(base + name + '/portal/login', data=form,
                timeout=30) as page:
            assert page.url == base + name + '/portal/'
            assert page.status == 200
            assert 'Starachowiczanka' in page.read().decode()
        assert 'cus_portal_session' in {c.name for c in jar}

        # A queued task: the import above the synchronous limit waits in
        # ir.queue and trytond-worker runs it
        queued = subprocess.run(
            [sys.executable, stack.ROOT / 'tests' / 'deploy'
                / 'queue_import.py', '-c', *stack.configs(directory),
                '-d', name],
            capture_output=True, text=True, timeout=120, cwd=stack.ROOT,
            env=stack.harness.subprocess_environment())
        assert queued.returncode == 0, queued.stderr[-3000:]
        log_id = int(queued.stdout.split()[-1])
        state = stack.wait_for(lambda: stack.psql(uri, name,
                "SELECT state, created + updated FROM cus_pomost_import_log "
                "WHERE id = %s AND state <> 'queued'", (log_id,)),
            90, "the queued Pomost import run by trytond-worker",
            [worker])
        assert state == [('done', 2001)], (state, worker.tail())
        assert stack.psql(uri, name, "SELECT count(*) FROM ir_queue "
            "WHERE finished_at IS NULL") == [(0,)]

        # The scheduled action, run by trytond-cron
        stack.wait_for(lambda: stack.psql(uri, name,
                "SELECT count(*) > %s FROM ir_cron_log WHERE cron = %s",
                (cron_runs, cron_id))[0][0],
            60, "the scheduled action run by trytond-cron", [cron])
        (next_call,), = stack.psql(uri, name,
            "SELECT next_call > (now() AT TIME ZONE 'UTC') FROM ir_cron "
            "WHERE id = %s", (cron_id,))
        assert next_call
        # and only that one: the others were not due
        assert stack.psql(uri, name,
            "SELECT DISTINCT cron FROM ir_cron_log") == [(cron_id,)]

        for process in processes:
            assert process.alive(), (process.name, process.tail())
    finally:
        for process in reversed(processes):
            stopped[process.name] = stack.stop(process)
    # Each process stopped on SIGTERM, none had to be killed
    assert None not in stopped.values(), stopped
    time.sleep(0.2)
    for port in ports + [nginx_port]:
        with pytest.raises(OSError):
            urllib.request.urlopen(f'http://127.0.0.1:{port}/', timeout=2)


def test_rendered_nginx_configuration(tmp_path):
    """The shipped file keeps the lines the test replaces, and nginx accepts
    it (both backends: no database involved)"""
    if not os.path.exists(stack.NGINX):
        pytest.fail(f"nginx is missing: {stack.NGINX} (scripts/setup-env "
            "ensure_nginx)", pytrace=False)
    main = stack.render_nginx(tmp_path, 18080, [18001, 18002, 18003])
    site = (tmp_path / 'cus.conf').read_text(encoding='utf-8')
    assert re.findall(r'server 127\.0\.0\.1:(\d+) ', site) == [
        '18001', '18002', '18003']
    assert 'listen 127.0.0.1:18080;' in site
    assert f'root {SAO_ROOT};' in site
    try:
        stack.check_nginx(main)
    except HarnessError as exception:
        pytest.fail(str(exception), pytrace=False)
