"""The ceiling of ``bench/count.py``: one BLT file counted by stvpoll's Scottish STV.

``.venv/bin/python bench/stvpoll_count.py WARD.blt`` reads the file with the least a BLT reader
can do (no comments, no withdrawn candidates, nothing checked), counts it with
``stvpoll.scottish_stv.ScottishSTV`` and prints one ``Elected: NAME`` line per winner, in the
order stvpoll elects them, as ``tmo-count`` ends its sheet. Needs stvpoll (``pip install -e
'.[bench]'``). See bench/README.md.
"""

import sys

from stvpoll.scottish_stv import ScottishSTV


def main(path: str) -> None:
    with open(path, encoding="utf-8-sig") as file:
        lines = file.read().split("\n")
    n_candidates, seats = (int(field) for field in lines[0].split())
    end = lines.index("0")
    names = [line.strip().strip('"') for line in lines[end + 1 : end + 1 + n_candidates]]
    poll = ScottishSTV(seats=seats, candidates=names)
    for line in lines[1:end]:
        numbers = [int(field) for field in line.split()]
        poll.add_ballot([names[number - 1] for number in numbers[1:-1]], numbers[0])
    for name in poll.calculate().elected_as_tuple():
        print(f"Elected: {name}")


if __name__ == "__main__":
    main(sys.argv[1])
