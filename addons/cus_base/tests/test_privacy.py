# This file is part of the CUS back office.
import datetime as dt
import io
import re
import unittest
import zipfile

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from .tools import create_user, rolled_back_on_error, valid_pesel


def document_text(report):
    "The text of an ODT returned by a report"
    oext, content, _, _ = report
    assert oext == 'odt', oext
    with zipfile.ZipFile(io.BytesIO(content)) as odt:
        xml = odt.read('content.xml').decode('utf-8')
    return re.sub(r'<[^>]+>', ' ', xml)


def client(name, birth, serial, **values):
    Party = Pool().get('party.party')
    party, = Party.create([dict(
                name=name, cus_client=True, client_category='resident',
                pesel=valid_pesel(birth, serial=serial), **values)])
    return party


class PrivacyTestCase(unittest.TestCase):
    "Test the consents, the access export and the retention in cus_base"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_base')

    @with_transaction()
    def test_consent_rules(self):
        "Test one active consent per purpose and the withdrawal"
        Consent = Pool().get('cus.client.consent')
        anna = client("Anna Nowak", dt.date(1950, 3, 4), 11)
        survey, = Consent.create([{
                    'client': anna.id, 'purpose': 'surveys',
                    'legal_basis': 'art6_1_a', 'channel': 'paper'}])
        self.assertEqual(survey.state, 'active')
        with self.assertRaises(ValidationError) as cm, rolled_back_on_error():
            Consent.create([{
                        'client': anna.id, 'purpose': 'surveys',
                        'legal_basis': 'art6_1_a', 'channel': 'oral'}])
        self.assertIn('already has an active consent', str(cm.exception))

        Consent.withdraw([survey])
        survey = Consent(survey.id)
        self.assertEqual(survey.state, 'withdrawn')
        self.assertEqual(
            survey.withdrawn_on, Pool().get('ir.date').today())
        self.assertEqual(
            Consent.search([('state', '=', 'withdrawn')]), [survey])
        # A new consent after the withdrawal is allowed.
        Consent.create([{
                    'client': anna.id, 'purpose': 'surveys',
                    'legal_basis': 'art6_1_a', 'channel': 'online'}])

        legal, = Consent.create([{
                    'client': anna.id, 'purpose': 'services',
                    'legal_basis': 'art6_1_c', 'channel': 'paper'}])
        with self.assertRaises(UserError) as cm:
            Consent.withdraw([legal])
        self.assertIn('cannot be withdrawn', str(cm.exception))
        self.assertEqual(legal.state, 'active')
        self.assertEqual(anna.processing_basis, 'art6_1_c')
        self.assertEqual(anna.special_processing_basis, 'art9_2_h')

    @with_transaction()
    def test_consent_roles(self):
        "Test the staff groups record consents and the others are refused"
        Consent = Pool().get('cus.client.consent')
        Party = Pool().get('party.party')
        anna = client("Anna Nowak", dt.date(1950, 3, 4), 11)
        for login, groups in [
                ('coordinator', ['group_cus_coordinator']),
                ('organiser', ['group_cus_organiser']),
                ('director', ['group_cus_director'])]:
            user = create_user('a2' + login, groups)
            with Transaction().set_user(user.id), check_access():
                consent, = Consent.create([{
                            'client': anna.id, 'purpose': 'image',
                            'legal_basis': 'art6_1_a', 'channel': 'paper'}])
                Consent.withdraw([consent])
        for login, groups in [
                ('community', ['group_cus_community']),
                ('finance', ['group_cus_finance'])]:
            user = create_user('a2' + login, groups)
            with Transaction().set_user(user.id), check_access():
                with self.assertRaises(AccessError):
                    Consent.search([])
                with self.assertRaises(AccessError):
                    Consent.create([{
                                'client': anna.id, 'purpose': 'contact',
                                'legal_basis': 'art6_1_a',
                                'channel': 'paper'}])
                # the legal basis of the case is not theirs to change
                with self.assertRaises(AccessError):
                    Party.write([anna], {'processing_basis': 'art6_1_e'})
        coordinator = create_user('a2coordinator2', ['group_cus_coordinator'])
        with Transaction().set_user(coordinator.id), check_access():
            Party.write([anna], {'processing_basis': 'art6_1_e'})

    @with_transaction()
    def test_client_form_tab(self):
        "Test the tab of the legal bases on the client form per role"
        Party = Pool().get('party.party')
        for groups, visible in [
                (['group_cus_coordinator'], True),
                (['group_cus_director'], True),
                (['group_cus_community'], False)]:
            user = create_user('a2' + groups[0][10:], groups)
            with Transaction().set_user(user.id), check_access():
                view = Party.fields_view_get(view_type='form')
            self.assertIn('id="cus_privacy"', view['arch'])
            self.assertIn('processing_basis', view['fields'])
            self.assertEqual('consents' in view['fields'], visible, groups)

    @with_transaction()
    def test_subject_access_export(self):
        "Test the export holds the person's data and nothing of another"
        pool = Pool()
        Consent = pool.get('cus.client.consent')
        Report = pool.get('cus_base.report_subject_access', type='report')
        anna = client("Anna Nowak", dt.date(1950, 3, 4), 11,
            health_condition="Cukrzyca typu 2",
            contact_mechanisms=[('create', [
                            {'type': 'phone', 'value': '+48 600 100 200'}])])
        jan = client("Jan Kowal", dt.date(1948, 7, 9), 22,
            health_condition="Nadciśnienie",
            contact_mechanisms=[('create', [
                            {'type': 'phone', 'value': '+48 700 300 400'}])])
        Consent.create([{
                    'client': anna.id, 'purpose': 'image',
                    'legal_basis': 'art6_1_a', 'channel': 'paper',
                    'note': "Zgoda na zdjęcia z festynu"}, {
                    'client': jan.id, 'purpose': 'surveys',
                    'legal_basis': 'art6_1_a', 'channel': 'paper',
                    'note': "Ankieta telefoniczna"}])

        data = {'action_id': pool.get('ir.model.data').get_id(
                'cus_base', 'report_subject_access')}
        director = create_user('a2director', ['group_cus_director'])
        with Transaction().set_user(director.id), check_access():
            text = document_text(Report.execute([anna.id], data))
        for expected in ["Anna Nowak", anna.pesel, "Cukrzyca typu 2",
                "600 100 200", "Zgoda na zdjęcia z festynu", "04.03.1950"]:
            self.assertIn(expected, text)
        for other in ["Jan Kowal", jan.pesel, "Nadciśnienie",
                "700 300 400", "Ankieta telefoniczna"]:
            self.assertNotIn(other, text)
        logged = [l for l in Transaction().log_records
            if l.resource == anna and l.event == 'wizard']
        self.assertEqual(len(logged), 1)
        Access = pool.get('cus.audit.access')
        exports = Access.search([
                ('client', '=', anna.id), ('kind', '=', 'export')])
        self.assertEqual([a.user for a in exports], [director])

        dpo = create_user('a2dpo', ['group_cus_dpo'])
        with Transaction().set_user(dpo.id), check_access():
            self.assertIn("Anna Nowak", document_text(
                    Report.execute([anna.id], data)))
        for groups in [['group_cus_coordinator'], ['group_cus_community'],
                ['group_cus_finance']]:
            user = create_user('a2' + groups[0][10:], groups)
            with Transaction().set_user(user.id), check_access():
                with self.assertRaises(AccessError):
                    Report.execute([anna.id], data)

    @with_transaction()
    def test_party_erase_clears_client_fields(self):
        "Test the erase wizard clears the personal fields of a client"
        pool = Pool()
        Party = pool.get('party.party')
        Erase = pool.get('party.erase', type='wizard')
        anna = client("Anna Nowak", dt.date(1950, 3, 4), 11,
            occupation="Krawcowa", health_condition="Cukrzyca",
            problems="Samotność", marital_status='widowed')
        Party.write([anna], {'active': False})
        session_id, _, _ = Erase.create()
        erase = Erase(session_id)
        erase.ask.party = anna
        erase.transition_erase()
        Transaction().cache.clear()
        anna = Party(anna.id)
        for name in ['name', 'birth_date', 'occupation', 'health_condition',
                'problems', 'marital_status']:
            self.assertIsNone(getattr(anna, name), name)
        self.assertEqual(anna.sex, 'male')
