# This file is part of the CUS back office.
from trytond.tests.test_tryton import ModuleTestCase


class CusIpusTestCase(ModuleTestCase):
    "Test the cus_ipus module"
    module = 'cus_ipus'


del ModuleTestCase
