# This file is part of the CUS back office.
"""Fixtures of the deployment tests (PostgreSQL only)

``deploy_db`` (session): a database ``cus_deploy_<pid>`` built with the
production configuration (config/production.conf + the site values of
stack.write_override) and the data of tests/browser/build_data.py; yields
a Deployed (uri, name, directory, ids); dropped at the end.

For work on these tests, CUS_DEPLOY_KEEP=1 keeps the database
``cus_deploy_dev`` and its directory /tmp/cus_deploy_dev between runs and
reuses them (never set by scripts/test).

On SQLite these tests are skipped: the production set-up is PostgreSQL
(several processes on one database, LISTEN/NOTIFY, pg_dump), which SQLite
cannot be.
"""
import dataclasses
import json
import os
import pathlib
import shutil

import pytest

from browser.harness import HarnessError

from . import stack

# The first test also builds the database (about 40 s on PostgreSQL here).
DEPLOY_TEST_TIMEOUT = 600


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here + os.sep) \
                and item.get_closest_marker('timeout') is None:
            item.add_marker(pytest.mark.timeout(DEPLOY_TEST_TIMEOUT))


@dataclasses.dataclass
class Deployed:
    uri: str
    name: str
    directory: pathlib.Path
    ids: dict


@pytest.fixture(scope='session')
def deploy_uri():
    uri = stack.backend_uri()
    if uri is None:
        pytest.skip("production deployment is PostgreSQL only (several "
            "trytond processes on one database, pg_dump); SQLite run")
    return uri


@pytest.fixture(scope='session')
def deploy_db(deploy_uri, tmp_path_factory):
    keep = os.environ.get('CUS_DEPLOY_KEEP') == '1'
    if keep:
        name = 'cus_deploy_dev'
        directory = pathlib.Path('/tmp') / name
        if (directory / 'ids.json').exists():
            yield Deployed(deploy_uri, name, directory, json.loads(
                    (directory / 'ids.json').read_text(encoding='utf-8')))
            return
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir()
    else:
        name = f'cus_deploy_{os.getpid()}'
        directory = tmp_path_factory.mktemp('deploy-db')
    try:
        try:
            ids = stack.build_database(deploy_uri, name, directory)
        except HarnessError as exception:
            pytest.fail(f"building {name} failed:\n{exception}",
                pytrace=False)
        yield Deployed(deploy_uri, name, directory, ids)
    finally:
        if not keep:
            stack.harness.pg_drop(deploy_uri, name)
