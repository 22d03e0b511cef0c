# This file is part of the CUS back office.
import datetime as dt
import unittest

from stdnum.pl import regon as stdnum_regon

from trytond.i18n import gettext
from trytond.modules.party.exceptions import InvalidIdentifierCode
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from cus_base.tests.tools import rolled_back_on_error

from ..exceptions import AccreditationError, ProviderValidationError

NIP = '5260001246'
NIP_FORMATTED = '526-000-12-46'
NIP_INVALID = '5260001247'
REGON = '123456785'
REGON_LONG = '1234567851234' + stdnum_regon.calc_check_digit('1234567851234')
REGON_INVALID = '123456786'


def create_provider(name="Spółdzielnia Socjalna \"Starachowiczanka\"",
        kind='social_cooperative', **values):
    Party = Pool().get('party.party')
    provider, = Party.create([dict({
                    'name': name,
                    'cus_provider': True,
                    'provider_kind': kind,
                    }, **values)])
    return provider


class ProviderTestCase(unittest.TestCase):
    "Test the providers of social services"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    @with_transaction()
    def test_nip_regon_identifiers(self):
        "Test NIP and REGON are stored as validated party identifiers"
        provider = create_provider(
            sector='social', nip=NIP, regon=REGON, krs='0000123456')
        self.assertEqual(
            sorted((i.type, i.code_compact) for i in provider.identifiers),
            [('pl_regon', REGON), ('pl_vat', NIP)])
        self.assertEqual(provider.nip, NIP_FORMATTED)
        self.assertEqual(provider.regon, REGON)

        provider.regon = REGON_LONG
        provider.save()
        self.assertEqual(provider.regon, REGON_LONG)
        self.assertEqual(len(provider.identifiers), 2)

        provider.nip = None
        provider.save()
        self.assertIsNone(provider.nip)
        self.assertEqual(
            [i.type for i in provider.identifiers], ['pl_regon'])

    @with_transaction()
    def test_nip_checksum(self):
        "Test a NIP with a wrong check digit is refused by the party module"
        provider = create_provider(name="Fundacja Pomocy")
        provider.nip = NIP_INVALID
        with self.assertRaises(InvalidIdentifierCode) as cm, \
                rolled_back_on_error():
            provider.save()
        self.assertEqual(cm.exception.message, gettext(
                'party.msg_invalid_code',
                type="Polish VAT Number", code=NIP_INVALID,
                party="Fundacja Pomocy"))
        provider = Pool().get('party.party')(provider.id)
        self.assertIsNone(provider.nip)

    @with_transaction()
    def test_regon_checksum(self):
        "Test a REGON with a wrong check digit is refused by the party module"
        with self.assertRaises(InvalidIdentifierCode) as cm:
            create_provider(name="Stowarzyszenie", regon=REGON_INVALID)
        self.assertEqual(cm.exception.message, gettext(
                'party.msg_invalid_code',
                type="Polish Register of Economic Units", code=REGON_INVALID,
                party="Stowarzyszenie"))

    @with_transaction()
    def test_krs_ten_digits(self):
        "Test the KRS number has exactly 10 digits"
        provider = create_provider(krs='0000123456')
        self.assertEqual(provider.krs, '0000123456')
        for krs in ['12345', '000012345X', '00001 2345']:
            provider.krs = krs
            with self.assertRaises(ProviderValidationError) as cm, \
                    rolled_back_on_error():
                provider.save()
            self.assertIn(krs, cm.exception.message)

    @with_transaction()
    def test_accreditation(self):
        "Test the accreditation is valid until its expiry and then refuses"
        pool = Pool()
        Party = pool.get('party.party')
        today = pool.get('ir.date').today()
        unlimited = create_provider(name="Fundacja bez terminu")
        valid = create_provider(
            name="Fundacja ważna",
            accreditation="Certyfikat 1/2021",
            accreditation_expiry=today + dt.timedelta(days=1))
        expired = create_provider(
            name="Fundacja wygasła",
            accreditation="Certyfikat 2/2019",
            accreditation_expiry=dt.date(2021, 3, 31))
        self.assertEqual(
            [p.accreditation_valid for p in Party.browse(
                    [unlimited, valid, expired])],
            [True, True, False])

        unlimited.check_accreditation()
        valid.check_accreditation()
        valid.check_accreditation(today + dt.timedelta(days=1))
        with self.assertRaises(AccreditationError):
            valid.check_accreditation(today + dt.timedelta(days=2))
        # Valid on the day it expires, refused from the day after.
        expired.check_accreditation(dt.date(2021, 3, 31))
        with self.assertRaises(AccreditationError) as cm:
            expired.check_accreditation(dt.date(2021, 4, 1))
        self.assertIn('31.03.2021', cm.exception.message)
        self.assertIn("Fundacja wygasła", cm.exception.message)
        with self.assertRaises(AccreditationError):
            expired.check_accreditation()

    @with_transaction()
    def test_search_by_nip(self):
        "Test the provider list finds a provider by its NIP in any format"
        Party = Pool().get('party.party')
        provider = create_provider(nip=NIP, regon=REGON)
        create_provider(name="Inna Fundacja", kind='ngo')
        Party.create([{'name': "Jan Kowalski"}])
        provider_domain = [('cus_provider', '=', True)]
        for code in [NIP, NIP_FORMATTED, '526 000 12 46']:
            self.assertEqual(
                Party.search(provider_domain + [('nip', '=', code)]),
                [provider], msg=code)
        self.assertEqual(
            Party.search(provider_domain + [('nip', 'like', '526%')]),
            [provider])
        self.assertEqual(
            Party.search(provider_domain + [('rec_name', 'ilike', NIP)]),
            [provider])
        self.assertEqual(
            Party.search(provider_domain + [('regon', '=', REGON)]),
            [provider])
        self.assertEqual(
            Party.search(provider_domain + [('nip', '=', NIP_INVALID)]), [])
