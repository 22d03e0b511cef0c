# This file is part of the CUS back office.
"""Backup and restore (scripts/backup, scripts/restore), PostgreSQL only

A database with clients, plans, orders (tests/browser/build_data.py), a
delivery reported through cus.portal and an attachment in the file store
is backed up with scripts/backup, restored under another name with
scripts/restore (trytond-admin -u included); the row counts of the main
tables, a client with its plan and identifier, and the delivery are the
same, and the attachment reads back through the ORM. A restore never
overwrites an existing database.
"""
import json
import shutil
import subprocess
import sys

import pytest

from . import stack

TABLES = [
    'party_party', 'party_identifier', 'party_address', 'cus_ipus',
    'cus_ipus_line', 'cus_service', 'cus_programme', 'cus_contract',
    'cus_service_order', 'cus_service_delivery', 'web_user', 'res_user',
    'ir_attachment', 'ir_model_log']


def orm(directory, database, *args):
    process = subprocess.run(
        [sys.executable, stack.ROOT / 'tests' / 'deploy' / 'orm_tool.py',
            '-c', *stack.configs(directory), '-d', database,
            *map(str, args)],
        capture_output=True, text=True, timeout=180, cwd=stack.ROOT,
        env=stack.harness.subprocess_environment())
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(process.stdout.strip().splitlines()[-1])


def script(name, *args):
    return subprocess.run(
        [str(stack.ROOT / 'scripts' / name), *map(str, args)],
        capture_output=True, text=True, timeout=600, cwd=stack.ROOT,
        env=stack.harness.subprocess_environment())


def snapshot(uri, database, client_id, delivery_id):
    counts = {table: stack.psql(uri, database,
            f'SELECT count(*) FROM "{table}"')[0][0] for table in TABLES}
    client = stack.psql(uri, database,
        "SELECT p.name, p.cus_client, i.code, s.number, s.state "
        "FROM party_party p "
        "JOIN party_identifier i ON i.party = p.id AND i.type = 'pl_pesel' "
        "JOIN cus_ipus s ON s.client = p.id WHERE p.id = %s", (client_id,))
    delivery = stack.psql(uri, database,
        "SELECT date, quantity, state, \"order\" FROM cus_service_delivery "
        "WHERE id = %s", (delivery_id,))
    return counts, client, delivery


def test_backup_restore(deploy_db, tmp_path):
    if not shutil.which('pg_dump') or not shutil.which('pg_restore'):
        pytest.fail("pg_dump/pg_restore missing (postgresql-client)",
            pytrace=False)
    uri, name = deploy_db.uri, deploy_db.name
    directory = deploy_db.directory
    filestore = directory / 'filestore'
    client_id = deploy_db.ids['client']
    seeded = orm(directory, name, 'seed', client_id)
    assert seeded['file_id'], "the attachment is not in the file store"
    before = snapshot(uri, name, client_id, seeded['delivery'])
    counts, client, delivery = before
    assert client and delivery and counts['ir_attachment'] >= 1
    assert counts['cus_ipus'] >= 2 and counts['cus_service_delivery'] >= 1

    backups = tmp_path / 'backups'
    backup = script('backup', '-d', name, '-c', *stack.configs(directory),
        '-o', backups)
    assert backup.returncode == 0, backup.stderr[-3000:]
    backup_dir = backups / backup.stdout.strip().splitlines()[-1].rsplit(
        '/', 1)[-1]
    assert {p.name for p in backup_dir.iterdir()} == {
        'database.dump', 'filestore.tar.gz', 'MANIFEST'}

    restored = name + '_restored'
    stack.harness.pg_drop(uri, restored)
    try:
        result = script('restore', '-d', restored,
            '-c', *stack.configs(directory), backup_dir)
        assert result.returncode == 0, (
            result.stdout[-3000:] + result.stderr[-3000:])
        assert 'trytond-admin -d ' + restored in result.stdout

        assert snapshot(uri, restored, client_id, seeded['delivery']) \
            == before
        attachment = orm(directory, restored, 'read', seeded['attachment'])
        assert attachment == {'name': 'zgoda.txt',
            'resource': f'party.party,{client_id}', 'data': seeded['data']}

        # A second restore under the same name is refused, nothing changed
        again = script('restore', '-d', restored, '--no-update',
            '-c', *stack.configs(directory), backup_dir)
        assert again.returncode != 0
        assert f'database {restored} exists' in again.stderr
        assert snapshot(uri, restored, client_id, seeded['delivery']) \
            == before

        # A damaged backup is refused before anything is created
        (backup_dir / 'database.dump').write_bytes(b'damaged')
        damaged = script('restore', '-d', restored + '_x', '--no-update',
            '-c', *stack.configs(directory), backup_dir)
        assert damaged.returncode != 0
        assert 'differs from the MANIFEST' in damaged.stderr
        assert not stack.psql(uri, 'postgres',
            "SELECT 1 FROM pg_database WHERE datname = %s",
            (restored + '_x',))
    finally:
        stack.harness.pg_drop(uri, restored)
        shutil.rmtree(filestore / restored, ignore_errors=True)
