# This file is part of the CUS back office.
from trytond.tests.test_tryton import ModuleTestCase


class CusPartnersTestCase(ModuleTestCase):
    "Test the cus_partners module"
    module = 'cus_partners'


del ModuleTestCase
