# This file is part of the CUS back office.
"""Steps in the sao 8 web client (Polish), for the browser tests

    from .sao import login, open_menu, open_tab

Each step waits for what it needs with Playwright's timeouts (the page
fixture sets them), so a server that stops answering fails the test.
"""
import re

from playwright.sync_api import expect

from . import data
from .harness import shot


def login(page, server, login, password=None, screenshots=False):
    """Open sao on the test database and log in; return when the menu is
    shown.

    sao 8 asks the database and the login first (the database list is
    closed: [database] list = False), then the password. With screenshots,
    shot() takes '<test>-login' (database and login filled) and
    '<test>-password'."""
    if password is None:
        password = data.PASSWORDS[login]
    page.goto(server.url + '#' + server.database)
    # the Bootstrap modal is shown (class "in") once its animation is over
    dialog = page.locator('.modal.in', has=page.locator('#login'))
    dialog.wait_for()
    # The database field shows once sao asked the server for the list of
    # databases: an empty input when the list is closed (as here), a
    # read-only input for one database, a select for several.
    database = dialog.locator('#database:visible')
    database.wait_for()
    if database.evaluate('e => e.tagName') == 'SELECT':
        database.select_option(server.database)
    elif not database.input_value():
        database.fill(server.database)
    field = dialog.locator('#login')
    field.fill(login)
    if screenshots:
        shot(page, 'login')
    field.press('Enter')
    secret = page.locator('.modal.in input[type="password"]:visible').first
    secret.wait_for()
    secret.fill(password)
    if screenshots:
        shot(page, 'password')
    secret.press('Enter')
    # The menu of the user is there once the login went through
    expect(page.locator('#menu .treeview, #menu table').first).to_be_visible()


def open_menu(page, *labels):
    "Click the menu entries one after the other (e.g. parent, child)"
    menu = page.locator('#menu')
    for label in labels:
        entry = menu.get_by_text(label, exact=True).first
        entry.wait_for()
        entry.click()


def current_tab(page):
    "The content of the tab that is shown"
    return page.locator('#tabcontent > .tab-pane.active, '
        '#tabcontent > div.active').first


def open_tab(page, label):
    "Click the filter tab of the list whose label starts with label"
    tab = current_tab(page).get_by_role(
        'tab', name=re.compile('^' + re.escape(label))).first
    tab.click()
    return tab


def toolbar_menu(page, tab, title, item, attempts=3):
    """Open the drop-down of the tab's toolbar button titled title (e.g.
    "Drukuj raport", "Otwórz powiązane rekordy") and click its entry item

    sao draws the form before its toolbar takes clicks: a click that came
    too early leaves the drop-down closed, so it is clicked again."""
    button = tab.locator(f'[title="{title}"]').first
    entry = page.get_by_role('menuitem', name=item).or_(
        page.get_by_text(item, exact=True)).first
    for attempt in range(attempts):
        button.click()
        try:
            expect(entry).to_be_visible(timeout=5000)
        except AssertionError:
            if attempt == attempts - 1:
                raise
            page.keyboard.press('Escape')
            continue
        entry.click()
        return
