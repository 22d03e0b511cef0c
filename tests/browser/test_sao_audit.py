# This file is part of the CUS back office.
"End-to-end test of the audit trail of personal data in sao (Polish)"
from playwright.sync_api import expect

from . import data
from .harness import shot
from .sao import current_tab, login, open_menu, open_tab, toolbar_menu

MENU_CUS = "Usługi społeczne"
MENU_IPUS = "Indywidualne plany usług społecznych"
HISTORY = "Historia dostępu i zmian"


def test_director_sees_who_read_a_plan(page, trytond_server, browser_db):
    """The director opens a plan: the read of its content is in the access
    register and in the history of the plan, with the approval"""
    director = data.LOGINS['director']
    login(page, trytond_server, director)
    open_menu(page, MENU_CUS, MENU_IPUS)
    tab = current_tab(page)
    open_tab(page, "W realizacji")
    number = browser_db.ids['plan_number']
    row = tab.locator('table.tree tbody tr', has_text=data.CLIENT['name'])
    row.get_by_text(number, exact=True).dblclick()
    form = current_tab(page)
    expect(form.locator('.form')).to_be_visible()

    # The relate of the plan: its reads and its transitions
    toolbar_menu(page, form, "Otwórz powiązane rekordy", HISTORY)
    history = current_tab(page)
    rows = history.locator('table.tree tbody tr')
    expect(rows.filter(has_text="Odczyt").first).to_be_visible()
    expect(rows.filter(has_text="Zmiana stanu na").first).to_be_visible()
    expect(rows.filter(has_text="Odczyt").first).to_contain_text(
        data.NAMES['director'])
    shot(page, 'plan-history')

    # The access register of the data protection menu
    open_menu(page, "Ochrona danych", "Rejestr dostępu")
    register = current_tab(page)
    read = register.locator('table.tree tbody tr', has_text=number).first
    expect(read).to_be_visible()
    expect(read).to_contain_text(data.CLIENT['name'])
    expect(read).to_contain_text(data.NAMES['director'])
    shot(page, 'access-register')


def test_finance_has_no_access_register(page, trytond_server):
    "The finance officer is not shown the access register"
    login(page, trytond_server, data.LOGINS['finance'])
    menu = page.locator('#menu')
    open_menu(page, MENU_CUS)
    expect(menu.get_by_text("Budżety", exact=True).first).to_be_visible()
    privacy = menu.get_by_text("Ochrona danych", exact=True)
    if privacy.count():
        privacy.first.click()
    expect(menu.get_by_text("Rejestr dostępu", exact=True)).to_have_count(0)
