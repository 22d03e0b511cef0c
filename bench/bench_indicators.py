# This file is part of the CUS back office.
"""Benchmark of the indicators (issue 7)

On a city of `bench.citygen` built with cus_partners and cus_osl (its own
database `cus_bench_indicators_<deliveries>`), with what citygen does not
generate added once (the "extras": service kinds and packages, one of them
of supporting activities, contracts, partnerships, a community organising
plan per year with its activities, volunteers and their hours, a
satisfaction questionnaire sent to half of the plans), all the indicators
are computed for the whole life of the city by quarter, in the same run:

* orm: what the dashboard does, as a director in a fresh read-only
       transaction with the access checks of a client's call:
       `cus.indicator` search, then read of the fields of its list view
       (the figures are computed for the rows read: one SQL query per
       indicator over all the quarters);
* sql: hand-written plain SQL giving the same figures (one statement per
       indicator grouping by date_trunc('quarter')), through the same
       database connection: the floor the ORM is compared to.

--warmup rounds unmeasured, then --repeat rounds, the cases interleaved;
the medians give `ratio = orm / sql` (goal < 1.5). The two must give the
same figures for every indicator and quarter (the run fails otherwise).

    python -m bench.bench_indicators                     # 1 000 000 deliveries
    python -m bench.bench_indicators --deliveries 20000  # a small city
    python -m bench.bench_indicators --rebuild           # rebuild the city

Results: bench/results/indicators.json (other sizes:
indicators_<deliveries>.json).
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta

if __package__ in (None, ''):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = 'bench'

from bench import citygen, common  # noqa: E402

GOAL = 1.5
MODULES = ('cus_partners', 'cus_osl')
RESULTS = Path(__file__).resolve().parent / 'results'
ROOT = Path(__file__).resolve().parent.parent
EXTRAS_VERSION = 1
DIRECTOR_LOGIN = 'bench_director'
# The fields of the list view of the dashboard (view/indicator_list.xml)
LIST_FIELDS = ['group', 'code', 'period', 'period_start', 'period_end',
    'value', 'score', 'sent', 'records_model', 'definition']
QUALITY = ['satisfaction', 'timeliness', 'competence', 'availability',
    'clarity']


def city_start(params):
    "The first day of the city (as citygen)"
    return (dt.date.fromisoformat(params.as_of)
        - relativedelta(years=params.years) + dt.timedelta(days=1))


def dbname_for(deliveries):
    return f'cus_bench_indicators_{deliveries}'


def sources_hash():
    "Hash of the cus_partners and cus_osl sources (their schema)"
    digest = hashlib.sha256()
    for module in ['cus_partners', 'cus_osl']:
        for path in sorted((ROOT / 'addons' / module).rglob('*')):
            if path.suffix in {'.py', '.xml', '.cfg'} and path.is_file() \
                    and '__pycache__' not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------------------
# The extras of the city

def _extras_marker(dbname):
    with citygen.connect(dbname, autocommit=True) as conn:
        row = conn.execute(
            "SELECT obj_description('cus_partnership'::regclass, 'pg_class')"
            ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else None
    except ValueError:
        return None


def _write_extras_marker(dbname, marker):
    from psycopg import sql
    with citygen.connect(dbname, autocommit=True) as conn:
        conn.execute(sql.SQL('COMMENT ON TABLE cus_partnership IS {}').format(
                sql.Literal(json.dumps(marker))))


def ensure_extras(dbname, params, fresh=False, log=print):
    """The extras of the city, added unless there; the modules updated
    first when their sources changed (fresh: the city was just built)"""
    current = sources_hash()
    marker = _extras_marker(dbname)
    if marker and marker.get('version') == EXTRAS_VERSION:
        if marker.get('source') != current:
            log(f'{dbname}: cus_partners or cus_osl changed: updating')
            citygen._run_admin(dbname, ['-u', *MODULES], log)
            marker['source'] = current
            _write_extras_marker(dbname, marker)
        log(f'{dbname}: reusing the extras')
        return marker
    if marker:
        raise SystemExit(f'{dbname} has extras of another version: '
            'rebuild it with --rebuild')
    if not fresh:
        citygen._run_admin(dbname, ['-u', *MODULES], log)
    with citygen.connect(dbname, autocommit=True) as conn:
        partial, = conn.execute(
            'SELECT count(*) FROM res_user WHERE login = %s',
            (DIRECTOR_LOGIN,)).fetchone()
    if partial:
        raise SystemExit(f'{dbname} has unfinished extras: rebuild it with '
            '--rebuild')
    started = time.perf_counter()
    counts = _create_extras(dbname, params, log)
    with citygen.connect(dbname, autocommit=True) as conn:
        conn.execute('VACUUM (ANALYZE)')
    marker = {
        'version': EXTRAS_VERSION, 'source': current, 'counts': counts,
        'seconds': round(time.perf_counter() - started, 1)}
    _write_extras_marker(dbname, marker)
    log(f'{dbname}: extras added in {marker["seconds"]} s: {counts}')
    return marker


def _create_extras(dbname, params, log):
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    citygen._configure_trytond()
    pool = Pool(dbname)
    pool.init()
    as_of = dt.date.fromisoformat(params.as_of)
    start = city_start(params)
    years = list(range(start.year, as_of.year + 1))
    with Transaction().start(dbname, 0) as transaction:
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        Company = pool.get('company.company')
        Party = pool.get('party.party')
        Service = pool.get('cus.service')
        Package = pool.get('cus.service.package')
        Contract = pool.get('cus.contract')
        Partnership = pool.get('cus.partnership')
        Community = pool.get('cus.osl.community')
        Plan = pool.get('cus.osl.plan')
        Activity = pool.get('cus.osl.activity')
        Survey = pool.get('cus.survey')
        cursor = transaction.connection.cursor()

        company, = Company.search([], limit=1)
        User.create([{
                    'name': "Dyrektor (benchmark)",
                    'login': DIRECTOR_LOGIN,
                    'groups': [('add', [ModelData.get_id(
                                    'cus_base', 'group_cus_director')])],
                    'companies': [('add', [company.id])],
                    'company': company.id,
                    }])

        # Service kinds and packages, one of supporting activities
        packages = Package.create([
                {'code': 'BI-SEN', 'name': "Usługi dla seniorów"},
                {'code': 'BI-RODZ', 'name': "RODZINA+"},
                {'code': 'BI-POMOC', 'name': "POMOC+"},
                {'code': 'BI-WSP', 'name': "Działania wspierające",
                    'supporting_activities': True},
                ])
        services = Service.search([], order=[('id', 'ASC')])
        to_write = []
        for i, service in enumerate(services):
            kind = ['new', 'more_volume', None][i % 3]
            package = packages[i % 7] if i % 7 < 4 else None
            to_write.extend([[service], {
                        'service_kind': kind,
                        'package': package.id if package else None}])
        Service.write(*to_write)

        # Providers: the parties offering services
        cursor.execute(
            'UPDATE party_party SET cus_provider = TRUE, '
            "provider_kind = 'ngo' WHERE id IN "
            '(SELECT party FROM "cus_service-party_party")')
        providers = Party.search(
            [('cus_provider', '=', True)], order=[('id', 'ASC')])
        offered = {}
        for service in services:
            for provider in service.providers:
                offered.setdefault(provider.id, service)
        # Two contracts per provider: the first years (closed), the last
        # years (active)
        middle = dt.date(years[len(years) // 2], 7, 1)
        contracts = []
        for i, provider in enumerate(providers):
            for first, last in [
                    (start, middle - dt.timedelta(days=1)), (middle, as_of)]:
                contracts.append({
                        'provider': provider.id,
                        'mode': 'open_competition',
                        'start_date': first + dt.timedelta(days=30 * (i % 3)),
                        'end_date': last,
                        'lines': [('create', [{
                                        'service': offered[provider.id].id,
                                        'unit_price': Decimal('50.00'),
                                        'max_quantity': 100000,
                                        }])],
                        })
        contracts = Contract.create(contracts)
        Contract.activate(contracts)
        Contract.close(contracts[::2])

        # Partnerships, three a year, the older ones ended
        partnerships = []
        for year in years:
            for n in range(3):
                signed = dt.date(year, 2 + 4 * n, 10)
                if signed > as_of:
                    continue
                partnerships.append({
                        'name': f"Partnerstwo {year}/{n + 1}",
                        'agreement_date': signed,
                        'end_date': (signed + dt.timedelta(days=720)
                            if n != 1 else None),
                        })
        partnerships.append({
                'name': "Współpraca nieformalna", 'kind': 'informal'})
        Partnership.create(partnerships)

        # Community organising: a plan a year with 200 activities, 70 %
        # done
        community, = Community.create([{
                    'name': "Osiedle (benchmark)", 'kind': 'territorial'}])
        activities = 0
        for year in years:
            first = max(dt.date(year, 1, 1), start)
            last = min(dt.date(year, 12, 31), as_of)
            plan, = Plan.create([{
                        'name': f"Plan OSL {year}",
                        'company': company.id,
                        'start_date': first,
                        'end_date': last,
                        'communities': [('add', [community.id])],
                        'goals': [('create', [{
                                        'stage': 'activation',
                                        'name': "Aktywizacja mieszkańców",
                                        }])],
                        }])
            Plan.adopt([plan])
            Plan.run([plan])
            span = (last - first).days
            created = Activity.create([{
                        'plan': plan.id,
                        'community': community.id,
                        'name': f"Działanie {year}/{n + 1}",
                        'area': ['animation', 'networking',
                            'social_planning'][n % 3],
                        'planned_date': first + dt.timedelta(
                            days=(n * 37) % (span + 1)),
                        } for n in range(200)])
            done = [a for n, a in enumerate(created) if n % 10 < 7]
            for activity in done:
                activity.done_date = activity.planned_date
            Activity.save(done)
            Activity.do(done)
            activities += len(created)

        # Volunteers, neighbours and leaders
        supporters = Party.create([{
                    'name': f"Wolontariusz {n + 1}",
                    'osl_volunteer': n % 3 != 1,
                    'osl_neighbour': n % 3 == 1,
                    'osl_leader': n % 17 == 0,
                    } for n in range(600)])

        # The satisfaction questionnaire
        survey, = Survey.create([{
                    'name': "Ankieta zadowolenia (benchmark)",
                    'sending': 'closing',
                    'questions': [('create', [{
                                    'text': "Zadowolenie",
                                    'kind': 'scale',
                                    'dimension': 'satisfaction'}, {
                                    'text': "Terminowość",
                                    'kind': 'scale',
                                    'dimension': 'timeliness'}, {
                                    'text': "Kompetencje",
                                    'kind': 'scale',
                                    'dimension': 'competence',
                                    'required': False}])],
                    }])
        transaction.commit()
        supporter_ids = [s.id for s in supporters]
        survey_id = survey.id

    with citygen.connect(dbname) as conn:
        # Volunteer hours: half for the done activities (on their day), half
        # for clients (a day of a plan year)
        conn.execute('SELECT setseed(0.42)')
        conn.execute("""
            INSERT INTO cus_osl_volunteer_hours (volunteer, date, hours,
                plan, activity, supported_party, create_uid, create_date)
            SELECT v.ids[1 + (g %% array_length(v.ids, 1))], a.done_date,
                1 + (g %% 4), a.plan, a.id, NULL, 0, now()
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN (SELECT %(volunteers)s::int[] AS ids) AS v
            JOIN (SELECT row_number() OVER (ORDER BY id) AS rank, id, plan,
                    done_date FROM cus_osl_activity WHERE state = 'done')
                AS a ON a.rank = 1 + (g * 7919) %% (
                    SELECT count(*) FROM cus_osl_activity
                    WHERE state = 'done')
            """, {'n': 60000, 'volunteers': supporter_ids})
        conn.execute("""
            INSERT INTO cus_osl_volunteer_hours (volunteer, date, hours,
                plan, activity, supported_party, create_uid, create_date)
            SELECT v.ids[1 + ((g * 31) %% array_length(v.ids, 1))], d.date,
                2, p.id, NULL, c.id, 0, now()
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN (SELECT %(volunteers)s::int[] AS ids) AS v
            CROSS JOIN LATERAL (SELECT %(start)s::date
                + CAST((CAST(g AS BIGINT) * 104729)
                    %% (%(as_of)s::date - %(start)s::date + 1) AS INTEGER)
                AS date) AS d
            JOIN cus_osl_plan AS p
                ON d.date BETWEEN p.start_date AND p.end_date
            JOIN (SELECT row_number() OVER (ORDER BY id) AS rank, id
                    FROM party_party WHERE cus_client) AS c
                ON c.rank = 1 + (g * 613) %% (
                    SELECT count(*) FROM party_party WHERE cus_client)
            """, {'n': 60000, 'volunteers': supporter_ids,
                'start': start, 'as_of': as_of})
        # The questionnaire sent to half of the running and closed plans 45
        # days after their start, 70 % of them answered a week later
        conn.execute("""
            INSERT INTO cus_survey_response (survey, plan, client, sent_date,
                expiry_date, token, channel, answered_date, state,
                create_uid, create_date)
            SELECT %(survey)s, p.id, p.client, p.valid_from + 45,
                p.valid_from + 75,
                CASE WHEN p.id %% 10 < 7 THEN NULL ELSE 'bench-' || p.id END,
                CASE WHEN p.id %% 10 < 7 THEN 'paper' END,
                CASE WHEN p.id %% 10 < 7 THEN p.valid_from + 52 END,
                CASE WHEN p.id %% 10 < 7 THEN 'answered' ELSE 'sent' END,
                0, now()
            FROM cus_ipus AS p
            WHERE p.state IN ('running', 'closed') AND p.id %% 2 = 0
                AND p.valid_from + 52 <= %(as_of)s
            """, {'survey': survey_id, 'as_of': as_of})
        conn.execute("""
            INSERT INTO cus_survey_answer (response, question, sequence,
                scale, create_uid, create_date)
            SELECT r.id, q.id, q.sequence_rank,
                CASE WHEN r.state = 'answered'
                    AND NOT (q.sequence_rank = 3 AND r.id %% 4 = 0)
                THEN 1 + ((r.id * (q.sequence_rank + 2)) %% 5) END,
                0, now()
            FROM cus_survey_response AS r
            JOIN (SELECT id, survey, row_number() OVER (ORDER BY id)
                    AS sequence_rank FROM cus_survey_question
                    WHERE survey = %(survey)s) AS q
                ON q.survey = r.survey
            """, {'survey': survey_id})
        counts = {}
        for table in ['cus_contract', 'cus_partnership', 'cus_osl_activity',
                'cus_osl_volunteer_hours', 'cus_survey_response',
                'cus_survey_answer']:
            counts[table], = conn.execute(
                f'SELECT count(*) FROM {table}').fetchone()
        conn.commit()
    counts['supporters'] = len(supporter_ids)
    counts['activities'] = activities
    return counts


# ---------------------------------------------------------------------------
# The hand-written floor: the same figures in plain SQL (PostgreSQL)

# Each statement gives (first day of the quarter, figure) for the quarters
# with a figure; %(start)s and %(end)s are the period.
QUARTERS = """
    SELECT CAST(q AS DATE) AS key, GREATEST(CAST(q AS DATE), %(start)s) AS ps,
        LEAST(CAST(q + INTERVAL '3 months' - INTERVAL '1 day' AS DATE),
            %(end)s) AS pe
    FROM generate_series(date_trunc('quarter', CAST(%(start)s AS DATE)),
        CAST(%(end)s AS DATE), INTERVAL '3 months') AS q
"""
CONFIRMED = """
    FROM cus_service_delivery AS d
    WHERE d.state = 'confirmed' AND d.date BETWEEN %(start)s AND %(end)s
"""
SQL = {
    'new_persons': """
        SELECT CAST(date_trunc('quarter', f.first) AS DATE), COUNT(*)
        FROM (SELECT u.client, MIN(u.day) AS first FROM (
                SELECT client, MIN(date) AS day FROM cus_service_delivery
                WHERE state = 'confirmed' GROUP BY client
                UNION ALL
                SELECT client, MIN(COALESCE(decision_date, application_date))
                FROM cus_application WHERE state = 'qualified'
                GROUP BY client) AS u
            GROUP BY u.client) AS f
        JOIN party_party AS p ON p.id = f.client
        WHERE NOT COALESCE(p.former_ops_client, FALSE)
            AND f.first BETWEEN %(start)s AND %(end)s
        GROUP BY 1""",
    'new_services': """
        SELECT CAST(date_trunc('quarter', f.first) AS DATE), COUNT(*)
        FROM (SELECT service, MIN(date) AS first FROM cus_service_delivery
            WHERE state = 'confirmed' GROUP BY service) AS f
        JOIN cus_service AS s ON s.id = f.service
        WHERE s.service_kind = 'new'
            AND f.first BETWEEN %(start)s AND %(end)s
        GROUP BY 1""",
    'delivering_providers': """
        SELECT CAST(date_trunc('quarter', d.date) AS DATE),
            COUNT(DISTINCT d.provider)""" + CONFIRMED + """
            AND d.provider IS NOT NULL
        GROUP BY 1""",
    'persons': """
        SELECT CAST(date_trunc('quarter', d.date) AS DATE),
            COUNT(DISTINCT d.client)""" + CONFIRMED + """
        GROUP BY 1""",
    'catalogue_services': """
        WITH q AS (""" + QUARTERS + """)
        SELECT q.key, COUNT(DISTINCT l.service)
        FROM q
        JOIN cus_programme_line AS l ON TRUE
        JOIN cus_programme AS g ON g.id = l.programme
        JOIN cus_service AS s ON s.id = l.service
        LEFT JOIN cus_service_package AS k ON k.id = s.package
        WHERE g.state IN ('running', 'closed')
            AND COALESCE(l.start_date, g.start_date) <= q.pe
            AND COALESCE(l.end_date, g.end_date) >= q.ps
            AND NOT COALESCE(k.supporting_activities, FALSE)
        GROUP BY q.key""",
    'packages': """
        SELECT x.key, COUNT(*) FROM (
            SELECT DISTINCT CAST(date_trunc('quarter', d.date) AS DATE)
                AS key, d.client, s.package
            FROM cus_service_delivery AS d
            JOIN cus_service AS s ON s.id = d.service
            JOIN cus_service_package AS k ON k.id = s.package
            WHERE d.state = 'confirmed'
                AND d.date BETWEEN %(start)s AND %(end)s
                AND NOT COALESCE(k.supporting_activities, FALSE)) AS x
        GROUP BY x.key""",
    'entities': """
        WITH q AS (""" + QUARTERS + """)
        SELECT e.key, COUNT(DISTINCT e.provider) FROM (
            SELECT q.key, c.provider FROM q JOIN cus_contract AS c
                ON c.start_date <= q.pe AND c.end_date >= q.ps
            WHERE c.state IN ('active', 'closed', 'terminated')
            UNION ALL
            SELECT CAST(date_trunc('quarter', d.date) AS DATE), d.provider
            """ + CONFIRMED + """ AND d.provider IS NOT NULL) AS e
        GROUP BY e.key""",
    'partnerships': """
        WITH q AS (""" + QUARTERS + """)
        SELECT q.key, COUNT(DISTINCT p.id) FROM q
        JOIN cus_partnership AS p ON p.agreement_date <= q.pe
            AND (p.end_date IS NULL OR p.end_date >= q.ps)
        GROUP BY q.key""",
    'agreements': """
        WITH q AS (""" + QUARTERS + """)
        SELECT q.key, COUNT(DISTINCT c.id) FROM q
        JOIN cus_contract AS c
            ON c.start_date <= q.pe AND c.end_date >= q.ps
        WHERE c.state IN ('active', 'closed', 'terminated')
        GROUP BY q.key""",
    'plans': """
        WITH RECURSIVE chain (id, root) AS (
            SELECT id, id FROM cus_ipus WHERE previous_version IS NULL
            UNION ALL
            SELECT p.id, c.root FROM cus_ipus AS p
            JOIN chain AS c ON p.previous_version = c.id),
        q AS (""" + QUARTERS + """)
        SELECT q.key, COUNT(DISTINCT c.root) FROM q
        JOIN cus_ipus AS p ON p.valid_from <= q.pe AND p.valid_to >= q.ps
        JOIN chain AS c ON c.id = p.id
        WHERE p.state IN ('approved', 'running', 'closed', 'superseded')
        GROUP BY q.key""",
    'supporting_services': """
        SELECT CAST(date_trunc('quarter', d.date) AS DATE),
            COUNT(DISTINCT d.service)
        FROM cus_service_delivery AS d
        JOIN cus_service AS s ON s.id = d.service
        JOIN cus_service_package AS k ON k.id = s.package
        WHERE d.state = 'confirmed' AND d.date BETWEEN %(start)s AND %(end)s
            AND k.supporting_activities
        GROUP BY 1""",
    'supporters': """
        SELECT CAST(date_trunc('quarter', h.date) AS DATE),
            COUNT(DISTINCT h.volunteer)
        FROM cus_osl_volunteer_hours AS h
        WHERE h.date BETWEEN %(start)s AND %(end)s
            AND (h.activity IS NOT NULL OR h.supported_party IS NOT NULL)
        GROUP BY 1""",
    'supporting_activities': """
        SELECT CAST(date_trunc('quarter', a.done_date) AS DATE), COUNT(*)
        FROM cus_osl_activity AS a
        WHERE a.state = 'done' AND a.done_date BETWEEN %(start)s AND %(end)s
        GROUP BY 1""",
    }
# The quality figures of all the dimensions: (dimension, quarter, answered,
# average) and (dimension, quarter, sent)
QUALITY_ANSWERED_SQL = """
    SELECT q.dimension, CAST(date_trunc('quarter', r.sent_date) AS DATE),
        COUNT(DISTINCT r.id), CAST(AVG(a.scale) AS FLOAT)
    FROM cus_survey_answer AS a
    JOIN cus_survey_response AS r ON r.id = a.response
    JOIN cus_survey_question AS q ON q.id = a.question
    WHERE q.kind = 'scale' AND r.state = 'answered' AND a.scale IS NOT NULL
        AND r.sent_date BETWEEN %(start)s AND %(end)s
    GROUP BY 1, 2"""
QUALITY_SENT_SQL = """
    SELECT q.dimension, CAST(date_trunc('quarter', r.sent_date) AS DATE),
        COUNT(DISTINCT r.id)
    FROM cus_survey_response AS r
    JOIN cus_survey_question AS q ON q.survey = r.survey
    WHERE q.kind = 'scale' AND r.sent_date BETWEEN %(start)s AND %(end)s
    GROUP BY 1, 2"""


class Bench:

    def __init__(self, dbname, start, end):
        from trytond.pool import Pool
        self.dbname = dbname
        self.start, self.end = start, end
        self.pool = Pool(dbname)
        self.pool.init()
        with self.transaction(0):
            User = self.pool.get('res.user')
            director, = User.search([('login', '=', DIRECTOR_LOGIN)])
            self.director = director.id
        with self.transaction(self.director):
            User = self.pool.get('res.user')
            self.context = User.get_preferences(context_only=True)
        self.context.update({
                'start_date': start, 'end_date': end,
                'granularity': 'quarter'})

    def transaction(self, user, **context):
        from trytond.transaction import Transaction
        return Transaction().start(self.dbname, user, readonly=True,
            context=dict(getattr(self, 'context', {}), **context))

    def quarters(self):
        from cus_partners.indicator import period_buckets
        return period_buckets(self.start, self.end, 'quarter')

    # The measured cases: each returns {(code, period start): (value,
    # average, sent)} and the seconds spent in the measured part.
    def orm(self):
        from trytond.transaction import check_access
        with self.transaction(self.director), check_access():
            Indicator = self.pool.get('cus.indicator')
            started = time.perf_counter()
            rows = Indicator.search([])
            values = Indicator.read([r.id for r in rows], LIST_FIELDS)
            elapsed = time.perf_counter() - started
        return {(v['code'], v['period_start']): (
                    v['value'], v['score'], v['sent'])
                for v in values}, elapsed

    def sql(self):
        from trytond.transaction import Transaction
        quarters = self.quarters()
        starts = {dt.date(s.year, 3 * ((s.month - 1) // 3) + 1, 1): s
            for s, _ in quarters}
        params = {'start': self.start, 'end': self.end}
        with self.transaction(self.director):
            cursor = Transaction().connection.cursor()
            started = time.perf_counter()
            figures = {}
            self.statement_times = {}
            for code, query in SQL.items():
                since = time.perf_counter()
                cursor.execute(query, params)
                figures[code] = dict(cursor.fetchall())
                self.statement_times[code] = time.perf_counter() - since
            cursor.execute(QUALITY_ANSWERED_SQL, params)
            answered = {(d, k): (n, a) for d, k, n, a in cursor.fetchall()}
            cursor.execute(QUALITY_SENT_SQL, params)
            sent = {(d, k): n for d, k, n in cursor.fetchall()}
            elapsed = time.perf_counter() - started
        result = {}
        for code, values in figures.items():
            for key, start in starts.items():
                result[(code, start)] = (values.get(key, 0), None, None)
        for dimension in QUALITY:
            for key, start in starts.items():
                count, average = answered.get((dimension, key), (0, None))
                result[('quality_' + dimension, start)] = (
                    count,
                    round(float(average), 2) if average is not None else None,
                    sent.get((dimension, key), 0))
        return result, elapsed

    def run(self, repeat, warmup, log=print):
        return common.interleaved(
            {'orm': self.orm, 'sql': self.sql}, repeat, warmup, log=log)

    def settings(self):
        from trytond.transaction import Transaction
        with self.transaction(0):
            cursor = Transaction().connection.cursor()
            settings = common.server_settings(cursor)
            counts = {}
            for table in ['cus_service_delivery', 'party_party', 'cus_ipus',
                    'cus_application', 'cus_contract', 'cus_partnership',
                    'cus_osl_activity', 'cus_osl_volunteer_hours',
                    'cus_survey_response']:
                cursor.execute(f'SELECT count(*) FROM {table}')
                counts[table], = cursor.fetchone()
        return settings, counts


summary = common.summary


def compare(reference, other):
    "The (code, quarter) whose figures differ"
    return sorted((key, reference.get(key), other.get(key))
        for key in set(reference) | set(other)
        if reference.get(key) != other.get(key))


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    citygen.add_arguments(parser)
    parser.add_argument('--repeat', type=int, default=5,
        help="measured repetitions of each case (default %(default)s)")
    parser.add_argument('--warmup', type=int, default=1,
        help="unmeasured repetitions first (default %(default)s)")
    parser.add_argument('--output', type=Path,
        help="JSON result file (default: results/indicators.json for the "
        "default size, indicators_<deliveries>.json otherwise)")
    args = parser.parse_args(argv)

    params = citygen.params_from_args(args)
    default_size = params == citygen.CityParams()
    params = citygen.CityParams(**dict(params.to_dict(), modules=MODULES))
    suffix = '' if default_size else f'_{params.deliveries}'
    output = args.output or RESULTS / f'indicators{suffix}.json'
    dbname = args.database or dbname_for(params.deliveries)

    started = time.perf_counter()
    marker = citygen.ensure_database(params, dbname, rebuild=args.rebuild)
    extras = ensure_extras(dbname, params, fresh=not marker['reused'])
    setup_seconds = time.perf_counter() - started

    load_at_start = os.getloadavg()
    as_of = dt.date.fromisoformat(params.as_of)
    start = city_start(params)
    bench = Bench(dbname, start, as_of)
    settings, counts = bench.settings()
    print(f'Database {dbname}: {counts["cus_service_delivery"]} deliveries; '
        f'indicators from {start} to {as_of} by quarter '
        f'({len(bench.quarters())} quarters)')
    times, values = bench.run(args.repeat, args.warmup)

    differ = compare(values['sql'], values['orm'])
    medians = {name: statistics.median(t) for name, t in times.items()}
    ratio = medians['orm'] / medians['sql']
    totals = {}
    for (code, _), (value, _, _) in values['sql'].items():
        totals[code] = totals.get(code, 0) + value
    result = {
        'benchmark': 'indicators',
        'issue': 7,
        'date': dt.datetime.now().isoformat(timespec='seconds'),
        'database': dbname,
        'database_reused': marker['reused'],
        'database_built': marker.get('built'),
        'database_build_seconds': marker.get('seconds'),
        'extras': extras,
        'setup_seconds': round(setup_seconds, 1),
        'city': marker['params'],
        'row_counts': counts,
        'period': [start.isoformat(), as_of.isoformat()],
        'quarters': len(bench.quarters()),
        'figures': len(values['orm']),
        'figures_totals_over_quarters': totals,
        'repeat': args.repeat,
        'warmup': args.warmup,
        'times': {name: summary(t) for name, t in times.items()},
        'sql_statement_ms_last_round': {
            code: round(t * 1000, 1)
            for code, t in bench.statement_times.items()},
        'ratio': round(ratio, 2),
        'goal': GOAL,
        'goal_met': ratio < GOAL,
        'figures_equal': not differ,
        'versions': common.versions(settings),
        'server_settings': settings,
        'machine': common.machine(load_at_start),
        }
    common.write_result(output, result)

    print()
    print(f'{"case":<8}{"median":>12}{"min":>12}{"max":>12}')
    for name, t in times.items():
        s = summary(t)
        print(f'{name:<8}{s["median_ms"]:>10.1f}ms{s["min_ms"]:>10.1f}ms'
            f'{s["max_ms"]:>10.1f}ms')
    print(f'ratio orm/sql = {ratio:.2f} (goal < {GOAL})')
    print(f'figures equal: {not differ} ({len(values["orm"])} figures)')
    print(f'written to {output}')
    if differ:
        for key, a, b in differ[:20]:
            print(f'  {key}: sql {a} orm {b}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
