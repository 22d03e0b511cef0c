# This file is part of the CUS back office.
"""What the attack tests try, declared once: the routes each attack is
tried on, what must happen and the test that proves it.

ROUTES lists every web route of the CUS modules with its methods and the
attacks tried on it; test_attack_routes.test_route_inventory fails when a
route is added without an entry here. The table of docs/security.md is
generated from these declarations (python -m tests.security.table)."""
from collections import namedtuple

Attack = namedtuple('Attack', ['key', 'attack', 'where', 'expected', 'tests'])

ROUTES_TESTS = 'tests/security/test_attack_routes.py'
ROLES_TESTS = 'tests/security/test_attack_roles.py'
PORTAL_TESTS = 'addons/cus_partners/tests/test_portal.py'
SURVEY_TESTS = 'addons/cus_partners/tests/test_survey_routes.py'


def R(name):
    return (ROUTES_TESTS, 'RoutesAttackTestCase', name)


def P(name):
    return (ROLES_TESTS, 'RolesAttackTestCase', name)


def PORTAL(name):
    return (PORTAL_TESTS, 'PortalTestCase', name)


def SURVEY(name):
    return (SURVEY_TESTS, 'SurveyRoutesTestCase', name)


ATTACKS = [
    Attack('ids-url', "Another provider's id, an unknown id, 0 and a "
        "20-digit id in the URL",
        "orders/<id>, orders/<id>/week, contracts/<id> (GET); "
        "orders/<id>/deliveries, /week, /acknowledge, /accept (POST)",
        "404 page without any of the other provider's data; nothing "
        "recorded, order state unchanged",
        [R('test_other_provider_ids'), PORTAL('test_other_provider_by_url')]),
    Attack('ids-form', "Forged form fields: order, client, provider, service, "
        "state, web_user in the delivery forms; an order number of another "
        "provider in a CSV line",
        "orders/<id>/deliveries, orders/<id>/week, upload",
        "the extra fields are ignored (the delivery is the URL's order's, "
        "state reported); the CSV line is refused as an unknown order",
        [R('test_forged_form_fields'), PORTAL('test_forged_fields')]),
    Attack('lists', "Reading another provider's records through the lists "
        "and the CSV template",
        "portal/, orders, deliveries, contracts, alerts, upload/wzor.csv",
        "only the provider's own orders, deliveries and contracts",
        [PORTAL('test_other_provider_lists'),
            PORTAL('test_orders_are_scoped')]),
    Attack('csrf-missing', "POST without the CSRF token",
        "every POST route (login, logout, reset-password, set-password, "
        "acknowledge, accept, deliveries, week, upload, wniosek, ankieta)",
        "403, nothing changed", [R('test_csrf_every_form')]),
    Attack('csrf-forged', "POST with a forged token: random hex, the token "
        "of another provider's session, a public token without its cookie",
        "every POST route", "403, nothing changed",
        [R('test_csrf_every_form'), PORTAL('test_csrf_required')]),
    Attack('csrf-replayed', "A form token replayed after logout",
        "orders/<id>/deliveries, upload",
        "the session is gone: sent to the login page, nothing recorded",
        [R('test_csrf_replayed')]),
    Attack('sql', "SQL injection (' OR 1=1--, 1;DROP TABLE, unicode quotes, "
        "UNION SELECT) in every query parameter and form field",
        "uslugi ?grupa ?obszar, deliveries ?state, orders ?saved, week "
        "?start, login, reset-password, set-password, wniosek, ankieta",
        "no server error, no extra row shown, no login, tables intact",
        [R('test_sql_injection')]),
    Attack('sql-csv', "SQL injection in every cell of an uploaded CSV",
        "upload", "each line refused by name (unknown order, not a date, "
        "not a number) or the text stored as text; tables intact",
        [R('test_sql_injection_csv')]),
    Attack('xss-stored', "Script injection (<script>, \"><img onerror>, "
        "javascript: URL) in stored texts: delivery notes from the form and "
        "from a CSV, the upload's file name, an order's schedule",
        "order, deliveries, alerts and upload pages",
        "shown escaped, never as markup; CSP forbids inline scripts",
        [R('test_stored_script_injection'), PORTAL('test_escaping')]),
    Attack('xss-reflected', "Script injection reflected by a page: the "
        "online application re-shown with its errors, set-password's e-mail "
        "and token, week's start, login's e-mail, a survey answer",
        "wniosek, set-password, orders/<id>/week, login, ankieta",
        "escaped", [R('test_reflected_script_injection'),
            SURVEY('test_escaping')]),
    Attack('size-form', "A form body above 32 kB",
        "every POST route except upload",
        "413, nothing changed", [R('test_oversized_bodies')]),
    Attack('size-upload', "An upload above 2 MB; a CSV of 5 001 lines",
        "upload", "413; the long file refused with the limit named, nothing "
        "recorded", [R('test_oversized_uploads')]),
    Attack('malformed-upload', "Malformed uploads: binary, NUL bytes, UTF-16, "
        "one 1.5 MB line, an unclosed quote, no file",
        "upload", "400 with the reason, nothing recorded, no server error",
        [R('test_malformed_uploads'), PORTAL('test_upload_refused_files')]),
    Attack('csv-formula', "CSV formula injection (=cmd|' /C calc'!A0, +, -, "
        "@ at the start of a cell)",
        "upload/wzor.csv (the CSV we produce); uploaded notes",
        "a cell of the template never starts with = + - @ (prefixed with "
        "'); uploaded notes are stored as text and the XLSX reports write "
        "strings, never formulas",
        [R('test_csv_formula_neutralised')]),
    Attack('traversal', "Path traversal and odd names in the database part "
        "of the URL (.., %2e%2e, %2f, NUL, \\, an unknown database)",
        "every route", "404, never a file nor another database",
        [R('test_database_name_traversal')]),
    Attack('filename', "Path traversal and markup in the upload's file name",
        "upload", "kept as a label only (100 characters), escaped, never "
        "used as a path", [R('test_stored_script_injection')]),
    Attack('methods', "HTTP method tampering (PUT, DELETE, PATCH; POST on "
        "GET-only pages; GET on POST-only actions)",
        "every route", "405, nothing changed", [R('test_method_tampering')]),
    Attack('brute-force', "Brute-force login, the e-mail's case varied at "
        "each try", "portal/login",
        "429 after [session] max_attempt failures, even with the right "
        "password", [R('test_brute_force_case_variants'),
            PORTAL('test_login_rate_limited')]),
    Attack('brute-force-network', "Brute-force login over many e-mails from "
        "one network", "portal/login",
        "429 after [session] max_attempt_ip_network tries",
        [R('test_brute_force_per_network')]),
    Attack('enumeration', "Probing which e-mails have an account",
        "portal/login, portal/reset-password",
        "the same answer for a known and an unknown e-mail",
        [R('test_login_does_not_reveal_email'),
            PORTAL('test_password_reset')]),
    Attack('reset-token', "Guessing the password reset token",
        "portal/set-password", "400, no password set; each wrong try "
        "counted (web_user slows the next ones exponentially)",
        [R('test_set_password_token_guessing')]),
    Attack('fixation', "Session fixation: a session cookie planted before "
        "the login", "portal/login",
        "a new random session key at login; the planted value is no session",
        [R('test_session_fixation')]),
    Attack('cookies', "Session and CSRF cookie flags",
        "portal/login, public forms",
        "HttpOnly, SameSite, path of the portal, Secure over HTTPS",
        [R('test_session_cookie_flags')]),
    Attack('headers', "Caching and framing of the pages",
        "every GET route, redirects, 404 and the CSV",
        "Cache-Control: no-store, X-Frame-Options: DENY, nosniff, CSP "
        "frame-ancestors 'none'", [R('test_headers_every_route')]),
    Attack('redirect', "Open redirect through next=, redirect=, url= and "
        "a Host header", "portal/login, logout, the pages without session",
        "every Location is a path of this site", [R('test_open_redirect')]),
    Attack('survey-token', "Guessing a survey token: unknown, too short, too "
        "long, injected", "ankieta/<token>",
        "the same 404 page as a used or expired link",
        [R('test_survey_token_guessing'), SURVEY('test_invalid_links')]),
    Attack('survey-reuse', "Answering a survey link twice", "ankieta/<token>",
        "the second answer refused with the page of an invalid link",
        [SURVEY('test_answer_once')]),
    Attack('mass-assignment', "Mass assignment: fields not in the form "
        "(state, client, channel, programme, coordinator, online_consent, "
        "number) posted to the online application",
        "wniosek", "ignored: a submitted online application of a new client",
        [R('test_application_mass_assignment'),
            PORTAL('test_online_application_existing_client')]),
    Attack('flood', "A flood of online applications from one network",
        "wniosek, reset-password", "429 after [cus] public_max_per_network",
        [PORTAL('test_online_application_rate_limited')]),
    Attack('errors', "An unexpected failure of a page (a database or "
        "programming error)", "every route (the page wrappers)",
        "500 without the exception's text (it stays in the server log), "
        "the transaction rolled back", [R('test_error_details_hidden')]),
    Attack('inventory', "A route added without an attack entry",
        "the URL map of trytond's WSGI app", "the test fails",
        [R('test_route_inventory')]),
    Attack('roles', "Every role against every model of cus_base, cus_ipus, "
        "cus_partners and cus_osl: read, create, write, delete",
        "ir.model.access through ModelAccess.check as the user",
        "exactly what the declared policy allows",
        [P('test_model_access_policy')]),
    Attack('menus', "A role opening the menus of models it cannot read",
        "ir.ui.menu as each role", "no such menu is shown",
        [P('test_menus_readable')]),
    Attack('art9', "Reading the GDPR art. 9 fields (health, disability, "
        "problems, processing basis; the needs assessment's content)",
        "party.party, cus.needs.assessment", "only director, organiser and "
        "coordinator", [P('test_sensitive_fields')]),
    Attack('isolation', "Coordinator A reading coordinator B's plans and "
        "needs assessments (search, read, write)",
        "cus.ipus, cus.needs.assessment", "refused (record rules)",
        [P('test_coordinator_isolation')]),
    Attack('rpc-portal', "A portal user (web.user) calling JSON-RPC: login "
        "with its e-mail and password, its portal session as a staff "
        "session", "/<db>/ JSON-RPC", "refused",
        [P('test_portal_user_json_rpc')]),
    Attack('rpc-readonly', "A staff user writing readonly and Function "
        "fields over JSON-RPC (state, number, signed dates, computed sums)",
        "model.<name>.write", "refused, nothing changed",
        [P('test_rpc_readonly_fields')]),
    Attack('rpc-private', "Calling private methods and class methods not "
        "in __rpc__ over JSON-RPC (_check_access, __setup__, create_rule, "
        "submit_application, find_by_token...)",
        "model.<name>.<method>", "403 Forbidden",
        [P('test_rpc_private_methods')]),
    ]

ATTACK_KEYS = {a.key for a in ATTACKS}

# Every web route of the CUS modules: its methods and the attacks tried on it.
_PORTAL_GET = ['headers', 'methods', 'traversal', 'redirect', 'errors']
_PORTAL_POST = ['csrf-missing', 'csrf-forged', 'size-form', 'methods',
    'traversal', 'errors']
ROUTES = {
    '/<database_name>/portal/login': ({'GET', 'POST'}, [
            'csrf-missing', 'csrf-forged', 'sql', 'xss-reflected',
            'size-form', 'brute-force', 'brute-force-network',
            'enumeration', 'fixation', 'cookies', 'redirect', 'headers',
            'methods', 'traversal', 'errors']),
    '/<database_name>/portal/logout': ({'POST'}, _PORTAL_POST + [
            'redirect', 'csrf-replayed']),
    '/<database_name>/portal/reset-password': ({'GET', 'POST'}, [
            'csrf-missing', 'csrf-forged', 'sql', 'size-form',
            'enumeration', 'flood', 'headers', 'methods', 'traversal',
            'errors']),
    '/<database_name>/portal/set-password': ({'GET', 'POST'}, [
            'csrf-missing', 'csrf-forged', 'sql', 'xss-reflected',
            'size-form', 'reset-token', 'headers', 'methods', 'traversal',
            'errors']),
    '/<database_name>/portal/': ({'GET'}, _PORTAL_GET + ['lists']),
    '/<database_name>/portal/orders': ({'GET'}, _PORTAL_GET + ['lists']),
    '/<database_name>/portal/orders/<int:order_id>': ({'GET'},
        _PORTAL_GET + ['ids-url', 'sql', 'xss-stored']),
    '/<database_name>/portal/orders/<int:order_id>/acknowledge': ({'POST'},
        _PORTAL_POST + ['ids-url']),
    '/<database_name>/portal/orders/<int:order_id>/accept': ({'POST'},
        _PORTAL_POST + ['ids-url']),
    '/<database_name>/portal/orders/<int:order_id>/deliveries': ({'POST'},
        _PORTAL_POST + ['ids-url', 'ids-form', 'sql', 'xss-stored',
            'csrf-replayed']),
    '/<database_name>/portal/orders/<int:order_id>/week': ({'GET', 'POST'},
        _PORTAL_POST + _PORTAL_GET + ['ids-url', 'ids-form', 'sql',
            'xss-reflected']),
    '/<database_name>/portal/deliveries': ({'GET'},
        _PORTAL_GET + ['lists', 'sql', 'xss-stored']),
    '/<database_name>/portal/upload': ({'GET', 'POST'}, [
            'csrf-missing', 'csrf-forged', 'csrf-replayed', 'ids-form',
            'sql-csv', 'xss-stored', 'size-upload', 'malformed-upload',
            'csv-formula', 'filename'] + _PORTAL_GET),
    '/<database_name>/portal/upload/wzor.csv': ({'GET'},
        _PORTAL_GET + ['lists', 'csv-formula']),
    '/<database_name>/portal/contracts': ({'GET'}, _PORTAL_GET + ['lists']),
    '/<database_name>/portal/contracts/<int:contract_id>': ({'GET'},
        _PORTAL_GET + ['ids-url']),
    '/<database_name>/portal/alerts': ({'GET'},
        _PORTAL_GET + ['lists', 'xss-stored']),
    '/<database_name>/uslugi': ({'GET'}, ['sql', 'headers', 'methods',
            'traversal', 'errors']),
    '/<database_name>/wniosek': ({'GET', 'POST'}, [
            'csrf-missing', 'csrf-forged', 'sql', 'xss-reflected',
            'size-form', 'mass-assignment', 'flood', 'headers', 'methods',
            'traversal', 'errors']),
    '/<database_name>/ankieta/<token>': ({'GET', 'POST'}, [
            'csrf-missing', 'csrf-forged', 'sql', 'xss-reflected',
            'size-form', 'survey-token', 'survey-reuse', 'headers',
            'methods', 'traversal', 'errors']),
    }

# What each attack ends in, as the table shows it.
RESULTS = {
    'ids-url': "refused (404)", 'ids-form': "ignored",
    'lists': "not shown", 'csrf-missing': "refused (403)",
    'csrf-forged': "refused (403)", 'csrf-replayed': "refused (login)",
    'sql': "neutralised", 'sql-csv': "neutralised",
    'xss-stored': "escaped", 'xss-reflected': "escaped",
    'size-form': "refused (413)", 'size-upload': "refused (413/400)",
    'malformed-upload': "refused (400)", 'csv-formula': "neutralised",
    'traversal': "refused (404)", 'filename': "neutralised",
    'methods': "refused (405)", 'brute-force': "refused (429)",
    'brute-force-network': "refused (429)", 'enumeration': "same answer",
    'reset-token': "refused (400)", 'fixation': "new session",
    'cookies': "flags set", 'headers': "headers set",
    'redirect': "same site only", 'survey-token': "refused (404)",
    'survey-reuse': "refused (404)", 'mass-assignment': "ignored",
    'flood': "refused (429)", 'errors': "no details (500)",
    'inventory': "test fails", 'roles': "as declared",
    'art9': "refused", 'menus': "not shown", 'isolation': "refused", 'rpc-portal': "refused (401)",
    'rpc-readonly': "refused", 'rpc-private': "refused (403)",
    }

# Holes the attacks found, and their fixes (each proven by the tests above).
FIXES = [
    ("A 20-digit id in an order or contract URL was a server error on SQLite "
        "(the id cannot be bound)", "ids above 2^31-1 are not found "
        "(cus_partners/portal.py)", 'ids-url'),
    ("An unclosed quote in an uploaded CSV swallowed the next lines into one "
        "delivery's notes, recording fewer deliveries than the file had",
        "a quoted value over several lines refuses its line, by number "
        "(portal.py, message msg_portal_row_multiline)", 'malformed-upload'),
    ("The template CSV wrote order numbers as they are: a number starting "
        "with = + - @ would be a formula in a spreadsheet",
        "such a cell is prefixed with ' (routes.py _csv_cell)", 'csv-formula'),
    ("A refused form (403) had no Cache-Control and framing headers",
        "refusals carry the pages' headers (routes.py _forbidden)", 'headers'),
    ("An unexpected failure of a page answered with the exception's text (a "
        "database message)", "a bare 500; the text stays in the log "
        "(routes.py _unexpected)", 'errors'),
    ("A coordinator could read, change and delete the needs assessments "
        "(health, disability, problems) of other coordinators' clients",
        "record rules as for the plans (cus_ipus/assessment.xml)",
        'isolation'),
    ("Any user with write access could write a readonly field over JSON-RPC: "
        "a coordinator approved his own plan by writing its state",
        "no role may write the state of a workflow model nor the approval, "
        "signature, decision and payment stamps (addons/*/rpc_access.xml)",
        'rpc-readonly'),
    ]
