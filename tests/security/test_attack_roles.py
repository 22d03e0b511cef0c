# This file is part of the CUS back office.
"""Every CUS role against every model of the four CUS modules

The rights of each role are compared with the declared policy (policy.py)
for every model ir.model lists for cus_base, cus_ipus, cus_partners and
cus_osl, so that a new model without a policy fails. Then the record rules
between coordinators, the GDPR art. 9 fields, and the JSON-RPC surface as
a staff user and as a portal user (web.user)."""
import base64
import datetime as dt
import json
from unittest.mock import patch

from cus_ipus.tests.tools import create_ipus_fixture, create_staff_user

from trytond.model import ModelStorage, Workflow
from trytond.model.exceptions import AccessError
from trytond.modules.company.tests import set_company
from trytond.pool import Pool
from trytond.tests.test_tryton import DB_NAME, RouteTestCase
from trytond.transaction import Transaction, check_access

from .policy import (
    INTERNAL, MODES, POLICY, ROLES, SENSITIVE, SERVER_FIELDS, TRANSIENT)

D = dt.date
MODULES = ['cus_base', 'cus_ipus', 'cus_partners', 'cus_osl']
PASSWORD = 'Bezpieczne-Haslo-2026!'
RPC_METHODS = {'read', 'search', 'search_read', 'create', 'write', 'delete',
    'copy', 'search_count', 'export_data', 'import_data'}


class RolesAttackTestCase(RouteTestCase):
    "Attack every model with every role"
    module = 'cus_base'
    extras = ['cus_ipus', 'cus_partners', 'cus_osl']

    @classmethod
    def setUpDatabase(cls):
        pool = Pool()
        User = pool.get('res.user')
        Ipus = pool.get('cus.ipus')
        Assessment = pool.get('cus.needs.assessment')
        WebUser = pool.get('web.user')
        Party = pool.get('party.party')
        fx = create_ipus_fixture()
        company = fx['company']
        users = {}
        for role in ROLES:
            employee = fx['coordinator'] if role == 'coordinator' else None
            users[role] = create_staff_user(
                f'sec_{role}', f'group_cus_{role}', company, employee)
        other = create_staff_user('sec_coordinator_b',
            'group_cus_coordinator', company, fx['other_coordinator'])
        User.write(list(users.values()) + [other], {'password': PASSWORD})
        with set_company(company):
            plan, = Ipus.create([{
                        'client': fx['client'].id,
                        'coordinator': fx['coordinator'].id,
                        'drawn_up_date': D(2021, 3, 25),
                        'valid_from': D(2021, 4, 1),
                        'valid_to': D(2021, 12, 31),
                        'needs': "Pomoc w codziennych czynnościach.",
                        }])
        assessment, = Assessment.create([{
                    'client': fx['client'].id,
                    'date': D(2021, 3, 15),
                    'name': fx['client'].name,
                    'coordinator': fx['coordinator'].id,
                    'health': "Po udarze.",
                    }])
        Party.write([fx['client']], {
                'health_condition': "Cukrzyca", 'problems': "Samotność"})
        provider, = Party.create([{
                    'name': "Usługodawca", 'cus_provider': True,
                    'provider_kind': 'ngo'}])
        web_user, = WebUser.create([{
                    'email': 'portal@provider.example',
                    'password': PASSWORD, 'party': provider.id}])
        cls.ids = {
            'users': {r: u.id for r, u in users.items()},
            'coordinator_b': other.id, 'plan': plan.id,
            'assessment': assessment.id, 'client': fx['client'].id,
            'web_user': web_user.id, 'director': users['director'].id,
            }

    # --- helpers -------------------------------------------------------

    def rpc(self, client, method, params, session=None, status=200):
        headers = {}
        if session:
            login, user_id, key = session
            headers['Authorization'] = 'Session ' + base64.b64encode(
                f'{login}:{user_id}:{key}'.encode()).decode()
        response = client.post(f'/{DB_NAME}/rpc/', data=json.dumps({
                    'id': 1, 'method': method, 'params': params}),
            content_type='application/json', headers=headers)
        self.assertEqual(response.status_code, status,
            (method, response.data[:300]))
        return response.json if status == 200 else None

    def staff_session(self, client, login):
        result = self.rpc(client, 'common.db.login',
            [login, {'password': PASSWORD}, 'en'])
        self.assertIn('result', result, result)
        user_id, key = result['result'][:2]
        return login, user_id, key

    # --- model access --------------------------------------------------

    def test_model_access_policy(self):
        "Test every role's rights on every CUS model against the policy"
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Model = pool.get('ir.model')
            ModelAccess = pool.get('ir.model.access')
            ModelData = pool.get('ir.model.data')
            # Every role of the CUS has its column in the policy
            groups = {d.fs_id for d in ModelData.search([
                        ('module', 'in', MODULES),
                        ('model', '=', 'res.group')])}
            self.assertEqual(groups, {f'group_cus_{r}' for r in ROLES},
                "a group without a column in tests/security/policy.py")
            models = [m.name for m in Model.search(
                    [('module', 'in', MODULES)])]
            self.assertGreater(len(models), 50)
            missing = sorted(set(models) - set(POLICY))
            self.assertEqual(missing, [],
                "models without a policy in tests/security/policy.py")
            self.assertEqual(sorted(set(POLICY) - set(models)), [],
                "policy of models that do not exist")
            wrong = []
            for name in sorted(models):
                Class = pool.get(name)
                rule = POLICY[name]
                if rule[0] == TRANSIENT:
                    self.assertFalse(issubclass(Class, ModelStorage), name)
                    continue
                if rule[0] == INTERNAL:
                    self.assertTrue(issubclass(Class, ModelStorage), name)
                    self.assertFalse(RPC_METHODS & set(Class.__rpc__), name)
                    continue
                self.assertTrue(issubclass(Class, ModelStorage), name)
                for role in ROLES:
                    with Transaction().set_user(self.ids['users'][role]), \
                            check_access():
                        for letter, mode in MODES.items():
                            allowed = ModelAccess.check(
                                name, mode, raise_exception=False)
                            expected = letter in rule.rights[role]
                            if allowed != expected:
                                wrong.append(
                                    f"{role} {mode} {name}: "
                                    f"{'allowed' if allowed else 'refused'}")
                        # A real search: refused exactly when read is
                        try:
                            Class.search([], limit=1)
                            searched = True
                        except AccessError:
                            searched = False
                        if searched != ('r' in rule.rights[role]):
                            wrong.append(f"{role} search {name}: "
                                f"{'allowed' if searched else 'refused'}")
            self.assertEqual(wrong, [], "rights that differ from the policy")

    def test_menus_readable(self):
        "Test a role sees no menu of a model it cannot read"
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Menu = pool.get('ir.ui.menu')
            ModelAccess = pool.get('ir.model.access')
            for role in ROLES:
                with Transaction().set_user(self.ids['users'][role]), \
                        check_access():
                    menus = Menu.search([])
                    opened = 0
                    for menu in menus:
                        action = menu.action
                        model = getattr(action, 'res_model', None)
                        if not model:
                            continue
                        opened += 1
                        self.assertTrue(ModelAccess.check(
                                model, 'read', raise_exception=False),
                            (role, menu.complete_name, model))
                    self.assertTrue(opened, role)

    def test_sensitive_fields(self):
        "Test who may read the GDPR art. 9 fields"
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            ModelAccess = pool.get('ir.model.access')
            FieldAccess = pool.get('ir.model.field.access')
            records = {
                'party.party': self.ids['client'],
                'cus.needs.assessment': self.ids['assessment'],
                'cus.ipus': self.ids['plan'],
                }
            wrong = []
            for (model, field), roles in sorted(SENSITIVE.items()):
                Class = pool.get(model)
                self.assertIn(field, Class._fields, (model, field))
                for role in ROLES:
                    with Transaction().set_user(self.ids['users'][role]), \
                            check_access():
                        allowed = (
                            ModelAccess.check(model, 'read',
                                raise_exception=False)
                            and FieldAccess.check(model, [field], 'read',
                                raise_exception=False))
                        if model in records:
                            try:
                                Class.read([records[model]], [field])
                                read = True
                            except AccessError:
                                read = False
                            self.assertEqual(read, allowed,
                                (role, model, field))
                    if allowed != (role in roles):
                        wrong.append(f"{role} reads {model}.{field}: "
                            f"{'allowed' if allowed else 'refused'}")
            self.assertEqual(wrong, [])

    def test_coordinator_isolation(self):
        "Test a coordinator cannot reach another coordinator's cases"
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            for name, record in [('cus.ipus', self.ids['plan']),
                    ('cus.needs.assessment', self.ids['assessment'])]:
                Class = pool.get(name)
                for user, sees in [
                        (self.ids['coordinator_b'], False),
                        (self.ids['users']['coordinator'], True),
                        (self.ids['users']['organiser'], True),
                        (self.ids['users']['director'], True)]:
                    with Transaction().set_user(user), check_access():
                        found = Class.search([('id', '=', record)])
                        self.assertEqual(bool(found), sees, (name, user))
                        if sees:
                            continue
                        self.assertEqual(Class.search([], count=True), 0)
                        with self.assertRaises(AccessError):
                            Class.read([record], ['client'])
                        with self.assertRaises(AccessError):
                            Class.write([Class(record)], {
                                    'coordinator': None})
                        with self.assertRaises(AccessError):
                            Class.delete([Class(record)])

    # --- JSON-RPC ------------------------------------------------------

    def test_portal_user_json_rpc(self):
        "Test a portal user (web.user) can do nothing over JSON-RPC"
        client = self.client()
        with patch('time.sleep'):
            result = self.rpc(client, 'common.db.login',
                ['portal@provider.example', {'password': PASSWORD}, 'en'],
                status=401)
        with Transaction().start(DB_NAME, 0) as transaction:
            WebUser = Pool().get('web.user')
            key = WebUser(self.ids['web_user']).new_session()
            transaction.commit()
        for login, user_id in [
                ('portal@provider.example', self.ids['web_user']),
                ('admin', 1), ('sec_director', self.ids['director'])]:
            for method, params in [
                    ('model.party.party.search', [[], 0, 10, None, {}]),
                    ('model.cus.ipus.read', [[self.ids['plan']], ['needs'],
                            {}]),
                    ('model.res.user.get_preferences', [True, {}])]:
                self.rpc(client, method, params,
                    session=(login, user_id, key), status=401)
        self.assertIsNone(result)

    def test_rpc_readonly_fields(self):
        "Test a staff user cannot write readonly fields over JSON-RPC"
        client = self.client()
        session = self.staff_session(client, 'sec_coordinator')
        for model, record, values in [
                ('cus.ipus', self.ids['plan'], {'state': 'approved'}),
                ('cus.ipus', self.ids['plan'], {
                        'approved_by': self.ids['director'],
                        'approved_date': '2021-03-30'}),
                ('cus.ipus', self.ids['plan'], {'number': 'IPUS/HACK'}),
                ('cus.ipus', self.ids['plan'], {'version': 9}),
                ('cus.needs.assessment', self.ids['assessment'], {
                        'state': 'signed', 'signed_date': '2021-03-16'}),
                ]:
            result = self.rpc(client, f'model.{model}.write',
                [[record], values, {}], session=session)
            self.assertIn('error', result, (model, values))
        with Transaction().start(DB_NAME, 0, readonly=True):
            pool = Pool()
            plan = pool.get('cus.ipus')(self.ids['plan'])
            self.assertEqual(plan.state, 'draft')
            self.assertIsNone(plan.approved_by)
            self.assertNotEqual(plan.number, 'IPUS/HACK')
            assessment = pool.get('cus.needs.assessment')(
                self.ids['assessment'])
            self.assertEqual(assessment.state, 'draft')

    def test_server_fields_protected(self):
        "Test no role may write a workflow state or an approval stamp"
        with Transaction().start(DB_NAME, 0):
            pool = Pool()
            Model = pool.get('ir.model')
            FieldAccess = pool.get('ir.model.field.access')
            fields = {(m, f) for m, names in SERVER_FIELDS.items()
                for f in names}
            for model in Model.search([('module', 'in', MODULES)]):
                Class = pool.get(model.name)
                if (issubclass(Class, Workflow)
                        and issubclass(Class, ModelStorage)
                        and 'write' in Class.__rpc__):
                    fields.add((model.name, Class._transition_state))
            self.assertGreater(len(fields), 40)
            writable = []
            for role in ROLES:
                with Transaction().set_user(self.ids['users'][role]), \
                        check_access():
                    for model, field in sorted(fields):
                        if FieldAccess.check(model, [field], 'write',
                                raise_exception=False):
                            writable.append(f'{role} {model}.{field}')
            self.assertEqual(writable, [])

    def test_rpc_private_methods(self):
        "Test methods outside __rpc__ are refused over JSON-RPC"
        client = self.client()
        session = self.staff_session(client, 'sec_director')
        for method, params in [
                ('model.cus.ipus._check_access', [{}]),
                ('model.cus.ipus.__setup__', [{}]),
                ('model.cus.ipus.__table__', [{}]),
                ('model.cus.ipus.check_modification',
                    ['write', [], {}, {}]),
                ('model.cus.ipus.preprocess_values', ['write', {}, {}]),
                ('model.cus.ipus.browse', [[self.ids['plan']], {}]),
                ('model.cus.needs.assessment._get_error_args', ['x', {}]),
                ('model.cus.portal.submit_application', [{}, {}]),
                ('model.cus.portal.check_rate', ['login', {}]),
                ('model.cus.portal.report', [1, [], [], {}]),
                ('model.cus.portal.attempt.add', ['x', {}]),
                ('model.cus.portal.attempt.search', [[], 0, 10, None, {}]),
                ('model.cus.survey.response.find_by_token', ['x', {}]),
                ('model.web.user.authenticate', ['x', 'y', {}]),
                ('model.cus.configuration.get_pseudonym_key', [{}]),
                ]:
            self.rpc(client, method, params, session=session, status=403)


del RouteTestCase
