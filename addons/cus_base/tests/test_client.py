# This file is part of the CUS back office.
import datetime as dt
import unittest

from stdnum.pl import pesel as stdnum_pesel

from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

from .tools import valid_pesel


class ClientTestCase(unittest.TestCase):
    "Test the clients of the CUS"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_base')

    def _client(self, name="Jan Kowalski", **values):
        Party = Pool().get('party.party')
        party, = Party.create([dict(name=name, cus_client=True,
                    client_category='resident', **values)])
        return party

    @with_transaction()
    def test_pesel_derives_birth_date_and_sex(self):
        "Test birth date and sex are taken from the PESEL"
        code = valid_pesel(dt.date(1944, 5, 14), serial=14, female=True)
        client = self._client(pesel=code)
        self.assertEqual(client.pesel, code)
        self.assertEqual(client.birth_date, dt.date(1944, 5, 14))
        self.assertEqual(client.sex, 'female')

    @with_transaction()
    def test_pesel_keeps_given_birth_date(self):
        "Test a birth date typed by the user is not overwritten"
        code = valid_pesel(dt.date(1950, 1, 2), serial=1)
        client = self._client(pesel=code, birth_date=dt.date(1950, 1, 3))
        self.assertEqual(client.birth_date, dt.date(1950, 1, 3))
        self.assertEqual(client.sex, 'male')

    @with_transaction()
    def test_pesel_bad_checksum(self):
        "Test a PESEL with a wrong check digit is refused"
        code = valid_pesel(dt.date(1944, 5, 14))
        bad = code[:-1] + str((int(code[-1]) + 1) % 10)
        with self.assertRaises(ValidationError) as cm:
            self._client(pesel=bad)
        self.assertIn('check digit is wrong', str(cm.exception))

    @with_transaction()
    def test_pesel_impossible_birth_date(self):
        "Test a PESEL that encodes 31 February is refused"
        with self.assertRaises(ValidationError) as cm:
            # month 02 day 31, with a correct checksum
            body = '4402310145'
            self._client(pesel=body + stdnum_pesel.calc_check_digit(body))
        self.assertIn('birth date that does not exist', str(cm.exception))

    @with_transaction()
    def test_pesel_wrong_length(self):
        "Test a PESEL that is not 11 digits is refused"
        with self.assertRaises(ValidationError):
            self._client(pesel='440514014')

    @with_transaction()
    def test_pesel_unique(self):
        "Test a PESEL cannot belong to two clients"
        code = valid_pesel(dt.date(1960, 7, 1))
        self._client(pesel=code)
        with self.assertRaises(ValidationError) as cm:
            self._client(name="Anna Nowak", pesel=code)
        self.assertIn("Jan Kowalski", str(cm.exception))

    @with_transaction()
    def test_search_pesel(self):
        "Test clients are found by PESEL"
        Party = Pool().get('party.party')
        code = valid_pesel(dt.date(1970, 3, 3))
        client = self._client(pesel=code)
        self.assertEqual(Party.search([('pesel', '=', code)]), [client])

    @with_transaction()
    def test_household_size(self):
        "Test the household size counts the household relations"
        pool = Pool()
        Party = pool.get('party.party')
        Relation = pool.get('party.relation')
        ModelData = pool.get('ir.model.data')
        spouse_type = ModelData.get_id('cus_base', 'relation_type_spouse')
        child_type = ModelData.get_id('cus_base', 'relation_type_child')
        parent_type = ModelData.get_id('cus_base', 'relation_type_parent')
        Type = pool.get('party.relation.type')
        self.assertEqual(Type(child_type).reverse.id, parent_type)
        self.assertEqual(Type(spouse_type).reverse.id, spouse_type)
        client = self._client()
        spouse = self._client(name="Maria Kowalska")
        child, other = Party.create([
                {'name': "Piotr Kowalski"}, {'name': "Sąsiad"}])
        self.assertEqual(client.household_size, 1)
        Relation.create([
                {'from_': client.id, 'to': spouse.id, 'type': spouse_type},
                {'from_': child.id, 'to': client.id, 'type': child_type},
                {'from_': child.id, 'to': spouse.id, 'type': child_type},
                ])
        client, spouse, child = Party.browse([client, spouse, child])
        self.assertEqual(client.household_size, 3)
        self.assertEqual(
            set(client.household_members), {spouse, child})
        self.assertEqual(spouse.household_size, 3)
        self.assertEqual(
            Party.search([('household_size', '=', 3)]),
            sorted([client, spouse, child], key=lambda p: p.name))
        self.assertEqual(other.household_size, 1)
