# This file is part of the CUS back office.
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class CusPartnersTestCase(ModuleTestCase):
    "Test the cus_partners module"
    module = 'cus_partners'

    # The evaluator extract may only be run by the director and the
    # organiser (its action's groups), which the admin user is not in:
    # check the definition of the wizards as root.
    test_wizards = with_transaction(user=0)(
        ModuleTestCase.test_wizards.__wrapped__)


del ModuleTestCase
