"""The property register import: the council's CSV brought into estates, blocks, homes and
tenancies, through the service, the upload page and tmo-import-properties, on the real database."""

import csv
import io
from datetime import date
from importlib.resources import files

import pytest
import webtest
from sqlalchemy import func, select

from tests.factories import AccountFactory
from tmo.demo.properties import load_demo_properties
from tmo.models import get_engine, get_session_factory
from tmo.models.accounts import RoleGrant
from tmo.models.audit import AuditEntry
from tmo.models.membership import Block, Estate, Home, Member, Tenancy
from tmo.permissions import Role
from tmo.scripts import import_properties as import_script
from tmo.scripts.make_demo_properties import demo_rows, write_csv
from tmo.scripts.migrate import upgrade
from tmo.services.properties import (
    COLUMNS,
    ImportNotConfirmed,
    PropertyImportError,
    import_properties,
)

AS_OF = date(2026, 3, 1)
ZEROS = {
    "homes_added": 0,
    "homes_changed": 0,
    "tenancies_added": 0,
    "tenancies_changed": 0,
    "tenancies_ended": 0,
    "memberships_ceased": 0,
}


def row(reference, **values) -> dict[str, str]:
    """A row for home ``reference`` held by one secure tenant, with ``values`` overriding."""
    base = {
        "property_reference": reference,
        "estate": "Kensal Vale Estate",
        "block": "Elm House",
        "address_line_1": f"Flat {reference.removeprefix('P')} Elm House",
        "address_line_2": "Kensal Vale Road",
        "postcode": "w10 5da",
        "ward": "Golborne",
        "tenure_type": "Secure",
        "tenancy_reference": f"T{reference}",
        "holder_number": "1",
        "holder_name": "Margaret Hughes",
        "holding": "secure_tenant",
        "tenancy_start": "2001-04-02",
        "tenancy_end": "",
    }
    return {**base, **values}


def void(reference, **values) -> dict[str, str]:
    return row(reference, **dict.fromkeys(COLUMNS[8:], ""), **values)


def as_csv(rows, columns=COLUMNS) -> bytes:
    output = io.StringIO()
    writer = csv.DictWriter(output, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return output.getvalue().encode()


def first_file():
    return [
        row("P1"),
        row("P2", holder_name="Delroy Campbell", holding="joint_tenant"),
        row("P2", holder_number="2", holder_name="Marcia Campbell", holding="joint_tenant"),
        row(
            "P3",
            estate="Portnall Green Estate",
            block="",
            address_line_1="7 Portnall Close",
            address_line_2="",
            postcode="W10 5LQ",
            tenure_type="Leasehold",
            tenancy_reference="L3",
            holder_name="Fatima Benali",
            holding="leaseholder",
            tenancy_start="1999-09-30",
        ),
        void("P4"),
    ]


def run(dbsession, rows, **kw):
    kw.setdefault("as_of", AS_OF)
    kw.setdefault("actor_id", None)
    kw.setdefault("confirm_percent", None)
    return import_properties(dbsession, as_csv(rows), **kw)


def count(dbsession, model) -> int:
    return dbsession.scalar(select(func.count()).select_from(model))


def tenancy(dbsession, reference, holder_number=1) -> Tenancy:
    return dbsession.scalar(
        select(Tenancy).where(
            Tenancy.reference == reference, Tenancy.holder_number == holder_number
        )
    )


def imports(dbsession) -> list[AuditEntry]:
    return list(
        dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "properties.imported"))
    )


def member_on(dbsession, held: Tenancy, number=1) -> Member:
    account = AccountFactory(roles=[Role.MEMBER])
    member = Member(
        member_number=number,
        account_id=account.id,
        home=held.home,
        tenancy=held,
        name=held.holder_name,
        address=held.home.address,
        admitted_on=date(2020, 5, 1),
    )
    dbsession.add(member)
    dbsession.commit()
    return member


def has_member_role(dbsession, member: Member) -> bool:
    return (
        dbsession.scalar(
            select(RoleGrant).where(
                RoleGrant.account_id == member.account_id, RoleGrant.role == Role.MEMBER
            )
        )
        is not None
    )


# The service ---------------------------------------------------------------------------------


def test_an_import_adds_estates_blocks_homes_and_tenancies(dbsession):
    report = run(dbsession, first_file(), file_name="council.csv")
    assert report.counts() == {**ZEROS, "homes_added": 4, "tenancies_added": 4}
    assert (report.rows, report.homes_in_file, report.tenancies_in_file) == (5, 4, 4)

    assert sorted(dbsession.scalars(select(Estate.name))) == [
        "Kensal Vale Estate",
        "Portnall Green Estate",
    ]
    assert list(dbsession.scalars(select(Block.name))) == ["Elm House"]
    flat = dbsession.scalar(select(Home).where(Home.reference == "P2"))
    assert flat.estate.name == "Kensal Vale Estate"
    assert flat.block.name == "Elm House"
    assert flat.address == "Flat 2 Elm House, Kensal Vale Road, W10 5DA"
    assert (flat.ward, flat.tenure_type) == ("Golborne", "Secure")
    assert [(t.holder_number, t.holder_name, t.holding) for t in flat.tenancies] == [
        (1, "Delroy Campbell", "joint_tenant"),
        (2, "Marcia Campbell", "joint_tenant"),
    ]
    house = dbsession.scalar(select(Home).where(Home.reference == "P3"))
    assert house.block is None
    assert house.address == "7 Portnall Close, W10 5LQ"
    lease = tenancy(dbsession, "L3")
    assert (lease.home_id, lease.holding) == (house.id, "leaseholder")
    assert (lease.start_date, lease.end_date) == (date(1999, 9, 30), None)
    assert dbsession.scalar(select(Home).where(Home.reference == "P4")).tenancies == []

    (entry,) = imports(dbsession)
    assert entry.actor_id is None
    assert entry.detail["file"] == "council.csv"
    assert entry.detail["homes_added"] == 4
    assert entry.detail["as_of"] == "2026-03-01"


def test_importing_the_same_file_again_changes_nothing(dbsession):
    run(dbsession, first_file())
    again = run(dbsession, first_file())
    assert again.counts() == ZEROS
    assert not again.changed_anything
    assert count(dbsession, Home) == 4
    assert count(dbsession, Tenancy) == 4


def test_a_changed_row_is_updated_and_a_new_row_added(dbsession):
    run(dbsession, first_file())
    rows = first_file()
    rows[0] = row("P1", block="Rowan House", postcode="W10 5DB", holder_name="Margaret Hughes-Reid")
    rows.append(row("P5", tenancy_start="2025-11-03"))
    report = run(dbsession, rows)
    assert report.counts() == {
        **ZEROS,
        "homes_added": 1,
        "homes_changed": 1,
        "tenancies_added": 1,
        "tenancies_changed": 1,
    }
    moved = dbsession.scalar(select(Home).where(Home.reference == "P1"))
    dbsession.refresh(moved)
    assert (moved.block.name, moved.postcode) == ("Rowan House", "W10 5DB")
    assert tenancy(dbsession, "TP1").holder_name == "Margaret Hughes-Reid"
    assert tenancy(dbsession, "TP5").start_date == date(2025, 11, 3)
    assert sorted(dbsession.scalars(select(Block.name))) == ["Elm House", "Rowan House"]


def test_a_tenancy_missing_from_the_file_ends_and_its_membership_ceases(dbsession):
    run(dbsession, first_file())
    member = member_on(dbsession, tenancy(dbsession, "TP2", 2))
    other = member_on(dbsession, tenancy(dbsession, "TP1"), number=2)
    assert has_member_role(dbsession, member)

    rows = [r for r in first_file() if r["holder_name"] != "Marcia Campbell"]
    report = run(dbsession, rows, as_of=date(2026, 3, 2))
    assert report.counts() == {**ZEROS, "tenancies_ended": 1, "memberships_ceased": 1}
    assert tenancy(dbsession, "TP2", 2).end_date == date(2026, 3, 2)
    assert tenancy(dbsession, "TP2", 1).end_date is None
    dbsession.refresh(member)
    assert (member.ceased_on, member.ceased_reason) == (date(2026, 3, 2), "tenancy_ended")
    assert not has_member_role(dbsession, member)
    dbsession.refresh(other)
    assert other.is_active and has_member_role(dbsession, other)
    # An ended tenancy stays ended: importing the file again changes nothing.
    assert run(dbsession, rows, as_of=date(2026, 3, 9)).counts() == ZEROS


def test_an_end_date_in_the_file_ends_the_tenancy_on_that_date(dbsession):
    run(dbsession, first_file())
    member = member_on(dbsession, tenancy(dbsession, "L3"))
    rows = first_file()
    rows[3] = {**rows[3], "tenancy_end": "2026-01-15"}
    report = run(dbsession, rows)
    assert report.counts() == {**ZEROS, "tenancies_ended": 1, "memberships_ceased": 1}
    assert tenancy(dbsession, "L3").end_date == date(2026, 1, 15)
    dbsession.refresh(member)
    assert member.ceased_on == date(2026, 1, 15)
    assert member.ceased_reason == "tenancy_ended"
    assert run(dbsession, rows).counts() == ZEROS


def test_a_dry_run_reports_the_same_and_writes_nothing(dbsession):
    run(dbsession, first_file())
    member = member_on(dbsession, tenancy(dbsession, "TP1"))
    rows = [*first_file()[1:], row("P6")]
    rows[0] = {**rows[0], "holder_name": "Delroy A. Campbell"}

    checked = run(dbsession, rows, dry_run=True)
    assert checked.dry_run
    assert checked.counts() == {
        **ZEROS,
        "homes_added": 1,
        "tenancies_added": 1,
        "tenancies_changed": 1,
        "tenancies_ended": 1,
        "memberships_ceased": 1,
    }
    assert count(dbsession, Home) == 4
    assert tenancy(dbsession, "TP1").end_date is None
    assert tenancy(dbsession, "TP2").holder_name == "Delroy Campbell"
    assert tenancy(dbsession, "TP6") is None
    dbsession.refresh(member)
    assert member.is_active and has_member_role(dbsession, member)
    assert len(imports(dbsession)) == 1
    assert (
        dbsession.scalar(select(AuditEntry).where(AuditEntry.action == "membership.ceased")) is None
    )

    imported = run(dbsession, rows)
    assert imported.counts() == checked.counts()
    assert not imported.dry_run


def test_bad_rows_are_all_named_by_line_and_nothing_is_written(dbsession):
    rows = [
        row("P1"),
        row("P2", holding="tenant"),
        row("P3", postcode="not a postcode", tenancy_start="02/04/2001"),
        row("P1", holder_number="2", address_line_1="Flat 9 Elm House"),
        row("P4", tenancy_reference="TP1", holder_number="3"),
        row("P5", holder_name="", tenancy_end="1999-01-01"),
        row("", estate=""),
        row("P7", holder_number="x", tenancy_start="2001-02-30"),
        row("P1"),
    ]
    with pytest.raises(PropertyImportError) as raised:
        run(dbsession, rows)
    assert raised.value.errors == [
        (
            3,
            "holding 'tenant' is not one of secure_tenant, joint_tenant, leaseholder, "
            "non_resident_leaseholder",
        ),
        (4, "postcode 'not a postcode' is not a UK postcode"),
        (4, "tenancy_start '02/04/2001' is not a date in the form YYYY-MM-DD"),
        (5, "property P1 has a different address_line_1 from line 2"),
        (6, "tenancy TP1 is at property P1 on line 2, not P4"),
        (7, "holder_name is missing (a void home leaves every tenancy column empty)"),
        (7, "tenancy_end 1999-01-01 is before tenancy_start 2001-04-02"),
        (8, "property_reference is missing"),
        (8, "estate is missing"),
        (9, "holder_number 'x' is not a whole number ≥ 1"),
        (9, "tenancy_start '2001-02-30' is not a real date"),
        (10, "tenancy TP1 holder 1 is already on line 2"),
    ]
    assert str(raised.value).startswith("line 3: holding 'tenant' is not one of")
    assert count(dbsession, Home) == count(dbsession, Estate) == count(dbsession, Tenancy) == 0
    assert imports(dbsession) == []


def test_a_file_without_the_councils_header_is_refused_at_line_1(dbsession):
    with pytest.raises(PropertyImportError) as raised:
        import_properties(
            dbsession, b"P1,1 High St\n", as_of=AS_OF, actor_id=None, confirm_percent=None
        )
    ((line, message),) = raised.value.errors
    assert line == 1
    assert message.startswith("the first line must be the header, naming the columns property_")

    columns = [column for column in COLUMNS if column not in ("ward", "holding")]
    with pytest.raises(PropertyImportError) as raised:
        import_properties(
            dbsession,
            as_csv(first_file(), columns),
            as_of=AS_OF,
            actor_id=None,
            confirm_percent=None,
        )
    assert raised.value.errors == [(1, "the header lacks the columns ward, holding")]


def test_a_bom_extra_columns_and_blank_lines_are_accepted(dbsession):
    columns = ("council_notes", *reversed(COLUMNS))
    data = b"\xef\xbb\xbf" + as_csv(first_file(), columns) + b",,,,,,,,,,,,,,,\n\n"
    report = import_properties(dbsession, data, as_of=AS_OF, actor_id=None, confirm_percent=None)
    assert (report.rows, report.homes_added, report.tenancies_added) == (5, 4, 4)


def test_lines_are_the_files_own_and_cells_are_tidied(dbsession):
    """A quoted cell may hold a line break (Windows line ends here): later rows keep their line
    numbers, and the break becomes a space."""
    data = as_csv([row("P1", address_line_1="Flat 1\nElm  House"), row("P2", holding="x")])
    with pytest.raises(PropertyImportError) as raised:
        import_properties(
            dbsession,
            data.replace(b"\n", b"\r\n"),
            as_of=AS_OF,
            actor_id=None,
            confirm_percent=None,
        )
    assert [line for line, _ in raised.value.errors] == [4]

    import_properties(
        dbsession,
        as_csv([row("P1", address_line_1=" Flat 1\nElm  House ")]),
        as_of=AS_OF,
        confirm_percent=None,
        actor_id=None,
    )
    assert dbsession.scalar(select(Home.address_line_1)) == "Flat 1 Elm House"


def test_text_that_is_not_utf8_is_refused_with_its_line(dbsession):
    data = as_csv(first_file()).replace(b"Margaret", "Margarét".encode("latin-1"))
    with pytest.raises(PropertyImportError) as raised:
        import_properties(dbsession, data, as_of=AS_OF, actor_id=None, confirm_percent=None)
    assert raised.value.errors[0][0] == 2
    assert "not UTF-8" in raised.value.errors[0][1]


def test_the_demo_register_imports_cleanly_and_twice_changes_nothing(dbsession):
    report = load_demo_properties(dbsession, AS_OF)
    assert 190 <= report.homes_added <= 210
    assert report.homes_added == report.homes_in_file == count(dbsession, Home)
    assert count(dbsession, Estate) == 3
    holdings = dict(
        dbsession.execute(select(Tenancy.holding, func.count()).group_by(Tenancy.holding)).all()
    )
    assert holdings["non_resident_leaseholder"] >= 3
    assert holdings["leaseholder"] + holdings["non_resident_leaseholder"] >= 25
    assert holdings["joint_tenant"] >= 40
    assert dbsession.scalar(
        select(func.count()).select_from(Home).where(~Home.tenancies.any())
    ) in range(5, 16)
    assert load_demo_properties(dbsession, AS_OF).counts() == ZEROS


def test_the_shipped_demo_register_is_what_the_generator_makes():
    made = io.StringIO()
    write_csv(demo_rows(), made)
    shipped = (files("tmo") / "data" / "demo-properties.csv").read_text(encoding="utf-8")
    assert made.getvalue() == shipped
    assert len({r["property_reference"] for r in demo_rows(homes=1000)}) == 1000


# The upload page -----------------------------------------------------------------------------


def upload(testapp, rows, *, dry_run=False, confirm="", name="council.csv", status=200):
    form = testapp.get("/admin/properties/import").forms["form"]
    form["upload"] = webtest.Upload(name, as_csv(rows) if isinstance(rows, list) else rows)
    form["confirm"] = confirm
    return form.submit("check" if dry_run else "import", status=status)


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.SECRETARY])
def test_the_upload_page_imports_and_shows_the_report(testapp, dbsession, logged_in, role):
    account = logged_in(role)
    page = testapp.get("/admin/properties/import")
    file_input = page.html.select_one("input[type=file]")
    assert file_input["accept"] == ".csv,text/csv"
    assert file_input["name"] == "upload"
    label = page.html.select_one(f"label[for={file_input['id']}]")
    assert label.get_text(strip=True).startswith("The council's CSV export")
    assert file_input["aria-describedby"] == f"hint-{file_input['id']}"

    done = upload(testapp, first_file())
    assert "council.csv is imported" in done.text
    counts = {
        row.dt.get_text(strip=True): row.dd.get_text(strip=True)
        for row in done.html.select(".summary-list__row")
    }
    assert counts["Homes added"] == "4"
    assert counts["Tenancies added"] == "4"
    assert count(dbsession, Home) == 4
    (entry,) = imports(dbsession)
    assert (entry.actor_id, entry.detail["file"]) == (account.id, "council.csv")

    again = upload(testapp, first_file())
    assert "already matched" in again.text


def test_a_check_only_upload_saves_nothing(testapp, dbsession, logged_in):
    logged_in(Role.SECRETARY)
    page = upload(testapp, first_file(), dry_run=True)
    assert "nothing was saved" in page.text
    assert "What importing would change" in page.text
    assert count(dbsession, Home) == 0
    assert imports(dbsession) == []


def active_numbers(dbsession) -> list[int]:
    return list(
        dbsession.scalars(
            select(Member.member_number)
            .where(Member.ceased_on.is_(None))
            .order_by(Member.member_number)
        )
    )


def two_members_on_the_campbells_home(dbsession):
    """The first file imported, with both Campbells (P2) members; the file without P2's holders
    would end both their tenancies and cease both memberships: above 5% of two members."""
    run(dbsession, first_file())
    member_on(dbsession, tenancy(dbsession, "TP2", 1), number=7)
    member_on(dbsession, tenancy(dbsession, "TP2", 2), number=8)
    return [r for r in first_file() if r["property_reference"] != "P2"]


def test_a_check_that_would_cease_memberships_warns_and_names_them(testapp, dbsession, logged_in):
    # Issue 14: a check that would cease memberships showed a green "ready to import".
    logged_in(Role.SECRETARY)
    rows = two_members_on_the_campbells_home(dbsession)
    page = upload(testapp, rows, dry_run=True)
    assert "is ready to import" not in page.text
    warning = page.html.select_one(".notification--warning")
    assert warning is not None
    assert "would end 2 tenancies and cease 2 memberships" in warning.get_text(" ", strip=True)
    assert "type 2" in warning.get_text(" ", strip=True)
    lines = [li.get_text(" ", strip=True) for li in page.html.select(".change-list li")]
    assert any(line.startswith("Member 7 Delroy Campbell, Flat 2 Elm House") for line in lines)
    assert any(line.startswith("Member 8 Marcia Campbell") for line in lines)
    assert any(line.startswith("TP2/2 Marcia Campbell") for line in lines)
    assert active_numbers(dbsession) == [7, 8]
    assert tenancy(dbsession, "TP2").end_date is None


def test_pressing_enter_checks_and_never_imports(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    form = testapp.get("/admin/properties/import").forms["form"]
    assert [b.get("name") for b in form.html.select("button")] == ["check", "import"]
    form["upload"] = webtest.Upload("council.csv", as_csv(first_file()))
    page = form.submit()
    assert "council.csv is ready to import" in page.text
    assert count(dbsession, Home) == 0


def test_an_import_above_the_limit_needs_the_number_typed(testapp, dbsession, logged_in):
    account = logged_in(Role.ADMINISTRATOR)
    rows = two_members_on_the_campbells_home(dbsession)

    for typed in ("", "3"):
        page = upload(testapp, rows, confirm=typed)
        assert page.html.title.get_text().startswith("Error:")
        summary = page.html.select_one(".error-summary").get_text(" ", strip=True)
        if typed:
            assert "You typed 3, but importing this file would end 2 tenancies" in summary
        else:
            assert "Type 2 to confirm that 2 memberships will cease." in summary
        assert "was not imported" in page.text
        assert "Member 7 Delroy Campbell" in page.text
        assert tenancy(dbsession, "TP2").end_date is None
        assert active_numbers(dbsession) == [7, 8]
        assert imports(dbsession) == [imports(dbsession)[0]]

    done = upload(testapp, rows, confirm="2")
    assert "council.csv is imported" in done.text
    assert tenancy(dbsession, "TP2", 2).end_date is not None
    assert active_numbers(dbsession) == []
    entry = imports(dbsession)[-1]
    assert (entry.actor_id, entry.detail["confirmed"]) == (account.id, 2)
    assert entry.detail["memberships_ceased"] == 2


def test_the_limit_is_the_constitutions_share_of_the_members(dbsession):
    rows = two_members_on_the_campbells_home(dbsession)
    # Half of two members is one: ceasing two must be confirmed, under 100% it need not be.
    with pytest.raises(ImportNotConfirmed) as refused:
        run(dbsession, rows, confirm_percent=50)
    assert refused.value.report.confirmation_number == 2
    assert tenancy(dbsession, "TP2").end_date is None
    assert run(dbsession, rows, confirm_percent=100).memberships_ceased == 2


def test_wrong_lines_are_listed_in_the_error_summary(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    rows = [row(f"P{n}", holding="tenant") for n in range(23)]
    page = upload(testapp, rows)
    assert page.html.title.get_text().startswith("Error:")
    summary = [li.get_text(" ", strip=True) for li in page.html.select(".error-summary li")]
    assert summary[0].startswith("The file has 23 problems, so nothing was imported")
    assert summary[1].startswith("line 2: holding 'tenant' is not one of secure_tenant")
    assert summary[20].startswith("line 21: holding 'tenant'")
    assert summary[21:] == ["and 3 more"]
    file_input = page.html.select_one("input[type=file]")
    assert {a["href"] for a in page.html.select(".error-summary a")} == {f"#{file_input['id']}"}
    assert file_input["aria-invalid"] == "true"
    assert f"error-{file_input['id']}" in file_input["aria-describedby"]
    assert "You chose council.csv" in page.text
    assert count(dbsession, Home) == 0


def test_the_upload_must_be_a_utf8_file(testapp, dbsession, logged_in):
    logged_in(Role.ADMINISTRATOR)
    form = testapp.get("/admin/properties/import").forms["form"]
    missing = form.submit("check")
    assert "Choose the council's CSV file." in missing.text
    not_text = upload(testapp, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xb2\x9c\xff")
    assert "is not a CSV file in UTF-8" in not_text.text
    assert count(dbsession, Home) == 0


def test_an_upload_over_the_size_limit_is_refused(testapp, dbsession, logged_in, monkeypatch):
    logged_in(Role.SECRETARY)
    data = as_csv(first_file())
    monkeypatch.setattr("tmo.schemas.properties.MAXIMUM_UPLOAD_BYTES", len(data) - 1)
    page = upload(testapp, data)
    assert "The file must be 20 MB or smaller." in page.html.select_one(".error-summary").text
    assert count(dbsession, Home) == 0


def test_a_member_may_not_import(testapp, logged_in):
    logged_in(Role.MEMBER)
    testapp.get("/admin/properties/import", status=403)


# The console script --------------------------------------------------------------------------


@pytest.fixture
def database_file(tmp_path):
    path = tmp_path / "properties.sqlite"
    settings = {"sqlalchemy.url": f"sqlite:///{path}", "tmo.secret": "test"}
    upgrade(settings)
    ini = tmp_path / "properties.ini"
    ini.write_text(
        "[app:main]\nuse = egg:tmo\n"
        f"sqlalchemy.url = sqlite:///{path}\n"
        "tmo.secret = test\ntmo.mail_mode = memory\n"
    )
    engine = get_engine(settings)
    yield ini, get_session_factory(engine)
    engine.dispose()


def test_tmo_import_properties_prints_the_report(database_file, tmp_path, capsys):
    ini, sessions = database_file
    council = tmp_path / "council.csv"
    council.write_bytes(as_csv(first_file()))
    arguments = [str(council), "--config", str(ini), "--as-of", "2026-03-01"]

    assert import_script.main([*arguments, "--dry-run"]) == 0
    output = capsys.readouterr().out
    assert "Checked only: nothing was saved." in output
    with sessions() as session:
        assert count(session, Home) == 0

    assert import_script.main(arguments) == 0
    output = capsys.readouterr().out
    assert "council.csv: 5 rows, 4 homes, 4 tenancy holders (as of 2026-03-01)" in output
    assert "Homes added" in output and "Tenancies added" in output
    with sessions() as session:
        assert count(session, Home) == 4
        (entry,) = imports(session)
        assert entry.actor_id is None

    assert import_script.main(arguments) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_tmo_import_properties_refuses_bad_rows_and_writes_nothing(database_file, tmp_path, capsys):
    ini, sessions = database_file
    council = tmp_path / "council.csv"
    council.write_bytes(as_csv([row("P1"), row("P2", tenancy_start="yesterday")]))
    assert import_script.main([str(council), "--config", str(ini)]) == 1
    captured = capsys.readouterr()
    assert "line 3: tenancy_start 'yesterday' is not a date" in captured.err
    assert "1 problem in council.csv: nothing was imported." in captured.err
    assert captured.out == ""
    with sessions() as session:
        assert count(session, Home) == count(session, AuditEntry) == 0

    assert import_script.main([str(tmp_path / "absent.csv"), "--config", str(ini)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_tmo_import_properties_refuses_a_large_loss_unless_confirmed(
    database_file, tmp_path, capsys
):
    ini, sessions = database_file
    council = tmp_path / "council.csv"
    council.write_bytes(as_csv(first_file()))
    arguments = [str(council), "--config", str(ini), "--as-of", "2026-03-01"]
    assert import_script.main(arguments) == 0
    with sessions() as session:
        for number in (1, 2):
            held = tenancy(session, "TP2", number)
            session.add(
                Member(
                    member_number=number,
                    home=held.home,
                    tenancy=held,
                    name=held.holder_name,
                    address=held.home.address,
                    admitted_on=date(2020, 5, 1),
                )
            )
        session.commit()
    council.write_bytes(as_csv([r for r in first_file() if r["property_reference"] != "P2"]))
    capsys.readouterr()

    assert import_script.main([*arguments, "--dry-run"]) == 0
    output = capsys.readouterr().out
    assert "Warning: importing this file would end 2 tenancies and cease 2 memberships." in output
    assert "Member 1 Delroy Campbell" in output

    for extra in ([], ["--confirm", "5"]):
        assert import_script.main([*arguments, *extra]) == 3
        error = capsys.readouterr().err
        assert "Run it again with --confirm 2 to import." in error
        with sessions() as session:
            assert tenancy(session, "TP2").end_date is None
            assert len(imports(session)) == 1

    assert import_script.main([*arguments, "--confirm", "2"]) == 0
    with sessions() as session:
        assert tenancy(session, "TP2").end_date == date(2026, 3, 1)
        assert imports(session)[-1].detail["confirmed"] == 2


# Control characters in the council's file --------------------------------------------------------

ODD_NAMES = {
    "P1": ("Margaret\nHughes", "Margaret Hughes"),
    "P2": ("Delroy\r\nCampbell\t", "Delroy Campbell"),
    "P3": ("Ann\x00Lee\x07\x1b[31m\x7f", "Ann Lee [31m"),
    "P4": ("Kwame\u2028Mensah\x85", "Kwame Mensah"),
}


def test_names_with_line_breaks_and_control_characters_are_imported_on_one_line(
    testapp, dbsession, logged_in, app, tmp_path
):
    """A holder's name or an address with a line break, a tab, a NUL or an escape (a
    spreadsheet's cell, a council system's export) is stored on one line: the check shows it so,
    and the register, its CSV export and an election's BLT file stay whole. A NUL was a 500 on
    PostgreSQL; the others were stored as they came."""
    from tests.elections_setup import KEY, count, fresh, now, poll_open, shift, web_request
    from tmo.rules.counting.ballots import read_blt
    from tmo.services import elections

    logged_in(Role.SECRETARY)
    rows = [
        row(reference, holder_name=odd, address_line_2="Kensal\x0bVale\x1fRoad")
        for reference, (odd, _) in ODD_NAMES.items()
    ]
    checked = upload(testapp, rows, dry_run=True)
    assert "nothing was saved" in checked.text
    for _, tidy in ODD_NAMES.values():
        assert tidy in checked.html.get_text()
    assert upload(testapp, rows).status_int == 200

    stored = {t.reference: t.holder_name for t in dbsession.scalars(select(Tenancy))}
    assert stored == {f"T{reference}": tidy for reference, (_, tidy) in ODD_NAMES.items()}
    assert set(dbsession.scalars(select(Home.address_line_2))) == {"Kensal Vale Road"}

    # Members on those tenancies: the register and its CSV export, one line a member.
    for number, reference in enumerate(ODD_NAMES, start=1):
        member_on(dbsession, tenancy(dbsession, f"T{reference}"), number=number)
    register = testapp.get("/secretary/register")
    for _, tidy in ODD_NAMES.values():
        assert tidy in register.text
    export = testapp.get("/secretary/register.csv").text
    assert len(export.splitlines()) == 1 + len(ODD_NAMES)
    exported = list(csv.reader(io.StringIO(export)))[1:]
    assert sorted(name for _, name, *_ in exported) == sorted(t for _, t in ODD_NAMES.values())

    # Members of those names stand in an election: its BLT file reads back with their names.
    names = [tidy for _, tidy in ODD_NAMES.values()][:3]
    election, people = poll_open(dbsession, web_request(app, dbsession), names=names)
    first = elections.accepted(election)[0]
    elections.cast(dbsession, election.id, people[-1].id, (first.id,), key=KEY, now=now())
    shift(election, 30)
    count(dbsession, election)
    dbsession.commit()
    blt = testapp.get(f"/elections/{fresh(dbsession, election).id}/ballots.blt").text
    assert read_blt(blt).candidates == sorted(names, key=names.index)
