# This file is part of the CUS back office.
"The table of docs/security.md shows what the attack tests declare"
import unittest

from . import table
from .attacks import ATTACK_KEYS, ATTACKS, FIXES, RESULTS, ROUTES


class TableTestCase(unittest.TestCase):
    "Test the security table of the documentation"

    def test_table_up_to_date(self):
        "Test docs/security.md is what python -m tests.security.table writes"
        with open(table.PATH, encoding='utf-8') as file:
            self.assertEqual(file.read(), table.render(),
                "run python -m tests.security.table")

    def test_declarations_complete(self):
        "Test every attack has a result, tests and a route or a model"
        self.assertEqual(set(RESULTS), ATTACK_KEYS)
        self.assertEqual(len(ATTACK_KEYS), len(ATTACKS))
        tried = {k for _, keys in ROUTES.values() for k in keys}
        for attack in ATTACKS:
            self.assertTrue(attack.tests, attack.key)
            for path, class_name, name in attack.tests:
                self.assertTrue(name.startswith('test_'), name)
                with open(table.os.path.join(
                            table.os.path.dirname(table.PATH), '..', path),
                        encoding='utf-8') as file:
                    source = file.read()
                self.assertIn(f'class {class_name}(', source, path)
                self.assertIn(f'    def {name}(self', source, (path, name))
            # a route attack is tried on some route
            if not any(t[0].endswith('test_attack_roles.py')
                    for t in attack.tests) and attack.key != 'inventory':
                self.assertIn(attack.key, tried, attack.key)
        for _, _, key in FIXES:
            self.assertIn(key, ATTACK_KEYS)
