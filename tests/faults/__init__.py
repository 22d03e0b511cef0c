# This file is part of the CUS back office.
"""Fault tests: trytond killed in the middle of a portal upload and of a
plan approval, concurrent approvals, updates and uploads, PostgreSQL
connections killed under load (docs/faults.md)."""
