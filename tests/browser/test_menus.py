# This file is part of the CUS back office.
"""Every menu entry of every CUS role opens in sao without an error

sao 8 has crashed on views the server accepts (a datetime column in a
list: sao 8 has no list widget for it), so the only proof that a view works
is to open it in sao. For each role, one login; then each menu entry with an
action that the role is shown (ir.ui.menu read over JSON-RPC with the
user's own session: the same access rules as sao's menu tree) is opened the
way a click on the menu opens it (Sao.Action.exec_keyword('tree_open')),
and:

* an error of sao (error, warning or message dialog, alert), an uncaught
  JavaScript error or an error in the console, or an error in the server
  log fails the entry;
* a list with records opens its first record as a double click does (its
  form, or the action of a list that opens one) and switches back;
* a wizard shows its dialog and is ended with Escape (as a user cancels
  it).

All entries are tried; the test fails at the end with the list of failed
entries, each with a screenshot
var/test-screenshots/<backend>/menus-<role>-<menu>.png.
"""
import re
import time

import pytest

from . import data, harness
from .sao import login

# The roles of build_data.py, and the ones it does not create, made here
# as admin over JSON-RPC: role -> (login, name, group, password); the group
# by its English name (addons/cus_base/cus.xml, audit.xml), as
# ir.model.data is not open to JSON-RPC
EXTRA_STAFF = {
    'community': ('organizator_osl', "Joanna Kamińska",
        "Community Organiser", 'Spolecznosc-Test-2024'),
    'cus_admin': ('administrator_cus', "Tomasz Dąbrowski",
        "CUS Administrator", 'Administrator-Test-2024'),
    'dpo': ('iod', "Ewa Szymańska",
        "Data Protection Officer", 'Iod-Test-2024'),
    }
ROLES = ['director', 'organiser', 'coordinator', 'community', 'finance',
    'cus_admin', 'dpo']

# Seconds for one menu entry to settle, and for a whole role (the test
# itself has conftest.py's time limit, which covers building the database)
SETTLE_TIMEOUT = 20
ROLE_TIMEOUT = 240

# sao is idle: no request of its own running (the bus long poll aside) and
# no "processing" notice, for three checks in a row
WAIT_IDLE = """async (timeout) => {
    const busy = () => {
        let active = jQuery.active;
        if (Sao.Bus && Sao.Bus.request
                && Sao.Bus.request.state() === 'pending') {
            active -= 1;
        }
        return active > 0 || jQuery('#processing').is(':visible');
    };
    const start = Date.now();
    let quiet = 0;
    while (Date.now() - start < timeout) {
        // After an uncaught error sao may stay "processing" for ever; the
        // error itself is reported by the Watch (which resets the flag)
        if (window.cusPageError) {
            return true;
        }
        quiet = busy() ? 0 : quiet + 1;
        if (quiet >= 3) {
            return true;
        }
        await new Promise(resolve => setTimeout(resolve, 50));
    }
    return false;
}"""

# What the current tab shows
TAB_STATE = """() => {
    const tab = Sao.Tab.tabs.get_current();
    if (!tab) {
        return {tabs: Sao.Tab.tabs.length};
    }
    const screen = tab.screen;
    return {
        tabs: Sao.Tab.tabs.length,
        model: screen ? screen.model_name : null,
        view: screen && screen.current_view
            ? screen.current_view.view_type : null,
        records: screen && screen.group ? screen.group.length : 0,
        record: screen && screen.current_record
            ? screen.current_record.id : null,
        form: Boolean(screen && (
            screen.views.some(view => view.view_type === 'form')
            || screen.view_to_load.includes('form'))),
        };
}"""

# The dialogs of sao that report a failure
ERROR_DIALOGS = ('.modal.in.error-dialog, .modal.in.warning-dialog, '
    '.modal.in.message-dialog, .modal.in.concurrency-dialog, '
    '.modal.in.userwarning-dialog')


def _login_rpc(server, login, password):
    user, key = server.rpc('common.db.login', [
            login, {'password': password}, data.LANGUAGE])[:2]
    return (login, user, key)


@pytest.fixture(scope='module')
def menu_users(trytond_server, browser_db):
    """role -> (login, password) for every role of ROLES; the users of
    EXTRA_STAFF created (with an employee of the company) by admin"""
    server = trytond_server
    admin = _login_rpc(server, data.ADMIN_LOGIN, data.ADMIN_PASSWORD)
    context = {'company': browser_db.ids['company']}

    def call(method, *params):
        return server.rpc(method, list(params) + [context], session=admin)

    groups = {}
    for name in {v[2] for v in EXTRA_STAFF.values()}:
        groups[name], = server.rpc('model.res.group.search', [
                [('name', '=', name)], 0, None, None, {'language': 'en'}],
            session=admin)
    language, = call('model.ir.lang.search', [
            ('code', '=', data.LANGUAGE)], 0, 1, None)
    users = {role: (login, data.PASSWORDS[login])
        for role, login in data.LOGINS.items()}
    for role, (login, name, group, password) in EXTRA_STAFF.items():
        party, = call('model.party.party.create', [{'name': name}])
        employee, = call('model.company.employee.create', [{
                    'party': party, 'company': browser_db.ids['company'],
                    }])
        call('model.res.user.create', [{
                    'name': name,
                    'login': login,
                    'password': password,
                    'language': language,
                    'groups': [('add', [groups[group]])],
                    'companies': [('add', [browser_db.ids['company']])],
                    'company': browser_db.ids['company'],
                    'employees': [('add', [employee])],
                    'employee': employee,
                    }])
        users[role] = (login, password)
    return users


def _menus(server, login, password):
    "The menu entries with an action that sao shows the user, in menu order"
    session = _login_rpc(server, login, password)
    menus = server.rpc('model.ir.ui.menu.search_read', [
            [], 0, None, None, ['complete_name', 'action', 'parent'],
            {'language': data.LANGUAGE}], session=session)
    shown = {m['id'] for m in menus}
    # A child of a menu the user does not see is not shown either
    by_id = {m['id']: m for m in menus}

    def visible(menu):
        while menu['parent']:
            if menu['parent'] not in shown:
                return False
            menu = by_id[menu['parent']]
        return True
    return sorted(
        (m for m in menus if m['action'] and visible(m)),
        key=lambda m: m['complete_name'])


class Watch:
    """The errors of the page and of the server since the last reset"""

    def __init__(self, page, server):
        self.page = page
        self.server = server
        self.errors = []
        page.on('pageerror',
            lambda error: self.errors.append(f"JavaScript error: {error}"))
        page.on('console', self._console)
        page.on('dialog', self._dialog)
        page.add_init_script(
            "window.addEventListener('error', "
            "() => { window.cusPageError = true; });")
        self.reset()

    def _console(self, message):
        if message.type == 'error':
            self.errors.append(f"console error: {message.text}")

    def _dialog(self, dialog):
        self.errors.append(f"alert: {dialog.message}")
        dialog.dismiss()

    def reset(self):
        self.page.evaluate("() => { window.cusPageError = false; }")
        self.errors = []
        self.log_at = self.server.log.stat().st_size

    def server_errors(self):
        with open(self.server.log, encoding='utf-8',
                errors='replace') as file:
            file.seek(self.log_at)
            text = file.read()
        return [line for line in text.splitlines()
            if re.search(r'\b(ERROR|CRITICAL)\b|Traceback', line)]


def _wait_idle(page):
    if not page.evaluate(WAIT_IDLE, SETTLE_TIMEOUT * 1000):
        raise AssertionError(f"sao still busy after {SETTLE_TIMEOUT} s")


def _dialog_errors(page):
    dialogs = page.locator(ERROR_DIALOGS)
    return [f"sao dialog: {' '.join(text.split())}"
        for text in dialogs.all_inner_texts()]


# Close the tabs (the last first), each given a few seconds: a tab whose
# record is modified asks whether to save it, and waits for the answer
CLOSE_TABS = """async () => {
    const timeout = new Promise(resolve => setTimeout(resolve, 3000));
    for (let i = 0; i < 20 && Sao.Tab.tabs.length; i++) {
        const tab = Sao.Tab.tabs[Sao.Tab.tabs.length - 1];
        try {
            await Promise.race([tab.close(), timeout]);
        } catch (e) {
            return false;
        }
        if (~Sao.Tab.tabs.indexOf(tab)) {
            return false;
        }
    }
    return true;
}"""


def _end_wizard(page, dialog):
    "Escape, pressed in the dialog as a user does, ends the wizard"
    target = dialog.locator('input:visible, select:visible, button:visible')
    (target.first if target.count() else dialog).press('Escape')
    dialog.wait_for(state='hidden', timeout=SETTLE_TIMEOUT * 1000)
    _wait_idle(page)


def _close_dialogs(page):
    "Close what dialogs are shown: end wizards, do not save, close errors"
    for _ in range(5):
        dialogs = page.locator('.modal.in')
        if not dialogs.count():
            return
        dialog = dialogs.last
        classes = dialog.evaluate("e => Array.from(e.classList)")
        if 'wizard-dialog' in classes:
            _end_wizard(page, dialog)
            continue
        elif 'confirmation-dialog' in classes:
            # "Save the record?" no (sur_3b), else cancel
            no = dialog.locator('.modal-footer button.btn-default')
            (no if no.count() else dialog.locator(
                    '.modal-footer button.btn-link')).first.click()
        else:
            close = dialog.locator('.modal-footer button.btn-primary')
            if close.count():
                close.first.click()
            else:
                dialog.press('Escape')
        _wait_idle(page)
    raise AssertionError("dialogs do not close: " + "; ".join(
            d.evaluate("e => e.className + ': ' + e.innerText")
            for d in page.locator('.modal.in').all()))


def _close_all(page):
    "Back to no tab and no dialog, whatever the entry left"
    _close_dialogs(page)
    for _ in range(3):
        if page.evaluate(CLOSE_TABS):
            break
        _wait_idle(page)
        _close_dialogs(page)
    else:
        raise AssertionError("the tabs do not close")
    _wait_idle(page)


def _wait_tab(page):
    try:
        page.wait_for_function("""() => {
            const tab = Sao.Tab.tabs.get_current();
            return tab && tab.screen && tab.screen.current_view;
        }""", timeout=SETTLE_TIMEOUT * 1000)
    except Exception:
        # reported by the caller as "no view shown"
        pass
    _wait_idle(page)


def _open_menu(page, menu):
    """Open a menu entry as sao's menu does and exercise what it shows;
    return the problems found"""
    problems = []
    page.evaluate("""(id) => Sao.Action.exec_keyword(
        'tree_open', {model: 'ir.ui.menu', id: id}, null, false)""",
        menu['id'])
    _wait_idle(page)
    problems += _dialog_errors(page)
    if problems:
        return problems
    kind = menu['action'].split(',')[0]
    if kind == 'ir.action.wizard':
        # Its dialog comes after a few requests; then it is cancelled
        shown = page.locator(f'.modal.in.wizard-dialog, {ERROR_DIALOGS}')
        shown.first.wait_for(timeout=SETTLE_TIMEOUT * 1000)
        _wait_idle(page)
        problems += _dialog_errors(page)
        if not problems:
            _end_wizard(page, page.locator('.modal.in.wizard-dialog').last)
        return problems
    if kind != 'ir.action.act_window':
        return problems
    # The tab may be shown a moment after the last request
    state = page.evaluate(TAB_STATE)
    if not state.get('view'):
        _wait_tab(page)
        problems += _dialog_errors(page)
        state = page.evaluate(TAB_STATE)
    if problems:
        return problems
    if not state.get('view'):
        return problems + [f"no view shown ({state})"]
    # A double click on a list without a form view opens nothing in sao
    if state['view'] == 'tree' and state['records'] and state['form']:
        # The first record activated as by a double click on its row
        # (clicking in the row could follow a link of a cell instead): a
        # form, or the action of a list that opens one (keyword_open)
        page.evaluate("""() => {
            const screen = Sao.Tab.tabs.get_current().screen;
            screen.current_record = screen.group[0];
            return screen.row_activate();
        }""")
        _wait_idle(page)
        problems += _dialog_errors(page)
        opened = page.evaluate(TAB_STATE)
        if problems or opened['tabs'] > state['tabs']:
            return problems
        if opened['view'] != 'form':
            return [f"the first record did not open in a form ({opened})"]
        if page.evaluate(
                "() => Sao.Tab.tabs.get_current().screen.modified()"):
            # sao would ask whether to save a record only looked at
            return ["the form of the first record is modified without any "
                "edit"]
        page.evaluate("""() => Sao.Tab.tabs.get_current().screen
            .switch_view('tree')""")
        _wait_idle(page)
        problems += _dialog_errors(page)
        back = page.evaluate(TAB_STATE)
        if back['tabs'] > state['tabs']:
            # The record opened in a tab of its own after the first look
            # (as above, only later on a loaded machine)
            return problems
        if not problems and back['view'] != 'tree':
            problems.append(f"the form did not switch back ({back})")
    return problems


@pytest.mark.parametrize('role', ROLES)
def test_menus_open(role, page, trytond_server, menu_users, browser_backend):
    "Each menu entry of the role opens (and its first record) without error"
    login_, password = menu_users[role]
    menus = _menus(trytond_server, login_, password)
    assert menus, f"{login_} is shown no menu entry"
    watch = Watch(page, trytond_server)
    login(page, trytond_server, login_, password)
    _wait_idle(page)
    # The watch sees an uncaught error of the page
    page.evaluate("() => setTimeout(() => { throw new Error('probe'); })")
    page.wait_for_timeout(100)
    assert any('probe' in e for e in watch.errors), watch.errors
    screenshots = harness.SCREENSHOTS / browser_backend
    failures = []
    start = time.monotonic()
    for menu in menus:
        watch.reset()
        try:
            problems = _open_menu(page, menu)
        except Exception as exception:
            problems = [f"{type(exception).__name__}: {exception}"]
        problems += watch.errors + watch.server_errors()
        if problems:
            path = screenshots / (
                f"menus-{role}-{harness.safe_name(menu['complete_name'])}"
                ".png")
            page.screenshot(path=str(path), animations='disabled')
            failures.append(f"{menu['complete_name']} ({menu['action']}): "
                + "; ".join(problems) + f" [{path}]")
        try:
            _close_all(page)
        except Exception as exception:
            path = screenshots / (
                f"menus-{role}-{harness.safe_name(menu['complete_name'])}"
                "-close.png")
            page.screenshot(path=str(path), animations='disabled')
            failures.append(
                f"{menu['complete_name']}: not closed: {exception} [{path}]")
            break
        if time.monotonic() - start > ROLE_TIMEOUT:
            failures.append(f"more than {ROLE_TIMEOUT} s: stopped after "
                f"{menu['complete_name']}")
            break
    print(f"{role}: {len(menus)} menu entries in "
        f"{time.monotonic() - start:.1f} s")
    assert not failures, (f"{len(failures)} of {len(menus)} menu entries "
        f"of {role} failed:\n" + "\n".join(failures))



def test_menus_catch_sao_crash(page, trytond_server, menu_users):
    """The checks of test_menus_open see the crash of sao 8 on a datetime
    column in a list (it has no list widget for datetime)

    A list of users with their creation date (a datetime), on a menu of
    admin's only, made over JSON-RPC and removed at the end."""
    server = trytond_server
    admin = _login_rpc(server, data.ADMIN_LOGIN, data.ADMIN_PASSWORD)

    def call(method, *params):
        return server.rpc(method, list(params) + [{}], session=admin)
    group, = server.rpc('model.res.group.search', [
            [('name', '=', "Administration")], 0, None, None,
            {'language': 'en'}], session=admin)
    view, = call('model.ir.ui.view.create', [{
                'model': 'res.user', 'type': 'tree',
                'arch': '<tree><field name="login"/>'
                '<field name="create_date"/></tree>',
                }])
    action, = call('model.ir.action.act_window.create', [{
                'name': "Datetime list", 'res_model': 'res.user',
                }])
    call('model.ir.action.act_window.view.create', [{
                'act_window': action, 'view': view, 'sequence': 1,
                }])
    reference = f'ir.action.act_window,{action}'
    menu, = call('model.ir.ui.menu.create', [{
                'name': "Datetime list", 'action': reference,
                'groups': [('add', [group])],
                }])
    try:
        watch = Watch(page, server)
        login(page, server, data.ADMIN_LOGIN, data.ADMIN_PASSWORD)
        _wait_idle(page)
        watch.reset()
        problems = _open_menu(page, {'id': menu, 'action': reference})
        errors = watch.errors
    finally:
        call('model.ir.ui.menu.delete', [menu])
        call('model.ir.action.act_window.delete', [action])
        call('model.ir.ui.view.delete', [view])
    assert any('ColumnFactory is not a constructor' in e for e in errors), (
        problems, errors)
