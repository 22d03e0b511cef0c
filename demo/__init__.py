# This file is part of the CUS back office.
"""Demo data of the CUS back office (package cus_demo).

    python -m cus_demo -c trytond.conf -d DATABASE

loads a Polish demo city into a database where cus_base, cus_ipus,
cus_partners and cus_osl are activated: the company (CUS Starachowice),
one login per role, providers, both catalogues of the seeds, the running
Programme of Social Services and the clients. The functions of
`cus_demo.load` run inside an open transaction, so tests call them
directly.
"""
