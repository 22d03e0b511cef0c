# This file is part of the CUS back office.
"""The declared access policy: what each CUS role may do with each model
of cus_base, cus_ipus, cus_partners and cus_osl

Written from the README's Roles table and the access XML of the modules.
test_attack_roles checks every model of the four modules (ir.model, so a
new model without an entry here fails) against it for every role, in both
directions: an allowed action the policy forbids fails, and so does a
forbidden-by-policy action that is allowed.

A rule is a row of rights per role in ROLES order, 'r' read, 'c' create,
'w' write, 'd' delete, '-' nothing; ``why`` gives the reason of each "must
not". Two kinds of models have no rights to declare: TRANSIENT ones (wizard
forms and the contexts of the reports: ModelView without storage) and
INTERNAL ones (ModelSQL without ModelView: relation tables and technical
tables that JSON-RPC cannot reach, only the fields of their parent); the
test checks that they really are so.
"""
from collections import namedtuple

ROLES = ['director', 'organiser', 'coordinator', 'community', 'finance',
    'admin', 'dpo']
ROLE_NAMES = {
    'director': "CUS Director",
    'organiser': "Organiser of Social Services",
    'coordinator': "Plan Coordinator",
    'community': "Community Organiser",
    'finance': "CUS Finance",
    'admin': "CUS Administrator",
    'dpo': "Data Protection Officer",
    }
MODES = {'r': 'read', 'c': 'create', 'w': 'write', 'd': 'delete'}

Rule = namedtuple('Rule', ['name', 'rights', 'why'])
TRANSIENT = 'transient'
INTERNAL = 'internal'


def rule(name, row, why):
    cells = row.split()
    assert len(cells) == len(ROLES), row
    return Rule(name, dict(zip(ROLES, (
                    '' if c == '-' else c for c in cells))), why)


CASES = rule("Individual cases", 'rcwd rcwd rcwd - - - -',
    "Client cases hold GDPR art. 9 data. Community organiser: \"no "
    "individual cases\"; finance: \"no plan content\"; administrator: "
    "configuration only.")
CASE_COMPUTED = rule("Computed case lists", 'rw rw rw - - - -',
    "A list computed from the plans (no create nor delete: rows follow the "
    "plans); not for community, finance, administrator: no individual "
    "cases.")
CASE_RESULTS = rule("Case statistics", 'r r r - - - -',
    "Read-only figures of the surveys of the coordinators' clients; not "
    "for community, finance, administrator: no individual cases.")
POMOST_LOG = rule("Pomost import log", 'rd rd r - - - -',
    "The log of imported client files: read by who imports; removed only "
    "by the organiser and the director; never written by hand; nobody "
    "else sees client data.")
SUMMARIES = rule("Half-yearly summaries", 'rcwd rcwd r r - - -',
    "Drawn up by the organiser (and director); coordinators and the "
    "community organiser read them (README: community \"half-yearly "
    "summaries\"); finance and administrator have no part.")
SERVICE_BASE = rule("Service base", 'rcw rcw r r r rcwd r',
    "Kept by the organiser (and director); deleting is configuration "
    "(administrator); the other roles read the catalogue.")
CAPACITY = rule("Provider capacity", 'rcwd rcwd r r r r r',
    "What a provider gives to the service base is agreed with the "
    "organiser (and director), who run procurement and contracts; the "
    "other roles read it (it no longer follows the access of the provider "
    "party, which coordinators and community organisers may edit as "
    "clients and members).")
SETTINGS = rule("Configuration", 'r r r r r rcwd r',
    "Configuration (sequences, areas of art. 2): only the CUS "
    "administrator changes it (README Roles).")
TARGET_GROUPS = rule("Target groups", 'r rcw r r r rcwd r',
    "Configuration: the administrator; the organiser adds groups for the "
    "programme; the others read.")
PROGRAMME = rule("Programme of social services", 'rcwd rcwd r r r r r',
    "Drawn up by the organiser, adopted by the director; read by the "
    "others.")
PROCUREMENT = rule("Procurement", 'rcwd rcwd - - r - -',
    "The organiser runs procurements to the award; finance reads; "
    "coordinators, community organiser and administrator have no part.")
PROGRAMME_REPORT = rule("Programme reports", 'rcwd rcwd - - r - -',
    "Drawn up by the organiser and director, read by finance; no part "
    "for the others.")
CONTRACTS = rule("Contracts and orders", 'rcwd rcwd r - r - -',
    "The organiser activates contracts and sends orders; coordinators "
    "read those of their plans, finance reads; the community organiser and "
    "the administrator have no part (orders name clients).")
SETTLEMENTS = rule("Settlements", 'rcwd rcwd - - r - -',
    "Drawn up by the organiser; finance approves and pays through the "
    "buttons (read only, no hand edits); settlements list the deliveries "
    "of clients: no coordinator, community or administrator access.")
BUDGETS = rule("Budgets", 'r r - - rcwd - -',
    "Edited by finance (README), read by the organiser and the director "
    "(who approves through the button); no part for the others.")
SPONSORSHIP = rule("\"Cicha pomoc\"", 'r rcwd r - rcwd - -',
    "Kept by the organiser and finance; the director and coordinators "
    "read; it names helped clients: not for the community organiser nor "
    "the administrator.")
PARTNERSHIP = rule("Partnerships", 'rcwd rcwd r r - - -',
    "Kept by the organiser; coordinators and the community organiser "
    "read; no part for finance and the administrator.")
INDICATORS = rule("Indicators", 'r r - r r - -',
    "Read-only figures; finance and the community organiser only those of "
    "their audience (record rules); coordinators and the administrator "
    "have no part.")
INDICATOR_PACKAGES = rule("Indicators of packages", 'r r - - - - -',
    "Figures of the packages of individual plans: the director and the "
    "organiser only.")
INDICATOR_SERVICES = rule("Indicators of services", 'r r - - r - -',
    "Figures of the services: the director, the organiser and finance.")
OSL = rule("Community organising (OSL)", 'r r r rcwd - - -',
    "The community organiser's work; the director, organiser and "
    "coordinators read it; finance and the administrator have no part.")
OSL_PARTICIPATION = rule("Participations in OSL activities",
    'r r rc rcwd - - -',
    "As OSL, and coordinators refer their clients (create); only the "
    "community organiser changes or removes a participation.")
OSL_VIEWS = rule("OSL board and calendar", 'r r r r - - -',
    "Computed views of the OSL plan: read-only; not for finance nor the "
    "administrator.")

AUDIT = rule("Audit trail", 'r - - - - r r',
    "Who read and changed which client's data: read by the director, the "
    "data protection officer and the administrator; written by the server "
    "only; the staff it watches do not read it.")
CONSENTS = rule("Consents", 'rcw rcw rcw - - - r',
    "Recorded by the case roles; withdrawn through the button, never "
    "deleted (the proof of a consent is kept); the data protection officer "
    "reads; community, finance and administrator have no part in cases.")
PROCESSING = rule("Register of processing activities", 'r r - - - rcwd rcwd',
    "Kept by the data protection officer and the administrator; the "
    "director and the organiser read it; no part for the others.")
RETENTION_RULES = rule("Retention rules", 'rcw r - - - rcwd r',
    "Set by the administrator and the director (no delete: a rule is "
    "deactivated); read by the organiser and the data protection officer.")
RETENTION_RUNS = rule("Anonymisation runs", 'r r - - - r r',
    "The log of the anonymisation job: written by the server only, read by "
    "the director, organiser, administrator and data protection officer.")

# The reason of every refusal to the data protection officer, said once.
DPO_WHY = ("The data protection officer monitors the processing (GDPR art. "
    "39): he reads the configuration, the catalogue, the programme, the "
    "consents, the audit trail, the retention rules and runs, and keeps the "
    "register of processing activities; he has no access to the cases, the "
    "community work, the contracts, orders, settlements and budgets.")

T = (TRANSIENT, "A form of a wizard or a report's context: no storage, "
    "nothing to read or write.")
I = (INTERNAL, "Not reachable over JSON-RPC: a relation table written "
    "through its parent's field or a technical table of the server.")

POLICY = {
    # cus_base
    'cus.configuration': SETTINGS,
    'cus.service.area': SETTINGS,
    'cus.target.group': TARGET_GROUPS,
    'cus.service': SERVICE_BASE,
    'cus.service.component': SERVICE_BASE,
    'cus.service.package': SERVICE_BASE,
    'cus.service-cus.service.area': I,
    'cus.service-cus.target.group': I,
    'cus.service-party.party': I,
    'cus.service.package-cus.service.area': I,
    'cus.service.package-cus.target.group': I,
    'cus.programme': PROGRAMME,
    'cus.programme.line': PROGRAMME,
    'cus.programme-cus.target.group': I,
    'party.party-cus.target.group': I,
    'cus.pomost.import.log': POMOST_LOG,
    'cus.pomost.import.progress': I,
    'cus.pomost.import.start': T,
    'cus.pomost.import.column': T,
    'cus.pomost.import.columns': T,
    'cus.pomost.import.preview': T,
    'cus.pomost.import.preview.error': T,
    'cus.audit.access': AUDIT,
    'cus.audit.trail': AUDIT,
    'cus.client.consent': CONSENTS,
    'cus.processing.activity': PROCESSING,
    'cus.processing.activity-ir.model': I,
    'cus.retention.rule': RETENTION_RULES,
    'cus.retention.run': RETENTION_RUNS,
    # cus_ipus
    'cus.enquiry': CASES,
    'cus.enquiry-cus.service': I,
    'cus.application': CASES,
    'cus.application.line': CASES,
    'cus.needs.assessment': CASES,
    'cus.needs.assessment.line': CASES,
    'cus.ipus': CASES,
    'cus.ipus.line': CASES,
    'cus.ipus.monitoring': CASES,
    'cus.ipus.update.start': T,
    'cus.service.delivery': CASES,
    'cus.service.waiting': CASE_COMPUTED,
    'cus.complaint': CASES,
    'cus.coordination.meeting': CASES,
    'cus.coordination.meeting-company.employee': I,
    'cus.coordination.meeting-cus.ipus': I,
    'cus.coordination.meeting-party.party': I,
    'cus.survey': CASES,
    'cus.survey.question': CASES,
    'cus.survey.question.option': CASES,
    'cus.survey.response': CASES,
    'cus.survey.answer': CASES,
    'cus.survey.result': CASE_RESULTS,
    'cus.survey.result.context': T,
    'cus.survey.send.start': T,
    'cus.ipus.summary': SUMMARIES,
    'cus.ipus.summary.line': SUMMARIES,
    'cus.ipus.summary-res.user': I,
    # cus_partners
    'cus.provider.capacity': CAPACITY,
    'cus.procurement': PROCUREMENT,
    'cus.procurement-company.employee': I,
    'cus.procurement.criterion': PROCUREMENT,
    'cus.procurement.lot': PROCUREMENT,
    'cus.procurement.ngo.representative': PROCUREMENT,
    'cus.procurement.offer': PROCUREMENT,
    'cus.procurement.offer.score': PROCUREMENT,
    'cus.contract': CONTRACTS,
    'cus.contract.line': CONTRACTS,
    'cus.service.order': CONTRACTS,
    'cus.service.order.change': CONTRACTS,
    'cus.service.order.deviation': CONTRACTS,
    'cus.settlement': SETTLEMENTS,
    'cus.settlement.line': SETTLEMENTS,
    'cus.settlement.line-cus.service.delivery': I,
    'cus.settlement.pay.start': T,
    'cus.budget': BUDGETS,
    'cus.budget.line': BUDGETS,
    'cus.budget.line.month': BUDGETS,
    'cus.budget.execution.export.start': T,
    'cus.sponsorship': SPONSORSHIP,
    'cus.partnership': PARTNERSHIP,
    'cus.partnership.member': PARTNERSHIP,
    'cus.partnership.meeting': PARTNERSHIP,
    'cus.partnership.meeting-party.party': I,
    'cus.programme.report': PROGRAMME_REPORT,
    'cus.indicator': INDICATORS,
    'cus.indicator.package': INDICATOR_PACKAGES,
    'cus.indicator.service': INDICATOR_SERVICES,
    'cus.indicator.context': T,
    'cus.indicator.export.start': T,
    'cus.evaluator.extract.start': T,
    'cus.portal': T,
    'cus.portal.attempt': I,
    # cus_osl
    'cus.osl.quarter': OSL,
    'cus.osl.community': OSL,
    'cus.osl.community.profile': OSL,
    'cus.osl.community-client-party.party': I,
    'cus.osl.community-cus.target.group': I,
    'cus.osl.community-volunteer-party.party': I,
    'cus.osl.plan': OSL,
    'cus.osl.plan-cus.osl.community': I,
    'cus.osl.plan.main.goal': OSL,
    'cus.osl.plan.goal': OSL,
    'cus.osl.plan.goal-cus.osl.quarter': I,
    'cus.osl.risk': OSL,
    'cus.osl.suwak.score': OSL,
    'cus.osl.activity': OSL,
    'cus.osl.activity-cus.osl.quarter': I,
    'cus.osl.activity.realiser': OSL,
    'cus.osl.activity.participation': OSL_PARTICIPATION,
    'cus.osl.refer.start': T,
    'cus.osl.volunteer.hours': OSL,
    'cus.osl.name.day': OSL,
    'cus.osl.board': OSL_VIEWS,
    'cus.osl.board.context': T,
    'cus.osl.celebration': OSL_VIEWS,
    'cus.osl.celebration.context': T,
    }

# GDPR art. 9 and other secret fields: the roles that may read them.
CASE_ROLES = {'director', 'organiser', 'coordinator'}
SENSITIVE = {
    ('party.party', 'health_condition'): CASE_ROLES,
    ('party.party', 'disability_degree'): CASE_ROLES,
    ('party.party', 'disability_description'): CASE_ROLES,
    ('party.party', 'problems'): CASE_ROLES,
    ('cus.needs.assessment', 'health'): CASE_ROLES,
    ('cus.needs.assessment', 'disability'): CASE_ROLES,
    ('cus.needs.assessment', 'disability_degree'): CASE_ROLES,
    ('cus.needs.assessment', 'problems'): CASE_ROLES,
    ('cus.needs.assessment', 'needs'): CASE_ROLES,
    ('cus.ipus', 'needs'): CASE_ROLES,
    ('cus.osl.activity.participation', 'ipus'): CASE_ROLES,
    # The key of the pseudonyms of the evaluator's extract: who holds it
    # can re-identify the clients.
    ('cus.configuration', 'pseudonym_key'): {'director', 'admin'},
    }
SENSITIVE_WHY = ("GDPR art. 9 (health, disability, problems, needs): README "
    "\"readable only by the coordinator, organiser and director groups\"; "
    "the pseudonym key re-identifies the evaluator's extract.")

# Fields only the server sets (besides the state of every Workflow model,
# checked without a list): who approved, signed, decided, sent or paid, and
# when; no role may write them over JSON-RPC (addons/*/rpc_access.xml).
SERVER_FIELDS = {
    'cus.application': [
        'decision_date', 'online_consent', 'online_consent_at', 'online_data',
        'qualified_by'],
    'cus.budget': ['approved_by', 'approved_date'],
    'cus.complaint': ['answered_by'],
    'cus.contract': ['activated_by'],
    'cus.ipus': [
        'approved_by', 'approved_date', 'number', 'previous_version',
        'version'],
    'cus.needs.assessment': ['signed_date'],
    'cus.osl.activity.participation': ['referral_date', 'referred_by'],
    'cus.osl.plan': ['adopted_date', 'evaluated_date'],
    'cus.procurement': ['award_date', 'awarded_by'],
    'cus.procurement.offer': ['awarded', 'contract'],
    'cus.programme': ['adopted_by', 'adopted_date'],
    'cus.service.delivery': ['decided_by', 'reported_by', 'web_user'],
    'cus.service.order': ['sent_by', 'sent_date', 'unit_price'],
    'cus.settlement': [
        'approved_by', 'approved_date', 'computed_by', 'paid_by',
        'payment_date', 'payment_reference'],
    'cus.survey.response': ['answered_by', 'channel', 'token'],
    }
SERVER_FIELDS_WHY = ("Set by the buttons and wizards of the workflow "
    "(approval, signature, decision, payment): a user writing them "
    "directly would approve his own plan or pay a settlement.")
