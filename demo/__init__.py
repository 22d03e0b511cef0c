# This file is part of the CUS back office.
"""Demo data of the CUS back office (package cus_demo).

    python -m cus_demo -c trytond.conf -d DATABASE

loads a Polish demo city into a database where cus_base, cus_ipus,
cus_partners and cus_osl are activated: the company (CUS Starachowice),
one login per role, providers, both catalogues of the seeds, the running
Programme of Social Services and the clients; then a working centre in
2021-2023 (demo.ipus: enquiries, applications, needs assessments, plans in
every state, deliveries, monitoring) with its partners (demo.partners:
procurements, contracts, orders, settlements, the financial plan, cicha
pomoc, a partnership). The functions of
`cus_demo.load` run inside an open transaction, so tests call them
directly.
"""
