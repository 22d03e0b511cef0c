# This file is part of the CUS back office.
import datetime as dt
import os
import unittest

from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.tests.test_tryton import (
    DB_NAME, USER, activate_module, with_transaction)
from trytond.transaction import Transaction, check_access

from .tools import as_user, create_user, rolled_back_on_error, valid_pesel

ROLES = [
    'group_cus_director', 'group_cus_organiser', 'group_cus_coordinator',
    'group_cus_community', 'group_cus_finance', 'group_cus_admin',
    'group_cus_dpo']


class AuditTestCase(unittest.TestCase):
    "Test the audit trail of the personal data"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_base')

    def _client(self, serial=1):
        Party = Pool().get('party.party')
        client, = Party.create([{
                    'name': "Helena Nowak", 'cus_client': True,
                    'client_category': 'resident',
                    'pesel': valid_pesel(
                        dt.date(1940, 2, 3), serial=serial, female=True),
                    'health_condition': "Cukrzyca",
                    }])
        return client

    def _rows(self):
        Access = Pool().get('cus.audit.access')
        return Access.search([], order=[('id', 'ASC')])

    @with_transaction()
    def test_user_read_of_health_logged(self):
        "Test a coordinator reading a client's health leaves one row"
        Party = Pool().get('party.party')
        client = self._client()
        coordinator = create_user('koord', ['group_cus_coordinator'])
        with as_user(coordinator):
            Party.read([client.id], ['name', 'health_condition', 'pesel'])
        row, = self._rows()
        self.assertEqual(row.kind, 'read')
        self.assertEqual(row.user, coordinator)
        self.assertEqual(row.client, client)
        self.assertEqual(row.record, client)
        self.assertEqual(row.field_names, 'health_condition,pesel')
        self.assertIsNotNone(row.date)
        self.assertEqual(row.field_labels, "Health, PESEL")

    @with_transaction()
    def test_list_without_sensitive_fields_not_logged(self):
        "Test reading a list without sensitive fields logs nothing"
        Party = Pool().get('party.party')
        clients = [self._client(i) for i in range(3)]
        coordinator = create_user('koord', ['group_cus_coordinator'])
        with as_user(coordinator):
            Party.read(
                [c.id for c in clients], ['name', 'client_category', 'code'])
            Party.search_read(
                [('cus_client', '=', True)], fields_names=['rec_name'])
        self.assertEqual(self._rows(), [])

    @with_transaction()
    def test_one_insert_for_many_records(self):
        "Test a read of several clients logs one row per client"
        Party = Pool().get('party.party')
        clients = [self._client(i) for i in range(5)]
        coordinator = create_user('koord', ['group_cus_coordinator'])
        with as_user(coordinator):
            Party.read([c.id for c in clients], ['health_condition'])
        rows = self._rows()
        self.assertEqual(
            sorted(r.client.id for r in rows), sorted(c.id for c in clients))
        self.assertEqual(len({r.date for r in rows}), 1)

    @with_transaction()
    def test_internal_reads_not_logged(self):
        "Test reads by root and by internal code are not logged"
        Party = Pool().get('party.party')
        client = self._client()
        coordinator = create_user('koord', ['group_cus_coordinator'])
        Party.read([client.id], ['health_condition'])
        with check_access():
            # root
            with Transaction().set_user(0):
                Party.read([client.id], ['health_condition'])
        with Transaction().set_user(coordinator.id):
            # internal code working for the user, without access checks
            Party.read([client.id], ['health_condition'])
            self.assertEqual(
                Party(client.id).health_condition, "Cukrzyca")
        with as_user(coordinator):
            # attribute access of records is internal too
            self.assertEqual(
                Party(client.id).health_condition, "Cukrzyca")
        self.assertEqual(self._rows(), [])

    @with_transaction()
    def test_export_logged(self):
        "Test an export of sensitive fields is logged as export"
        Party = Pool().get('party.party')
        client = self._client()
        director = create_user('dyrektor', ['group_cus_director'])
        with as_user(director):
            Party.export_data([client], ['name', 'health_condition'])
            Party.export_data([client], ['name'])
        row, = self._rows()
        self.assertEqual(row.kind, 'export')
        self.assertEqual(row.field_names, 'health_condition')

    @with_transaction()
    def test_access_rows_cannot_be_changed(self):
        "Test nobody can modify or delete an access row"
        Party = Pool().get('party.party')
        Access = Pool().get('cus.audit.access')
        client = self._client()
        reader = create_user('koord', ['group_cus_coordinator'])
        with as_user(reader):
            Party.read([client.id], ['health_condition'])
        row, = self._rows()
        for role in ROLES:
            user = create_user(role, [role])
            with self.subTest(role=role), as_user(user):
                with self.assertRaises(AccessError), rolled_back_on_error():
                    Access.write([Access(row.id)], {'field_names': 'name'})
                with self.assertRaises(AccessError), rolled_back_on_error():
                    Access.delete([Access(row.id)])
                with self.assertRaises(AccessError), rolled_back_on_error():
                    Access.create([{'kind': 'read'}])
        # Not even internal code
        with self.assertRaises(AccessError), rolled_back_on_error():
            Access.write([row], {'field_names': 'name'})
        with self.assertRaises(AccessError), rolled_back_on_error():
            Access.delete([row])
        row, = self._rows()
        self.assertEqual(row.field_names, 'health_condition')

    @with_transaction()
    def test_retention_of_access_rows(self):
        "Test the retention rule of the register removes only old reads"
        pool = Pool()
        Party = pool.get('party.party')
        Access = pool.get('cus.audit.access')
        Rule = pool.get('cus.retention.rule')
        ModelData = pool.get('ir.model.data')
        clients = [self._client(i) for i in range(3)]
        reader = create_user('koord', ['group_cus_coordinator'])
        with as_user(reader):
            Party.read([c.id for c in clients], ['health_condition'])
        old, kept, recent = self._rows()
        rule = Rule(ModelData.get_id('cus_base', 'retention_rule_audit_access'))
        table = Access.__table__()
        cursor = Transaction().connection.cursor()
        for row, years in [(old, rule.period_years + 1),
                (kept, rule.period_years + 1)]:
            cursor.execute(*table.update([table.date],
                    [row.date - dt.timedelta(days=366 * years)],
                    where=table.id == row.id))

        # Anonymised: who read, when and what stay; the person goes
        Rule.write([rule], {'action': 'anonymise'})
        run, = Rule.apply([rule])
        self.assertEqual(run.records, 2)
        def rows():
            cursor.execute(*table.select(
                    table.id, table.client, table.record, table.user,
                    table.field_names, order_by=[table.id.asc]))
            return {r[0]: r[1:] for r in cursor}
        self.assertEqual(rows(), {
                old.id: (None, None, reader.id, 'health_condition'),
                kept.id: (None, None, reader.id, 'health_condition'),
                recent.id: (recent.client.id, str(recent.record),
                    reader.id, 'health_condition'),
                })

        # Deleted: the old rows go, the recent one stays
        Rule.write([rule], {'action': 'delete'})
        run, = Rule.apply([rule])
        self.assertEqual(run.records, 2)
        self.assertEqual(list(rows()), [recent.id])
        run, = Rule.apply([rule])
        self.assertEqual(run.records, 0)

    @with_transaction()
    def test_audit_readers(self):
        "Test only the director, the DPO and the administrator read the trail"
        pool = Pool()
        Party = pool.get('party.party')
        Access = pool.get('cus.audit.access')
        Trail = pool.get('cus.audit.trail')
        client = self._client()
        reader = create_user('koord', ['group_cus_coordinator'])
        with as_user(reader):
            Party.read([client.id], ['health_condition'])
        for role in ['group_cus_finance', 'group_cus_community',
                'group_cus_coordinator', 'group_cus_organiser']:
            user = create_user(role, [role])
            with self.subTest(role=role), as_user(user):
                for Model in [Access, Trail]:
                    with self.assertRaises(AccessError):
                        Model.search([])
        for role in [
                'group_cus_director', 'group_cus_dpo', 'group_cus_admin']:
            user = create_user(role, [role])
            with self.subTest(role=role), as_user(user):
                row, = Access.search([('client', '=', client.id)])
                self.assertEqual(
                    Access.read([row.id], ['field_labels'])[0][
                        'field_labels'], "Health")
                # the record column is not dropped from their lists
                for Model in [Access, Trail]:
                    arch = Model.fields_view_get(view_type='tree')['arch']
                    self.assertIn('name="record"', arch)

    @with_transaction()
    def test_trail_of_a_client(self):
        "Test the history of a client shows its reads and its changes"
        pool = Pool()
        Party = pool.get('party.party')
        Trail = pool.get('cus.audit.trail')
        client = self._client()
        other = self._client(2)
        coordinator = create_user('koord', ['group_cus_coordinator'])
        director = create_user('dyrektor', ['group_cus_director'])
        with as_user(coordinator):
            Party.read([client.id, other.id], ['problems'])
            Party.write([Party(client.id)], {'problems': "Samotność"})
        # ir.model.log is written at commit
        Transaction()._store_log_records()
        with as_user(director):
            rows = Trail.search([
                    'OR',
                    ('client', '=', client.id),
                    ('record', '=', ['party.party', client.id]),
                    ])
            events = {r.event: r for r in rows}
            self.assertEqual(set(events), {'read', 'write'})
            self.assertEqual(events['read'].user, coordinator)
            self.assertIn("Problems", events['write'].details)
            self.assertEqual(events['write'].record, client)

    @with_transaction()
    def test_client_history_kept(self):
        "Test the changes of a client's data are kept in its history"
        Party = Pool().get('party.party')
        client = self._client()
        self.assertTrue(Party._history)
        Party.write([client], {'health_condition': "Nadciśnienie"})
        history = Party.__table_history__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*history.select(
                history.health_condition, where=history.id == client.id))
        self.assertEqual(
            {v for v, in cursor}, {"Cukrzyca", "Nadciśnienie"})

    @unittest.skipIf(
        'sqlite' in os.environ.get('TRYTOND_DATABASE_URI', 'sqlite'),
        "an in-memory SQLite database has one connection: a second "
        "transaction cannot commit apart")
    def test_read_only_transaction_logged_apart(self):
        "Test a read in a read-only transaction is logged in its own one"
        with Transaction().start(DB_NAME, USER) as transaction:
            pool = Pool()
            Party = pool.get('party.party')
            client = self._client()
            client_id = client.id
            transaction.commit()
        try:
            with Transaction().start(DB_NAME, USER, readonly=True,
                    context={'_check_access': True}):
                Party = pool.get('party.party')
                # The admin is not in the groups reading the health
                Party.read([client_id], ['name', 'birth_date'])
            with Transaction().start(DB_NAME, 0):
                Access = pool.get('cus.audit.access')
                row, = Access.search([('client', '=', client_id)])
                self.assertEqual(row.field_names, 'birth_date')
                self.assertEqual(row.user.id, USER)
        finally:
            with Transaction().start(DB_NAME, 0) as transaction:
                Access = pool.get('cus.audit.access')
                Party = pool.get('party.party')
                table = Access.__table__()
                cursor = transaction.connection.cursor()
                cursor.execute(*table.delete(
                        where=table.client == client_id))
                Party.delete([Party(client_id)])
                transaction.commit()


class ProcessingRegisterTestCase(unittest.TestCase):
    "Test the register of processing activities"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_base')

    def _register(self):
        from cus_base.xlsx import read_xlsx
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Report = pool.get(
            'cus_base.report_processing_register', type='report')
        # as the client calls it: with the action
        action_id = ModelData.get_id('cus_base', 'report_processing_register')
        ext, content, _, _ = Report.execute([], {'action_id': action_id})
        self.assertEqual(ext, 'xlsx')
        return read_xlsx(content)

    @with_transaction()
    def test_register_computed_from_configuration(self):
        "Test the register lists who reads the health data of the clients"
        pool = Pool()
        Activity = pool.get('cus.processing.activity')
        ModelData = pool.get('ir.model.data')
        activity = Activity(ModelData.get_id(
                'cus_base', 'processing_applications'))
        director = create_user('dyrektor', ['group_cus_director'])
        with as_user(director):
            sheets = self._register()
        register, access = sheets["Register"], sheets["Access to the Data"]
        self.assertEqual(register[0][1], "Name")
        names = [r[1] for r in register[1:]]
        self.assertEqual(
            len(names), Activity.search([], count=True))
        self.assertIn("Applications and needs assessment", names)
        row = next(r for r in register[1:] if r[1] == activity.name)
        self.assertEqual(row[5], "Yes")
        self.assertIn("PESEL", row[4])
        rows = {r[1]: r for r in access[1:] if r[0] == activity.name}
        party = rows["Party"]
        # Every user reads the parties, only three groups their health
        self.assertEqual(party[2], "All users")
        health = next(p for p in party[4].split('; ')
            if p.startswith("Health:"))
        self.assertIn("Plan Coordinator", health)
        self.assertIn("CUS Director", health)
        self.assertNotIn("CUS Finance", health)
        self.assertNotIn("Community Organiser", health)
        self.assertNotIn("CUS Finance", party[3])
        self.assertIn("Plan Coordinator", party[3])
        # the history and the read audit of the clients
        self.assertEqual(party[5:7], ["Yes", "Yes"])
        # the Pomost import is linked to its retention rule
        pomost = next(r for r in register[1:]
            if r[1] == "Import from Pomost")
        self.assertIn("Imports from Pomost", pomost[10])

    @with_transaction()
    def test_register_printed_by_its_readers_only(self):
        "Test the register is printed by the director, organiser and DPO"
        Activity = Pool().get('cus.processing.activity')
        for role in [
                'group_cus_director', 'group_cus_organiser', 'group_cus_dpo']:
            user = create_user(role, [role])
            with self.subTest(role=role), as_user(user):
                self.assertTrue(self._register()["Register"])
        for role in ['group_cus_finance', 'group_cus_community',
                'group_cus_coordinator']:
            user = create_user(role, [role])
            with self.subTest(role=role), as_user(user):
                with self.assertRaises(AccessError):
                    self._register()
                with self.assertRaises(AccessError):
                    Activity.search([])

    @with_transaction()
    def test_register_kept_by_the_dpo(self):
        "Test the DPO edits the activities and the director does not"
        pool = Pool()
        Activity = pool.get('cus.processing.activity')
        dpo = create_user('iod', ['group_cus_dpo'])
        director = create_user('dyrektor', ['group_cus_director'])
        with as_user(dpo):
            activity, = Activity.create([{
                        'name': "Monitoring wizyjny",
                        'purpose': "Bezpieczeństwo budynku.",
                        'data_subjects': "Osoby w budynku.",
                        'data_categories': "Wizerunek.",
                        'legal_basis': "Art. 6 ust. 1 lit. e RODO.",
                        }])
        with as_user(director):
            with self.assertRaises(AccessError):
                Activity.write(
                    [Activity(activity.id)], {'name': "Inna nazwa"})
