# This file is part of the CUS back office.
"""End-to-end test of the legal bases, the consents and the retention rules
in sao (Polish)"""
from playwright.sync_api import expect

from . import data
from .harness import shot
from .sao import current_tab, login, open_menu, toolbar_menu

MENU_CUS = "Usługi społeczne"
PRIVACY = "Ochrona danych"


def test_director_sees_legal_bases_and_retention(
        page, trytond_server, browser_db):
    """The director opens a client's legal bases tab, then the retention
    rules and the consents of the data protection menu"""
    login(page, trytond_server, data.LOGINS['director'])
    open_menu(page, MENU_CUS, "Klienci")
    tab = current_tab(page)
    tab.locator('table.tree tbody tr', has_text=data.CLIENT['name']
        ).first.dblclick()
    form = current_tab(page)
    expect(form.locator('.form').first).to_be_visible()
    form.get_by_role('tab', name="Podstawy przetwarzania").or_(
        form.get_by_text("Podstawy przetwarzania", exact=True)).first.click()
    for label in ["Podstawa przetwarzania danych sprawy",
            "Podstawa przetwarzania danych o zdrowiu", "Zgody"]:
        expect(form.get_by_text(label).first).to_be_visible()
    shot(page, 'client-legal-bases')

    # The art. 15 export from the print menu of the client: an ODT
    with page.expect_download() as download_info:
        toolbar_menu(
            page, form, "Drukuj raport", "Eksport danych osoby (art. 15 RODO)")
    download = download_info.value
    assert download.suggested_filename.endswith('.odt'), \
        download.suggested_filename
    assert download.suggested_filename.startswith(
        "Eksport danych osoby"), download.suggested_filename

    open_menu(page, PRIVACY, "Reguły retencji")
    rules = current_tab(page)
    rows = rules.locator('table.tree tbody tr')
    for kind in ["Zamknięte plany wraz z wnioskami, diagnozami i realizacjami",
            "Importy z Pomostu (pliki i wiersze)"]:
        expect(rows.filter(has_text=kind).first).to_be_visible()
    expect(rows.filter(has_text="Do ustalenia z archiwistą").first
        ).to_be_visible()
    shot(page, 'retention-rules')

    open_menu(page, PRIVACY, "Zgody i podstawy przetwarzania")
    expect(current_tab(page).locator('table.tree')).to_be_visible()


def test_finance_has_no_retention(page, trytond_server):
    "The finance officer is not shown the retention rules nor the consents"
    login(page, trytond_server, data.LOGINS['finance'])
    menu = page.locator('#menu')
    open_menu(page, MENU_CUS)
    privacy = menu.get_by_text(PRIVACY, exact=True)
    if privacy.count():
        privacy.first.click()
    expect(menu.get_by_text("Reguły retencji", exact=True)).to_have_count(0)
    expect(menu.get_by_text("Zgody i podstawy przetwarzania", exact=True)
        ).to_have_count(0)
