# This file is part of the CUS back office.
from trytond.tests.test_tryton import ModuleTestCase


class CusOslTestCase(ModuleTestCase):
    "Test the cus_osl module"
    module = 'cus_osl'


del ModuleTestCase
