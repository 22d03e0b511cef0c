# This file is part of the CUS back office.
"""The community organiser's plan of Starachowice (cus_osl).

Seed 000 (L2484–4295, digest §2.12 and §4.5) gives the plan for organising
the local community of the pilot: the four main goals, the operational
goals of the four stages with their components (A/D/E/I) and quarters
(2021 Q2 – 2023 Q1), the profiles of the three communities (Wzgórze,
Ostrowiecka, Seniorzy Łazy), the schedules of 2021 (city-wide and one per
community) with the area of action, the realisers and the quarters of each
task, and the five risks with their mitigation. The demo tells the plan as
the community organiser (login `osl`) kept it up to NOW:

* the plan 01.04.2021 – 31.03.2023 is adopted before its start and running;
  its communities have their baseline profiles and maps of resources and
  needs (the text of the seed), Wzgórze an update of September 2022;
* the tasks of the 2021 schedules are the activities of 2021; a task marked
  in several quarters is one activity planned for them, except the cyclic
  ones (walks, greetings, meetings in the open) which are one activity per
  quarter; most are done in their last quarter, with participants and
  results, a few late, some still open and two cancelled because of the
  epidemic (the second risk, which occurred);
* in November of 2021 and of 2022 the organiser drafts the next year's
  schedule with the re-planning of the module (Q4 rule of the seed), edits
  the drafts, adds the year's new tasks and schedules them; most 2022
  activities are done, those of 2023 Q1 are planned, one is done in
  January;
* SUWAK baseline scores per community and dimension (no end scores: the plan
  is not evaluated yet), leaders, volunteers and a neighbour helper with
  their hours for activities and for seniors, photos of some activities,
  the seniors of Łazy among the demo clients (members of the categorial
  community, hence the birthday and name-day calendar), the club meetings
  with their registered people, and two clients with a running individual
  plan referred by their coordinators to the seniors' club of 2023.

Invented for the demo (the seed does not give them): the done dates,
participants and results, the specific goals of the communities, the
update of Wzgórze's profile, the SUWAK scores, the names of the leaders,
volunteers and the expert, the likelihood and impact of the risks, the
tasks of 2022 and 2023 beyond the re-planned ones. Deterministic: one
random.Random(SEED) drives the choices.
"""
import datetime as dt
import random
import struct
import zlib
from contextlib import contextmanager

from dateutil.relativedelta import relativedelta

from trytond.pool import Pool
from trytond.transaction import Transaction

from .ipus import NOW, SEED, fresh, workday

D = dt.date
PLAN_START = D(2021, 4, 1)
PLAN_END = D(2023, 3, 31)
ADOPTED = D(2021, 3, 30)
PLAN_NAME = "Plan organizowania społeczności lokalnej w Starachowicach"
PLAN_CODE = "OSL 2021–2023"
PLAN_DESCRIPTION = (
    "Plan organizowania społeczności lokalnej (OSL) w ramach aktywności "
    "CUS, część Planu wdrażania CUS w Starachowicach.\n\n"
    "„Organizowanie społeczności lokalnej to forma profesjonalnego "
    "działania ukierunkowanego na wywoływanie trwałych, pozytywnych zmian "
    "społecznych. OSL można traktować jako kwalifikowaną, zintegrowaną "
    "usługę społeczną o charakterze środowiskowym, składającą się z wielu "
    "sekwencyjnych działań prospołecznych o określonych, mierzalnych "
    "parametrach, a równocześnie przystosowanych do lokalnych "
    "uwarunkowań.”\n\n"
    "Cele główne są konkretyzowane przez cele szczegółowe ustalane "
    "partycypacyjnie z każdą społecznością. Harmonogramy na 2021 r. są "
    "wstępną propozycją do dyskusji z realizatorami i społecznościami; "
    "precyzyjne harmonogramy działań są wypracowywane w IV kwartale każdego "
    "roku na rok następny, z uwzględnieniem wniosków z monitoringu "
    "i ewaluacji.")
MAIN_GOALS = [
    "Odbudowywanie lub tworzenie więzi wspólnotowych oraz poczucia "
    "współodpowiedzialności za przestrzeń, w której funkcjonuje ta "
    "wspólnota.",
    "Wyrównywanie szans poprzez wspieranie i wzmacnianie "
    "grup/społeczności znajdujących się w najtrudniejszym położeniu – "
    "zagrożonych społecznym wykluczeniem.",
    "Wzmocnienie poczucia solidarności społecznej, w tym solidarności "
    "sąsiedzkiej, organizacji pomocy wzajemnej, oraz tworzenie świadomości "
    "wspólnoty miejsca, losu i sytuacji.",
    "Stworzenie wspólnot, w których przełamana jest izolacja "
    "i osamotnienie, odtworzone są więzi emocjonalne, międzyludzkie oraz "
    "sieci znajomości przedmiotowych.",
    ]
SPECIFIC_GOALS = {
    'wzgorze': "Wspólne miejsce spotkań mieszkańców (świetlica) "
    "prowadzone z ich udziałem oraz budowanie relacji między starą a nową "
    "częścią osiedla.",
    'ostrowiecka': "Przełamanie izolacji mieszkańców bloków 21A i 21B: "
    "relacje sąsiedzkie, zajęcia dla dzieci i młodzieży, lepszy przepływ "
    "informacji między mieszkańcami, zarządcą i instytucjami.",
    'seniors': "Samoorganizacja seniorów os. Łazy w grupy wsparcia "
    "i wolontariat, przeciwdziałanie osamotnieniu.",
    }

COMMUNITIES = [
    {
        'key': 'wzgorze',
        'name': "Wzgórze",
        'code': "OSL-WZG",
        'kind': 'territorial',
        'boundaries': "Os. Wzgórze w zachodniej części miasta, ograniczone "
        "ulicami Zakładową, Mickiewicza i Nadrzeczną.",
        'description': "Społeczność terytorialna: dawne osiedle robotnicze "
        "Zakładów Starachowickich, ze starą częścią (zasób mieszkaniowy "
        "miasta) i nową (domy jednorodzinne przy ul. Nadrzecznej).",
        'target_groups': ['residents', 'families_crisis', 'children_youth'],
        },
    {
        'key': 'ostrowiecka',
        'name': "Ostrowiecka",
        'code': "OSL-OST",
        'kind': 'territorial',
        'boundaries': "Bloki mieszkalne przy ul. Ostrowieckiej 21A i 21B.",
        'description': "Społeczność terytorialna: 71 mieszkań (w większości "
        "socjalnych) i 155 mieszkańców dwóch bloków na peryferiach miasta.",
        'target_groups': ['residents', 'families_crisis', 'children_youth'],
        },
    {
        'key': 'seniors',
        'name': "Seniorzy Łazy",
        'code': "OSL-SEN",
        'kind': 'categorial',
        'boundaries': "Os. Łazy na północno-wschodnich obrzeżach miasta, "
        "ograniczone ulicami Iłżecką, Krańcową i Długą: domy jednorodzinne "
        "i 3 bloki wielorodzinne.",
        'description': "Społeczność kategorialna: seniorzy mieszkający na "
        "os. Łazy.",
        'target_groups': ['seniors'],
        },
    ]

PROFILES = {
    'wzgorze': {
        'date': D(2021, 4, 30),
        'description': (
            "Os. Wzgórze to część Starachowic położona w zachodniej części "
            "miasta, terytorialnie ograniczona ulicami Zakładową, "
            "Mickiewicza i Nadrzeczną; stanowiła tzw. osiedle robotnicze "
            "związane z sąsiednimi Zakładami Starachowickimi. Osiedle "
            "dzieli się na starą część, gdzie znajdują się budynki "
            "stanowiące zasoby mieszkaniowe miasta i mieszka uboższa część "
            "społeczności, oraz nową, głównie przy ul. Nadrzecznej "
            "i przyległych, z zabudową jednorodzinną.\n"
            "Potencjał: Stowarzyszenie „Razem dla Nas” (zarejestrowane "
            "w lipcu 2016 r.) oraz wielu mieszkańców z kwalifikacjami "
            "zawodowymi i kompetencjami możliwymi do wykorzystania przy "
            "planowaniu i realizacji zadań OSL; są mieszkańcy, którym "
            "zależy na rozwoju osiedla i którzy są gotowi włączyć się "
            "w planowanie i realizację działań."),
        'sociodemographic': (
            "Mieszkańcy bloków socjalnych i komunalnych (osoby bezrobotne, "
            "rodziny korzystające ze świadczeń Centrum Usług Społecznych) "
            "oraz rodziny z domów jednorodzinnych w nowej części osiedla. "
            "Bezrobocie, bierność społeczna i zawodowa oraz uzależnienie od "
            "pomocy CUS są dziedziczone z pokolenia na pokolenie."),
        'sociocultural': (
            "Dawne osiedle robotnicze. Naturalny podział społeczności "
            "utrudnia działania integracyjne: wzajemna nieufność i brak "
            "chęci współpracy przy rozwiązywaniu lokalnych problemów. "
            "Konsultacje społeczne w projekcie „Starachowice OD nowa” "
            "(marzec 2018 r.)."),
        'economic_situation': (
            "Po załamaniu gospodarczym w latach 90. XX w. znaczna "
            "degradacja substancji mieszkaniowej i niskie dochody. Mimo "
            "względnie dobrego rynku pracy w mieście (Specjalna Strefa "
            "Ekonomiczna: m.in. MAN, CERRAD, PROMET, CERSANIT) znaczna część "
            "mieszkańców korzysta ze świadczeń pomocy społecznej."),
        'problems': (
            "Bezrobocie, bierność społeczna i zawodowa, frustracja "
            "i poczucie wykluczenia; zwiększona liczba przestępstw "
            "i wykroczeń oraz interwencji policji związanych "
            "z nadużywaniem alkoholu i innych używek oraz z przemocą "
            "domową."),
        'infrastructure': (
            "Prawie nieistniejąca infrastruktura, która mogłaby służyć "
            "integracji mieszkańców: brak świetlicy lub innego miejsca "
            "spotkań. Spotkania Zarządu Stowarzyszenia z Prezydentem Miasta "
            "odbywały się w Szkole Podstawowej nr 1. Działania "
            "rewitalizacyjne osiedla zapisane w Strategii Rozwoju Miasta "
            "Starachowice na lata 2018–2027."),
        'map_groups': (
            "Stara część osiedla (zasób mieszkaniowy miasta, bloki "
            "socjalne) i nowa część przy ul. Nadrzecznej (domy "
            "jednorodzinne); Stowarzyszenie „Razem dla Nas” (działalność "
            "praktycznie zawieszona); dzieci pozostające w wakacje "
            "w miejscu zamieszkania."),
        'map_resources': (
            "Stowarzyszenie „Razem dla Nas”; mieszkańcy z kwalifikacjami "
            "i kompetencjami zawodowymi; Szkoła Podstawowa nr 1; zapisy "
            "Strategii Rozwoju Miasta o rewitalizacji osiedla; firmy "
            "Specjalnej Strefy Ekonomicznej w sąsiedztwie."),
        'map_sociodemographic': (
            "Uboższa część mieszkańców w starej części osiedla (bloki "
            "socjalne i komunalne), rodziny w lepszej sytuacji materialnej "
            "w nowej części; wielu mieszkańców korzysta ze świadczeń."),
        'map_problems_needs': (
            "Mieszkańcy wskazują problemy, które powodują poczucie "
            "wykluczenia i marginalizacji. Poprawę sytuacji widzą "
            "w poprawie estetyki, zorganizowaniu świetlicy lub innego "
            "publicznego miejsca spotkań (np. wiaty grillowej) i poprawie "
            "relacji sąsiedzkich. Bariery: podział osiedla, nieufność, brak "
            "miejsca na działalność stowarzyszenia."),
        'map_potential': (
            "Mieszkańcy gotowi włączyć się w planowanie i realizację "
            "działań; rewitalizacja daje szansę włączenia ich w lokalne "
            "inicjatywy."),
        'map_action_plan': (
            "Kampania „Po co nam OSL”, spacery po osiedlu z mieszkańcami, "
            "identyfikacja liderów, plan działania do końca 2021 r., "
            "„Wakacje pod chmurką”, piknik z dobrymi praktykami OSL, "
            "organizacja świetlicy z mieszkańcami, profil osiedla "
            "w portalu społecznościowym."),
        },
    'ostrowiecka': {
        'date': D(2021, 4, 30),
        'description': (
            "Bloki mieszkalne przy ul. Ostrowieckiej powstały na bazie "
            "zlikwidowanego biurowca byłego Zakładu Remontowo-Budowlanego "
            "FSC Starachowice oraz przez wybudowanie obok nowego bloku "
            "z mieszkaniami socjalnymi. W dwóch blokach znajduje się 71 "
            "mieszkań. Mieszkańcy zostali głównie przesiedleni z osiedla "
            "Bugaj oraz z innych mieszkań socjalnych i komunalnych "
            "przeznaczonych do remontu bądź likwidacji.\n"
            "Potencjał: postawy roszczeniowe nie sprzyjają inicjatywom "
            "oddolnym; środowisko jest mocno skonfliktowane i dotąd nie "
            "przejawiało wspólnych inicjatyw."),
        'sociodemographic': (
            "Ostrowiecka 21B: 34 mieszkania socjalne o średniej wielkości "
            "25 m², 62 mieszkańców. Ostrowiecka 21A: 37 mieszkań (26 "
            "socjalnych i 11 komunalnych) o średniej wielkości ok. 30 m², "
            "93 mieszkańców. Razem 71 mieszkań i 155 mieszkańców; 20 rodzin "
            "(29 osób) korzysta ze świadczeń pomocy społecznej. Kilka osób "
            "jest narodowości romskiej."),
        'sociocultural': (
            "Mieszkańcy uważają, że zostali przesiedleni na peryferie "
            "„za karę”. Nie budują relacji między sobą, uważając, że każdy "
            "musi radzić sobie sam; nie utrzymują kontaktów towarzyskich. "
            "Problemy z akceptacją innej kultury i nietolerancja."),
        'economic_situation': (
            "Miejsce znacznie oddalone od przemysłowej części miasta i słabo "
            "skomunikowane, co utrudnia podjęcie zatrudnienia i korzystanie "
            "z infrastruktury miasta. Znaczna część mieszkańców woli "
            "korzystać z pomocy społecznej, niż samodzielnie rozwiązywać "
            "swoje problemy."),
        'problems': (
            "Bezrobocie, niepełnosprawność, długotrwała choroba, alkoholizm "
            "i inne dysfunkcje; bardzo wyraźne stanowisko roszczeniowe; "
            "konflikty; brak poczucia wspólnoty („to tymczasowe miejsce "
            "pobytu”)."),
        'infrastructure': (
            "Brak odpowiedniego zaplecza rekreacyjnego (plac zabaw przy "
            "blokach); słaby dostęp do obiektów użyteczności publicznej. "
            "Kontakty z zarządcą budynków prowadzi osoba upoważniona przez "
            "mieszkańców (nie jest formalnym gospodarzem obiektu)."),
        'map_groups': (
            "Mieszkańcy bloku 21A i bloku 21B; rodziny z dziećmi "
            "i młodzieżą z bloków socjalnych; rodziny korzystające ze "
            "świadczeń; mieszkańcy narodowości romskiej."),
        'map_resources': (
            "Osoba upoważniona do kontaktów z zarządcą budynków; pracownik "
            "socjalny znający środowisko; plac zabaw; przedsiębiorcy "
            "z pobliskiego terenu."),
        'map_sociodemographic': (
            "155 mieszkańców w 71 mieszkaniach; małe mieszkania socjalne; "
            "29 osób korzystających ze świadczeń pomocy społecznej."),
        'map_problems_needs': (
            "Poczucie przesiedlenia „za karę”, brak relacji sąsiedzkich, "
            "konflikty, minimalistyczny stosunek do własnych potrzeb. "
            "Potrzeby: okazje do spotkań, zajęcia dla dzieci i młodzieży, "
            "lepszy przepływ informacji."),
        'map_potential': (
            "Punktem wyjścia są działania dla dzieci na placu zabaw "
            "i rozmowy indywidualne, prowadzone metodą „małych kroków”."),
        'map_action_plan': (
            "Kampania „Po co nam OSL”, rozmowy grupowe i indywidualne, "
            "„Ostrowiecka to nie koniec świata” – plan z liderami, "
            "wakacyjne gry na placu zabaw, dwie imprezy integracyjne, "
            "„OSL twój przyjaciel”, rozmowy z przedsiębiorcami, spotkanie "
            "podsumowujące."),
        },
    'seniors': {
        'date': D(2021, 4, 30),
        'description': (
            "Ze względu na starzejące się społeczeństwo miasta działania "
            "podjęto w społeczności seniorów z Osiedla Łazy, położonego na "
            "obrzeżach Starachowic od strony północno-wschodniej "
            "i ograniczonego ulicami Iłżecką, Krańcową i Długą. Zabudowę "
            "stanowią głównie domy jednorodzinne oraz 3 bloki "
            "wielorodzinne.\n"
            "Potencjał: większość seniorów mieszka na osiedlu od urodzenia "
            "lub od kilkudziesięciu lat; silne więzi wspólnotowe i liczna "
            "grupa aktywnych osób, którą należy wzmocnić i dać jej narzędzia "
            "do skuteczniejszego działania."),
        'sociodemographic': (
            "Przeciągająca się budowa i ograniczenie wielkości zakładów "
            "mięsnych (obecnie ANIMEX) wstrzymały rozwój osiedla i napływ "
            "młodych mieszkańców; dotychczasowi mieszkańcy szybko wkroczyli "
            "w wiek emerytalny i stanowią stosunkowo liczną grupę."),
        'sociocultural': (
            "Parafia erygowana w 1984 r., zbudowana z zaangażowaniem "
            "mieszkańców, jest centrum integracji i miejscem inicjatyw "
            "obywatelskich. Przy parafii działają wspólnoty religijne, "
            "nieformalny Klub Seniora i klub motocyklistów; Familijny Klub "
            "Sportowy Łazy; Katolickie Stowarzyszenie Niepełnosprawnych "
            "Świetlica „Motylkowe Wzgórze” (od końca 2017 r.)."),
        'economic_situation': (
            "Dochody głównie z emerytur i rent; położenie na uboczu "
            "i słaba komunikacja lokalna."),
        'problems': (
            "Starzenie się mieszkańców, osamotnienie, słaba komunikacja "
            "lokalna, brak instytucji publicznych działających na rzecz "
            "mieszkańców."),
        'infrastructure': (
            "Kościół parafialny i pomieszczenia parafii, boisko "
            "Familijnego Klubu Sportowego Łazy, świetlica „Motylkowe "
            "Wzgórze”; brak instytucji publicznych na osiedlu."),
        'map_groups': (
            "Seniorzy os. Łazy; nieformalny Klub Seniora; wspólnoty "
            "parafialne; Familijny Klub Sportowy Łazy; Świetlica "
            "„Motylkowe Wzgórze”; klub motocyklistów."),
        'map_resources': (
            "Parafia i proboszcz otwarty na działania społeczne; Klub "
            "Seniora; aktywni mieszkańcy; tradycja wspólnych działań "
            "(budowa kościoła, estetyka osiedla)."),
        'map_sociodemographic': (
            "Stosunkowo liczna grupa seniorów wśród mieszkańców osiedla, "
            "w większości mieszkających tu od dziesięcioleci."),
        'map_problems_needs': (
            "Coraz liczniejsza grupa seniorów szuka możliwości wzajemnego "
            "kontaktu, wspierania się nawzajem i spędzania razem wolnego "
            "czasu; potrzeba samopomocy i wolontariatu na rzecz seniorów."),
        'map_potential': (
            "Silne poczucie tożsamości mieszkańców osiedla, szczególnie "
            "w grupie seniorów; liderzy w Klubie Seniora i w grupach "
            "parafialnych."),
        'map_action_plan': (
            "Spotkanie z Klubem Seniora, „Aktywny senior” w otwartej "
            "przestrzeni, „Kwiatek dla seniora” (kalendarz imienin "
            "i urodzin), „Senior w sieci”, szukanie liderów z Parafią Łazy, "
            "samoorganizacja seniorów z KOOWES."),
        },
    }
# Wzgórze after a year and a half of work
WZGORZE_UPDATE = {
    'date': D(2022, 9, 30),
    'map_resources': (
        "Stowarzyszenie „Razem dla Nas” wznowiło działalność (nowy zarząd od "
        "marca 2022 r.); grupa liderów osiedlowych; profil Os. Wzgórze "
        "w portalu społecznościowym (od grudnia 2021 r.); wsparcie "
        "Starachowickiego Centrum Kultury i MOSiR przy wydarzeniach; lokal "
        "na świetlicę wskazany przez miasto, urządzany z mieszkańcami."),
    'map_problems_needs': (
        "Mieszkańcy potrzebują stałego miejsca spotkań (świetlica "
        "w przygotowaniu), zajęć dla dzieci i młodzieży po szkole, poprawy "
        "oświetlenia i estetyki podwórek. Nieufność między starą i nową "
        "częścią osiedla słabnie: wspólne wydarzenia gromadzą mieszkańców "
        "obu części."),
    'map_potential': (
        "Liderzy z obu części osiedla, reaktywowane stowarzyszenie, "
        "mieszkańcy nowej części włączający się w pikniki i sprzątanie "
        "podwórek."),
    'map_action_plan': (
        "2022: świetlica prowadzona z udziałem mieszkańców, piknik "
        "sąsiedzki, Akademia Mieszkańca Aktywnego dla liderów, partnerstwo "
        "z przedsiębiorcami; 2023: ewaluacja partycypacyjna i przejęcie "
        "części działań przez stowarzyszenie."),
    }

# Operational goals: key, stage, goal, components, quarters
GOALS = [
    ('diagnosis', 'before_entry',
        "Uzupełnienie i uspołecznienie diagnozy zasobów i potencjałów "
        "społeczności lokalnych", 'ED', ['2021-Q2']),
    ('institutions', 'before_entry',
        "Spotkania i konsultacje z instytucjami ogólnomiejskimi będącymi "
        "potencjalnymi partnerami kluczowymi w procesie OSL", 'AIE',
        ['2021-Q2']),
    ('teams', 'before_entry',
        "Przygotowanie zespołów i potencjalnych realizatorów (zawodowych "
        "i społecznych) do OSL konkretnych społeczności", 'IE', ['2021-Q2']),
    ('campaign', 'before_entry',
        "Miejska kampania informacyjno-edukacyjna na rzecz OSL", 'AE',
        ['2021-Q3', '2021-Q4']),
    ('integration', 'entry', "Integracja mieszkańców wokół OSL", 'AI',
        ['2021-Q3', '2021-Q4']),
    ('networks', 'entry', "Tworzenie podstaw struktur sieciowych", 'ADEI',
        ['2021-Q2', '2021-Q3']),
    ('leaders', 'entry',
        "Wyłonienie lokalnych liderów i ujawnienie/zbudowanie nieformalnych "
        "grup aktywności", 'AD', ['2021-Q2', '2021-Q3']),
    ('dialogue', 'entry',
        "Podjęcie dialogu z sektorem administracji, biznesu i NGO w celu "
        "uznania OSL za istotny mechanizm rozwojowy w skali miasta",
        'ADI', ['2021-Q3', '2021-Q4']),
    ('plans', 'activation',
        "Uzgodnienie i realizacja szczegółowych planów OSL dla każdej ze "
        "społeczności (animacja, sieciowanie, planowanie społeczne)",
        'ADEI', ['2021-Q4', '2022-Q1', '2022-Q2', '2022-Q3', '2022-Q4',
            '2023-Q1']),
    ('partnerships', 'activation',
        "Powołanie i moderowanie działań lokalnych partnerstw/koalicji na "
        "rzecz wsparcia OSL", 'AI',
        ['2021-Q4', '2022-Q1', '2022-Q2', '2022-Q3', '2022-Q4',
            '2023-Q1']),
    ('academy', 'activation',
        "Przygotowanie i wdrożenie programu edukacyjnego dla liderów "
        "i animatorów lokalnych „Akademia Mieszkańca Aktywnego”", 'EI',
        ['2021-Q4', '2022-Q1', '2022-Q2']),
    ('system', 'activation',
        "Współpraca z administracją, biznesem i NGO na rzecz wypracowania "
        "systemu wspierającego rozwój OSL w Starachowicach po zakończeniu "
        "projektu", 'ADEI', ['2022-Q2', '2022-Q3', '2022-Q4', '2023-Q1']),
    ('evaluation', 'exit',
        "Przeprowadzenie partycypacyjnej ewaluacji OSL i włączenie jej "
        "wyników do kreowania systemu wsparcia OSL po zakończeniu projektu",
        'AD', ['2023-Q1']),
    ('structures', 'exit',
        "Ewentualne powołanie formalnych struktur (np. lokalnych NGO) "
        "mogących przejąć OSL konkretnych społeczności", 'AE',
        ['2022-Q4', '2023-Q1']),
    ('analysis', 'exit',
        "Analiza dotychczasowego dorobku OSL i wypracowanie decyzji na "
        "szczeblu JST o zakresie, nowych społecznościach i innych aspektach "
        "funkcjonowania OSL w Starachowicach", 'D', ['2022-Q4', '2023-Q1']),
    ('final_campaign', 'exit',
        "Kampania informacyjno-edukacyjna podsumowująca dorobek OSL "
        "i wskazująca ścieżki jego kontynuacji", 'AE',
        ['2022-Q4', '2023-Q1']),
    ]
COMPONENTS = {
    'A': 'activation', 'D': 'diagnosis', 'E': 'education',
    'I': 'integration'}
# Achieved before the re-planning of 2021, and in 2022
ACHIEVED_2021 = [
    'diagnosis', 'institutions', 'teams', 'campaign', 'integration',
    'networks', 'leaders', 'dialogue']
ACHIEVED_2022 = ['academy']

# Description, mitigation, likelihood, impact, state, follow-up
RISKS = [
    ("Innowacyjność projektu: mimo wielu opracowań teoretycznych "
        "dotyczących OSL brak w Polsce doświadczeń, które mogłyby być "
        "podstawą do porównania skuteczności działań podejmowanych "
        "w Starachowicach.",
        "Każde przedsięwzięcie w ramach OSL podlega szczegółowej analizie "
        "i obserwacji od planowania aż do realizacji; bieżące korekty "
        "i dostosowywanie działań do zmieniających się oczekiwań "
        "mieszkańców i możliwości realizacji.",
        'medium', 'medium', 'monitored', None),
    ("Przedłużający się stan epidemii: ograniczenie działań "
        "w środowiskach lub ich zasięgu (mniej uczestników, rygory "
        "sanitarne, utrudnienia w przemieszczaniu się i zgromadzeniach, "
        "obawy uczestników i organizatorów przed zakażeniem).",
        "Działania on-line, zapewnienie niezbędnych środków "
        "bezpieczeństwa, ograniczenie liczby uczestników, prowadzenie "
        "działań w terenie otwartym.",
        'high', 'high', 'occurred',
        "IV kw. 2021: odwołano drugą imprezę integracyjną na Ostrowieckiej "
        "i piknik na Wzgórzu (piknik odbył się w czerwcu 2022 r.); spotkania "
        "seniorów przeniesiono na zewnątrz i do mniejszych grup, życzenia "
        "„Kwiatka dla seniora” składano telefonicznie."),
    ("Trudności w identyfikacji i pozyskaniu liderów w społecznościach: "
        "brak liderów utrudni uwiarygodnienie działań OSL, szerokie dotarcie "
        "do odbiorców i wzbudzenie zaufania.",
        "Edukowanie lokalnych liderów, włączanie ich do planowania "
        "i bezpośredniej realizacji działań, motywowanie przez promocję "
        "w publikatorach, mediach i na stronach internetowych.",
        'medium', 'high', 'monitored',
        "Na Ostrowieckiej jeden lider; liderzy ze Wzgórza i Łazów "
        "w Akademii Mieszkańca Aktywnego (2022)."),
    ("Brak zainteresowania odbiorców działaniami OSL: mieszkańcy "
        "przyzwyczajeni do niezmiennego rytmu życia nie oczekują zmian lub "
        "nie wierzą, że mogą zmienić swoje życie.",
        "Planowanie i realizacja działań metodą „małych kroków”: zacząć od "
        "działań mniejszych, angażujących mniej mieszkańców, i rozwijać je, "
        "pokazując efekty.",
        'medium', 'medium', 'monitored', None),
    ("Trudności w pozyskaniu partnerów do prowadzonych działań: "
        "propozycje działań OSL mogą nie znaleźć się w sferze zainteresowań "
        "instytucji i podmiotów ekonomii społecznej.",
        "Wcześniejsze konsultacje zaplanowanych działań, wyznaczenie zadań "
        "lub oferowanie odpowiednich warunków realizacji.",
        'low', 'medium', 'monitored', None),
    ]

# SUWAK baseline (II kw. 2021) per community and dimension
SUWAK = {
    'wzgorze': {'cohesion': 2.2, 'empowerment': 1.8, 'influence': 1.5,
        'engagement': 2.0, 'cooperation': 1.7},
    'ostrowiecka': {'cohesion': 1.6, 'empowerment': 1.5, 'influence': 1.3,
        'engagement': 1.4, 'cooperation': 1.2},
    'seniors': {'cohesion': 3.6, 'empowerment': 2.8, 'influence': 2.2,
        'engagement': 3.2, 'cooperation': 2.9},
    }
SUWAK_METHOD = {
    'wzgorze': "Spacery badawcze i ankieta wśród mieszkańców",
    'ostrowiecka': "Rozmowy indywidualne i obserwacja organizatora",
    'seniors': "Wywiad grupowy w Klubie Seniora",
    }
SUWAK_NOTES = {
    'wzgorze': "Podział na starą i nową część osiedla obniża spójność; "
    "stowarzyszenie mieszkańców nieaktywne.",
    'ostrowiecka': "Środowisko skonfliktowane, niskie zaufanie "
    "i minimalistyczne podejście do własnych potrzeb.",
    'seniors': "Silne więzi wspólnotowe wokół parafii; niewielki wpływ na "
    "decyzje miasta.",
    }

# Leaders, volunteers and a neighbour helper: name, community, roles,
# skills, availability, phone
SUPPORTERS = [
    ("Marek Pawlak", 'wzgorze', {'osl_leader'},
        "Członek zarządu Stowarzyszenia „Razem dla Nas”; zna mieszkańców "
        "starej części osiedla; drobne prace remontowe.",
        "Popołudnia w dni robocze, soboty.", "+48 602 114 380"),
    ("Aneta Kwiatkowska", 'wzgorze', {'osl_leader', 'osl_volunteer'},
        "Mieszkanka nowej części osiedla, księgowa: pomoc w sprawach "
        "formalnych i przy wnioskach o dotacje.",
        "Wieczory i weekendy.", "+48 604 220 917"),
    ("Julia Kowalska", 'wzgorze', {'osl_volunteer'},
        "Studentka pedagogiki: zabawy i zajęcia dla dzieci.",
        "Wakacje, weekendy.", "+48 511 302 744"),
    ("Grzegorz Wróbel", 'ostrowiecka', {'osl_leader'},
        "Upoważniony przez mieszkańców do kontaktów z zarządcą budynków; "
        "zna mieszkańców obu bloków.",
        "Codziennie po 16:00.", "+48 605 781 223"),
    ("Karolina Sobczak", 'ostrowiecka', {'osl_volunteer'},
        "Mama dwójki dzieci: pomoc przy zabawach na placu zabaw i przy "
        "imprezach.", "Popołudnia.", "+48 517 660 140"),
    ("Teresa Mazur", 'seniors', {'osl_leader'},
        "Prowadzi nieformalny Klub Seniora przy parafii; organizuje "
        "spotkania i wyjazdy.", "Wtorki i czwartki.", "+48 41 274 18 02"),
    ("Magdalena Baran", 'seniors', {'osl_volunteer'},
        "Laurki z seniorami, telefony z życzeniami; obsługa komputera "
        "i telefonu („Senior w sieci”).",
        "Środy po południu.", "+48 608 431 975"),
    ("Bartosz Jasiński", 'seniors', {'osl_volunteer'},
        "Grupa parafialna młodzieży: nauka obsługi smartfona i internetu, "
        "drobne zakupy.", "Soboty.", "+48 519 207 318"),
    ("Zofia Górska", 'seniors', {'osl_neighbour'},
        "Odwiedza sąsiadki-seniorki, pomaga w zakupach i w drodze do "
        "przychodni.", "Przedpołudnia.", "+48 41 274 33 61"),
    ]
EXPERT = ("Dorota Sikora", "Ekspert OSL")
KOOWES = "Ośrodek Wsparcia Ekonomii Społecznej KOOWES"
ANIMATORS = "Animatorzy OSL"


def task(area, name, realisers, quarters, goal, outcome='done',
        each=False, people=None, results=None, planned_date=None):
    """A task of a schedule

    outcome: 'done' in its last quarter, 'late' in the quarter after,
    'open' (still planned), 'cancelled', 'draft' (no quarter); each: one
    activity per quarter; people: (min, max) participants or 0 for none."""
    return {
        'area': area, 'name': name, 'realisers': realisers,
        'quarters': quarters, 'goal': goal, 'outcome': outcome,
        'each': each, 'people': people, 'results': results,
        'planned_date': planned_date,
        }


A, S, P = 'animation', 'networking', 'social_planning'
CAMPAIGN = ("Po co nam OSL – kampania informacyjna przy użyciu różnych "
    "nośników informacji (ulotki, plakaty, artykuły w prasie)")
# The schedules of 2021 (seed L3529–4195) by community (None: city-wide)
SCHEDULE_2021 = {
    None: [
        task(A, "Spotkania informacyjne z przedstawicielami instytucji "
            "miejskich i innych niezbędnych do wdrożenia OSL", ['osl'],
            ['Q2'], 'institutions', people=(8, 14)),
        task(A, "Określenie płaszczyzny współpracy w realizacji zadań OSL "
            "przez instytucje i podmioty ekonomii społecznej",
            ['osl'], ['Q2', 'Q3'], 'institutions', people=(6, 12)),
        task(A, "Zachęcanie instytucji lokalnych do włączania się "
            "w świadczenie usług społecznych i rozszerzanie ich oferty",
            ['osl'], ['Q2', 'Q3', 'Q4'], 'dialogue', people=(5, 10)),
        task(A, "Systematyczne przekazywanie informacji o działaniach "
            "metodą OSL, korzyściach i oczekiwaniach mieszkańców",
            ['osl'], ['Q2', 'Q3', 'Q4'], 'plans', people=0),
        task(A, "Po co nam OSL – kampania informacyjna w mediach lokalnych",
            ['osl'], ['Q2', 'Q3'], 'campaign', people=0,
            results="Trzy artykuły w lokalnej prasie, audycja w radiu "
            "lokalnym, informacje na stronie CUS i miasta."),
        task(S, "Opracowanie cyfrowej mapy zasobów i potencjałów na rzecz "
            "OSL", ['osl'], ['Q2'], 'diagnosis', people=0,
            results="Mapa zasobów trzech społeczności pilotażu (instytucje, "
            "organizacje, grupy nieformalne, miejsca spotkań) udostępniona "
            "partnerom."),
        task(S, "Pozyskiwanie nowych partnerów do realizacji działań OSL",
            ['anim'], ['Q2', 'Q3', 'Q4'], 'partnerships', people=(4, 9)),
        task(S, "Włączanie do działań OSL partnerów spoza instytucji "
            "publicznych i PES", ['osl'], ['Q2', 'Q3', 'Q4'], 'networks',
            people=(4, 8)),
        task(S, "Włączenie do działań OSL osób publicznych "
            "i samorządowców", ['osl'], ['Q2', 'Q3', 'Q4'], 'dialogue',
            outcome='open'),
        task(P, "Włączenie instytucji i osób w realizację planu OSL na "
            "terenie miasta i wybranych społeczności", ['osl'], ['Q2'],
            'teams', people=(10, 16)),
        task(P, "Wspólnie można więcej – efekt synergii w działaniach "
            "społecznych: szkolenie dla przedstawicieli instytucji i NGO",
            ['koowes'], ['Q4'], 'partnerships', people=(18, 26)),
        task(P, "Przekazywanie wniosków i postulatów zidentyfikowanych "
            "w społecznościach odpowiednim adresatom i instytucjom",
            ['osl'], ['Q2', 'Q3', 'Q4'], 'plans', people=0),
        task(P, "Prezentacja metody OSL na sesjach Rady Miasta i Rady "
            "Powiatu", ['osl'], ['Q3'], 'dialogue', people=(20, 30)),
        task(P, "Przygotowanie programu edukacyjnego dla liderów "
            "i animatorów lokalnych wspierającego uspołecznienie OSL",
            ['osl', 'expert', 'institutions'], ['Q4'], 'academy',
            people=(5, 8),
            results="Program „Akademii Mieszkańca Aktywnego”: 6 modułów "
            "(komunikacja, praca z grupą, planowanie działań, fundraising, "
            "wolontariat, ewaluacja)."),
        ],
    'wzgorze': [
        task(A, CAMPAIGN, ['osl'], ['Q2'], 'integration', people=0),
        task(A, "Spotkania z mieszkańcami: spacery po osiedlu, zebranie "
            "relacji, dokumentacja fotograficzna", ['anim'],
            ['Q2', 'Q3', 'Q4'], 'plans', each=True, people=(8, 22)),
        task(A, "Opracowanie planu działania do końca 2021 r. z aktywnym "
            "udziałem mieszkańców (konsultacje, propozycje działań)",
            ['osl', 'expert'], ['Q2'], 'integration', people=(12, 20)),
        task(A, "Wakacje pod chmurką – cykliczne zabawy dla dzieci "
            "pozostających w wakacje w miejscu zamieszkania", ['anim',
                'volunteers'], ['Q3'], 'plans', people=(25, 40),
            results="Osiem spotkań z grami i zabawami; rodzice przygotowali "
            "kanapki i napoje, dwie mieszkanki pomagały w opiece."),
        task(A, "Utrzymywanie stałego kontaktu z mieszkańcami (telefon, "
            "e-mail, strona internetowa)", ['osl', 'anim'],
            ['Q2', 'Q3', 'Q4'], 'plans', people=0),
        task(A, "Piknik dla mieszkańców z prezentacją dobrych praktyk OSL, "
            "oczekiwań i potencjału mieszkańców",
            ['osl', 'anim', 'expert', 'leaders'], ['Q4'], 'plans',
            outcome='cancelled'),
        task(S, "Identyfikacja lokalnych liderów – mieszkańców Os. Wzgórze "
            "– i włączenie ich do opracowania planu działania",
            ['osl', 'anim'], ['Q2'], 'leaders', people=(6, 9)),
        task(S, "Nawiązanie współpracy z okolicznymi przedsiębiorcami "
            "w celu wsparcia działań OSL", ['osl', 'anim'], ['Q3'],
            'dialogue', outcome='late', people=(3, 6)),
        task(S, "Uzgodnienie zasad formalnego i nieformalnego partnerstwa "
            "liderów, przedsiębiorców, władz i instytucji", ['osl', 'anim'],
            ['Q3'], 'networks', people=(8, 12)),
        task(S, "Uzgodnienie wsparcia instytucji kultury, sportu "
            "i rekreacji oraz osób aktywnych", ['osl', 'anim', 'sck',
                'mosir'], ['Q2', 'Q3'], 'networks', people=(5, 8)),
        task(P, "Prezentacja dotychczasowego dorobku OSL i opracowanie "
            "planu działania na kolejne okresy", ['osl', 'anim', 'expert'],
            ['Q4'], 'plans', people=(15, 25)),
        task(P, "Włączenie się mieszkańców w organizację planowanej "
            "świetlicy na Os. Wzgórze", ['osl', 'anim'], ['Q4'], 'plans',
            outcome='late', people=(8, 14)),
        task(P, "Uruchomienie profilu Os. Wzgórze w portalu "
            "społecznościowym i zbieranie komentarzy i uwag",
            ['osl', 'anim'], ['Q4'], 'integration', people=0,
            results="Profil osiedla uruchomiony w grudniu 2021 r.; "
            "pierwsze komentarze mieszkańców dotyczą oświetlenia "
            "i świetlicy."),
        task(P, "Działania na rzecz formalnych lub nieformalnych "
            "partnerstw oraz NGO rozwiązujących lokalne problemy",
            ['osl', 'anim', 'expert'], ['Q4'], 'partnerships',
            outcome='open'),
        ],
    'ostrowiecka': [
        task(A, CAMPAIGN, ['osl', 'anim'], ['Q2'], 'integration', people=0),
        task(A, "Spotkania z mieszkańcami bloków: rozmowy grupowe "
            "i indywidualne, relacje, wspomnienia, osobiste doświadczenia",
            ['osl', 'anim'], ['Q2'], 'plans', people=(10, 18)),
        task(A, "Ostrowiecka to nie koniec świata – uzgodnienie i przyjęcie "
            "planu działania OSL do końca 2021 r. z liderami "
            "i mieszkańcami", ['osl', 'anim', 'leaders'], ['Q2'],
            'integration', people=(8, 12)),
        task(A, "Wakacyjne gry i zabawy dla dzieci na placu zabaw; opinie "
            "i potrzeby dzieci i młodzieży z bloków socjalnych",
            ['anim', 'volunteers'], ['Q3'], 'plans', people=(15, 28)),
        task(A, "Impreza integracyjna z aktywnym udziałem mieszkańców",
            ['osl', 'anim'], ['Q3'], 'plans', people=(35, 50),
            results="Wspólne grillowanie przy blokach; mieszkańcy "
            "przygotowali poczęstunek i muzykę."),
        task(A, "Druga impreza integracyjna z aktywnym udziałem "
            "mieszkańców", ['osl', 'anim'], ['Q4'], 'integration',
            outcome='cancelled'),
        task(A, "OSL twój przyjaciel – partnerskie relacje OSL "
            "z mieszkańcami bloków dla lepszego przepływu informacji",
            ['osl', 'anim'], ['Q2', 'Q3', 'Q4'], 'plans', people=(6, 12)),
        task(S, "Identyfikacja liderów społeczności w celu nawiązania "
            "współpracy", ['osl', 'anim'], ['Q2'], 'leaders',
            people=(2, 4)),
        task(S, "Rozmowy z przedsiębiorcami z pobliskiego terenu "
            "o współpracy i pomocy dla mieszkańców bloków", ['osl', 'anim'],
            ['Q2', 'Q3', 'Q4'], 'dialogue', outcome='open'),
        task(S, "Określenie zasad partnerstwa i współpracy mieszkańców, "
            "firm i instytucji w działaniach OSL", ['osl', 'expert'],
            ['Q2', 'Q3'], 'networks', people=(6, 10)),
        task(P, "Spotkanie podsumowujące działania OSL z liderami, "
            "mieszkańcami i partnerami oraz plany na przyszłość",
            ['osl', 'expert'], ['Q4'], 'plans', people=(12, 20)),
        ],
    'seniors': [
        task(A, CAMPAIGN, ['osl', 'anim'], ['Q2'], 'integration', people=0),
        task(A, "Spotkanie z Klubem Seniora: oczekiwania, potrzeby i zakres "
            "współpracy, zapoznanie z OSL", ['osl'], ['Q2'], 'integration',
            people=(18, 26)),
        task(A, "Aktywny senior – spotkania z seniorami w otwartej "
            "przestrzeni: zachęta do aktywności, obserwacje, korekty "
            "działań", ['anim'], ['Q3', 'Q4'], 'plans', each=True,
            people=(12, 25)),
        task(A, "Opracowanie planu działania do końca 2021 r. z aktywnym "
            "udziałem seniorów", ['osl', 'anim'], ['Q2'], 'integration',
            people=(10, 15)),
        task(A, "Kwiatek dla seniora – kalendarz imienin i urodzin: telefon "
            "z życzeniami lub laurka wykonana przez seniorów",
            ['osl', 'anim', 'volunteers'], ['Q2', 'Q3', 'Q4'], 'plans',
            each=True, people=(20, 35)),
        task(A, "Senior w sieci – bieżąca informacja o działaniach OSL "
            "i aktywności seniorów (internet, telefon, portal "
            "społecznościowy)", ['osl', 'anim'], [], 'plans',
            outcome='draft'),
        task(S, "Aktywny senior – szukamy liderów: osoby chętne do "
            "współpracy, z autorytetem wśród mieszkańców",
            ['osl', 'anim', 'parafia'], ['Q2', 'Q3'], 'leaders',
            people=(5, 9)),
        task(S, "Opracowanie potrzeb w zakresie samopomocy i wolontariatu "
            "na rzecz seniorów z liderami i grupami osiedla",
            ['osl', 'anim'], ['Q2'], 'networks', people=(8, 12)),
        task(S, "Określenie zasad współpracy OSL z instytucjami "
            "i organizacjami działającymi na rzecz seniorów",
            ['osl', 'anim', 'institutions'], ['Q2', 'Q3'], 'networks',
            people=(6, 10)),
        task(S, "Włączenie przedstawicieli administracji, samorządu "
            "i instytucji publicznych w działania na rzecz seniorów",
            ['osl'], ['Q2', 'Q3', 'Q4'], 'dialogue', people=(4, 8)),
        task(P, "Podsumowanie działań OSL i ustalenie działań na "
            "przyszłość", ['osl', 'anim'], ['Q4'], 'plans',
            people=(15, 22)),
        task(P, "Wspieranie instytucji i osób działających na rzecz "
            "seniorów z Os. Łazy: promocja, zlecanie działań, planowanie "
            "i ewaluacja", ['osl', 'anim'], ['Q2', 'Q3', 'Q4'],
            'partnerships', people=(4, 8)),
        task(P, "Działania na rzecz samoorganizacji seniorów: grupy "
            "formalne i nieformalne", ['osl', 'anim', 'koowes'], ['Q4'],
            'structures', outcome='open'),
        ],
    }
# The drafts of the re-planning of 2021 that the organiser renames (a new
# name) or deletes (None)
EDIT_2022 = {
    "Włączenie się mieszkańców w organizację planowanej świetlicy na Os. "
    "Wzgórze": "Dyżury mieszkańców w świetlicy na Os. Wzgórze",
    "Przygotowanie programu edukacyjnego dla liderów i animatorów "
    "lokalnych wspierającego uspołecznienie OSL": None,
    "Wspólnie można więcej – efekt synergii w działaniach społecznych: "
    "szkolenie dla przedstawicieli instytucji i NGO":
    "Wspólnie można więcej – szkolenie dla instytucji i NGO (II edycja)",
    }
# Tasks the organiser adds to the schedules of 2022 (quarters with years)
ADDED_2022 = {
    None: [
        task(P, "Akademia Mieszkańca Aktywnego – zajęcia dla liderów "
            "i animatorów lokalnych", ['osl', 'expert', 'koowes'],
            ['2022-Q1', '2022-Q2'], 'academy', people=(14, 20),
            results="Sześć modułów, 16 absolwentów (liderzy ze Wzgórza, "
            "Łazów i Ostrowieckiej, animatorzy, wolontariusze)."),
        task(S, "Lokalne partnerstwo na rzecz OSL – spotkanie partnerów",
            ['osl', 'koowes', 'institutions'],
            ['2022-Q1', '2022-Q2', '2022-Q3', '2022-Q4'], 'partnerships',
            each=True, people=(9, 16)),
        task(P, "Wypracowanie z administracją, biznesem i NGO systemu "
            "wsparcia OSL po zakończeniu projektu", ['osl', 'expert'],
            ['2022-Q2', '2022-Q3', '2022-Q4', '2023-Q1'], 'system',
            outcome='open'),
        task(P, "Analiza dorobku OSL i rekomendacje dla samorządu (zakres "
            "OSL, nowe społeczności)", ['osl', 'expert'],
            ['2022-Q4', '2023-Q1'], 'analysis', outcome='open'),
        task(A, "Kampania informacyjno-edukacyjna podsumowująca dorobek "
            "OSL i wskazująca ścieżki jego kontynuacji", ['osl', 'anim'],
            ['2022-Q4', '2023-Q1'], 'final_campaign', outcome='open'),
        ],
    'wzgorze': [
        task(A, "Zimowe spotkanie sąsiedzkie w Szkole Podstawowej nr 1",
            ['osl', 'anim', 'leaders'], ['2022-Q1'], 'plans',
            people=(30, 45)),
        task(A, "Piknik sąsiedzki z prezentacją dobrych praktyk OSL",
            ['osl', 'anim', 'expert', 'leaders', 'sck'], ['2022-Q2'],
            'plans', people=(90, 130),
            results="Piknik na boisku przy ul. Zakładowej: stoiska "
            "stowarzyszenia i partnerów, gry dla dzieci, prezentacja "
            "planu świetlicy; mieszkańcy obu części osiedla."),
        ],
    'ostrowiecka': [
        task(A, "Sąsiedzka akcja sprzątania terenu wokół bloków",
            ['anim', 'leaders'], ['2022-Q2'], 'plans', people=(14, 22)),
        task(A, "Zajęcia świetlicowe dla dzieci i młodzieży z bloków "
            "socjalnych", ['anim', 'volunteers'],
            ['2022-Q1', '2022-Q2', '2022-Q3', '2022-Q4'], 'plans',
            people=(10, 16)),
        ],
    'seniors': [
        task(A, "Spotkania Klubu Seniora na Os. Łazy", ['osl', 'leaders',
                'parafia'], ['2022-Q1', '2022-Q2', '2022-Q3', '2022-Q4'],
            'plans', people=(18, 28)),
        task(A, "Kwiatek dla seniora – kalendarz imienin i urodzin: telefon "
            "z życzeniami lub laurka wykonana przez seniorów",
            ['osl', 'anim', 'volunteers'], ['2022-Q1'], 'plans',
            people=(20, 35)),
        ],
    }
# Tasks added to the schedule of 2023 Q1 (the exit stage)
ADDED_2023 = {
    None: [
        task(P, "Ewaluacja partycypacyjna OSL z mieszkańcami i partnerami "
            "(końcowa ocena SUWAK)", ['osl', 'expert', 'leaders'],
            ['2023-Q1'], 'evaluation', outcome='open',
            planned_date=D(2023, 3, 15)),
        ],
    'seniors': [
        task(P, "Spotkanie założycielskie stowarzyszenia seniorów os. Łazy",
            ['osl', 'koowes', 'leaders'], ['2023-Q1'], 'structures',
            outcome='open', planned_date=D(2023, 2, 22)),
        ],
    }
# Of the re-planned activities of 2022, the share done by the end of the
# year, and the ones cancelled
DONE_2022 = 0.85
# (name, quarter): the meetings in the open of the last quarter gave way
# to the club meetings indoors
CANCELLED_2022 = [
    ("Aktywny senior – spotkania z seniorami w otwartej przestrzeni: "
        "zachęta do aktywności, obserwacje, korekty działań", '2022-Q4')]
DONE_2023 = {"Zimowe spotkanie sąsiedzkie w Szkole Podstawowej nr 1":
    D(2023, 1, 21)}
# The days set for the meetings of 2023 (the calendar shows them)
PLANNED_2023 = {
    "Spotkania Klubu Seniora na Os. Łazy": D(2023, 2, 7),
    "Lokalne partnerstwo na rzecz OSL – spotkanie partnerów": D(2023, 2, 15),
    "Zajęcia świetlicowe dla dzieci i młodzieży z bloków socjalnych":
    D(2023, 2, 1),
    }
RESULTS = {
    'animation': "Działanie zrealizowane zgodnie z harmonogramem; uwagi "
    "i pomysły mieszkańców zapisane do dalszego planowania.",
    'networking': "Nawiązane kontakty dopisane do mapy zasobów; ustalono "
    "dalsze kroki współpracy.",
    'social_planning': "Wnioski przekazane do planu działań OSL na kolejny "
    "okres.",
    }
CLUB = "Spotkania Klubu Seniora na Os. Łazy"
REFERRAL_NOTES = [
    "Potrzebuje pomocy w dojściu na spotkanie (wolontariusz).",
    "Chętnie włączy się w przygotowanie laurek.",
    ]


def quarter_code(year, quarter):
    return f'{year}-Q{quarter}'


def quarter_bounds(code):
    year, quarter = int(code[:4]), int(code[-1])
    start = D(year, 3 * quarter - 2, 1)
    return start, start + relativedelta(months=3, days=-1)


def png(width, height, rng):
    """A small PNG picture: sky, houses and grass in random colours (the
    photo documentation of the demo)"""
    sky = (rng.randint(120, 170), rng.randint(170, 210), 235)
    grass = (rng.randint(60, 100), rng.randint(140, 180), 70)
    houses = []
    x = rng.randint(0, 15)
    while x < width - 20:
        w = rng.randint(25, 45)
        h = rng.randint(height // 4, height // 2)
        colour = (rng.randint(150, 230), rng.randint(110, 200),
            rng.randint(90, 170))
        houses.append((x, x + w, height * 3 // 4 - h, colour))
        x += w + rng.randint(5, 20)
    ground = height * 3 // 4
    rows = []
    for y in range(height):
        row = bytearray(b'\x00')
        for x in range(width):
            colour = grass if y >= ground else sky
            for left, right, top, house in houses:
                if left <= x < right and top <= y < ground:
                    colour = house
                    break
            row += bytes(colour)
        rows.append(bytes(row))

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
    return (b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0,
                0))
        + chunk(b'IDAT', zlib.compress(b''.join(rows), 9))
        + chunk(b'IEND', b''))


class Osl:
    "Builds the community organiser's plan; see the module docstring"

    def __init__(self, company, logins, providers, clients, seed=SEED):
        pool = Pool()
        User = pool.get('res.user')
        self.rng = random.Random(seed)
        self.company = company
        self.users = {l.login: l.user for l in logins}
        self.user = self.users.get('osl') or User(0)
        self.employee = self.user.employee if self.user.id else None
        self.providers = providers
        self.clients = clients
        self.quarters = {}

    @contextmanager
    def as_organiser(self, user=None):
        user = user or self.user
        context = {'company': self.company.id}
        if user.employee:
            context['employee'] = user.employee.id
        with Transaction().set_user(user.id), \
                Transaction().set_context(**context):
            yield

    def quarter_ids(self, codes):
        Quarter = Pool().get('cus.osl.quarter')
        missing = [c for c in codes if c not in self.quarters]
        if missing:
            for quarter in Quarter.get_quarters(
                    [(int(c[:4]), int(c[-1])) for c in missing]):
                self.quarters[quarter.code] = quarter.id
        return [self.quarters[c] for c in codes]

    def build(self):
        self.create_supporters()
        self.create_communities()
        with self.as_organiser():
            self.create_plan()
            self.schedule_2021()
            self.replan_2022()
            self.replan_2023()
            self.register_club()
            self.record_hours()
            self.attach_photos()
        self.refer_clients()
        return self.plan

    # Parties

    def create_supporters(self):
        pool = Pool()
        Party = pool.get('party.party')
        values = []
        for name, _, roles, skills, availability, phone in SUPPORTERS:
            values.append(dict({
                        'name': name,
                        'osl_skills': skills,
                        'osl_availability': availability,
                        'contact_mechanisms': [('create', [{
                                        'type': 'phone' if ' 41 ' in phone
                                        else 'mobile',
                                        'value': phone}])],
                        }, **{r: True for r in roles}))
        values.append({'name': EXPERT[0]})
        values.append({'name': KOOWES})
        parties = Party.create(values)
        self.supporters = {
            s[0]: p for s, p in zip(SUPPORTERS, parties)}
        self.expert, self.koowes = parties[-2:]
        self.animators = self.providers.get('stow_sasiedzi')

    def _seniors_of_lazy(self):
        "The clients of 65 or more living on os. Łazy at NOW"
        limit = NOW - relativedelta(years=65)
        members = []
        for client in sorted(self.clients, key=lambda c: c.id):
            if not client.birth_date or client.birth_date > limit:
                continue
            if any(a.street_name == "os. Łazy" for a in client.addresses):
                members.append(client)
        return members

    def create_communities(self):
        pool = Pool()
        Community = pool.get('cus.osl.community')
        Profile = pool.get('cus.osl.community.profile')
        TargetGroup = pool.get('cus.target.group')
        groups = {g.code: g.id for g in TargetGroup.search([])}
        self.members = self._seniors_of_lazy()
        values = []
        for data in COMMUNITIES:
            key = data['key']
            value = {k: v for k, v in data.items()
                if k not in {'key', 'target_groups'}}
            value['target_groups'] = [('add', [
                        groups[c] for c in data['target_groups']
                        if c in groups])]
            value['volunteers'] = [('add', [
                        self.supporters[s[0]].id for s in SUPPORTERS
                        if s[1] == key])]
            if key == 'seniors':
                value['clients'] = [('add', [c.id for c in self.members])]
            values.append(value)
        with self.as_organiser():
            communities = Community.create(values)
        self.communities = {
            d['key']: c for d, c in zip(COMMUNITIES, communities)}
        author = self.employee.id if self.employee else None
        profiles = []
        for key, profile in PROFILES.items():
            profiles.append(dict(profile, community=self.communities[key].id,
                    kind='baseline', author=author))
        profiles.append(dict(PROFILES['wzgorze'], **WZGORZE_UPDATE,
                community=self.communities['wzgorze'].id, kind='update',
                author=author))
        with self.as_organiser():
            Profile.create(profiles)
        self.leaders = {}
        self.volunteers = {}
        for name, key, roles, *_ in SUPPORTERS:
            party = self.supporters[name]
            if 'osl_leader' in roles:
                self.leaders.setdefault(key, party)
            if 'osl_volunteer' in roles:
                self.volunteers.setdefault(key, party)

    # The plan

    def create_plan(self):
        pool = Pool()
        Plan = pool.get('cus.osl.plan')
        Score = pool.get('cus.osl.suwak.score')
        main_goals = [{'sequence': i, 'description': d}
            for i, d in enumerate(MAIN_GOALS, 1)]
        main_goals += [{
                'sequence': 10 + i, 'description': SPECIFIC_GOALS[key],
                'community': self.communities[key].id,
                } for i, key in enumerate(SPECIFIC_GOALS)]
        goals = []
        for i, (key, stage, name, letters, quarters) in enumerate(GOALS, 1):
            goals.append(dict({
                        'sequence': i, 'stage': stage, 'name': name,
                        'quarters': [('add', self.quarter_ids(quarters))],
                        }, **{COMPONENTS[l]: True for l in letters}))
        risks = [{
                'sequence': i, 'description': description,
                'mitigation': mitigation, 'likelihood': likelihood,
                'impact': impact, 'state': state, 'follow_up': follow_up,
                } for i, (description, mitigation, likelihood, impact,
                    state, follow_up) in enumerate(RISKS, 1)]
        plan, = Plan.create([{
                    'name': PLAN_NAME,
                    'code': PLAN_CODE,
                    'company': self.company.id,
                    'organiser': self.employee and self.employee.id,
                    'start_date': PLAN_START,
                    'end_date': PLAN_END,
                    'description': PLAN_DESCRIPTION,
                    'communities': [('add', [
                                c.id for c in self.communities.values()])],
                    'risks': [('create', risks)],
                    }])
        # The goals need the communities of the plan
        Plan.write([plan], {
                'main_goals': [('create', main_goals)],
                'goals': [('create', goals)],
                })
        Score.create([{
                    'plan': plan.id,
                    'community': self.communities[key].id,
                    'dimension': dimension,
                    'baseline_score': score,
                    'method': SUWAK_METHOD[key] + ", II kw. 2021",
                    'notes': SUWAK_NOTES[key],
                    } for key, scores in SUWAK.items()
                for dimension, score in scores.items()])
        Plan.adopt([plan])
        Plan.run([plan])
        Plan.write([plan], {'adopted_date': ADOPTED})
        self.plan = Plan(plan.id)
        self.goals = {key: goal for (key, *_), goal in zip(
                GOALS, sorted(self.plan.goals, key=lambda g: g.sequence))}

    # Activities

    def _realisers(self, codes, community_key):
        values = []
        for code in codes:
            value = {'kind': 'partner'}
            if code == 'osl':
                if not self.employee:
                    continue
                value = {'kind': 'staff', 'employee': self.employee.id}
            elif code == 'anim':
                value = {'kind': 'animator', 'description': ANIMATORS,
                    'party': self.animators.id if self.animators else None}
            elif code == 'expert':
                value = {'kind': 'expert', 'party': self.expert.id,
                    'description': EXPERT[1]}
            elif code == 'koowes':
                value['party'] = self.koowes.id
                value['description'] = "KOOWES"
            elif code in {'sck', 'mosir'}:
                party = self.providers.get(code)
                if not party:
                    continue
                value['party'] = party.id
            elif code == 'parafia':
                value['description'] = "Parafia Łazy, grupy parafialne"
            elif code == 'institutions':
                value['description'] = "Instytucje i organizacje"
            elif code == 'leaders':
                leader = self.leaders.get(community_key)
                value = {'kind': 'leader', 'description': "Liderzy lokalni",
                    'party': leader.id if leader else None}
            elif code == 'volunteers':
                volunteer = self.volunteers.get(community_key)
                value = {'kind': 'volunteer', 'description': "Wolontariusze",
                    'party': volunteer.id if volunteer else None}
            values.append(value)
        for sequence, value in enumerate(values, 1):
            value['sequence'] = sequence
        return values

    def _expand(self, schedule, year=None):
        "The activities of a schedule: (values, spec) in order"
        rows = []
        for key, tasks in schedule.items():
            community = self.communities[key] if key else None
            for spec in tasks:
                codes = [f'{year}-{q}' if year else q
                    for q in spec['quarters']]
                groups = [[c] for c in codes] if spec['each'] else [codes]
                for quarters in groups:
                    rows.append(({
                                'plan': self.plan.id,
                                'community': community.id if community
                                else None,
                                'goal': self.goals[spec['goal']].id,
                                'name': spec['name'],
                                'area': spec['area'],
                                'planned_date': spec['planned_date'],
                                'realisers': [('create', self._realisers(
                                                spec['realisers'], key))],
                                'quarters': [('add',
                                        self.quarter_ids(quarters))],
                                }, dict(spec, quarters=quarters)))
        return rows

    def _done_date(self, quarters, late=False):
        "A working day in the last quarter (the next one when late)"
        start, end = quarter_bounds(max(quarters))
        if late:
            start, end = end + dt.timedelta(days=1), (
                end + relativedelta(months=3))
        end = min(end, NOW, PLAN_END)
        date = start + dt.timedelta(
            days=self.rng.randint(10, max((end - start).days - 5, 10)))
        return min(workday(date), end)

    def _participants(self, spec):
        people = spec['people']
        if people == 0:
            return None
        low, high = people or {
            'animation': (10, 30), 'networking': (4, 10),
            'social_planning': (8, 20)}[spec['area']]
        return self.rng.randint(low, high)

    def _realise(self, activities, specs):
        "Apply the outcome of each spec to its activity"
        Activity = Pool().get('cus.osl.activity')
        to_schedule = [a for a, s in zip(activities, specs)
            if s['outcome'] != 'draft']
        Activity.schedule(to_schedule)
        done, cancelled, to_write = [], [], []
        for activity, spec in zip(activities, specs):
            outcome = spec['outcome']
            if outcome in {'done', 'late'}:
                to_write.extend([[activity], {
                            'done_date': self._done_date(
                                spec['quarters'], outcome == 'late'),
                            'participants': self._participants(spec),
                            'results': spec['results']
                            or RESULTS[spec['area']],
                            }])
                done.append(activity)
            elif outcome == 'cancelled':
                cancelled.append(activity)
        if to_write:
            Activity.write(*to_write)
        Activity.do(done)
        Activity.cancel(cancelled)

    def _create(self, rows):
        Activity = Pool().get('cus.osl.activity')
        activities = Activity.create([v for v, _ in rows])
        return activities, [s for _, s in rows]

    def schedule_2021(self):
        activities, specs = self._create(self._expand(SCHEDULE_2021, 2021))
        self._realise(activities, specs)
        self.activities_2021 = activities

    def _achieve(self, keys):
        Goal = Pool().get('cus.osl.plan.goal')
        Goal.write([self.goals[k] for k in keys], {'achieved': True})

    def replan_2022(self):
        "The re-planning of November 2021 and the schedule of 2022"
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        specs_2021 = {s['name']: s for tasks in SCHEDULE_2021.values()
            for s in tasks}
        self._achieve(ACHIEVED_2021)
        drafts = self.plan.make_next_year_schedule(D(2021, 11, 22))
        origins = {d.id: specs_2021.get(d.name) for d in drafts}
        to_delete, to_write = [], []
        for draft in drafts:
            if draft.name in EDIT_2022:
                name = EDIT_2022[draft.name]
                if name is None:
                    to_delete.append(draft)
                else:
                    to_write.extend([[draft], {'name': name}])
                    origins[draft.id] = None
        if to_write:
            Activity.write(*to_write)
        Activity.delete(to_delete)
        # "Senior w sieci" gets its quarters in the schedule of 2022
        unplanned = Activity.search([
                ('plan', '=', self.plan.id),
                ('state', '=', 'draft'),
                ('quarters', '=', None),
                ])
        Activity.write(unplanned, {'quarters': [('add', self.quarter_ids([
                            quarter_code(2022, q) for q in range(1, 5)]))]})
        activities = fresh(
            [d for d in drafts if d not in to_delete] + unplanned)
        specs = []
        for activity in activities:
            quarters = [q.code for q in activity.quarters]
            if (activity.name, max(quarters)) in CANCELLED_2022:
                outcome = 'cancelled'
            elif (quarter_bounds(max(quarters))[1] < NOW
                    and self.rng.random() < DONE_2022):
                outcome = 'done'
            else:
                outcome = 'open'
            origin = origins.get(activity.id) or {}
            specs.append(task(activity.area, activity.name, [], quarters,
                    None, outcome, people=origin.get('people'),
                    results=origin.get('results')))
        added, added_specs = self._create(self._expand(ADDED_2022))
        self._realise(activities + added, specs + added_specs)
        self.activities_2022 = fresh(activities + added)

    def replan_2023(self):
        "The re-planning of November 2022 and the first quarter of 2023"
        Activity = Pool().get('cus.osl.activity')
        self._achieve(ACHIEVED_2022)
        drafts = self.plan.make_next_year_schedule(D(2022, 11, 21))
        to_write = []
        for activity in drafts:
            if activity.name in PLANNED_2023:
                to_write.extend([[activity], {
                            'planned_date': PLANNED_2023[activity.name]}])
        if to_write:
            Activity.write(*to_write)
        specs = []
        for activity in drafts:
            specs.append(task(activity.area, activity.name, [],
                    [q.code for q in activity.quarters], None, 'open'))
        added, added_specs = self._create(self._expand(ADDED_2023))
        self._realise(drafts + added, specs + added_specs)
        done = [a for a in fresh(drafts) if a.name in DONE_2023]
        for activity in done:
            activity.done_date = DONE_2023[activity.name]
            activity.participants = self.rng.randint(30, 45)
            activity.results = RESULTS[activity.area]
        Activity.save(done)
        Activity.do(done)
        self.activities_2023 = fresh(drafts + added)

    # People

    def register_club(self):
        "The seniors registered for the club meetings, the attendance"
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        Participation = pool.get('cus.osl.activity.participation')
        if not self.members:
            return
        community = self.communities['seniors']
        meetings = Activity.search([
                ('plan', '=', self.plan.id),
                ('community', '=', community.id),
                ('name', 'in', [CLUB, "Spotkanie z Klubem Seniora: "
                        "oczekiwania, potrzeby i zakres współpracy, "
                        "zapoznanie z OSL"]),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        values = []
        for meeting in meetings:
            count = min(len(self.members), self.rng.randint(8, 14))
            for member in self.rng.sample(self.members, count):
                values.append({
                        'activity': meeting.id,
                        'party': member.id,
                        'attended': (meeting.state == 'done'
                            and self.rng.random() < 0.85),
                        })
        Participation.create(values)

    def record_hours(self):
        "The hours of the leaders, volunteers and the neighbour helper"
        pool = Pool()
        Hours = pool.get('cus.osl.volunteer.hours')
        Activity = pool.get('cus.osl.activity')
        rng = self.rng
        values = []
        done = Activity.search([
                ('plan', '=', self.plan.id),
                ('state', '=', 'done'),
                ('realisers.kind', 'in', ['leader', 'volunteer']),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        key_of = {c.id: k for k, c in self.communities.items()}
        for activity in done:
            key = key_of.get(activity.community.id) if activity.community \
                else None
            people = [self.supporters[s[0]] for s in SUPPORTERS
                if s[1] == key and s[2] & {'osl_leader', 'osl_volunteer'}]
            for person in people:
                if rng.random() < 0.7:
                    values.append({
                            'volunteer': person.id,
                            'date': activity.done_date,
                            'hours': rng.choice([2, 3, 4, 5, 6]),
                            'activity': activity.id,
                            'plan': self.plan.id,
                            'description': "Pomoc w przygotowaniu "
                            "i prowadzeniu działania.",
                            })
        # The neighbour helper and a young volunteer support seniors
        helper = self.supporters["Zofia Górska"]
        young = self.supporters["Bartosz Jasiński"]
        month = D(2021, 10, 1)
        supported = self.members[:3]
        while supported and month <= NOW:
            for senior in supported:
                values.append({
                        'volunteer': helper.id,
                        'date': workday(month + dt.timedelta(
                                days=rng.randint(2, 24))),
                        'hours': rng.choice([1.5, 2, 2.5, 3]),
                        'supported_party': senior.id,
                        'plan': self.plan.id,
                        'description': "Odwiedziny, zakupy, pomoc w drodze "
                        "do przychodni.",
                        })
            if month.month % 3 == 0:
                senior = supported[month.month // 3 % len(supported)]
                values.append({
                        'volunteer': young.id,
                        'date': workday(month + dt.timedelta(days=12)),
                        'hours': 2,
                        'supported_party': senior.id,
                        'plan': self.plan.id,
                        'description': "Nauka obsługi smartfona "
                        "(wideorozmowy z rodziną).",
                        })
            month += relativedelta(months=1)
        Hours.create(values)

    def attach_photos(self):
        "The photo documentation of the walks and of the events"
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        Attachment = pool.get('ir.attachment')
        activities = Activity.search([
                ('plan', '=', self.plan.id),
                ('state', '=', 'done'),
                ('name', 'in', [
                        "Spotkania z mieszkańcami: spacery po osiedlu, "
                        "zebranie relacji, dokumentacja fotograficzna",
                        "Wakacje pod chmurką – cykliczne zabawy dla dzieci "
                        "pozostających w wakacje w miejscu zamieszkania",
                        "Impreza integracyjna z aktywnym udziałem "
                        "mieszkańców",
                        "Piknik sąsiedzki z prezentacją dobrych praktyk "
                        "OSL",
                        ]),
                ], order=[('date', 'ASC'), ('id', 'ASC')])
        values = []
        for activity in activities:
            for number in range(1, self.rng.randint(1, 3) + 1):
                values.append({
                        'name': "zdjecie_%s_%d.png" % (
                            activity.done_date.isoformat(), number),
                        'resource': str(activity),
                        'data': png(160, 100, self.rng),
                        'description': activity.rec_name,
                        })
        Attachment.create(values)

    def refer_clients(self):
        """Two clients with a running plan referred by their coordinators
        to the seniors' club of 2023"""
        pool = Pool()
        Activity = pool.get('cus.osl.activity')
        Ipus = pool.get('cus.ipus')
        User = pool.get('res.user')
        Participation = pool.get('cus.osl.activity.participation')
        clubs = Activity.search([
                ('plan', '=', self.plan.id),
                ('name', '=', CLUB),
                ('state', 'in', ['draft', 'planned']),
                ], limit=1)
        if not clubs:
            return
        club, = clubs
        registered = {p.party for p in club.participations}
        limit = NOW - relativedelta(years=65)
        members = set(self.members)
        plans = [p for p in Ipus.search([('state', '=', 'running')],
                order=[('id', 'ASC')])
            if p.client not in registered and p.client.birth_date
            and p.client.birth_date <= limit and p.coordinator]
        # The seniors of Łazy first
        plans.sort(key=lambda p: (p.client not in members, p.id))
        referrals = []
        for plan, note, day in zip(plans[:2], REFERRAL_NOTES, [11, 18]):
            users = User.search([('employee', '=', plan.coordinator.id)],
                limit=1)
            if not users:
                continue
            with self.as_organiser(users[0]):
                participation = plan.refer_to_activity(club, note)
            referrals.append((participation, D(2023, 1, day)))
        for participation, date in referrals:
            Participation.write([participation], {'referral_date': date})
        self.referrals = [p for p, _ in referrals]


def create_plan(company, logins, providers, clients, seed=SEED):
    """Create the community organiser's plan of Starachowice with its
    communities, activities, volunteers and referrals; return the plan"""
    return Osl(company, logins, providers, clients, seed).build()
