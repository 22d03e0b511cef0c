# This file is part of the CUS back office.
from trytond.modules.party.tests import (
    PartyCheckEraseMixin, PartyCheckReplaceMixin)
from trytond.tests.test_tryton import ModuleTestCase


class CusOslTestCase(
        PartyCheckEraseMixin, PartyCheckReplaceMixin, ModuleTestCase):
    "Test the cus_osl module"
    module = 'cus_osl'


class CusOslIpusTestCase(
        PartyCheckEraseMixin, PartyCheckReplaceMixin, ModuleTestCase):
    "Test the cus_osl module with cus_ipus"
    module = 'cus_osl'
    extras = ['cus_ipus']


del ModuleTestCase
