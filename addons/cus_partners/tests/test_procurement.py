# This file is part of the CUS back office.
import datetime as dt
import unittest
from decimal import Decimal

from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import (
    AccessButtonError, AccessError, ValidationError)
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

from cus_base.tests.tools import rolled_back_on_error
from cus_ipus.tests.tools import create_ipus_fixture, create_staff_user

from ..exceptions import AccreditationError
from . import test_provider

D = dt.date
create_provider = test_provider.create_provider

START, END = D(2021, 4, 1), D(2022, 3, 31)


class ProcurementTestCase(unittest.TestCase):
    "Test procurements, their legal limits and their award"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    def _fixture(self):
        pool = Pool()
        Service = pool.get('cus.service')
        fx = create_ipus_fixture()
        Service.write([fx['care']], {'allowed_deviation': Decimal('10')})
        Service.write([fx['taxi']], {'allowed_deviation': Decimal('5')})
        fx['coop'] = create_provider(
            "Spółdzielnia Socjalna \"Starachowiczanka\"",
            kind='social_cooperative', sector='social')
        fx['ngo'] = create_provider(
            "Stowarzyszenie \"Razem\"", kind='ngo', sector='social')
        fx['firm'] = create_provider(
            "Opieka Sp. z o.o.", kind='commercial', sector='business')
        return fx

    def _procurement(self, fx, mode='pzp_social', lots=None, criteria=None,
            **values):
        Procurement = Pool().get('cus.procurement')
        if lots is None:
            lots = [{
                    'service': fx['care'].id, 'quantity': 1000,
                    'budget': Decimal('50000'),
                    }]
        if criteria is None:
            criteria = [
                {'name': "Cena", 'kind': 'price', 'weight': Decimal(60)},
                {'name': "Doświadczenie", 'kind': 'quality',
                    'weight': Decimal(30)},
                {'name': "Zatrudnienie osób zagrożonych wykluczeniem",
                    'kind': 'social', 'weight': Decimal(10)},
                ]
        if mode == 'pzp_social':
            values.setdefault('social_clauses',
                "Wymóg zatrudnienia osoby z niepełnosprawnością (art. 96 "
                "PZP)")
        if mode in {'pzp_social', 'coop_15a', 'open_competition'}:
            values.setdefault('publication_date', D(2021, 3, 1))
            values.setdefault('offer_deadline', D(2021, 3, 22))
        procurement, = Procurement.create([dict({
                        'name': "Usługi opiekuńcze 2021",
                        'mode': mode,
                        'programme': fx['programme'].id,
                        'start_date': START,
                        'end_date': END,
                        'lots': [('create', lots)],
                        'criteria': [('create', criteria)],
                        }, **values)])
        return procurement

    def _offer(self, procurement, provider, unit_price, lot=None,
            scores=None):
        Offer = Pool().get('cus.procurement.offer')
        lot = lot or procurement.lots[0]
        criteria = {c.name: c for c in procurement.criteria}
        offer, = Offer.create([{
                    'procurement': procurement.id,
                    'lot': lot.id,
                    'provider': provider.id,
                    'unit_price': Decimal(unit_price),
                    'scores': [('create', [{
                                    'criterion': criteria[name].id,
                                    'score': Decimal(score),
                                    } for name, score in (
                                    scores or {}).items()])],
                    }])
        return offer

    def _to_evaluation(self, procurement):
        Procurement = Pool().get('cus.procurement')
        if procurement.state == 'draft':
            Procurement.publish([procurement])
        Procurement.evaluate([procurement])
        self.assertEqual(procurement.state, 'evaluation')

    def _reject(self, offer, reason="Oferta niezgodna z ogłoszeniem"):
        Offer = Pool().get('cus.procurement.offer')
        offer = Offer(offer.id)
        offer.rejection_reason = reason
        offer.save()
        Offer.reject([offer])
        self.assertEqual(offer.state, 'rejected')
        return offer

    @staticmethod
    def _fresh(record):
        "The record read again, after a request undone by an error"
        return record.__class__(record.id)

    # Publication

    @with_transaction()
    def test_publish_numbers_procurement(self):
        "Test publishing numbers the procurement and freezes its lots"
        pool = Pool()
        Procurement = pool.get('cus.procurement')
        Lot = pool.get('cus.procurement.lot')
        fx = self._fixture()
        procurement = self._procurement(fx)
        self.assertIsNone(procurement.number)
        self.assertEqual(procurement.criteria_weight, Decimal(100))
        Procurement.publish([procurement])
        self.assertEqual(procurement.state, 'published')
        self.assertTrue(procurement.number.startswith('ZP/'))
        self.assertEqual(
            procurement.rec_name,
            f'{procurement.number} Usługi opiekuńcze 2021')
        with self.assertRaises(AccessError), rolled_back_on_error():
            Lot.write(list(procurement.lots), {'quantity': 10})
        with self.assertRaises(AccessError), rolled_back_on_error():
            Procurement.delete([procurement])

    @with_transaction()
    def test_criteria_must_sum_to_100(self):
        "Test criteria not summing to 100% are refused at publication"
        pool = Pool()
        Procurement = pool.get('cus.procurement')
        Criterion = pool.get('cus.procurement.criterion')
        fx = self._fixture()
        procurement = self._procurement(fx, criteria=[
                {'name': "Cena", 'kind': 'price', 'weight': Decimal(60)},
                {'name': "Jakość", 'kind': 'quality', 'weight': Decimal(30)},
                ])
        self.assertEqual(procurement.criteria_weight, Decimal(90))
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Procurement.publish([procurement])
        self.assertIn('90%', cm.exception.message)
        procurement = Procurement(procurement.id)
        self.assertEqual(procurement.state, 'draft')
        self.assertIsNone(procurement.number)

        Criterion.create([{
                    'procurement': procurement.id, 'name': "Klauzule",
                    'kind': 'social', 'weight': Decimal(15)}])
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Procurement.publish([procurement])
        self.assertIn('105%', cm.exception.message)

        procurement = self._fresh(procurement)
        Criterion.write(
            [c for c in procurement.criteria if c.name == "Klauzule"],
            {'weight': Decimal(10)})
        Procurement.publish([procurement])
        self.assertEqual(procurement.state, 'published')

    @with_transaction()
    def test_competitive_mode_needs_criteria(self):
        "Test a procedure under PZP needs criteria, an in-house order not"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()
        procurement = self._procurement(fx, criteria=[])
        with self.assertRaises(UserError), rolled_back_on_error():
            Procurement.publish([procurement])
        in_house = self._procurement(fx, mode='in_house', criteria=[])
        Procurement.publish([in_house])
        self.assertEqual(in_house.state, 'published')
        self.assertEqual(in_house.publication_date, Pool().get(
                'ir.date').today())

    @with_transaction()
    def test_pzp_needs_social_clauses(self):
        "Test a PZP procedure with social clauses needs their text"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()
        procurement = self._procurement(fx, social_clauses=None)
        with self.assertRaises(UserError), rolled_back_on_error():
            Procurement.publish([procurement])
        procurement = self._fresh(procurement)
        procurement.social_clauses = "Zastrzeżenie dla PES (art. 94 PZP)"
        procurement.save()
        Procurement.publish([procurement])
        self.assertEqual(procurement.state, 'published')

    @with_transaction()
    def test_open_competition_notice_21_days(self):
        "Test an open competition gives at least 21 days for the offers"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            self._procurement(
                fx, mode='open_competition',
                publication_date=D(2021, 3, 1),
                offer_deadline=D(2021, 3, 21))
        self.assertIn('20', cm.exception.message)
        self.assertIn('21', cm.exception.message)

        procurement = self._procurement(
            fx, mode='open_competition',
            publication_date=D(2021, 3, 1), offer_deadline=D(2021, 3, 22))
        Procurement.publish([procurement])
        self.assertEqual(procurement.state, 'published')

        # The dates cannot be moved under the limit afterwards.
        with self.assertRaises(ValidationError), rolled_back_on_error():
            Procurement.write([procurement], {
                    'offer_deadline': D(2021, 3, 15)})

    @with_transaction()
    def test_open_competition_needs_notice_dates(self):
        "Test an open competition is not published without its dates"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()
        procurement = self._procurement(
            fx, mode='open_competition', offer_deadline=None)
        with self.assertRaises(UserError), rolled_back_on_error():
            Procurement.publish([procurement])

    @with_transaction()
    def test_evaluation_after_deadline(self):
        "Test the offers are not evaluated before their deadline"
        Procurement = Pool().get('cus.procurement')
        today = Pool().get('ir.date').today()
        fx = self._fixture()
        procurement = self._procurement(
            fx, publication_date=today,
            offer_deadline=today + dt.timedelta(days=14))
        Procurement.publish([procurement])
        with self.assertRaises(UserError), rolled_back_on_error():
            Procurement.evaluate([procurement])
        self.assertEqual(Procurement(procurement.id).state, 'published')

    # Offers and ranking

    @with_transaction()
    def test_offers_only_while_open(self):
        "Test offers are taken only while the procurement is published"
        fx = self._fixture()
        procurement = self._procurement(fx)
        with self.assertRaises(AccessError), rolled_back_on_error():
            self._offer(procurement, fx['coop'], 40)
        procurement = self._fresh(procurement)
        Pool().get('cus.procurement').publish([procurement])
        self._offer(procurement, fx['coop'], 40)
        # Last: on SQLite the failed insert ends the transaction.
        with self.assertRaises(UserError):
            self._offer(procurement, fx['coop'], 38)

    @with_transaction()
    def test_ranking_from_weighted_scores(self):
        "Test the weighted scores and the ranking of the offers of a lot"
        Offer = Pool().get('cus.procurement.offer')
        fx = self._fixture()
        procurement = self._procurement(fx)
        self._to_evaluation(procurement)
        # The lowest price scores 100, the others in proportion.
        a = self._offer(procurement, fx['coop'], '40.00', scores={
                "Doświadczenie": 80, "Zatrudnienie osób zagrożonych "
                "wykluczeniem": 100})
        b = self._offer(procurement, fx['ngo'], '50.00', scores={
                "Doświadczenie": 100, "Zatrudnienie osób zagrożonych "
                "wykluczeniem": 100})
        c = self._offer(procurement, fx['firm'], '44.00', scores={
                "Doświadczenie": 90, "Zatrudnienie osób zagrożonych "
                "wykluczeniem": 50})
        a, b, c = Offer.browse([a, b, c])
        self.assertEqual(a.total, Decimal('40000.00'))
        self.assertEqual(
            [o.weighted_total for o in [a, b, c]],
            [Decimal('94.00'), Decimal('88.00'), Decimal('86.55')])
        self.assertEqual([o.ranking for o in [a, b, c]], [1, 2, 3])

        self._reject(a)
        a, b, c = Offer.browse([a, b, c])
        self.assertEqual([o.ranking for o in [a, b, c]], [None, 1, 2])
        self.assertIsNone(a.weighted_total)
        # Without a, the price of c is the lowest: c scores 60 + 27 + 5 and
        # b 52.8 + 30 + 10.
        self.assertEqual(
            [b.weighted_total, c.weighted_total],
            [Decimal('92.80'), Decimal('92.00')])

        Offer.submit([a])
        self.assertIsNone(a.rejection_reason)
        a, b, c = Offer.browse([a, b, c])
        self.assertEqual([o.ranking for o in [a, b, c]], [1, 2, 3])

    @with_transaction()
    def test_score_between_0_and_100(self):
        "Test a score is between 0 and 100"
        fx = self._fixture()
        procurement = self._procurement(fx)
        self._to_evaluation(procurement)
        with self.assertRaises(ValidationError), rolled_back_on_error():
            self._offer(
                procurement, fx['coop'], 40, scores={"Doświadczenie": 101})

    @with_transaction()
    def test_offer_reject_needs_reason(self):
        "Test an offer is rejected only with a reason"
        Offer = Pool().get('cus.procurement.offer')
        fx = self._fixture()
        procurement = self._procurement(fx)
        self._to_evaluation(procurement)
        offer = self._offer(procurement, fx['coop'], 40)
        with self.assertRaises(UserError), rolled_back_on_error():
            Offer.reject([offer])
        self.assertEqual(Offer(offer.id).state, 'submitted')

    # Award

    @with_transaction()
    def test_award_creates_contracts(self):
        "Test the award creates one contract per winner with its lots"
        pool = Pool()
        Procurement = pool.get('cus.procurement')
        fx = self._fixture()
        procurement = self._procurement(fx, lots=[{
                    'service': fx['care'].id, 'quantity': 1000,
                    'budget': Decimal('50000')}, {
                    'service': fx['taxi'].id, 'quantity': 600,
                    'budget': Decimal('20000')}, {
                    'service': fx['handyman'].id, 'quantity': 200,
                    'budget': Decimal('20000')}],
            criteria=[{'name': "Cena", 'kind': 'price',
                    'weight': Decimal(100)}])
        care, taxi, handyman = procurement.lots
        self._to_evaluation(procurement)
        self._offer(procurement, fx['coop'], '40.00', lot=care)
        self._offer(procurement, fx['ngo'], '45.00', lot=care)
        self._offer(procurement, fx['coop'], '30.00', lot=taxi)
        self._offer(procurement, fx['ngo'], '32.50', lot=taxi)
        self._offer(procurement, fx['coop'], '90.00', lot=handyman)
        self._offer(procurement, fx['ngo'], '80.00', lot=handyman)

        Procurement.award([procurement])
        self.assertEqual(procurement.state, 'awarded')
        self.assertEqual(procurement.award_date, pool.get(
                'ir.date').today())
        self.assertEqual(procurement.awarded_by.id, Transaction().user)
        self.assertEqual(procurement.awarded_value, Decimal('74000.00'))
        contracts = {c.provider: c for c in procurement.contracts}
        self.assertEqual(set(contracts), {fx['coop'], fx['ngo']})

        coop = contracts[fx['coop']]
        self.assertEqual(coop.state, 'draft')
        self.assertEqual(coop.mode, 'pzp_social')
        self.assertEqual((coop.start_date, coop.end_date), (START, END))
        self.assertEqual(coop.value_cap, Decimal('58000.00'))
        self.assertEqual(coop.procurement, procurement)
        self.assertTrue(coop.number)
        self.assertEqual(
            sorted((l.service.name, l.unit_price, l.max_quantity,
                    l.allowed_deviation) for l in coop.lines),
            [("Taksówka dla seniora", Decimal('30.00'), 600, Decimal('5')),
                ("Usługi opiekuńcze", Decimal('40.00'), 1000,
                    Decimal('10'))])

        ngo = contracts[fx['ngo']]
        self.assertEqual(ngo.value_cap, Decimal('16000.00'))
        self.assertEqual(
            [(l.service, l.unit_price, l.max_quantity, l.allowed_deviation)
                for l in ngo.lines],
            [(fx['handyman'], Decimal('80.00'), 200, None)])

        won = {(o.provider, o.lot): o.contract
            for o in procurement.offers if o.awarded}
        self.assertEqual(won, {
                (fx['coop'], care): coop, (fx['coop'], taxi): coop,
                (fx['ngo'], handyman): ngo})

        Procurement.close([procurement])
        self.assertEqual(procurement.state, 'closed')

    @with_transaction()
    def test_award_tie_and_selected_offer(self):
        "Test a tie needs a selected offer and a selection wins"
        Procurement = Pool().get('cus.procurement')
        Offer = Pool().get('cus.procurement.offer')
        fx = self._fixture()
        procurement = self._procurement(fx, criteria=[
                {'name': "Cena", 'kind': 'price', 'weight': Decimal(100)}])
        self._to_evaluation(procurement)
        coop = self._offer(procurement, fx['coop'], 40)
        ngo = self._offer(procurement, fx['ngo'], 40)
        cheaper = self._offer(procurement, fx['firm'], 39)
        self._reject(cheaper, "Rażąco niska cena")
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Procurement.award([procurement])
        self.assertIn("Starachowiczanka", cm.exception.message)
        self.assertIn("Razem", cm.exception.message)

        procurement = self._fresh(procurement)
        Offer.write([self._fresh(ngo), self._fresh(coop)], {'selected': True})
        with self.assertRaises(UserError), rolled_back_on_error():
            Procurement.award([procurement])
        procurement = self._fresh(procurement)
        Offer.write([self._fresh(coop)], {'selected': False})
        Procurement.award([procurement])
        contract, = procurement.contracts
        self.assertEqual(contract.provider, fx['ngo'])

    @with_transaction()
    def test_award_needs_offer_for_each_lot(self):
        "Test every lot needs a valid offer for the award"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()
        procurement = self._procurement(fx, lots=[
                {'service': fx['care'].id, 'quantity': 10},
                {'service': fx['taxi'].id, 'quantity': 10}])
        care, taxi = procurement.lots
        self._to_evaluation(procurement)
        self._offer(procurement, fx['coop'], 40, lot=care)
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Procurement.award([procurement])
        self.assertIn("Taksówka dla seniora", cm.exception.message)

    @with_transaction()
    def test_coop_15a_only_social_cooperatives(self):
        "Test art. 15a procedures are awarded only to social cooperatives"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()
        procurement = self._procurement(fx, mode='coop_15a', lots=[{
                    'service': fx['handyman'].id, 'quantity': 100}])
        self._to_evaluation(procurement)
        ngo = self._offer(procurement, fx['ngo'], 35, scores={
                "Doświadczenie": 100,
                "Zatrudnienie osób zagrożonych wykluczeniem": 100})
        self._offer(procurement, fx['coop'], 40, scores={
                "Doświadczenie": 100,
                "Zatrudnienie osób zagrożonych wykluczeniem": 100})
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Procurement.award([procurement])
        self.assertIn("15a", cm.exception.message)
        self.assertIn("Razem", cm.exception.message)
        self.assertEqual(Procurement(procurement.id).state, 'evaluation')
        self.assertFalse(Procurement(procurement.id).contracts)

        self._reject(ngo, "Nie jest spółdzielnią socjalną")
        procurement = self._fresh(procurement)
        Procurement.award([procurement])
        contract, = procurement.contracts
        self.assertEqual(contract.provider, fx['coop'])
        self.assertEqual(contract.mode, 'coop_15a')

    @with_transaction()
    def test_open_competition_only_public_benefit(self):
        "Test an open competition is awarded only to NGOs and art. 3.3 bodies"
        pool = Pool()
        Procurement = pool.get('cus.procurement')
        Representative = pool.get('cus.procurement.ngo.representative')
        fx = self._fixture()
        procurement = self._procurement(fx, mode='open_competition')
        Procurement.publish([procurement])
        firm = self._offer(procurement, fx['firm'], 30, scores={
                "Doświadczenie": 100,
                "Zatrudnienie osób zagrożonych wykluczeniem": 100})
        self._offer(procurement, fx['ngo'], 40, scores={
                "Doświadczenie": 100,
                "Zatrudnienie osób zagrożonych wykluczeniem": 100})
        Procurement.evaluate([procurement])

        # The commission is needed ...
        with self.assertRaises(UserError), rolled_back_on_error():
            Procurement.award([procurement])
        procurement = self._fresh(procurement)
        procurement.commission = [fx['coordinator']]
        procurement.save()
        # ... without a representative of an organisation taking part.
        representative, = Representative.create([{
                    'procurement': procurement.id, 'name': "Maria Nowak",
                    'organisation': fx['ngo'].id}])
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Procurement.award([procurement])
        self.assertIn("Maria Nowak", cm.exception.message)
        procurement = self._fresh(procurement)
        representative = self._fresh(representative)
        representative.organisation = create_provider(
            "Fundacja Obserwator", kind='ngo')
        representative.save()

        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Procurement.award([procurement])
        self.assertIn("Opieka Sp. z o.o.", cm.exception.message)
        self.assertFalse(Procurement(procurement.id).contracts)

        self._reject(firm, "Podmiot komercyjny")
        procurement = self._fresh(procurement)
        Procurement.award([procurement])
        contract, = procurement.contracts
        self.assertEqual(contract.provider, fx['ngo'])
        self.assertEqual(contract.mode, 'open_competition')

    @with_transaction()
    def test_small_grant_period_and_value(self):
        "Test a small grant lasts at most 90 days and is at most 10 000 zł"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()
        lots = [{'service': fx['handyman'].id, 'quantity': 200}]
        # 1 April to 30 June: 91 days.
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            self._procurement(
                fx, mode='small_grant', lots=lots, criteria=[],
                end_date=D(2021, 6, 30))
        self.assertIn('91', cm.exception.message)
        with self.assertRaises(ValidationError), rolled_back_on_error():
            self._procurement(
                fx, mode='small_grant', lots=lots, criteria=[],
                end_date=D(2021, 6, 29),
                estimated_value=Decimal('10000.01'))
        procurement = self._procurement(
            fx, mode='small_grant', lots=lots, criteria=[],
            end_date=D(2021, 6, 29), estimated_value=Decimal('10000.00'))
        self.assertEqual(procurement.task_days, 90)

        self._to_evaluation(procurement)
        # 200 visits at 60 zł: 12 000 zł.
        dear = self._offer(procurement, fx['ngo'], 60)
        with self.assertRaises(ValidationError) as cm, \
                rolled_back_on_error():
            Procurement.award([procurement])
        self.assertIn('12 000,00', cm.exception.message)
        self._reject(dear, "Przekracza 10 000 zł")
        procurement = self._fresh(procurement)

        # A commercial entity cannot get a small grant.
        firm = self._offer(procurement, fx['firm'], 45)
        with self.assertRaises(UserError), rolled_back_on_error():
            Procurement.award([procurement])
        self._reject(firm, "Podmiot komercyjny")

        procurement = self._fresh(procurement)
        self._offer(procurement, fx['coop'], 50)
        Procurement.award([procurement])
        contract, = procurement.contracts
        self.assertEqual(contract.value_cap, Decimal('10000.00'))
        self.assertEqual(contract.mode, 'small_grant')

    @with_transaction()
    def test_small_grant_yearly_limit(self):
        "Test small grants to one organisation are at most 20 000 zł a year"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()

        def grant(start, unit_price):
            procurement = self._procurement(
                fx, mode='small_grant', criteria=[],
                lots=[{'service': fx['handyman'].id, 'quantity': 100}],
                start_date=start, end_date=start + dt.timedelta(days=60))
            self._to_evaluation(procurement)
            self._offer(procurement, fx['ngo'], unit_price)
            return procurement

        for start in [D(2021, 4, 1), D(2021, 7, 1)]:
            procurement = grant(start, 100)
            Procurement.award([procurement])
            self.assertEqual(procurement.state, 'awarded')
        procurement = grant(D(2021, 10, 1), 5)
        with self.assertRaises(UserError) as cm, rolled_back_on_error():
            Procurement.award([procurement])
        self.assertIn('20 500,00', cm.exception.message)
        # Another year starts afresh.
        procurement = grant(D(2022, 1, 3), 100)
        Procurement.award([procurement])
        self.assertEqual(procurement.state, 'awarded')

    @with_transaction()
    def test_expired_accreditation_blocks_award(self):
        "Test a provider whose accreditation expired cannot be awarded"
        pool = Pool()
        Party = pool.get('party.party')
        Procurement = pool.get('cus.procurement')
        fx = self._fixture()
        Party.write([fx['coop']], {
                'accreditation': "Akredytacja 3/2019",
                'accreditation_expiry': D(2021, 3, 31),
                })
        procurement = self._procurement(fx, criteria=[
                {'name': "Cena", 'kind': 'price', 'weight': Decimal(100)}])
        self._to_evaluation(procurement)
        self._offer(procurement, fx['coop'], 40)
        with self.assertRaises(AccreditationError) as cm, \
                rolled_back_on_error():
            Procurement.award([procurement])
        self.assertIn('31.03.2021', cm.exception.message)
        self.assertFalse(Procurement(procurement.id).contracts)

        procurement = self._fresh(procurement)
        Party.write([self._fresh(fx['coop'])], {
                'accreditation_expiry': D(2024, 3, 31)})
        Procurement.award([procurement])
        self.assertEqual(procurement.state, 'awarded')

    @with_transaction()
    def test_award_over_lot_budget_warns(self):
        "Test an award above the budget of a lot asks for confirmation"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()
        procurement = self._procurement(fx, lots=[{
                    'service': fx['care'].id, 'quantity': 100,
                    'budget': Decimal('4000')}], criteria=[
                {'name': "Cena", 'kind': 'price', 'weight': Decimal(100)}])
        self._to_evaluation(procurement)
        self._offer(procurement, fx['coop'], '40.01')
        with self.assertRaises(UserWarning) as cm, rolled_back_on_error():
            Procurement.award([procurement])
        self.assertIn('4 001,00', cm.exception.message)
        procurement = self._fresh(procurement)
        with Transaction().set_context(_skip_warnings=True):
            Procurement.award([procurement])
        self.assertEqual(procurement.state, 'awarded')

    @with_transaction()
    def test_cancel_needs_reason(self):
        "Test a published procurement is cancelled only with a reason"
        Procurement = Pool().get('cus.procurement')
        fx = self._fixture()
        procurement = self._procurement(fx)
        Procurement.publish([procurement])
        with self.assertRaises(UserError), rolled_back_on_error():
            Procurement.cancel([procurement])
        procurement = self._fresh(procurement)
        procurement.cancel_reason = "Brak ofert"
        procurement.save()
        Procurement.cancel([procurement])
        self.assertEqual(procurement.state, 'cancelled')
        Procurement.delete([procurement])

        copy, = Procurement.copy([self._procurement(fx)])
        self.assertEqual(copy.state, 'draft')
        self.assertEqual(len(copy.lots), 1)
        self.assertEqual(len(copy.criteria), 3)

    # Roles

    @with_transaction()
    def test_roles(self):
        "Test only the organiser and director run a procurement"
        pool = Pool()
        Procurement = pool.get('cus.procurement')
        Contract = pool.get('cus.contract')
        fx = self._fixture()
        company = fx['company']
        coordinator = create_staff_user(
            'kipus', 'group_cus_coordinator', company, fx['coordinator'])
        finance = create_staff_user('fin', 'group_cus_finance', company)
        organiser = create_staff_user('ous', 'group_cus_organiser', company)
        director = create_staff_user('dyr', 'group_cus_director', company)
        procurement = self._procurement(fx, criteria=[
                {'name': "Cena", 'kind': 'price', 'weight': Decimal(100)}])

        with Transaction().set_user(director.id), check_access():
            Procurement.publish([Procurement(procurement.id)])
        self.assertEqual(procurement.state, 'published')
        self._offer(procurement, fx['coop'], 40)
        Procurement.evaluate([procurement])

        # The coordinator cannot even read the procurements.
        with Transaction().set_user(coordinator.id), check_access():
            with self.assertRaises(AccessError):
                Procurement.search([])
            with self.assertRaises(AccessError):
                Procurement.read([procurement.id], ['name'])
            with self.assertRaises(AccessError):
                Procurement.award([Procurement(procurement.id)])
        # Finance reads them, with their offers, but cannot award.
        with Transaction().set_user(finance.id), check_access():
            self.assertEqual(Procurement.search([]), [procurement])
            offer, = Procurement(procurement.id).offers
            self.assertEqual(offer.total, Decimal('40000.00'))
            with self.assertRaises(AccessButtonError):
                Procurement.award([Procurement(procurement.id)])
            with self.assertRaises(AccessError):
                Procurement.write(
                    [Procurement(procurement.id)], {'notes': "x"})
        self.assertEqual(procurement.state, 'evaluation')

        with Transaction().set_user(organiser.id), check_access():
            Procurement.award([Procurement(procurement.id)])
            contract, = Contract.search(
                [('procurement', '=', procurement.id)])
            self.assertEqual(contract.provider, fx['coop'])
        self.assertEqual(procurement.state, 'awarded')
        self.assertEqual(procurement.awarded_by, organiser)


class PartnershipTestCase(unittest.TestCase):
    "Test local partnerships and their meetings"

    @classmethod
    def setUpClass(cls):
        activate_module('cus_partners')

    def _partnership(self):
        pool = Pool()
        Party = pool.get('party.party')
        Partnership = pool.get('cus.partnership')
        office, = Party.create([{'name': "Urząd Miejski w Starachowicach"}])
        coop = create_provider(
            "Spółdzielnia Socjalna \"Starachowiczanka\"",
            kind='social_cooperative', sector='social')
        firm = create_provider(
            "Opieka Sp. z o.o.", kind='commercial', sector='business')
        partnership, = Partnership.create([{
                    'name': "Partnerstwo na rzecz ekonomii społecznej "
                    "powiatu starachowickiego",
                    'kind': 'formal',
                    'agreement_date': D(2017, 5, 10),
                    'agreement_reference': "Porozumienie 1/2017",
                    'goals': "Optymalizacja procesów realizacji usług",
                    'principles': "Suwerenność stron, partnerstwo, "
                    "efektywność, uczciwa konkurencja i jawność, "
                    "pomocniczość",
                    'members': [('add', [office.id, coop.id, firm.id])],
                    }])
        return partnership, office, coop, firm

    @with_transaction()
    def test_partnership_members_and_sectors(self):
        "Test the members of a partnership keep their sector"
        pool = Pool()
        Member = pool.get('cus.partnership.member')
        partnership, office, coop, firm = self._partnership()
        self.assertEqual(
            set(partnership.members), {office, coop, firm})
        self.assertEqual(
            {(m.party, m.sector) for m in partnership.memberships},
            {(office, None), (coop, 'social'), (firm, 'business')})
        self.assertEqual(partnership.sectors, ('business', 'social'))

        membership, = [m for m in partnership.memberships
            if m.party == office]
        membership.sector = 'public'
        membership.representative = "Jan Nowak"
        membership.save()
        self.assertEqual(
            Pool().get('cus.partnership')(partnership.id).sectors,
            ('business', 'public', 'social'))
        # Last: on SQLite the failed insert ends the transaction.
        with self.assertRaises(UserError):
            Member.create([{
                        'partnership': partnership.id, 'party': coop.id}])

    @with_transaction()
    def test_meeting_kinds_and_holding(self):
        "Test the meeting kinds and that a held meeting has its minutes"
        pool = Pool()
        Meeting = pool.get('cus.partnership.meeting')
        partnership, office, coop, firm = self._partnership()
        self.assertEqual(
            [k for k, _ in Meeting.fields_get(['kind'])['kind']['selection']],
            ['information', 'diagnostic', 'service_monitoring',
                'problem_solving', 'innovative'])
        meeting, = Meeting.create([{
                    'partnership': partnership.id,
                    'date': D(2021, 9, 15),
                    'kind': 'service_monitoring',
                    'agenda': "Realizacja usług opiekuńczych",
                    }])
        self.assertEqual(meeting.state, 'planned')
        with self.assertRaises(UserError), rolled_back_on_error():
            Meeting.hold([meeting])
        meeting = Meeting(meeting.id)
        meeting.attendees = [office, coop]
        meeting.minutes = "Omówiono odchylenia od harmonogramu."
        meeting.decisions = "Korekta harmonogramu od października."
        meeting.save()
        Meeting.hold([meeting])
        self.assertEqual(meeting.state, 'held')
        self.assertEqual(partnership.meetings, (meeting,))
        with self.assertRaises(AccessError), rolled_back_on_error():
            Meeting.delete([meeting])
        meeting = Meeting(meeting.id)
        Meeting.plan([meeting])
        Meeting.delete([meeting])

    @with_transaction()
    def test_partnership_roles(self):
        "Test who reads and who writes the partnerships"
        pool = Pool()
        Partnership = pool.get('cus.partnership')
        Meeting = pool.get('cus.partnership.meeting')
        fx = create_ipus_fixture()
        company = fx['company']
        partnership, *_ = self._partnership()
        organiser = create_staff_user('ous', 'group_cus_organiser', company)
        coordinator = create_staff_user(
            'kipus', 'group_cus_coordinator', company)
        community = create_staff_user('osl', 'group_cus_community', company)
        finance = create_staff_user('fin', 'group_cus_finance', company)

        with Transaction().set_user(organiser.id), check_access():
            meeting, = Meeting.create([{
                        'partnership': partnership.id,
                        'date': D(2021, 10, 1), 'kind': 'innovative'}])
            Partnership.write(
                [Partnership(partnership.id)], {'notes': "Nowe usługi"})
        for user in [coordinator, community]:
            with Transaction().set_user(user.id), check_access():
                self.assertEqual(Partnership.search([]), [partnership])
                self.assertEqual(Meeting.search([]), [meeting])
                with self.assertRaises(AccessError):
                    Partnership.write(
                        [Partnership(partnership.id)], {'notes': "x"})
                with self.assertRaises(AccessError):
                    Meeting.create([{
                                'partnership': partnership.id,
                                'date': D(2021, 11, 1),
                                'kind': 'diagnostic'}])
        with Transaction().set_user(finance.id), check_access():
            with self.assertRaises(AccessError):
                Partnership.search([])
