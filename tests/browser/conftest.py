# This file is part of the CUS back office.
"""Fixtures of the browser tests: a database, a trytond serving sao,
Chromium

Fixtures (all lazy: nothing is built unless a selected test asks for it):

``browser_db`` (session)
    A harness.BrowserDatabase: the database ``test_cus_browser`` on the
    backend of the run (TRYTOND_DATABASE_URI: SQLite as a file in a
    temporary directory, or the PostgreSQL server of scripts/test's second
    run, dropped before and after), activated in Polish (trytond-admin
    --all -l pl, then -u cus_partners cus_osl web_user
    --activate-dependencies -l pl) and filled with the data of data.py.
    ``browser_db.ids`` holds the ids of the records (see
    build_data.lookup_ids).
``trytond_server`` (session)
    A harness.Server: ``trytond`` serving that database and sao
    (TRYTOND_DATABASE_NAMES set, [web] root = var/sao/package) on
    127.0.0.1 and a free port. ``.url`` is the base URL
    (``http://127.0.0.1:PORT/``), ``.database`` the name to open in sao
    (``url + '#' + database``), ``.log`` the server log
    (var/test-logs/browser-trytond-<backend>.log), ``.rpc(method,
    params)`` one JSON-RPC call. It is stopped at the end of the session.
``chromium`` (session)
    A Playwright Browser: Debian's /usr/bin/chromium, headless.
``browser_context`` (function)
    A fresh Playwright BrowserContext per test: locale pl-PL, time zone
    Europe/Warsaw, 1400x900, 15 s for an action, 30 s for a navigation.
``page`` (function)
    A new Page of that context. ``harness.shot(page, 'step')`` saves
    var/test-screenshots/<backend>/<test name>-step.png. When the test
    fails, a ``-failure`` screenshot is taken and the end of the server log
    and the page's JavaScript errors are printed.
``browser_backend`` (session)
    'sqlite' or 'postgresql'.

Browser tests are limited to BROWSER_TEST_TIMEOUT seconds each
(pytest-timeout), the building of the database included.
"""
import os
import sys

import pytest

from . import harness

# Per test, the first one building the database and starting the server
# (above the sum of the time limits of harness.py)
BROWSER_TEST_TIMEOUT = 1500


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here + os.sep) \
                and item.get_closest_marker('timeout') is None:
            item.add_marker(pytest.mark.timeout(BROWSER_TEST_TIMEOUT))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, 'cus_report_' + report.when, report)


def pytest_terminal_summary(terminalreporter):
    timings = harness.TIMINGS
    if timings:
        terminalreporter.write_sep('-', "browser test harness")
        for line in timings.values():
            terminalreporter.write_line(line)


@pytest.fixture(scope='session')
def browser_backend():
    try:
        return harness.backend_from_environment()[0]
    except harness.HarnessError as exception:
        pytest.fail(str(exception), pytrace=False)


@pytest.fixture(scope='session')
def browser_db(tmp_path_factory):
    try:
        backend, uri = harness.backend_from_environment()
    except harness.HarnessError as exception:
        pytest.fail(str(exception), pytrace=False)
    directory = tmp_path_factory.mktemp('browser-db')
    database = harness.BrowserDatabase(
        name=harness.data.DATABASE_NAME, backend=backend, uri=uri,
        config=None, directory=directory, ids={}, timings={})
    try:
        try:
            database = harness.build_database(backend, uri, directory)
        except harness.HarnessError as exception:
            pytest.fail(
                f"building the browser test database failed:\n{exception}",
                pytrace=False)
        harness.TIMINGS['database'] = (
            f"database {database.name} on {backend} built in "
            f"{sum(database.timings.values()):.0f} s ("
            + ", ".join(f"{k} {v:.0f} s"
                for k, v in database.timings.items()) + ")")
        yield database
    finally:
        harness.drop_database(database)


@pytest.fixture(scope='session')
def trytond_server(browser_db):
    try:
        server = harness.start_server(browser_db)
    except harness.HarnessError as exception:
        pytest.fail(f"trytond did not start:\n{exception}", pytrace=False)
    harness.TIMINGS['server'] = (
        f"trytond on {server.url} answered in {server.started_in:.1f} s "
        f"(log: {server.log})")
    try:
        yield server
    finally:
        harness.stop_server(server)


@pytest.fixture(scope='session')
def chromium():
    if not os.access(harness.CHROMIUM, os.X_OK):
        pytest.fail(
            f"{harness.CHROMIUM} is missing: scripts/test installs it "
            "(scripts/setup-env ensure_chromium: apt-get install chromium)",
            pytrace=False)
    from playwright.sync_api import sync_playwright
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS,
            headless=True, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def browser_context(chromium):
    context = chromium.new_context(
        locale='pl-PL', timezone_id='Europe/Warsaw',
        viewport={'width': 1400, 'height': 900})
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(request, browser_context, browser_backend):
    page = browser_context.new_page()
    errors = []
    page.on('pageerror', lambda error: errors.append(str(error)))
    harness.register_page(
        page, harness.SCREENSHOTS / browser_backend, request.node.name)
    try:
        yield page
        report = getattr(request.node, 'cus_report_call', None)
        if report is not None and report.failed:
            try:
                path = harness.shot(page, 'failure')
                print(f"screenshot of the failure: {path}", file=sys.stderr)
            except Exception as exception:
                print(f"no failure screenshot: {exception}", file=sys.stderr)
            if errors:
                print("JavaScript errors of the page:\n" + "\n".join(errors),
                    file=sys.stderr)
            if 'trytond_server' in request.fixturenames:
                server = request.getfixturevalue('trytond_server')
                print(f"--- end of {server.log} ---\n{server.log_tail()}",
                    file=sys.stderr)
    finally:
        harness.unregister_page(page)
