# This file is part of the CUS back office.
"Command line: python -m cus_demo [-c CONFIG] -d DATABASE"
import argparse
import logging
import os
import sys


STATES = {
    'draft': "projekt",
    'adopted': "przyjęty",
    'running': "w realizacji",
    'closed': "zamknięty",
    }


def parse_arguments(args=None):
    parser = argparse.ArgumentParser(
        prog='python -m cus_demo',
        description="Load the CUS demo data into an activated database "
        "and print the logins of the demo users once.")
    parser.add_argument(
        '-c', '--config', dest='config',
        default=os.environ.get('TRYTOND_CONFIG'),
        help="trytond configuration file (default: $TRYTOND_CONFIG)")
    parser.add_argument(
        '-d', '--database', dest='database', required=True,
        help="name of the database")
    parser.add_argument(
        '--clients', type=int, default=240,
        help="number of clients to create at least (default: 240)")
    return parser.parse_args(args)


def print_logins(logins, file=sys.stdout):
    rows = [("Login", "Hasło", "Rola", "Imię i nazwisko")] + [
        (l.login, l.password, l.role, l.name) for l in logins]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    line = "+-" + "-+-".join("-" * w for w in widths) + "-+"
    print(line, file=file)
    for i, row in enumerate(rows):
        print("| " + " | ".join(
                c.ljust(w) for c, w in zip(row, widths)) + " |", file=file)
        if i == 0:
            print(line, file=file)
    print(line, file=file)


def main(args=None):
    options = parse_arguments(args)
    logging.basicConfig(level=logging.WARNING)

    # The configuration must be read before trytond chooses its backend.
    from trytond import config
    config.update_etc(options.config)

    from trytond.pool import Pool
    from trytond.transaction import Transaction, TransactionError

    from .load import DemoError, load

    Pool(options.database).init()
    # As trytond's dispatcher: a transaction that needs a table lock is
    # started again with the lock taken from the start.
    extras = {}
    while True:
        with Transaction().start(
                options.database, 0, context={'language': 'pl'},
                **extras) as transaction:
            try:
                result = load(clients=options.clients)
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
            except DemoError as exception:
                print(f"cus_demo: {exception}", file=sys.stderr)
                return 1
            state = result.programme.state
            summary = (
                f"  {len(result.services)} usług w "
                f"{len(result.packages)} pakietach, "
                f"{len(result.providers) - 1} realizatorów poza CUS, "
                f"{len(result.clients)} klientów,\n"
                f"  program „{result.programme.name}” "
                f"(stan: {STATES.get(state, state)}).")
            transaction.commit()
        break

    print(f"Dane demonstracyjne wczytane do bazy {options.database} "
        f"w {result.seconds:.1f} s:")
    print(summary)
    print()
    print("Loginy użytkowników demonstracyjnych (hasła pokazywane tylko "
        "teraz):")
    print_logins(result.logins)
    return 0


if __name__ == '__main__':
    sys.exit(main())
