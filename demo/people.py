# This file is part of the CUS back office.
"""The clients of the demo: residents of Starachowice.

Mostly seniors (the first target group of the Starachowice programme),
plus families in crisis, people leaving foster care and adults with
disabilities, living in households linked by party relations. Everything
is invented and deterministic: a fixed seed drives both Python's random and
Faker's pl_PL surnames. The PESEL numbers are generated from the birth date
and sex and checked with python-stdnum.
"""
import datetime as dt
import random

from faker import Faker
from faker.providers.person.pl_PL import Provider as PlPersonProvider
from stdnum.pl import pesel as stdnum_pesel

from trytond.pool import Pool

SEED = 2021
POSTAL_CODE = "27-200"
CITY = "Starachowice"

# Streets of Starachowice: (street name, weight, blocks of flats)
STREETS = [
    ("ul. Radomska", 6, True),
    ("ul. Ostrowiecka", 10, True),
    ("ul. Kielecka", 6, True),
    ("ul. Staszica", 5, True),
    ("ul. Armii Krajowej", 5, True),
    ("ul. Wojska Polskiego", 5, True),
    ("ul. Żeromskiego", 5, True),
    ("os. Południe", 6, True),
    ("ul. Majówka", 3, True),
    ("ul. Mickiewicza", 3, True),
    ("ul. Kościelna", 2, True),
    ("os. Łazy", 10, False),
    ("ul. Orzechowa", 3, False),
    ("ul. Nadrzeczna", 2, False),
    ("ul. Bugaj", 3, False),
    ("ul. Leśna", 2, False),
    ("ul. Ogrodowa", 2, False),
    ("ul. Szkolna", 2, False),
    ("ul. Kolejowa", 2, False),
    ("ul. Partyzantów", 2, False),
    ]

FIRST_NAMES = {
    # born 1928-1958
    'senior': {
        'female': [
            "Janina", "Zofia", "Krystyna", "Stanisława", "Halina", "Irena",
            "Danuta", "Teresa", "Barbara", "Helena", "Maria", "Jadwiga",
            "Genowefa", "Władysława", "Elżbieta", "Alicja", "Bożena",
            "Czesława", "Wanda", "Kazimiera", "Henryka", "Leokadia",
            "Marianna", "Anna", "Grażyna", "Jolanta", "Lucyna", "Regina"],
        'male': [
            "Stanisław", "Jan", "Józef", "Tadeusz", "Jerzy", "Zbigniew",
            "Henryk", "Kazimierz", "Ryszard", "Andrzej", "Zdzisław",
            "Czesław", "Edward", "Marian", "Władysław", "Mieczysław",
            "Bogdan", "Roman", "Eugeniusz", "Wiesław", "Janusz", "Leszek",
            "Franciszek", "Stefan"],
        },
    # born 1960-1998
    'adult': {
        'female': [
            "Agnieszka", "Katarzyna", "Magdalena", "Monika", "Joanna",
            "Justyna", "Karolina", "Paulina", "Anna", "Ewelina", "Sylwia",
            "Marta", "Natalia", "Kamila", "Aleksandra", "Beata", "Dorota",
            "Renata", "Iwona"],
        'male': [
            "Tomasz", "Paweł", "Łukasz", "Marcin", "Michał", "Krzysztof",
            "Piotr", "Kamil", "Mateusz", "Dawid", "Rafał", "Grzegorz",
            "Damian", "Adrian", "Sebastian", "Robert", "Mariusz"],
        },
    # born 1999-2021
    'young': {
        'female': [
            "Zuzanna", "Julia", "Maja", "Lena", "Hanna", "Zofia", "Amelia",
            "Oliwia", "Alicja", "Laura", "Wiktoria", "Pola", "Nadia",
            "Natalia", "Weronika", "Klaudia", "Patrycja"],
        'male': [
            "Antoni", "Jan", "Jakub", "Aleksander", "Szymon", "Franciszek",
            "Filip", "Mikołaj", "Wojciech", "Kacper", "Stanisław", "Leon",
            "Igor", "Patryk", "Bartosz", "Dawid"],
        },
    }

OCCUPATIONS = {
    'senior': {
        'female': [
            "emerytowana nauczycielka", "emerytowana pielęgniarka",
            "emerytowana księgowa", "emerytowana krawcowa",
            "emerytka, była pracownica FSC Star", "emerytowana sprzedawczyni",
            "emerytowana urzędniczka", None],
        'male': [
            "emeryt, były pracownik FSC Star", "emerytowany ślusarz",
            "emerytowany kierowca", "emerytowany tokarz",
            "emerytowany nauczyciel", "emerytowany górnik",
            "emerytowany elektryk", None],
        },
    'adult': {
        'female': [
            "sprzedawczyni", "pracownica produkcji", "opiekunka",
            "fryzjerka", "kasjerka", "sprzątaczka", None, None],
        'male': [
            "magazynier", "kierowca", "pracownik produkcji", "spawacz",
            "pracownik budowlany", "ochroniarz", None, None],
        },
    }

SENIOR_HEALTH = [
    "Nadciśnienie tętnicze, cukrzyca typu 2.",
    "Stan po udarze, ograniczona sprawność ruchowa prawej strony ciała.",
    "Choroba zwyrodnieniowa stawów, porusza się o kulach.",
    "Niewydolność serca, szybko się męczy.",
    "Początkowe zaburzenia pamięci.",
    "Osłabiony słuch i wzrok.",
    "Stan po złamaniu szyjki kości udowej, porusza się z balkonikiem.",
    "Przewlekła obturacyjna choroba płuc.",
    ]
SENIOR_PROBLEMS = [
    "Samotność, rodzina mieszka poza Starachowicami.",
    "Trudności z samodzielnym dotarciem do lekarza i urzędów.",
    "Mieszkanie wymaga drobnych napraw.",
    "Trudności w wykonywaniu codziennych czynności domowych.",
    "Opiekuje się chorym małżonkiem, brak odpoczynku.",
    ]
FAMILY_PROBLEMS = [
    "Przemoc domowa – procedura „Niebieskiej Karty”.",
    "Bezrobocie, zaległości czynszowe.",
    "Trudności opiekuńczo-wychowawcze.",
    "Uzależnienie partnera od alkoholu.",
    "Samotne rodzicielstwo, brak wsparcia rodziny.",
    "Konflikty w rodzinie, rozpad związku.",
    ]
LEAVER_PROBLEMS = [
    "Brak mieszkania po opuszczeniu rodziny zastępczej.",
    "Brak doświadczenia zawodowego, trudności w znalezieniu pracy.",
    "Usamodzielnienie po pobycie w placówce opiekuńczo-wychowawczej.",
    ]
DISABILITY_DESCRIPTIONS = {
    'light': "Orzeczenie o lekkim stopniu niepełnosprawności "
    "(schorzenia narządu ruchu).",
    'moderate': "Orzeczenie o umiarkowanym stopniu niepełnosprawności "
    "(choroby narządu ruchu i układu krążenia).",
    'severe': "Orzeczenie o znacznym stopniu niepełnosprawności, wymaga "
    "pomocy innych osób.",
    'child_certificate': "Orzeczenie o niepełnosprawności (dziecko do lat "
    "16), opóźniony rozwój mowy.",
    }
ADULT_DISABILITY_HEALTH = [
    "Mózgowe porażenie dziecięce, porusza się na wózku.",
    "Niepełnosprawność intelektualna w stopniu lekkim.",
    "Stwardnienie rozsiane.",
    "Słabowidzący.",
    "Zaburzenia psychiczne, leczenie ambulatoryjne.",
    ]

MOBILE_PREFIXES = [
    "500", "501", "502", "503", "504", "505", "506", "507", "508", "509",
    "510", "511", "512", "513", "515", "516", "530", "531", "533", "534",
    "535", "536", "537", "538", "539", "570", "571", "572", "600", "601",
    "602", "603", "604", "605", "606", "607", "608", "609", "660", "661",
    "662", "663", "664", "665", "666", "667", "668", "669", "690", "691",
    "692", "693", "694", "695", "696", "697", "698", "699", "720", "721",
    "722", "723", "724", "725", "726", "727", "728", "729", "780", "781",
    "782", "783", "784", "785", "786", "787", "788", "789", "790", "791",
    "792", "793", "794", "795", "796", "797", "798", "799", "880", "881",
    "882", "883", "884", "885", "886", "887", "888", "889"]

_MONTH_OFFSET = {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}


def pesel(birth_date, female, serial):
    """Return the PESEL of a person born on birth_date

    serial: 0-999, the ordinal number of the day's registrations (with the
    sex digit it makes the 4 digits after the date)."""
    month = birth_date.month + _MONTH_OFFSET[birth_date.year // 100]
    sex_digit = (serial % 5) * 2 + (0 if female else 1)
    body = '%02d%02d%02d%03d%d' % (
        birth_date.year % 100, month, birth_date.day, serial % 1000,
        sex_digit)
    code = body + stdnum_pesel.calc_check_digit(body)
    assert stdnum_pesel.is_valid(code), code
    return code


def female_surname(surname):
    "The female form of a Polish surname"
    for male, female in [('ski', 'ska'), ('cki', 'cka'), ('dzki', 'dzka')]:
        if surname.endswith(male):
            return surname[:-len(male)] + female
    return surname


class _Generator:
    "Deterministic generator of households"

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.fake = Faker('pl_PL')
        self.fake.seed_instance(seed)
        self.pesels = set()
        self.used_addresses = set()

    def surname(self):
        if self.rng.random() < 0.75:
            return self.fake.random_element(PlPersonProvider.male_last_names)
        return self.fake.random_element(PlPersonProvider.unisex_last_names)

    def date(self, first_year, last_year):
        start = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, end))

    def pesel(self, birth_date, female):
        while True:
            code = pesel(birth_date, female, self.rng.randint(0, 999))
            if code not in self.pesels:
                self.pesels.add(code)
                return code

    def phone(self, landline=False):
        if landline:
            return "+48 41 27%d %02d %02d" % (
                self.rng.randint(4, 6), self.rng.randint(0, 99),
                self.rng.randint(0, 99))
        return "+48 %s %03d %03d" % (
            self.rng.choice(MOBILE_PREFIXES), self.rng.randint(0, 999),
            self.rng.randint(0, 999))

    def address(self, seniors=False):
        streets = STREETS
        weights = [w * (2 if seniors and 'Łazy' in n else 1)
            for n, w, _ in streets]
        while True:
            name, _, blocks = self.rng.choices(streets, weights)[0]
            number = str(self.rng.randint(1, 60 if blocks else 120))
            if blocks:
                if self.rng.random() < 0.2:
                    number += self.rng.choice("ab")
                unit = str(self.rng.randint(1, 60))
            else:
                unit = None
            if (name, number, unit) not in self.used_addresses:
                self.used_addresses.add((name, number, unit))
                break
        return {
            'street_name': name,
            'building_number': number,
            'unit_number': unit,
            'postal_code': POSTAL_CODE,
            'city': CITY,
            }

    def person(self, generation, sex, surname, first_year, last_year,
            **values):
        female = sex == 'female'
        birth_date = self.date(first_year, last_year)
        first_name = self.rng.choice(FIRST_NAMES[generation][sex])
        if female:
            surname = female_surname(surname)
        person = {
            'name': f"{first_name} {surname}",
            'birth_date': birth_date,
            'sex': sex,
            'pesel': self.pesel(birth_date, female),
            'priority_groups': [],
            }
        person.update(values)
        return person

    def _category(self, weights):
        category = self.rng.choices(
            ['resident', 'hybrid', 'social_assistance'], weights)[0]
        former = (category == 'social_assistance'
            or (category == 'hybrid' and self.rng.random() < 0.25))
        return category, former

    def _senior_details(self, person, married):
        rng = self.rng
        sex = person['sex']
        person['occupation'] = rng.choice(OCCUPATIONS['senior'][sex])
        person['employment_situation'] = rng.choices(
            ['retired', 'disability_pension'], [85, 15])[0]
        if not married:
            person['marital_status'] = rng.choices(
                ['widowed', 'single', 'divorced'], [70, 12, 18])[0]
        else:
            person['marital_status'] = 'married'
        person['priority_groups'].append('seniors')
        degree = rng.choices(
            [None, 'light', 'moderate', 'severe'], [60, 12, 18, 10])[0]
        if degree:
            person['disability_degree'] = degree
            person['disability_description'] = DISABILITY_DESCRIPTIONS[degree]
            person['priority_groups'].append('disabled')
        if rng.random() < 0.6:
            person['health_condition'] = rng.choice(SENIOR_HEALTH)
        if rng.random() < 0.5:
            person['problems'] = rng.choice(SENIOR_PROBLEMS)
        return person

    def _adult_phone(self, person, landline_share=0.0):
        rng = self.rng
        if rng.random() < 0.9:
            person['phone'] = self.phone(
                landline=rng.random() < landline_share)
        return person

    def senior_single(self):
        sex = self.rng.choices(['female', 'male'], [72, 28])[0]
        category, former = self._category([65, 22, 13])
        person = self.person(
            'senior', sex, self.surname(), 1928, 1956,
            client_category=category, former_ops_client=former)
        self._senior_details(person, married=False)
        self._adult_phone(person, landline_share=0.35)
        return [person], [], self.address(seniors=True)

    def senior_couple(self):
        surname = self.surname()
        category, former = self._category([65, 22, 13])
        husband = self.person(
            'senior', 'male', surname, 1932, 1956,
            client_category=category, former_ops_client=former)
        wife = self.person(
            'senior', 'female', surname, 1934, 1958,
            client_category=category, former_ops_client=former)
        for person in (husband, wife):
            self._senior_details(person, married=True)
        self._adult_phone(husband, landline_share=0.5)
        self._adult_phone(wife)
        return ([husband, wife], [(0, 1, 'spouse')],
            self.address(seniors=True))

    def grandparent_family(self):
        "A grandmother raising her grandchild (kinship foster family)"
        surname = self.surname()
        category, former = self._category([10, 50, 40])
        grandmother = self.person(
            'senior', 'female', surname, 1945, 1956,
            client_category=category, former_ops_client=former)
        self._senior_details(grandmother, married=False)
        grandmother['priority_groups'].append('carers')
        self._adult_phone(grandmother)
        sex = self.rng.choice(['female', 'male'])
        child = self.person(
            'young', sex, surname, 2006, 2012,
            client_category=category, former_ops_client=former,
            employment_situation='pupil_student',
            priority_groups=['children_youth', 'families_crisis'])
        return ([grandmother, child], [(0, 1, 'grandparent')],
            self.address())

    def crisis_family(self):
        rng = self.rng
        surname = self.surname()
        category, former = self._category([15, 45, 40])
        problems = rng.choice(FAMILY_PROBLEMS)
        common = {
            'client_category': category,
            'former_ops_client': former,
            }
        mother = self.person(
            'adult', 'female', surname, 1980, 1998,
            employment_situation=rng.choices(
                ['employed', 'unemployed', 'job_seeker', 'carer'],
                [35, 20, 30, 15])[0],
            problems=problems,
            priority_groups=['families_crisis', 'families'], **common)
        mother['occupation'] = rng.choice(OCCUPATIONS['adult']['female'])
        self._adult_phone(mother)
        members = [mother]
        relations = []
        if rng.random() < 0.4:
            father = self.person(
                'adult', 'male', surname, 1975, 1996,
                employment_situation=rng.choices(
                    ['employed', 'unemployed', 'job_seeker'],
                    [60, 20, 20])[0],
                problems=problems,
                priority_groups=['families_crisis', 'families'], **common)
            father['occupation'] = rng.choice(OCCUPATIONS['adult']['male'])
            self._adult_phone(father)
            married = rng.random() < 0.6
            mother['marital_status'] = father['marital_status'] = (
                'married' if married else 'cohabiting')
            relations.append((1, 0, 'spouse' if married else 'partner'))
            members.append(father)
        else:
            mother['marital_status'] = rng.choice(
                ['single', 'divorced', 'separated'])
        parents = list(range(len(members)))
        mother_year = mother['birth_date'].year
        for _ in range(rng.choices([1, 2, 3], [40, 40, 20])[0]):
            first = max(mother_year + 18, 2005)
            sex = rng.choice(['female', 'male'])
            child = self.person(
                'young', sex, surname, first, 2021,
                priority_groups=['families_crisis', 'children_youth'],
                **common)
            age_2021 = 2021 - child['birth_date'].year
            if age_2021 >= 7:
                child['employment_situation'] = 'pupil_student'
            if rng.random() < 0.08:
                child['disability_degree'] = 'child_certificate'
                child['disability_description'] = (
                    DISABILITY_DESCRIPTIONS['child_certificate'])
                child['priority_groups'].append('disabled')
            members.append(child)
        children = list(range(len(parents), len(members)))
        for parent in parents:
            for child in children:
                relations.append((parent, child, 'parent'))
        children.sort(key=lambda i: members[i]['birth_date'])
        for i, older in enumerate(children):
            for younger in children[i + 1:]:
                relations.append((older, younger, 'sibling'))
        return members, relations, self.address()

    def foster_care_leaver(self):
        rng = self.rng
        category, former = self._category([0, 50, 50])
        sex = rng.choice(['female', 'male'])
        person = self.person(
            'young', sex, self.surname(), 1999, 2003,
            client_category=category, former_ops_client=former,
            marital_status='single',
            employment_situation=rng.choices(
                ['pupil_student', 'job_seeker', 'employed', 'unemployed'],
                [30, 30, 25, 15])[0],
            problems=rng.choice(LEAVER_PROBLEMS),
            priority_groups=['foster_care_leavers'])
        self._adult_phone(person)
        return [person], [], self.address()

    def disabled_adult(self):
        rng = self.rng
        category, former = self._category([40, 35, 25])
        sex = rng.choice(['female', 'male'])
        degree = rng.choices(['light', 'moderate', 'severe'], [20, 45, 35])[0]
        person = self.person(
            'adult', sex, self.surname(), 1962, 1990,
            client_category=category, former_ops_client=former,
            marital_status=rng.choice(['single', 'single', 'divorced']),
            employment_situation=rng.choices(
                ['disability_pension', 'employed', 'unemployed'],
                [60, 25, 15])[0],
            disability_degree=degree,
            disability_description=DISABILITY_DESCRIPTIONS[degree],
            health_condition=rng.choice(ADULT_DISABILITY_HEALTH),
            priority_groups=['disabled'])
        self._adult_phone(person)
        return [person], [], self.address()

    def households(self, count):
        kinds = [
            (self.senior_single, 40),
            (self.senior_couple, 11),
            (self.crisis_family, 8),
            (self.grandparent_family, 2),
            (self.foster_care_leaver, 5),
            (self.disabled_adult, 6),
            ]
        functions, weights = zip(*kinds)
        total = 0
        households = []
        while total < count:
            household = self.rng.choices(functions, weights)[0]()
            households.append(household)
            total += len(household[0])
        return households


def generate_households(count=240, seed=SEED):
    """Return the households as plain data: [(members, relations, address)]

    members are dicts of party values (with 'pesel' and 'phone'), relations
    (from index, to index, relation type key) and address a dict."""
    return _Generator(seed).households(count)


def create_clients(count=240, seed=SEED, country=None):
    """Create at least count clients in households; return the parties"""
    pool = Pool()
    Party = pool.get('party.party')
    Relation = pool.get('party.relation')
    ModelData = pool.get('ir.model.data')

    def xml_id(prefix, name):
        return ModelData.get_id('cus_base', prefix + name)

    households = generate_households(count, seed)
    values = []
    for members, _, address in households:
        for member in members:
            member = member.copy()
            code = member.pop('pesel')
            phone = member.pop('phone', None)
            groups = member.pop('priority_groups')
            member.update({
                    'cus_client': True,
                    'identifiers': [('create', [{
                                    'type': 'pl_pesel', 'code': code}])],
                    'addresses': [('create', [dict(
                                    address,
                                    country=country.id if country else None,
                                    )])],
                    'contact_mechanisms': [('create', [{
                                    'type': (
                                        'phone' if phone.startswith('+48 41')
                                        else 'mobile'),
                                    'value': phone}] if phone else [])],
                    'priority_groups': [('add', sorted({
                                    xml_id('target_group_', g)
                                    for g in groups}))],
                    })
            values.append(member)
    parties = Party.create(values)

    relations = []
    index = 0
    for members, links, _ in households:
        household = parties[index:index + len(members)]
        index += len(members)
        for from_, to, type_ in links:
            relations.append({
                    'from_': household[from_].id,
                    'to': household[to].id,
                    'type': xml_id('relation_type_', type_),
                    })
    if relations:
        Relation.create(relations)
    return parties
