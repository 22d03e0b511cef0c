# This file is part of the CUS back office.
"""Smoke test of bench/bench_city.py: a tiny city of bench.citygen, every
case once, the ORM and SQL figures equal (so that the benchmark cannot rot
when the modules change)"""
import fcntl
import os
import unittest

from bench import bench_city, citygen

DELIVERIES = 2000


def _postgresql():
    return (os.environ.get('TRYTOND_DATABASE_URI') or '').startswith(
        'postgresql')


@unittest.skipUnless(_postgresql(),
    "citygen loads PostgreSQL with COPY and the SQL of the benchmark is "
    "PostgreSQL's")
class BenchCityTestCase(unittest.TestCase):
    "The city benchmark on a tiny city"

    @classmethod
    def setUpClass(cls):
        # The city is reused between runs (its marker); a lock keeps two
        # test runs from building it at once.
        with open(f'/tmp/cus_bench_city_{DELIVERIES}.lock', 'w') as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cls.city = bench_city.prepare(DELIVERIES, log=lambda *a: None)
        cls.screens = bench_city.Screens(cls.city, log=lambda *a: None)
        # A surname of the tiny city (the default stem is for big ones)
        cls.screens.values['client'] = '%Nowak%'

    @classmethod
    def tearDownClass(cls):
        cls.screens.budget_files.cleanup()

    def test_city(self):
        "The city has the generated plans, coordinators and providers"
        params = self.city['params']
        self.assertEqual(params.deliveries, DELIVERIES)
        counts = self.city['marker']['counts']
        self.assertEqual(counts['cus_service_delivery'], DELIVERIES)
        self.assertGreater(counts['cus_ipus'], 0)
        self.assertGreater(counts['cus_ipus_monitoring'], 0)
        with citygen.connect(self.city['database']) as conn:
            providers, = conn.execute(
                'SELECT COUNT(*) FROM party_party WHERE cus_provider'
                ).fetchone()
            coordinated, = conn.execute(
                'SELECT COUNT(*) FROM cus_ipus WHERE coordinator IS NOT NULL'
                ).fetchone()
        self.assertEqual(providers, params.providers)
        self.assertGreater(coordinated, 0)

    def test_cases(self):
        "Every case once: the ORM and SQL give the same figures"
        results = bench_city.measure(
            self.screens, repeat=1, warmup=0, log=lambda *a: None)
        self.assertEqual(set(results), set(self.screens.cases()))
        for case, result in results.items():
            with self.subTest(case=case):
                self.assertTrue(result['figures_equal'], result['figures'])
                self.assertGreater(result['times']['orm']['median_ms'], 0)
                self.assertGreater(result['times']['sql']['median_ms'], 0)
        # The comparisons are not of empty lists
        for case in ['ipus_running', 'ipus_coordinator', 'ipus_service',
                'ipus_client']:
            with self.subTest(case=case):
                self.assertGreater(results[case]['figures']['count'], 0)
        self.assertEqual(results['indicators']['figures']['figures'], 378)
        self.assertGreater(results['budget']['figures'][
                'confirmed_deliveries_in_budget'], 0)
        self.assertTrue(results['budget']['figures']['equal_to_the_grosz'])
