# This file is part of the CUS back office.
"""Fixtures of the fault tests

``fault_db`` (session): a server.FaultDatabase, built like the browser
tests' database (tests/browser/build_data.py) under the name cus_fault_db
(a file in a temporary directory on SQLite), dropped at the end. Each test
starts its own trytond on it (server.start_server), since most kill it.
"""
import pytest

from . import server

FAULT_TEST_TIMEOUT = 600


def pytest_collection_modifyitems(config, items):
    import os
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here + os.sep) \
                and item.get_closest_marker('timeout') is None:
            item.add_marker(pytest.mark.timeout(FAULT_TEST_TIMEOUT))


@pytest.fixture(scope='session')
def fault_db(tmp_path_factory):
    from browser import harness
    try:
        backend, uri = harness.backend_from_environment()
    except harness.HarnessError as exception:
        pytest.fail(str(exception), pytrace=False)
    directory = tmp_path_factory.mktemp('fault-db')
    try:
        database = server.build_database(backend, uri, directory)
    except harness.HarnessError as exception:
        pytest.fail(f"building the fault test database failed:\n{exception}",
            pytrace=False)
    try:
        yield database
    finally:
        server.drop_database(database)


@pytest.fixture
def trytond(fault_db):
    "Start trytond servers on fault_db; all still running are stopped after"
    servers = []

    def start():
        try:
            servers.append(server.start_server(fault_db))
        except server.FaultError as exception:
            pytest.fail(str(exception), pytrace=False)
        return servers[-1]
    try:
        yield start
    finally:
        for running in servers:
            running.stop()
