# This file is part of the CUS back office.
"""The service catalogue of the demo, as Python data.

Two catalogues from the seeds:

* Starachowice: the 13 pilot services of the "Planowany katalog usług do
  wdrożenia w ramach pilotażu" merged with the Programme table "Cel
  szczegółowy 1" (seed 000, digest §3.2), grouped in the two packages of
  the Programme and of the financial plan (seniors; families in crisis and
  people leaving foster care);
* Koszalin: the packages RODZINA+ and POMOC+ with their components and the
  supporting activities (seed 004, digest §3.1-3.3).

What the seeds give is copied as given (Polish names, goals, target groups,
areas, challenges, realiser category, commissioning mode, kind, place, fee).
What they leave out is filled with demo values and said so here:
availability, the reference unit prices (round demo prices, not from any
tender), the quality standards with their allowed deviation, capacities
and the providers. The areas, challenges and target groups of the Koszalin
services are an inference of the digest (the seed maps only the packages
to areas).
"""
import datetime as dt
from decimal import Decimal

from trytond.pool import Pool

FEE_NOTE = "Bezpłatnie w ramach pilotażu"
ALLOWED_DEVIATION = Decimal('10')
WORKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri']
ALL_DAYS = WORKDAYS + ['sat', 'sun']

# XML ids of cus_base / product units
UNITS = {
    'hour': ('product', 'uom_hour'),
    'day': ('product', 'uom_day'),
    'ride': ('cus_base', 'uom_ride'),
    'visit': ('cus_base', 'uom_visit'),
    'session': ('cus_base', 'uom_session'),
    'place_month': ('cus_base', 'uom_place_month'),
    'service': ('cus_base', 'uom_service'),
    'loan': ('cus_base', 'uom_loan'),
    }

# Providers: the CUS itself (in-house, key 'cus') is the company party.
# The other names are invented for the demo, except the two municipal units
# the seed names as partners (a culture centre and MOSiR), which are given
# without street address or identifiers.
PROVIDERS = [
    {
        'key': 'coop_razem',
        'name': "Spółdzielnia Socjalna „Razem”",
        'street_name': "ul. Kolejowa", 'building_number': "14",
        'phone': "+48 41 275 12 40", 'email': "biuro@ss-razem.example.org",
        },
    {
        'key': 'coop_dom',
        'name': "Spółdzielnia Socjalna „Bezpieczny Dom”",
        'street_name': "ul. Szkolna", 'building_number': "7",
        'phone': "+48 41 274 33 10",
        'email': "kontakt@bezpiecznydom.example.org",
        },
    {
        'key': 'coop_maluch',
        'name': "Spółdzielnia Socjalna „Maluszek”",
        'street_name': "ul. Radomska", 'building_number': "2",
        'phone': "+48 41 274 51 77", 'email': "maluszek@maluszek.example.org",
        },
    {
        'key': 'fundacja_zdrowie',
        'name': "Fundacja „Zdrowie i Ruch”",
        'street_name': "ul. Mickiewicza", 'building_number': "3",
        'phone': "+48 41 276 21 05",
        'email': "fundacja@zdrowieiruch.example.org",
        },
    {
        'key': 'fundacja_praca',
        'name': "Fundacja Aktywizacji Zawodowej „Nowy Start”",
        'street_name': "ul. Kościelna", 'building_number': "20",
        'phone': "+48 41 274 80 22", 'email': "biuro@nowystart.example.org",
        },
    {
        'key': 'stow_rodzina',
        'name': "Stowarzyszenie „Rodzina i Wsparcie”",
        'street_name': "ul. Wojska Polskiego", 'building_number': "41",
        'phone': "+48 41 275 60 18",
        'email': "stowarzyszenie@rodzinaiwsparcie.example.org",
        },
    {
        'key': 'stow_sasiedzi',
        'name': "Stowarzyszenie na rzecz Aktywności Lokalnej „Sąsiedzi”",
        'street_name': "ul. Ostrowiecka", 'building_number': "52",
        'phone': "+48 41 276 44 90", 'email': "sasiedzi@sasiedzi.example.org",
        },
    {
        'key': 'sck',
        'name': "Starachowickie Centrum Kultury",
        },
    {
        'key': 'mosir',
        'name': "Miejski Ośrodek Sportu i Rekreacji w Starachowicach",
        },
    ]

PACKAGES = [
    {
        'key': 'seniors',
        'code': "SENIORZY",
        'name': "Usługi dla seniorów",
        'description': (
            "Usługi opiekuńcze i inne usługi poprawiające jakość życia "
            "w miejscu zamieszkania, mieszkania chronione, usługi zdrowotne, "
            "pozostałe usługi (z zakresu kultury, edukacji, sportu, rekreacji "
            "i turystyki). Grupa usług Programu Usług Społecznych "
            "w Starachowicach i planu finansowania usług w okresie "
            "01.04.2021 – 30.04.2023."),
        'target_groups': ['seniors', 'disabled'],
        'areas': [
            'social_assistance', 'disability', 'health', 'housing',
            'culture', 'sport_tourism', 'civic_activity', 'reintegration'],
        },
    {
        'key': 'crisis',
        'code': "RODZINY_KRYZYS",
        'name': ("Usługi dla rodzin w kryzysie i osób opuszczających pieczę "
            "zastępczą"),
        'description': (
            "Mieszkania chronione, opieka dla dzieci do lat 3, usługi "
            "wspierające aktywność osób – poradnictwo specjalistyczne "
            "i trening umiejętności, broker pracy dla osób objętych "
            "interwencją kryzysową, grupy wsparcia. Grupa usług Programu "
            "Usług Społecznych w Starachowicach i planu finansowania usług "
            "w okresie 01.04.2021 – 30.04.2023."),
        'target_groups': ['families_crisis', 'foster_care_leavers'],
        'areas': [
            'family_policy', 'family_support', 'foster_care', 'housing',
            'reintegration'],
        },
    {
        'key': 'rodzina',
        'code': "RODZINA+",
        'name': "RODZINA+",
        'description': (
            "Pakiet RODZINA+ – usługi wspierające rodziny: Klub Rodzinny, "
            "mediacje dla rodziny, wsparcie indywidualne dla dzieci "
            "i młodzieży. Pakiety usług społecznych są działaniami "
            "z zakresu wspierania rodziny, wspierania osób "
            "niepełnosprawnych oraz promocji i ochrony zdrowia."),
        'target_groups': ['families', 'children_youth'],
        'areas': ['family_support', 'health'],
        },
    {
        'key': 'pomoc',
        'code': "POMOC+",
        'name': "POMOC+",
        'description': (
            "Pakiet POMOC+ skierowany do osób z niepełnosprawnością i/lub "
            "osób starszych."),
        'target_groups': ['disabled', 'seniors', 'carers'],
        'areas': ['disability', 'health'],
        },
    {
        'key': 'supporting',
        'code': "DZIALANIA_WSPIERAJACE",
        'name': "Działania wspierające",
        'description': (
            "Działania wspierające w zakresie organizowania i pobudzania "
            "aktywności społeczności lokalnej, uzupełniające pakiety usług "
            "RODZINA+ i POMOC+."),
        'target_groups': ['residents'],
        'areas': ['civic_activity'],
        # The community work of the Koszalin indicators, not catalogue
        # services (cus_partners' indicator "supporting activities").
        'supporting_activities': True,
        },
    ]

_CITY = "Teren Miasta Starachowice"
_HOME = "Miejsce zamieszkania klienta"
_RADOMSKA = "Starachowice, ul. Radomska 2"
_CRISIS_GROUP = ['families_crisis', 'foster_care_leavers']


def _standard(quantitative, qualitative):
    return {
        'quality_quantitative': quantitative,
        'quality_qualitative': qualitative,
        'allowed_deviation': ALLOWED_DEVIATION,
        }


# The 13 pilot services of Starachowice, in the order of the catalogue.
STARACHOWICE_SERVICES = [
    {
        'key': 'care',
        'number': 1,
        'name': ("Usługi opiekuńcze w miejscu zamieszkania "
            "(w tym opieka wytchnieniowa)"),
        'package': 'seniors',
        'goal': "Umożliwienie funkcjonowania w dotychczasowym środowisku",
        'description': (
            "Pomoc w zaspokajaniu codziennych potrzeb życiowych. Opieka "
            "higieniczna. Opieka wytchnieniowa: czasowe przejęcie opieki, "
            "aby opiekun faktyczny mógł odpocząć."),
        'challenges': ['old_age', 'disability'],
        'areas': ['social_assistance', 'disability'],
        'target_groups': ['seniors', 'disabled'],
        'place_type': 'home', 'place': _HOME,
        'service_kind': 'more_volume',
        'realiser_category': 'pes',
        'commissioning_modes': ['pzp_social'],
        'unit': 'hour',
        'max_per_week': 6,
        'quota_note': (
            "Według przykładowego IPUS: 6 godzin tygodniowo (okres "
            "04–12.2021)."),
        'availability_days': ALL_DAYS,
        'availability_from': dt.time(7, 0), 'availability_to': dt.time(21, 0),
        'availability_note': "Opieka wytchnieniowa także w weekendy.",
        'unit_price': Decimal('32.00'),
        'capacity': 1200, 'capacity_period': 'month',
        'providers': ['coop_razem'],
        **_standard(
            "Co najmniej 95 % wizyt rozpoczętych o umówionej godzinie "
            "(±15 minut); co najmniej 90 % godzin z harmonogramu "
            "zrealizowanych w miesiącu.",
            "Opiekunka z kwalifikacjami opiekuńczymi; stała osoba "
            "u klienta; zadowolenie klienta co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'handyman',
        'number': 2,
        'name': "Mobilny konserwator – Złota Rączka",
        'package': 'seniors',
        'goal': "Poprawa warunków życia w miejscu zamieszkania",
        'description': "Drobne naprawy, konserwacje – bez zakupu materiałów.",
        'challenges': ['old_age', 'disability'],
        'areas': ['social_assistance', 'disability'],
        'target_groups': ['seniors', 'disabled'],
        'place_type': 'home', 'place': _HOME,
        'service_kind': 'new',
        'realiser_category': 'pes',
        'commissioning_modes': ['pzp_social', 'coop_15a'],
        'unit': 'visit',
        'max_per_year': 4,
        'max_unit_duration': 2,
        'quota_note': (
            "4 usługi w roku po maks. 2 godziny. Drobne naprawy, "
            "konserwacje – bez zakupu materiałów (materiały zapewnia "
            "klient)."),
        'availability_days': WORKDAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(16, 0),
        'availability_note': "Termin wizyty uzgadniany telefonicznie.",
        'unit_price': Decimal('90.00'),
        'capacity': 60, 'capacity_period': 'month',
        'providers': ['coop_razem'],
        **_standard(
            "Wizyta w ciągu 10 dni roboczych od zgłoszenia; co najmniej "
            "90 % zgłoszeń zrealizowanych w jednej wizycie.",
            "Naprawa wykonana starannie i bezpiecznie, miejsce pracy "
            "uprzątnięte; zadowolenie klienta co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'taxi',
        'number': 3,
        'name': "Taksówka dla seniora",
        'package': 'seniors',
        'goal': ("Ułatwienie dostępu do usług dla osób starszych "
            "i niepełnosprawnych"),
        'description': (
            "Kurs z miejsca zamieszkania do miejsca docelowego oraz kurs "
            "z miejsca docelowego do miejsca zamieszkania w ciągu jednego "
            "dnia."),
        'challenges': ['old_age', 'disability'],
        'areas': ['social_assistance', 'disability'],
        'target_groups': ['seniors', 'disabled'],
        # The catalogue says the client's home, the IPUS template the area
        # of the city: the ride starts and ends at home, within the city.
        'place_type': 'city',
        'place': "Teren miasta Starachowice (z miejsca zamieszkania klienta)",
        'service_kind': 'new',
        'realiser_category': 'jst',
        # "Nie dotyczy": delivered by the CUS itself.
        'commissioning_modes': ['in_house'],
        'unit': 'ride',
        'max_per_month': 2,
        'max_per_year': 6,
        'quota_note': (
            "2 przejazdy w miesiącu, maks. 6 przejazdów w roku. Jeden "
            "przejazd to kurs z miejsca zamieszkania do miejsca docelowego "
            "oraz kurs z miejsca docelowego do miejsca zamieszkania "
            "w ciągu jednego dnia."),
        'availability_days': WORKDAYS,
        'availability_from': dt.time(7, 0), 'availability_to': dt.time(18, 0),
        'availability_note': (
            "Przejazd zamawia się w CUS co najmniej 2 dni robocze "
            "wcześniej."),
        'unit_price': Decimal('60.00'),
        'capacity': 80, 'capacity_period': 'month',
        'providers': ['cus'],
        'rules': (
            "Przejazd obejmuje dowóz z miejsca zamieszkania i powrót "
            "w tym samym dniu na terenie miasta. Kierowca pomaga przy "
            "wsiadaniu i wysiadaniu. Rezygnację należy zgłosić najpóźniej "
            "dzień wcześniej."),
        **_standard(
            "Co najmniej 95 % przejazdów punktualnych (±10 minut); "
            "potwierdzenie zamówienia w ciągu 1 dnia roboczego.",
            "Kierowca przeszkolony w pomocy osobom starszym "
            "i z niepełnosprawnościami; pojazd przystosowany; zadowolenie "
            "klienta co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'physio',
        'number': 4,
        'name': "Mobilny fizjoterapeuta",
        'package': 'seniors',
        'goal': ("Współpraca ze specjalistą w zakresie terapeutycznym "
            "zmierzająca do wielostronnej aktywizacji osoby korzystającej"),
        'description': (
            "Fizjoterapia w domu klienta: ocena funkcjonalna, ćwiczenia, "
            "instruktaż dla klienta i opiekuna."),
        'challenges': ['old_age', 'disability'],
        'areas': ['health', 'social_assistance', 'disability'],
        'target_groups': ['seniors', 'disabled'],
        'place_type': 'home', 'place': _HOME,
        'service_kind': 'new',
        'realiser_category': 'pes',
        'commissioning_modes': ['pzp_social'],
        'unit': 'visit',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(18, 0),
        'unit_price': Decimal('120.00'),
        'capacity': 60, 'capacity_period': 'month',
        'providers': ['fundacja_zdrowie'],
        **_standard(
            "Wizyta trwa co najmniej 45 minut; plan terapii w ciągu "
            "2 pierwszych wizyt.",
            "Fizjoterapeuta z prawem wykonywania zawodu; ocena postępów "
            "co 3 miesiące; zadowolenie klienta co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'flats_seniors',
        'number': 5,
        'name': ("Mieszkania chronione dla osób starszych i/lub "
            "niepełnosprawnych"),
        'package': 'seniors',
        'goal': "Zapobieganie umieszczeniu w placówce całodobowej",
        'description': (
            "Pobyt w mieszkaniu chronionym ze wsparciem w codziennym "
            "funkcjonowaniu."),
        'challenges': ['old_age', 'disability'],
        'areas': ['social_assistance', 'disability', 'housing'],
        'target_groups': ['seniors', 'disabled'],
        'place_type': 'provider', 'place': _RADOMSKA,
        'service_kind': 'new',
        'realiser_category': 'pes_jst',
        'commissioning_modes': ['pzp_social'],
        'unit': 'place_month',
        'availability_days': ALL_DAYS,
        'availability_note': "Całodobowo.",
        'unit_price': Decimal('1500.00'),
        'capacity': 4, 'capacity_period': 'month',
        'providers': ['coop_dom', 'cus'],
        **_standard(
            "Wsparcie opiekuna mieszkania co najmniej 2 godziny dziennie; "
            "obłożenie miejsc co najmniej 90 %.",
            "Indywidualny plan usamodzielnienia lub wsparcia; zadowolenie "
            "mieszkańca co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'flats_crisis',
        'number': 6,
        'name': ("Mieszkania chronione dla osób doświadczających kryzysu "
            "w rodzinie i opuszczających pieczę zastępczą"),
        'package': 'crisis',
        'goal': ("Stworzenie bezpiecznego miejsca dla osób doświadczających "
            "sytuacji kryzysowych (np. przemocy domowej)"),
        'description': (
            "Pobyt w mieszkaniu chronionym treningowym ze wsparciem "
            "w usamodzielnieniu."),
        'challenges': ['family_crisis'],
        'areas': ['family_policy', 'family_support', 'foster_care',
            'housing'],
        'target_groups': _CRISIS_GROUP,
        'place_type': 'provider', 'place': _RADOMSKA,
        'service_kind': 'new',
        'realiser_category': 'pes_jst',
        'commissioning_modes': ['pzp_social'],
        'unit': 'place_month',
        'availability_days': ALL_DAYS,
        'availability_note': "Całodobowo.",
        'unit_price': Decimal('1500.00'),
        'capacity': 3, 'capacity_period': 'month',
        'providers': ['coop_dom', 'cus'],
        **_standard(
            "Przyjęcie w sytuacji kryzysowej w ciągu 24 godzin; wsparcie "
            "specjalisty co najmniej 2 razy w tygodniu.",
            "Indywidualny plan usamodzielnienia; bezpieczeństwo "
            "mieszkańców; zadowolenie co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'childcare',
        'number': 7,
        'name': "Opieka nad dziećmi do lat 3",
        'package': 'crisis',
        'goal': ("Zapewnienie opieki nad dziećmi w celu poszukiwania pracy "
            "przez klienta lub załatwiania ważnych spraw osobistych"),
        'description': (
            "Doraźna opieka nad dzieckiem do lat 3 prowadzona przez "
            "wykwalifikowaną opiekunkę."),
        'challenges': ['family_crisis'],
        'areas': ['family_policy', 'family_support', 'foster_care'],
        'target_groups': _CRISIS_GROUP,
        'place_type': 'provider', 'place': _RADOMSKA,
        'service_kind': 'new',
        'realiser_category': 'pes',
        'commissioning_modes': ['pzp_social'],
        'unit': 'hour',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(7, 0), 'availability_to': dt.time(17, 0),
        'availability_note': "Zapisy z co najmniej 1-dniowym wyprzedzeniem.",
        'unit_price': Decimal('30.00'),
        'capacity': 200, 'capacity_period': 'month',
        'providers': ['coop_maluch'],
        **_standard(
            "Nie więcej niż 5 dzieci na jedną opiekunkę; co najmniej 95 % "
            "zgłoszeń przyjętych w wybranym terminie.",
            "Opiekunka z kwalifikacjami do opieki nad dziećmi do lat 3; "
            "zadowolenie rodzica co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'broker',
        'number': 8,
        'name': "Broker pracy",
        'package': 'crisis',
        'goal': "Wsparcie w znalezieniu zatrudnienia",
        'description': (
            "Indywidualne spotkania z brokerem: rozpoznanie możliwości, "
            "dopasowanie ofert pracy, kontakt z pracodawcą. Dla rodzin "
            "w kryzysie: broker pracy dla osób objętych interwencją "
            "kryzysową."),
        'challenges': ['old_age', 'family_crisis'],
        'areas': ['reintegration'],
        'target_groups': ['seniors'] + _CRISIS_GROUP,
        'place_type': 'city', 'place': _CITY,
        'service_kind': 'new',
        'realiser_category': 'pes',
        'commissioning_modes': ['pzp_social'],
        'unit': 'session',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(16, 0),
        'availability_note': "Po umówieniu terminu.",
        'unit_price': Decimal('80.00'),
        'capacity': 60, 'capacity_period': 'month',
        'providers': ['fundacja_praca'],
        **_standard(
            "Pierwsze spotkanie w ciągu 7 dni od zlecenia; co najmniej "
            "3 dopasowane oferty pracy w miesiącu na osobę.",
            "Indywidualny plan działania; zadowolenie klienta co najmniej "
            "4 w skali 1–5."),
        },
    {
        'key': 'support_groups',
        'number': 9,
        'name': "Grupy wsparcia dla rodzin w kryzysie",
        'package': 'crisis',
        'goal': "Poprawa sytuacji życiowej",
        'description': (
            "Spotkania grupy wsparcia prowadzone przez psychologa lub "
            "terapeutę."),
        'challenges': ['family_crisis'],
        'areas': ['family_support', 'foster_care'],
        'target_groups': _CRISIS_GROUP,
        'place_type': 'city', 'place': _CITY,
        'service_kind': 'more_volume',
        'realiser_category': 'pes',
        'commissioning_modes': ['pzp_social'],
        'unit': 'session',
        'availability_days': ['tue', 'thu'],
        'availability_from': dt.time(16, 0),
        'availability_to': dt.time(19, 0),
        'unit_price': Decimal('280.00'),
        'capacity': 8, 'capacity_period': 'month',
        'providers': ['stow_rodzina'],
        **_standard(
            "Spotkanie trwa 2 godziny; grupa od 5 do 12 osób.",
            "Prowadzący z przygotowaniem psychologicznym lub "
            "terapeutycznym; zadowolenie uczestników co najmniej 4 "
            "w skali 1–5."),
        },
    {
        'key': 'health',
        'number': 10,
        'name': "Pakiet programów zdrowotnych",
        'package': 'seniors',
        'goal': "Profilaktyka zdrowotna",
        'description': (
            "Pakiet badań profilaktycznych, konsultacji i zajęć z edukacji "
            "zdrowotnej."),
        'challenges': ['old_age', 'disability'],
        'areas': ['health'],
        'target_groups': ['seniors', 'disabled'] + _CRISIS_GROUP,
        'place_type': 'city', 'place': _CITY,
        'service_kind': 'new',
        'realiser_category': 'pes',
        'commissioning_modes': ['pzp_social'],
        'unit': 'service',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(16, 0),
        'unit_price': Decimal('400.00'),
        'capacity': 20, 'capacity_period': 'month',
        'providers': ['fundacja_zdrowie'],
        **_standard(
            "Pakiet zrealizowany w ciągu 2 miesięcy od przyznania.",
            "Badania i konsultacje prowadzone przez uprawniony personel "
            "medyczny; zadowolenie uczestnika co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'culture',
        'number': 11,
        'name': "Usługi kulturalne",
        'goal': ("Zapewnienie dostępu do usług zaspokajających potrzeby "
            "wyższego rzędu"),
        'package': 'seniors',
        'description': (
            "Udział w wydarzeniach kulturalnych, warsztatach i zajęciach "
            "artystycznych."),
        'challenges': ['old_age', 'disability', 'family_crisis'],
        'areas': ['culture', 'civic_activity'],
        'target_groups': ['seniors', 'disabled'] + _CRISIS_GROUP,
        'place_type': 'city', 'place': _CITY,
        'service_kind': 'new',
        'realiser_category': 'jst_pes',
        'commissioning_modes': ['pzp_social', 'open_competition'],
        'unit': 'service',
        'availability_days': ALL_DAYS,
        'availability_from': dt.time(10, 0),
        'availability_to': dt.time(20, 0),
        'availability_note': "Według repertuaru i harmonogramu zajęć.",
        'unit_price': Decimal('45.00'),
        'providers': ['sck'],
        **_standard(
            "Co najmniej 4 wydarzenia lub cykle zajęć w miesiącu.",
            "Wydarzenia dostępne dla osób z niepełnosprawnościami; "
            "zadowolenie uczestników co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'sport',
        'number': 12,
        'name': "Usługi sportowo-rekreacyjne",
        'package': 'seniors',
        'goal': ("Zapewnienie dostępu do usług zaspokajających potrzeby "
            "wyższego rzędu"),
        'description': (
            "Zajęcia ruchowe i rekreacyjne: gimnastyka, nordic walking, "
            "basen, zajęcia dla rodzin."),
        'challenges': ['old_age', 'disability', 'family_crisis'],
        'areas': ['sport_tourism'],
        'target_groups': ['seniors', 'disabled'] + _CRISIS_GROUP,
        'place_type': 'city', 'place': _CITY,
        'service_kind': 'new',
        'realiser_category': 'jst_pes',
        'commissioning_modes': ['pzp_social', 'open_competition'],
        'unit': 'session',
        'availability_days': ALL_DAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(21, 0),
        'availability_note': "Według harmonogramu zajęć.",
        'unit_price': Decimal('40.00'),
        'providers': ['mosir'],
        **_standard(
            "Zajęcia w grupach do 15 osób; co najmniej 8 zajęć "
            "w miesiącu.",
            "Instruktor z uprawnieniami; zajęcia dostosowane do "
            "możliwości uczestników; zadowolenie co najmniej 4 w skali "
            "1–5."),
        },
    {
        'key': 'animation',
        'number': 13,
        'name': "Animacje społeczności lokalnej",
        # For all residents: outside the two packages of the Programme.
        'package': None,
        'goal': ("Zapobieganie izolacji społecznej. Rozwój współpracy. "
            "Rozwój działań wspierających usługi społeczne (wolontariat, "
            "ruchy samopomocowe i sąsiedzkie)."),
        'description': (
            "Animacja spotkań sąsiedzkich, inicjatyw mieszkańców, "
            "wolontariatu i grup samopomocowych."),
        'challenges': ['social_isolation'],
        'areas': ['civic_activity'],
        'target_groups': ['residents'],
        'place_type': 'city', 'place': _CITY,
        'service_kind': 'new',
        'realiser_category': 'pes',
        'commissioning_modes': ['pzp_social', 'open_competition'],
        'unit': 'hour',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(10, 0),
        'availability_to': dt.time(18, 0),
        'availability_note': "Wydarzenia weekendowe według harmonogramu.",
        'unit_price': Decimal('60.00'),
        'providers': ['stow_sasiedzi'],
        **_standard(
            "Co najmniej 2 działania animacyjne w miesiącu w każdej "
            "społeczności.",
            "Animator z doświadczeniem w organizowaniu społeczności "
            "lokalnej; udział mieszkańców w planowaniu działań."),
        },
    ]

_FREE_KOSZALIN = {
    'service_kind': 'new',
    'commissioning_modes': ['pzp_social', 'outside_pzp'],
    }
_POMOC_TARGETS = ['seniors', 'disabled']

KOSZALIN_SERVICES = [
    # RODZINA+
    {
        'key': 'family_club',
        'number': 'R1',
        'name': "Klub Rodzinny (wsparcie grupowe)",
        'package': 'rodzina',
        'description': "Wsparcie grupowe dla rodziców, dzieci i młodzieży.",
        'components': [
            "Warsztaty/szkolenia/zajęcia podnoszące kompetencje "
            "rodzicielskie i wychowawcze",
            "Warsztaty/szkolenia/zajęcia dla dzieci i młodzieży",
            ("Prelekcje tematyczne z wybranymi specjalistami",
                "Dietetyk, ginekolog, pediatra, trener komunikacji "
                "interpersonalnej itp."),
            ("Opieka nad dziećmi (w ramach interwencji EFS)",
                "Na czas prelekcji/zajęć będzie zapewniony animator dla "
                "najmłodszych."),
            ],
        'challenges': ['family_crisis'],
        'areas': ['family_support', 'health'],
        'target_groups': ['families', 'children_youth'],
        'place_type': 'provider', 'place': "Siedziba realizatora",
        'unit': 'session',
        'availability_days': ['mon', 'wed', 'sat'],
        'availability_from': dt.time(10, 0),
        'availability_to': dt.time(19, 0),
        'unit_price': Decimal('250.00'),
        'providers': ['stow_rodzina'],
        **_FREE_KOSZALIN,
        **_standard(
            "Zajęcia grupowe od 6 do 15 osób; co najmniej 4 spotkania "
            "w miesiącu.",
            "Prowadzący z przygotowaniem pedagogicznym lub psychologicznym; "
            "opieka animatora nad dziećmi; zadowolenie co najmniej 4 "
            "w skali 1–5."),
        },
    {
        'key': 'mediation',
        'number': 'R2',
        'name': "Mediacje dla rodziny",
        'package': 'rodzina',
        'description': "Pomoc w zakresie rozwiązywania sporów i problemów.",
        'components': [
            "Mediacje partnerskie/małżeńskie",
            "Mediacje rodzinne",
            "Mediacje międzypokoleniowe",
            "Mediacje sąsiedzkie",
            ],
        'challenges': ['family_crisis'],
        'areas': ['family_support'],
        'target_groups': ['families'],
        'place_type': 'provider', 'place': "Siedziba realizatora",
        'unit': 'session',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(9, 0), 'availability_to': dt.time(19, 0),
        'availability_note': "Po umówieniu terminu.",
        'unit_price': Decimal('150.00'),
        'providers': ['stow_rodzina'],
        **_FREE_KOSZALIN,
        **_standard(
            "Pierwsze spotkanie w ciągu 14 dni od zgłoszenia; sesja trwa "
            "co najmniej 60 minut.",
            "Mediator z wpisem na listę stałych mediatorów; poufność; "
            "zadowolenie stron co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'youth_support',
        'number': 'R3',
        'name': "Wsparcie indywidualne dla dzieci i młodzieży",
        'package': 'rodzina',
        'description': "Terapia indywidualna dla dzieci i młodzieży.",
        'components': [
            "Terapia psychologiczna",
            "Terapia logopedyczna",
            "Terapia dietetyczna",
            "Terapia wg indywidualnych potrzeb",
            ],
        'challenges': ['family_crisis'],
        'areas': ['family_support', 'health'],
        'target_groups': ['children_youth'],
        'place_type': 'provider', 'place': "Siedziba realizatora",
        'unit': 'session',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(12, 0),
        'availability_to': dt.time(19, 0),
        'unit_price': Decimal('120.00'),
        'providers': ['fundacja_zdrowie', 'stow_rodzina'],
        **_FREE_KOSZALIN,
        **_standard(
            "Sesja trwa co najmniej 45 minut; plan terapii po 2 pierwszych "
            "sesjach.",
            "Terapeuta z kwalifikacjami w danej dziedzinie; informacja "
            "zwrotna dla rodzica; zadowolenie co najmniej 4 w skali 1–5."),
        },
    # POMOC+
    {
        'key': 'equipment',
        'number': 'P1',
        'name': "Wypożyczanie sprzętu rehabilitacyjnego",
        'package': 'pomoc',
        'description': "Wypożyczanie sprzętu rehabilitacyjnego.",
        'components': [
            ("Kompleksowa usługa wypożyczenia sprzętu rehabilitacyjnego",
                "Wypożyczenie/dostawa/montaż."),
            ],
        'challenges': ['old_age', 'disability'],
        'areas': ['disability', 'health'],
        'target_groups': _POMOC_TARGETS,
        'place_type': 'home', 'place': _HOME,
        'unit': 'loan',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(16, 0),
        'unit_price': Decimal('150.00'),
        'providers': ['fundacja_zdrowie'],
        **_FREE_KOSZALIN,
        **_standard(
            "Dostawa i montaż w ciągu 5 dni roboczych od przyznania.",
            "Sprzęt sprawny i zdezynfekowany; instruktaż użytkowania; "
            "zadowolenie co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'carer_support',
        'number': 'P2',
        'name': ("„Opiekun szyty na miarę” – wsparcie dla opiekunów "
            "faktycznych"),
        'package': 'pomoc',
        'description': (
            "Wsparcie dla opiekunów faktycznych osób niesamodzielnych "
            "i niepełnosprawnych."),
        'components': [
            "Szkolenie z zakresu pielęgnacji i opieki nad osobą "
            "niesamodzielną/niepełnosprawną",
            "Wsparcie informacyjne dla opiekunów: gdzie uzyskać pomoc, "
            "w jaki sposób korzystać z dostępnych form pomocy",
            "Wsparcie psychologiczne",
            ],
        'challenges': ['old_age', 'disability'],
        'areas': ['disability'],
        'target_groups': ['carers'],
        'place_type': 'provider', 'place': "Siedziba realizatora",
        'unit': 'session',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(9, 0), 'availability_to': dt.time(18, 0),
        'unit_price': Decimal('200.00'),
        'providers': ['stow_rodzina', 'fundacja_zdrowie'],
        **_FREE_KOSZALIN,
        **_standard(
            "Szkolenie co najmniej 16 godzin; konsultacja psychologiczna "
            "w ciągu 7 dni od zgłoszenia.",
            "Trenerzy z doświadczeniem w opiece; materiały dla opiekunów; "
            "zadowolenie co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'pomocna_taxi',
        'number': 'P3',
        'name': "„POMOCna Taksówka” – usługi transportowe",
        'package': 'pomoc',
        'description': "Usługi transportowe.",
        'challenges': ['old_age', 'disability'],
        'areas': ['disability'],
        'target_groups': _POMOC_TARGETS,
        'place_type': 'city', 'place': "Teren miasta",
        'unit': 'ride',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(7, 0), 'availability_to': dt.time(18, 0),
        'unit_price': Decimal('60.00'),
        'providers': ['cus'],
        **_FREE_KOSZALIN,
        'commissioning_modes': ['in_house'],
        **_standard(
            "Co najmniej 95 % przejazdów punktualnych (±10 minut).",
            "Pojazd przystosowany do przewozu osób z niepełnosprawnościami; "
            "zadowolenie co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'golden_hand',
        'number': 'P4',
        'name': ("„Złota Rączka” – drobne usługi naprawcze w miejscu "
            "zamieszkania"),
        'package': 'pomoc',
        'description': "Drobne usługi naprawcze w miejscu zamieszkania.",
        'challenges': ['old_age', 'disability'],
        'areas': ['disability'],
        'target_groups': _POMOC_TARGETS,
        'place_type': 'home', 'place': _HOME,
        'unit': 'visit',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(16, 0),
        'unit_price': Decimal('90.00'),
        'providers': ['coop_razem'],
        **_FREE_KOSZALIN,
        **_standard(
            "Wizyta w ciągu 10 dni roboczych od zgłoszenia.",
            "Naprawa wykonana starannie i bezpiecznie; zadowolenie "
            "co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'mobile_care',
        'number': 'P5',
        'name': "Mobilne usługi pielęgnacyjne",
        'package': 'pomoc',
        'description': "Usługi pielęgnacyjne w domu klienta.",
        'components': [
            "Pielęgnacja paznokci",
            "Fryzjer",
            ],
        'challenges': ['old_age', 'disability'],
        'areas': ['disability', 'health'],
        'target_groups': _POMOC_TARGETS,
        'place_type': 'home', 'place': _HOME,
        'unit': 'visit',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(18, 0),
        'unit_price': Decimal('60.00'),
        'providers': ['fundacja_zdrowie'],
        **_FREE_KOSZALIN,
        **_standard(
            "Wizyta w ciągu 14 dni od zgłoszenia.",
            "Wykonawca z kwalifikacjami (podolog, fryzjer); narzędzia "
            "sterylizowane; zadowolenie co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'cleaning',
        'number': 'P6',
        'name': "Usługi porządkowe",
        'package': 'pomoc',
        'description': "Usługi porządkowe dla osób starszych "
        "i z niepełnosprawnościami.",
        'components': [
            "Mycie okien",
            "Usługa pralnicza",
            "Porządkowanie nagrobków",
            ],
        'challenges': ['old_age', 'disability'],
        'areas': ['disability'],
        'target_groups': _POMOC_TARGETS,
        'place_type': 'home', 'place': _HOME,
        'unit': 'service',
        'availability_days': WORKDAYS + ['sat'],
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(16, 0),
        'unit_price': Decimal('120.00'),
        'providers': ['coop_razem'],
        **_FREE_KOSZALIN,
        **_standard(
            "Usługa w ciągu 10 dni roboczych od zgłoszenia.",
            "Staranność i bezpieczeństwo pracy; zadowolenie co najmniej 4 "
            "w skali 1–5."),
        },
    # Działania wspierające
    {
        'key': 'info_point',
        'number': 'S1',
        'name': "Punkt Informacyjny ds. Usług Społecznych",
        'package': 'supporting',
        'goal': (
            "Wstępna identyfikacja potrzeb i kierowanie do właściwego "
            "Zespołu; informowanie o dostępnych usługach społecznych na "
            "terenie miasta; pozyskiwanie informacji na temat potrzeb "
            "mieszkańców; wspieranie mieszkańców w zakresie kwalifikowania "
            "do korzystania z usług społecznych."),
        'description': (
            "Punkt Informacyjny ds. Usług Społecznych, w którym odpowiednio "
            "przeszkoleni pracownicy służyć będą informacją i wsparciem, "
            "zapewni sprawniejszą obsługę w zakresie identyfikacji potrzeb "
            "i koordynowania procesu świadczenia usług społecznych. Termin "
            "realizacji: 01.08.2021 – 30.09.2023."),
        'challenges': ['social_isolation'],
        'areas': ['civic_activity'],
        'target_groups': ['residents'],
        'place_type': 'cus', 'place': "Siedziba CUS",
        'unit': 'service',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(16, 0),
        'unit_price': Decimal('50.00'),
        'providers': ['cus'],
        'service_kind': 'new',
        'realiser_category': 'jst',
        'commissioning_modes': ['in_house'],
        **_standard(
            "Obsługa zgłoszenia w dniu przyjścia; odpowiedź na zgłoszenie "
            "telefoniczne lub elektroniczne w ciągu 2 dni roboczych.",
            "Pracownik przeszkolony w zakresie usług społecznych w mieście; "
            "zadowolenie mieszkańców co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'social_projects',
        'number': 'S2',
        'name': "Projekty socjalne",
        'package': 'supporting',
        'goal': (
            "Wzmocnienie kompetencji i poprawa społecznego funkcjonowania "
            "odbiorców; zwiększenie dostępności do zasobów i form wsparcia "
            "społecznego."),
        'description': (
            "Projekty socjalne inicjowane przez pracowników Centrum. Termin "
            "realizacji: 01.08.2021 – 30.09.2023."),
        'challenges': ['social_isolation'],
        'areas': ['civic_activity'],
        'target_groups': ['residents'],
        'place_type': 'city', 'place': "Teren miasta",
        'unit': 'service',
        'availability_days': WORKDAYS,
        'availability_from': dt.time(8, 0), 'availability_to': dt.time(16, 0),
        'availability_note': "Według harmonogramu projektu.",
        'unit_price': Decimal('5000.00'),
        'providers': ['cus'],
        'service_kind': 'new',
        'realiser_category': 'jst',
        'commissioning_modes': ['in_house'],
        **_standard(
            "Projekt z opisem celów, harmonogramem i budżetem; rozliczenie "
            "w ciągu 30 dni od zakończenia.",
            "Projekt zaopiniowany przez Zespół ds. Organizowania Usług "
            "Społecznych; ocena rezultatów przez uczestników."),
        },
    {
        'key': 'volunteer_club',
        'number': 'S3',
        'name': "Klub Wolontariusza",
        'package': 'supporting',
        'goal': (
            "Integracja działań wolontarystycznych w zakresie wsparcia "
            "i pomocy na rzecz osób starszych/niesamodzielnych/samotnych; "
            "aktywizacja lokalnej społeczności i wspieranie rozwoju "
            "wspólnoty samorządowej z wykorzystaniem jej potencjału."),
        'description': (
            "Klub skupiający wolontariuszy działających na rzecz osób "
            "starszych, niesamodzielnych i samotnych. Termin realizacji: "
            "01.08.2021 – 30.09.2023."),
        'challenges': ['social_isolation', 'old_age'],
        'areas': ['civic_activity'],
        'target_groups': ['residents'],
        'place_type': 'cus', 'place': "Siedziba CUS",
        'unit': 'session',
        'availability_days': ['wed'],
        'availability_from': dt.time(16, 0),
        'availability_to': dt.time(19, 0),
        'unit_price': Decimal('150.00'),
        'providers': ['cus'],
        'service_kind': 'new',
        'realiser_category': 'jst',
        'commissioning_modes': ['in_house'],
        **_standard(
            "Co najmniej 2 spotkania klubu w miesiącu; zgłoszenie "
            "potrzeby wsparcia przekazane wolontariuszowi w ciągu 7 dni.",
            "Wolontariusze przeszkoleni i objęci opieką koordynatora; "
            "zadowolenie osób wspieranych co najmniej 4 w skali 1–5."),
        },
    {
        'key': 'leisure',
        'number': 'S4',
        'name': "Alternatywne formy spędzania czasu wolnego",
        'package': 'supporting',
        'goal': (
            "Poprawa społecznego funkcjonowania, wzmocnienie więzi "
            "w tworzeniu wzajemnych relacji; budowanie sieci oparcia "
            "i integracji społeczności lokalnej; włączanie mieszkańców "
            "w proces współtworzenia inicjatyw sąsiedzkich."),
        'description': (
            "Alternatywne formy spędzania czasu wolnego dla społeczności "
            "lokalnej. Termin realizacji: 01.08.2021 – 30.09.2023."),
        'components': [
            "Warsztaty edukacyjne dla społeczności lokalnej",
            "Imprezy integracyjne",
            "Lokalne kampanie społeczne",
            "Wydarzenia społeczne",
            "Szkolenia z zakresu udzielania pierwszej pomocy",
            ],
        'challenges': ['social_isolation'],
        'areas': ['civic_activity'],
        'target_groups': ['residents'],
        'place_type': 'city', 'place': "Teren miasta",
        'unit': 'session',
        'availability_days': ['fri', 'sat', 'sun'],
        'availability_from': dt.time(10, 0),
        'availability_to': dt.time(20, 0),
        'availability_note': "Według harmonogramu wydarzeń.",
        'unit_price': Decimal('400.00'),
        'providers': ['stow_sasiedzi', 'cus'],
        'service_kind': 'new',
        'commissioning_modes': ['in_house', 'open_competition'],
        **_standard(
            "Co najmniej 2 wydarzenia w miesiącu.",
            "Wydarzenia otwarte i dostępne; udział mieszkańców "
            "w planowaniu; zadowolenie uczestników co najmniej 4 w skali "
            "1–5."),
        },
    ]

SERVICES = STARACHOWICE_SERVICES + KOSZALIN_SERVICES

# Keys of the data that are not fields of cus.service
_NOT_FIELDS = {
    'key', 'number', 'package', 'components', 'areas', 'target_groups',
    'unit', 'providers'}


def _ids(module, prefix, keys):
    ModelData = Pool().get('ir.model.data')
    return [ModelData.get_id(module, prefix + k) for k in keys]


def create_providers(company, country=None):
    """Create the provider parties; return {key: party}

    The key 'cus' is the company's own party (services in-house)."""
    pool = Pool()
    Party = pool.get('party.party')
    values = []
    for provider in PROVIDERS:
        address = {
            'street_name': provider.get('street_name'),
            'building_number': provider.get('building_number'),
            'postal_code': "27-200",
            'city': "Starachowice",
            'country': country.id if country else None,
            }
        mechanisms = []
        if provider.get('phone'):
            mechanisms.append({'type': 'phone', 'value': provider['phone']})
        if provider.get('email'):
            mechanisms.append({'type': 'email', 'value': provider['email']})
        values.append({
                'name': provider['name'],
                'addresses': [('create', [address])],
                'contact_mechanisms': [('create', mechanisms)],
                })
    parties = Party.create(values)
    providers = {p['key']: party for p, party in zip(PROVIDERS, parties)}
    providers['cus'] = company.party
    return providers


def create_packages():
    "Create the service packages; return {key: package}"
    pool = Pool()
    Package = pool.get('cus.service.package')
    packages = Package.create([{
                'code': p['code'],
                'name': p['name'],
                'description': p['description'],
                'target_groups': [('add', _ids(
                            'cus_base', 'target_group_', p['target_groups']))],
                'areas': [('add', _ids('cus_base', 'area_', p['areas']))],
                **({'supporting_activities': p.get(
                                'supporting_activities', False)}
                    if 'supporting_activities' in Package._fields else {}),
                } for p in PACKAGES])
    return {p['key']: package for p, package in zip(PACKAGES, packages)}


def _component_values(components):
    values = []
    for sequence, component in enumerate(components or [], 1):
        if isinstance(component, tuple):
            name, description = component
        else:
            name, description = component, None
        values.append({
                'sequence': sequence * 10,
                'name': name,
                'description': description,
                })
    return values


def create_services(packages, providers):
    "Create the services of both catalogues; return {key: service}"
    pool = Pool()
    Service = pool.get('cus.service')
    ModelData = pool.get('ir.model.data')
    values = []
    for data in SERVICES:
        record = {k: v for k, v in data.items() if k not in _NOT_FIELDS}
        record.setdefault('fee_type', 'free')
        record.setdefault('fee_note', FEE_NOTE)
        record['unit'] = ModelData.get_id(*UNITS[data['unit']])
        package = data.get('package')
        record['package'] = packages[package].id if package else None
        record['areas'] = [('add', _ids('cus_base', 'area_', data['areas']))]
        record['target_groups'] = [('add', _ids(
                    'cus_base', 'target_group_', data['target_groups']))]
        record['providers'] = [('add', [
                    providers[k].id for k in data.get('providers', [])])]
        components = _component_values(data.get('components'))
        if components:
            record['components'] = [('create', components)]
        values.append(record)
    services = Service.create(values)
    return {d['key']: service for d, service in zip(SERVICES, services)}


def create_catalogue(company, country=None):
    "Create providers, packages and services; return the three mappings"
    providers = create_providers(company, country)
    packages = create_packages()
    services = create_services(packages, providers)
    return providers, packages, services
