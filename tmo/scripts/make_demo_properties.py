"""Make the demo property register ``tmo/data/demo-properties.csv`` (``python -m
tmo.scripts.make_demo_properties [OUTPUT] [--homes N]``): 200 homes on three invented estates in the
Golborne ward of North Kensington, in the council's export format, with voids, joint tenancies and
leaseholders (a few not living there), held by invented people. It is deterministic
(``random.Random(2026)``); ``--homes N`` makes a larger register of the same kind, its estates grown
by extra blocks, for timing the import."""

import argparse
import csv
import random
import sys
from datetime import date, timedelta
from pathlib import Path

from tmo.services.properties import COLUMNS

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "data" / "demo-properties.csv"
SEED = 2026
WARD = "Golborne"
FIRST_REFERENCE = 4_100_001

# (estate, block or "" for houses, street, homes, postcode): every name is invented.
LAYOUT = (
    ("Kensal Vale Estate", "Elm House", "Kensal Vale Road", 30, "W10 5DA"),
    ("Kensal Vale Estate", "Rowan House", "Kensal Vale Road", 24, "W10 5DB"),
    ("Kensal Vale Estate", "Hawthorn House", "Ladbrook Walk", 18, "W10 5DD"),
    ("Kensal Vale Estate", "", "Kensal Vale Mews", 8, "W10 5DE"),
    ("Adela Gardens Estate", "Tresco Tower", "Adela Gardens", 60, "W10 5FH"),
    ("Adela Gardens Estate", "Marlowe House", "Adela Gardens", 16, "W10 5FJ"),
    ("Portnall Green Estate", "Chesterton House", "Portnall Green", 24, "W10 5LN"),
    ("Portnall Green Estate", "Millwood House", "Portnall Green", 12, "W10 5LP"),
    ("Portnall Green Estate", "", "Portnall Close", 8, "W10 5LQ"),
)

# First names and surnames by heritage, so that a person's two names belong together; the mix is
# meant to look like North Kensington, not to describe anyone.
NAMES = (
    (
        ("Margaret", "David", "Susan", "Gary", "Karen", "Paul", "Joan", "Terry", "Lauren", "Ryan"),
        ("Hughes", "Clarke", "Fletcher", "Walsh", "Pearce", "Holloway", "Barker", "Dawson"),
    ),
    (
        ("Siobhan", "Declan", "Bridget", "Padraig", "Niamh", "Eamon", "Maeve", "Ciaran"),
        ("Doherty", "Keane", "Brennan", "Gallagher", "Nolan", "Flanagan", "Duffy", "Quinlan"),
    ),
    (
        ("Delroy", "Marcia", "Winston", "Claudette", "Errol", "Janelle", "Leroy", "Paulette"),
        ("Campbell", "Grant", "Bailey", "Morrison", "Forbes", "Thompson", "Samuels", "Reid"),
    ),
    (
        ("Adaeze", "Chinedu", "Kwame", "Abena", "Oluwaseun", "Folake", "Kofi", "Ngozi"),
        ("Okonkwo", "Adebayo", "Mensah", "Boateng", "Eze", "Owusu", "Adeleke", "Nwosu"),
    ),
    (
        ("Fatima", "Mohammed", "Khadija", "Youssef", "Naima", "Hicham", "Samira", "Rachid"),
        ("Benali", "El Amrani", "Bouzid", "Tazi", "Haddou", "Ouali", "Idrissi", "Chraibi"),
    ),
    (
        ("Maria", "João", "Ana", "Manuel", "Rosa", "Duarte", "Filipa", "Sérgio"),
        ("Freitas", "Gouveia", "Pestana", "Sousa", "Abreu", "Nóbrega", "Jardim", "Camacho"),
    ),
    (
        ("Hodan", "Abdirahman", "Ifrah", "Mahad", "Sagal", "Abdullahi", "Filsan", "Guled"),
        ("Warsame", "Farah", "Hirsi", "Jama", "Osman", "Egal", "Duale", "Nur"),
    ),
    (
        ("Selam", "Tesfaye", "Hiwet", "Yonas", "Saba", "Dawit", "Meron", "Kidane"),
        ("Tesfamariam", "Gebremedhin", "Haile", "Berhane", "Woldu", "Asfaha", "Ghebre", "Kahsay"),
    ),
    (
        ("Rahima", "Abdul", "Shirin", "Imran", "Nasreen", "Tariq", "Ruksana", "Faisal"),
        ("Begum", "Miah", "Chowdhury", "Hussain", "Rahman", "Qureshi", "Akhtar", "Malik"),
    ),
    (
        ("Agnieszka", "Tomasz", "Katarzyna", "Piotr", "Magdalena", "Marek", "Zofia", "Pawel"),
        ("Nowakowska", "Zielinski", "Wojcik", "Mazur", "Krawczyk", "Dudek", "Sikora", "Wrona"),
    ),
    (
        ("Maricel", "Jericho", "Rowena", "Arnel", "Liezl", "Romeo", "Analyn", "Dante"),
        ("Dela Cruz", "Bautista", "Villanueva", "Mendoza", "Pascual", "Aquino", "Lualhati"),
    ),
    (
        ("Luz", "Andrés", "Carolina", "Julián", "Paola", "Camilo", "Marisol", "Esteban"),
        ("Restrepo", "Cardona", "Ospina", "Valencia", "Quintero", "Zapata", "Montoya", "Arango"),
    ),
    (
        ("Eleni", "Andreas", "Despina", "Christos", "Androulla", "Costas", "Stella", "Panikos"),
        ("Georgiou", "Charalambous", "Ioannou", "Kyriacou", "Demetriou", "Christodoulou"),
    ),
)


def layout_for(homes: int):
    """LAYOUT, with extra blocks of 40 flats on the estates for a register larger than the demo."""
    layout = list(LAYOUT)
    extra = homes - sum(entry[3] for entry in LAYOUT)
    estates = ("Kensal Vale Estate", "Adela Gardens Estate", "Portnall Green Estate")
    number = 0
    while extra > 0:
        number += 1
        size = min(40, extra)
        # W10 6AA, W10 6AB...: valid postcodes nobody should mistake for the demo's.
        letters = divmod(number - 1, 26)
        postcode = f"W10 6{chr(65 + letters[0] % 26)}{chr(65 + letters[1])}"
        street = f"Block {number} Walk"
        layout.append((estates[number % 3], f"Block {number}", street, size, postcode))
        extra -= size
    return layout


def random_date(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def person(rng: random.Random, heritage=None) -> tuple[str, str, tuple]:
    heritage = heritage or rng.choice(NAMES)
    return rng.choice(heritage[0]), rng.choice(heritage[1]), heritage


def demo_member_names() -> list[str]:
    from tmo.demo.accounts import DEMO_ACCOUNTS
    from tmo.permissions import Role

    return [name for _, name, roles in DEMO_ACCOUNTS if Role.MEMBER in roles]


def demo_rows(homes: int = 200, seed: int = SEED) -> list[dict[str, str]]:
    rng = random.Random(seed)  # noqa: S311 (invented demo data: repeatable, not secret)
    dwellings = []
    for estate, block, street, count, postcode in layout_for(homes):
        for number in range(1, count + 1):
            if block:
                lines = (f"Flat {number} {block}", street)
            else:
                lines = (f"{number * 2 - 1} {street}", "")
            dwellings.append((estate, block, lines, postcode))
    dwellings = dwellings[:homes]

    # Which homes are void, leasehold (a sixth of them let out by their owner) or jointly held.
    order = list(range(len(dwellings)))
    rng.shuffle(order)
    voids = set(order[: homes // 20])
    leases = order[homes // 20 : homes // 20 + homes * 3 // 20]
    non_resident = set(leases[: len(leases) // 6])
    leases = set(leases)
    joint = set(order[homes // 5 : homes // 5 + homes // 8])

    # The demo accounts that are members hold the first plain secure tenancies, so that their
    # register entries match the tenancy records.
    plain = [i for i in range(len(dwellings)) if i not in voids | leases | joint]
    named = dict(zip(plain, demo_member_names(), strict=False))

    rows = []
    for index, (estate, block, (line_1, line_2), postcode) in enumerate(dwellings):
        home = {
            "property_reference": f"PR{FIRST_REFERENCE + index:07d}",
            "estate": estate,
            "block": block,
            "address_line_1": line_1,
            "address_line_2": line_2,
            "postcode": postcode,
            "ward": WARD,
            "tenure_type": "Leasehold" if index in leases else "Secure",
        }
        if index in voids:
            rows.append({**home, **dict.fromkeys(COLUMNS[8:], "")})
            continue
        if index in leases:
            reference = f"L{FIRST_REFERENCE + index:07d}"
            holding = "non_resident_leaseholder" if index in non_resident else "leaseholder"
            start = random_date(rng, date(1988, 1, 1), date(2025, 12, 31))
        else:
            reference = f"T{FIRST_REFERENCE + index:07d}"
            holding = "joint_tenant" if index in joint else "secure_tenant"
            start = random_date(rng, date(1985, 1, 1), date(2025, 12, 31))
        first, surname, heritage = person(rng)
        holders = [named.get(index, f"{first} {surname}")]
        if index in joint:
            # Most joint tenants are couples sharing a surname; some are not.
            partner_first, partner_surname, _ = person(rng, heritage)
            if rng.random() < 0.3:
                partner_first, partner_surname, _ = person(rng)
            while f"{partner_first} {partner_surname}" == holders[0]:
                partner_first, partner_surname, _ = person(rng, heritage)
            holders.append(f"{partner_first} {partner_surname}")
        for holder_number, name in enumerate(holders, start=1):
            rows.append(
                {
                    **home,
                    "tenancy_reference": reference,
                    "holder_number": str(holder_number),
                    "holder_name": name,
                    "holding": holding,
                    "tenancy_start": start.isoformat(),
                    "tenancy_end": "",
                }
            )
    return rows


def write_csv(rows: list[dict[str, str]], output) -> None:
    writer = csv.DictWriter(output, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="make_demo_properties", description="Make the demo property register CSV."
    )
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--homes", type=int, default=200, help="how many homes (200)")
    args = parser.parse_args(argv)
    with args.output.open("w", encoding="utf-8", newline="") as output:
        write_csv(demo_rows(args.homes), output)
    print(f"Wrote {args.homes} homes to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
