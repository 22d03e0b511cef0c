# This file is part of the CUS back office.
"End-to-end tests of the staff web client (sao) in Polish"
from playwright.sync_api import expect

from . import data
from .harness import shot
from .sao import current_tab, login, open_menu, open_tab

MENU_CUS = "Usługi społeczne"
MENU_IPUS = "Indywidualne plany usług społecznych"


def test_coordinator_sees_his_plan(page, trytond_server, browser_db):
    "A coordinator logs in and finds his client's running plan in the list"
    coordinator = data.LOGINS['coordinator']
    login(page, trytond_server, coordinator, screenshots=True)
    # Polish menu, the coordinator's own name in the header
    expect(page.locator('#menu').get_by_text(MENU_CUS, exact=True)
        ).to_be_visible()
    expect(page.locator('#user-preferences')).to_contain_text(
        data.NAMES['coordinator'])
    shot(page, 'menu')

    open_menu(page, MENU_CUS, MENU_IPUS)
    tab = current_tab(page)
    open_tab(page, "W realizacji")
    row = tab.locator('table.tree tbody tr', has_text=data.CLIENT['name'])
    expect(row).to_have_count(1)
    for text in [
            browser_db.ids['plan_number'], data.CLIENT['name'],
            data.NAMES['coordinator']]:
        expect(row.get_by_text(text, exact=True)).to_be_visible()
    # The plan of another coordinator is not his
    expect(tab.locator('table.tree tbody')).not_to_contain_text(
        data.OTHER_CLIENT['name'])
    shot(page, 'ipus-list')
