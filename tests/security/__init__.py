# This file is part of the CUS back office.
"""Attack tests: the portal and public routes tried with forged and hostile
input, every role tried against every model of the CUS modules.

What is tried is declared in attacks.py (routes) and policy.py (roles); the
table of docs/security.md is generated from them (python -m
tests.security.table) and a test fails when it is out of date."""
