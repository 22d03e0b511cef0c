# This file is part of the CUS back office.
"""pytest glue for trytond's scenario doctests (tests/scenario_*.rst)

trytond's own loader (load_doc_tests) drops the test database after each
scenario; pytest's doctest plugin does not, so the next test module would
find the scenario's data. Do the same teardown here.
"""
import pytest


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    if isinstance(item, pytest.DoctestItem):
        from trytond.tests.test_tryton import doctest_teardown
        doctest_teardown(item.dtest)
