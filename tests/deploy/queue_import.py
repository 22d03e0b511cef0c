# This file is part of the CUS back office.
"""Queue a Pomost import larger than the synchronous limit, as the wizard
does (cus_base/pomost.py: PomostImport.transition_import_)

    python tests/deploy/queue_import.py -c CONF [CONF ...] -d DATABASE

Creates the import log of a generated Pomost file of SYNC_LINES + 1 lines
(bench/bench_pomost_import.generate), queues its processing with
``Log.__queue__.process`` in the context the wizard uses, commits, and
prints the id of the log. With [queue] worker = True the task waits in
ir.queue for trytond-worker.
"""
import argparse
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main(args=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('-c', '--config', nargs='+', required=True)
    parser.add_argument('-d', '--database', required=True)
    options = parser.parse_args(args)

    from trytond import config
    config.update_etc(options.config)
    sys.path.insert(0, str(ROOT))
    from bench.bench_pomost_import import generate

    from trytond.pool import Pool
    from trytond.transaction import Transaction

    from cus_base.pomost import SYNC_LINES, guess_target, read_csv

    pool = Pool(options.database)
    pool.init()
    file = generate(SYNC_LINES + 1, seed=8)
    from trytond.transaction import TransactionError

    extras = {}
    while True:
        with Transaction().start(options.database, 0,
                context={'language': 'pl'}, **extras) as transaction:
            try:
                Log = pool.get('cus.pomost.import.log')
                header, rows, encoding, delimiter = read_csv(file)
                log, = Log.create([{
                            'file': file,
                            'file_name': 'pomost_kolejka.csv',
                            'encoding': encoding,
                            'delimiter': delimiter,
                            'mapping': Log.dump_mapping(
                                header, [guess_target(h) for h in header]),
                            'lines': len(rows),
                            }])
                with Transaction().set_context(pomost_progress=True):
                    Log.__queue__.process([log])
                transaction.commit()
            except TransactionError as exception:
                transaction.rollback()
                exception.fix(extras)
                continue
        break
    print(log.id)
    return 0


if __name__ == '__main__':
    sys.exit(main())
