# This file is part of the CUS back office.
from trytond.modules.party.tests import (
    PartyCheckEraseMixin, PartyCheckReplaceMixin)
from trytond.tests.test_tryton import ModuleTestCase, with_transaction


class CusBaseTestCase(
        PartyCheckEraseMixin, PartyCheckReplaceMixin, ModuleTestCase):
    "Test the cus_base module"
    module = 'cus_base'

    # The import from Pomost may only be run by the groups of the staff
    # (its action's groups), which the admin user is not in: check the
    # definition of the wizards as root.
    test_wizards = with_transaction(user=0)(
        ModuleTestCase.test_wizards.__wrapped__)


del ModuleTestCase
