"""Look at the web client as a user: log in to a running demo and take
screenshots of a few screens (developer tool, not a test).

    python scripts/screenshots.py --login organizator --password ... \
        [--url http://127.0.0.1:8000/] [--db cus_demo] [--out var/screenshots]

Uses Debian's Chromium through the playwright package (no browser
download).
"""
import argparse
import pathlib

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run']


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--url', default='http://127.0.0.1:8000/')
    parser.add_argument('--db', default='cus_demo')
    parser.add_argument('--login', required=True)
    parser.add_argument('--password', required=True)
    parser.add_argument('--out', default='var/screenshots')
    parser.add_argument(
        '--menu', action='append', default=[],
        help="Menu path to open, e.g. 'Usługi społeczne/Baza usług'")
    parser.add_argument(
        '--search', default='', help="Text typed in the list's search box")
    parser.add_argument(
        '--open-first', action='store_true',
        help="Open the first record of the list")
    parser.add_argument(
        '--tab', action='append', default=[],
        help="Notebook page of the form to show (its label)")
    parser.add_argument(
        '--record', action='append', default=[],
        help="A record to open in its form, as model/id (e.g. cus.ipus/5)")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path='/usr/bin/chromium', args=CHROMIUM_ARGS)
        page = browser.new_page(
            locale='pl-PL', viewport={'width': 1400, 'height': 900})
        page.goto(args.url + '#' + args.db)
        # sao 8 asks the login first, then the password
        page.wait_for_selector('#login', timeout=30000)
        page.fill('#login', args.login)
        page.keyboard.press('Enter')
        password = page.locator('input[type="password"]').first
        password.wait_for(timeout=30000)
        password.fill(args.password)
        password.press('Enter')
        page.wait_for_timeout(4000)
        page.screenshot(path=str(out / 'home.png'))
        for i, menu in enumerate(args.menu):
            for label in menu.split('/'):
                page.get_by_text(label, exact=True).first.click()
                page.wait_for_timeout(1500)
            page.wait_for_timeout(2500)
            if args.search:
                # the search entry of the list (not the action box on top)
                box = page.locator(
                    'input.mousetrap:not(#global-search-entry)').last
                box.fill(args.search)
                box.press('Enter')
                page.wait_for_timeout(2500)
            page.screenshot(path=str(out / f'menu{i}.png'))
            if args.open_first:
                # select the first row, then switch to the form view
                rows = page.locator('table.tree tbody tr td:visible')
                if args.search:
                    rows = rows.filter(has_text=args.search)
                (rows.first if args.search else rows.nth(4)).click()
                page.locator(
                    '[title="Przełącz"]:visible, [title="Switch"]:visible'
                    ).first.click()
                page.wait_for_timeout(3000)
                page.screenshot(path=str(out / f'menu{i}_form.png'))
                for j, tab in enumerate(args.tab):
                    page.get_by_text(tab, exact=True).first.click()
                    page.wait_for_timeout(1500)
                    page.screenshot(
                        path=str(out / f'menu{i}_form_tab{j}.png'))
        for k, record in enumerate(args.record):
            page.goto(f'{args.url}#{args.db}/model/{record}')
            page.wait_for_timeout(4000)
            page.screenshot(path=str(out / f'record{k}.png'))
            for j, tab in enumerate(args.tab):
                page.get_by_text(tab, exact=True).first.click()
                page.wait_for_timeout(1500)
                page.screenshot(path=str(out / f'record{k}_tab{j}.png'))
        browser.close()
    print(f"screenshots in {out}")


if __name__ == '__main__':
    main()
