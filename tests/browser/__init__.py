# This file is part of the CUS back office.
"""Browser tests: sao (staff) and, later, the partner portal, driven by
Playwright on Debian's Chromium against a trytond started for the run.

See conftest.py for the fixtures and data.py for the test data."""
