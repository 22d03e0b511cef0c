# This file is part of the CUS back office.
"""End-to-end tests of the partner portal and the public pages

A provider on a phone reports a week of deliveries, uploads a CSV with one
bad row and sees nothing recorded and the row named; the other provider is
refused the first one's pages; a resident applies online and the
coordinator's list in sao shows the application."""
import datetime as dt
import time

import pytest
from cus_base.tests.tools import valid_pesel
from playwright.sync_api import expect

from . import data, harness
from .harness import shot
from .sao import current_tab, login, open_menu, open_tab

PHONE = {'width': 390, 'height': 844}


@pytest.fixture
def phone(request, chromium, browser_backend):
    "A page on a phone-sized touch screen"
    context = chromium.new_context(
        locale='pl-PL', timezone_id='Europe/Warsaw', viewport=PHONE,
        is_mobile=True, has_touch=True, device_scale_factor=2)
    context.set_default_timeout(15_000)
    context.set_default_navigation_timeout(30_000)
    page = context.new_page()
    harness.register_page(
        page, harness.SCREENSHOTS / browser_backend,
        request.node.name + '-phone')
    try:
        yield page
    finally:
        harness.unregister_page(page)
        context.close()


def portal_url(server, path=''):
    return f'{server.url}{server.database}/portal/{path}'


def portal_login(page, server, provider):
    details = data.PROVIDERS[provider]
    page.goto(portal_url(server, 'login'))
    expect(page.get_by_role('heading', level=1)).to_have_text(
        "Portal usługodawcy: logowanie")
    page.get_by_label("E-mail").fill(details['email'])
    page.get_by_label("Hasło").fill(details['password'])
    page.get_by_role('button', name="Zaloguj").click()
    expect(page.get_by_role('heading', level=1)).to_contain_text("Witaj")


def deliveries_of(server, order_id):
    "The deliveries of an order, read by the director through JSON-RPC"
    login = data.LOGINS['director']
    session = server.rpc(
        'common.db.login', [login, {'password': data.PASSWORDS[login]}, 'pl'])
    user, key = session[0], session[1]
    return server.rpc('model.cus.service.delivery.search_read', [
            [('order', '=', order_id)], 0, None, None,
            ['date', 'quantity', 'state'], {}], session=(login, user, key))


def test_provider_reports_a_week_on_a_phone(
        phone, trytond_server, browser_db, browser_backend):
    "A provider on a phone sees its orders and reports a week at once"
    page = phone
    number = browser_db.ids['order_numbers']['coop']
    order_id = browser_db.ids['orders']['coop']
    portal_login(page, trytond_server, 'coop')
    shot(page, 'home')
    # Its order, with the client's name; not the other provider's order
    card = page.locator('.card', has_text=number)
    expect(card).to_contain_text(data.CLIENT['name'])
    expect(page.locator('main')).not_to_contain_text(
        browser_db.ids['order_numbers']['foundation'])
    expect(page.locator('main')).not_to_contain_text(data.CLIENT['pesel'])

    page.get_by_role('link', name="Zlecenia", exact=True).click()
    expect(page.locator('.card', has_text=number)).to_be_visible()
    shot(page, 'orders')
    page.locator('.card', has_text=number).get_by_role(
        'link', name="Usługi opiekuńcze").click()
    expect(page.get_by_text("Adres realizacji")).to_be_visible()
    expect(page.locator('main')).not_to_contain_text(data.CLIENT['pesel'])
    shot(page, 'order')

    before = len(deliveries_of(trytond_server, order_id))
    started = time.monotonic()
    page.get_by_role('link', name="Zgłoś tydzień").first.click()
    inputs = page.locator('table.week input[name^="q-"]')
    expect(inputs.first).to_be_visible()
    count = min(inputs.count(), 5)
    for i in range(count):
        inputs.nth(i).fill('1')
    shot(page, 'week')
    page.get_by_role('button', name="Zgłoś tydzień").click()
    expect(page.get_by_role('status')).to_have_text(
        f"Zapisane realizacje: {count}.")
    elapsed = time.monotonic() - started
    # Recorded for review beside the screenshots, not a timed assertion
    (harness.SCREENSHOTS / browser_backend / 'week-report.txt').write_text(
        f"week of {count} deliveries reported on a phone in "
        f"{elapsed:.1f} s (browser time, from the order page)\n")
    shot(page, 'week-saved')
    deliveries = deliveries_of(trytond_server, order_id)
    assert len(deliveries) == before + count
    assert {d['state'] for d in deliveries} == {'reported'}


def _csv(rows):
    return ('zlecenie;data;ilosc;czas;uwagi\r\n'
        + ''.join(r + '\r\n' for r in rows)).encode('utf-8')


def test_upload_with_a_bad_row_records_nothing(
        page, trytond_server, browser_db, tmp_path):
    "A CSV with one bad row: nothing recorded, the row named"
    number = browser_db.ids['order_numbers']['coop']
    order_id = browser_db.ids['orders']['coop']
    today = dt.date.today()
    start = data.plan_dates(today)['valid_from']
    day = min(start + dt.timedelta(days=1), today)
    portal_login(page, trytond_server, 'coop')
    before = len(deliveries_of(trytond_server, order_id))

    bad = tmp_path / 'realizacje.csv'
    outside = (start - dt.timedelta(days=40)).strftime('%d.%m.%Y')
    bad.write_bytes(_csv([
                f'{number};{day.isoformat()};1;1;',
                f'{number};{outside};1;;przed zleceniem',
                f'{number};{day.isoformat()};0,5;;',
                ]))
    page.get_by_role('link', name="Import CSV").click()
    page.get_by_label("Plik CSV").set_input_files(str(bad))
    page.get_by_role('button', name="Wyślij plik").click()
    errors = page.locator('#upload-errors')
    expect(errors).to_contain_text(
        "Nic nie zostało zapisane: popraw te wiersze")
    row = errors.locator('tbody tr')
    expect(row).to_have_count(1)
    expect(row.locator('td').first).to_have_text('3')
    expect(row).to_contain_text(f"poza okresem zlecenia {number}")
    shot(page, 'upload-refused')
    assert len(deliveries_of(trytond_server, order_id)) == before

    good = tmp_path / 'poprawione.csv'
    good.write_bytes(_csv([
                f'{number};{day.isoformat()};1;1;',
                f'{number};{day.isoformat()};0,5;;',
                ]))
    page.get_by_label("Plik CSV").set_input_files(str(good))
    page.get_by_role('button', name="Wyślij plik").click()
    expect(page.get_by_role('status')).to_contain_text(
        "Zapisane realizacje z pliku poprawione.csv: 2.")
    shot(page, 'upload-saved')
    assert len(deliveries_of(trytond_server, order_id)) == before + 2

    page.get_by_role('link', name="Realizacje").click()
    expect(page.locator('table')).to_contain_text(number)
    shot(page, 'deliveries')
    page.get_by_role('link', name="Umowy").click()
    expect(page.locator('main .card').first).to_be_visible()
    shot(page, 'contracts')


def test_other_provider_is_refused(page, trytond_server, browser_db):
    "The second provider cannot open the first one's order or contract"
    ids = browser_db.ids
    portal_login(page, trytond_server, 'foundation')
    for path in [
            f"orders/{ids['orders']['coop']}",
            f"orders/{ids['orders']['coop']}/week",
            f"contracts/{ids['contracts']['coop']}"]:
        response = page.goto(portal_url(trytond_server, path))
        assert response.status == 404, path
        expect(page.get_by_role('heading', level=1)).to_have_text(
            "Nie znaleziono")
        expect(page.locator('main')).not_to_contain_text(
            data.CLIENT['name'])
    shot(page, 'refused')
    # A forged POST on the other provider's order records nothing
    before = len(deliveries_of(trytond_server, ids['orders']['coop']))
    response = page.request.post(
        portal_url(trytond_server, f"orders/{ids['orders']['coop']}/deliveries"),
        form={'date': dt.date.today().isoformat(), 'quantity': '1'})
    assert response.status == 403
    assert len(deliveries_of(trytond_server, ids['orders']['coop'])) == before
    # Its own order is there
    page.goto(portal_url(trytond_server, 'orders'))
    expect(page.locator('main')).to_contain_text(
        ids['order_numbers']['foundation'])
    expect(page.locator('main')).not_to_contain_text(
        ids['order_numbers']['coop'])


def test_resident_applies_online(phone, page, trytond_server):
    "A resident applies online; the coordinator's list shows it"
    form = phone
    form.goto(f'{trytond_server.url}{trytond_server.database}/uslugi')
    expect(form.get_by_role('heading', level=1)).to_have_text(
        "Katalog usług społecznych")
    expect(form.locator('.service h3', has_text="Taksówka dla seniora")
        ).to_be_visible()
    shot(form, 'catalogue')
    form.locator('.service', has_text="Taksówka dla seniora").get_by_role(
        'link', name="Złóż wniosek o tę usługę").click()
    expect(form.get_by_role('heading', level=1)).to_have_text(
        "Wniosek o usługi społeczne")
    form.get_by_label("Imię", exact=True).fill("Teresa")
    form.get_by_label("Nazwisko", exact=True).fill("Kwiatkowska")
    form.get_by_label("PESEL").fill(valid_pesel(dt.date(1944, 5, 14), 145))
    form.get_by_label("Ulica i numer").fill("ul. Iłżecka 12 m. 4")
    form.get_by_label("Kod pocztowy").fill("27-200")
    form.get_by_label("Miejscowość").fill("Starachowice")
    form.get_by_label("Telefon").fill("600 123 456")
    expect(form.get_by_label("Taksówka dla seniora")).to_be_checked()
    form.get_by_label("Twoje potrzeby, własnymi słowami").fill(
        "Dojazdy do przychodni dwa razy w miesiącu.")
    # Without the consent the form is refused, nothing is lost
    form.get_by_role('button', name="Wyślij wniosek").click()
    expect(form.locator('.errors')).to_contain_text(
        "wyraź zgodę na przetwarzanie danych osobowych")
    expect(form.get_by_label("Nazwisko", exact=True)).to_have_value("Kwiatkowska")
    form.get_by_label("Oświadczam, że spełniam warunki").check()
    expect(form.locator('.legal')).to_contain_text("art. 9 ust. 2")
    form.get_by_label("Wyrażam zgodę na przetwarzanie").check()
    shot(form, 'application')
    form.get_by_role('button', name="Wyślij wniosek").click()
    expect(form.get_by_role('heading', level=1)).to_have_text(
        "Wniosek przyjęty")
    number = form.locator('#confirmation').inner_text()
    assert number
    shot(form, 'application-received')

    login(page, trytond_server, data.LOGINS['coordinator'])
    open_menu(page, "Usługi społeczne", "Wnioski")
    tab = current_tab(page)
    open_tab(page, "Złożone")
    row = tab.locator('table.tree tbody tr', has_text=number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Teresa Kwiatkowska")
    shot(page, 'coordinator-applications')
