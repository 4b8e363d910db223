"""Import profiles: each vendor's sample file read as the business would see it, detection of the layout,
lint messages a marketer can act on, the business's own profiles, and the `nurture profiles` verbs.
Every expected value is written here by hand from the sample files (tests/intake/samples/)."""

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nurture.cli import app
from nurture.config import get_settings
from nurture.intake.profiles import (
    ContactIn,
    ProfileError,
    available_profiles,
    detect,
    lint_profile,
    load_profile,
    map_row,
    shipped_profiles,
)
from nurture.intake.schema import FieldError

SAMPLES = Path(__file__).parent / "samples"
runner = CliRunner()


def sample(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with open(SAMPLES / f"{name}.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def mapped(name: str) -> list:
    profile = load_profile(name)
    return [map_row(profile, row) for row in sample(name)[1]]


def record(**given):
    empty = dict.fromkeys(["record_type", "document_type", "recording_date", "auction_date", "parcel_number",
                           "case_number", "lender", "trustee", "opening_bid", "original_loan_amount"])
    return {**empty, **given}


def phone(value, phone_type, name, position, *, dnc=False, litigator=False) -> ContactIn:
    return ContactIn(kind="phone", value=value, phone_type=phone_type, dnc=dnc, litigator=litigator,
                     name=name, position=position)


def email(value, name, position) -> ContactIn:
    return ContactIn(kind="email", value=value, phone_type="", dnc=False, litigator=False, name=name,
                     position=position)


# The samples, read through their profiles ------------------------------------------------------


def test_attom_rows_give_the_owner_property_and_recorded_notice():
    rows = mapped("attom-preforeclosure")

    assert len(rows) == 8
    assert rows[0].body == {
        "first_name": "Maria", "last_name": "Rivera", "external_id": "184500001",
        "property": {"street": "1420 NW 7TH ST", "city": "MIAMI", "state": "FL", "zip": "33125"},
        "mailing_address": {"street": "1420 NW 7TH ST", "city": "MIAMI", "state": "FL", "zip": "33125"},
    }
    assert rows[0].record == record(
        record_type="lis_pendens", document_type="LIS", recording_date=date(2026, 9, 22),
        parcel_number="30-4021-012-0340", case_number="2026-018422-CA-01", lender="WELLS FARGO BANK NA",
        original_loan_amount="318000")
    assert rows[2].record == record(
        record_type="notice_of_sale", document_type="NTS", recording_date=date(2026, 11, 2),
        auction_date=date(2026, 12, 15), parcel_number="538-120-14-00", lender="PENNYMAC LOAN SERVICES LLC",
        trustee="CLEAR RECON CORP", opening_bid="402116.37", original_loan_amount="389500")
    assert all(row.contacts == [] for row in rows)  # ATTOM's file has no phones or emails


def test_attom_record_types_and_auction_dates_row_by_row():
    rows = mapped("attom-preforeclosure")

    assert [r.record["record_type"] for r in rows] == [
        "lis_pendens", "notice_of_default", "notice_of_sale", "notice_of_sale", "notice_of_sale",
        "notice_of_sale", "notice_of_sale", "reo"]
    assert [r.record["auction_date"] for r in rows] == [
        None, None, date(2026, 12, 15), date(2027, 1, 5),
        date(2027, 2, 3),  # written "2027-02-03 00:00:00": the time is ignored
        date(2027, 1, 5),  # written 01/05/2027
        None,  # 2027-02-30 is no day: reported below
        None]
    assert rows[5].record["recording_date"] == date(2026, 11, 12)  # written 11/12/2026
    assert rows[5].record["opening_bid"] == "156320"  # written 156320.00


def test_attom_owner_names_written_last_first_give_the_first_owner():
    rows = mapped("attom-preforeclosure")

    names = [(r.body.get("first_name"), r.body.get("last_name")) for r in rows]
    assert names == [("Maria", "Rivera"), ("David", "Nguyen"), ("Grace", "Okafor"),
                     ("Robert", "Johnson"),  # JOHNSON ROBERT & JOHNSON LINDA
                     ("Ana", "Martinez"), ("James", "Washington"),  # WASHINGTON JAMES T JR
                     ("Priya", "Patel"), ("Kevin", "Holloway")]


def test_attom_owner_mailing_from_another_state_is_kept_apart_from_the_property():
    rows = mapped("attom-preforeclosure")

    assert rows[1].body["property"]["state"] == "CA"
    assert rows[1].body["mailing_address"] == {"street": "2210 E CAMELBACK RD APT 14", "city": "PHOENIX",
                                               "state": "AZ", "zip": "85016"}
    assert rows[4].body["mailing_address"]["state"] == "WA"


def test_attom_impossible_auction_date_is_reported_on_its_column_and_the_rest_of_the_row_kept():
    rows = mapped("attom-preforeclosure")

    assert rows[6].problems == [FieldError("AUCTIONDATE", "'2027-02-30' is not a real date "
                                                          "(day is out of range for month)")]
    assert rows[6].body["last_name"] == "Patel" and rows[6].record["opening_bid"] == "498000"
    assert [r.problems for i, r in enumerate(rows) if i != 6] == [[]] * 7


def test_dealmachine_contacts_in_the_vendors_order_with_types_and_flags():
    rows = mapped("dealmachine")

    assert len(rows) == 6
    assert rows[1].body == {
        "first_name": "Robert", "last_name": "Johnson", "external_id": "DM-70413",
        "property": {"street": "7719 Brandywine Ln", "city": "Houston", "state": "TX", "zip": "77036"},
        "mailing_address": {"street": "7719 Brandywine Ln", "city": "Houston", "state": "TX", "zip": "77036"},
        "estimated_value": "241000", "mortgage_balance": "203400",
    }
    assert rows[1].contacts == [
        phone("(713) 555-0164", "voip", "Robert Johnson", 1),
        phone("(713) 555-0102", "mobile", "Robert Johnson", 2, litigator=True),
        email("rjohnson@example.com", "Robert Johnson", 3),
        email("bob.johnson@example.net", "Robert Johnson", 4),
        phone("(832) 555-0135", "mobile", "Linda Johnson", 5),
        phone("(713) 555-0178", "landline", "Tanya Johnson", 6),
    ]
    assert rows[0].contacts == [
        phone("(305) 555-0142", "mobile", "Maria L Rivera", 1),
        phone("(305) 555-0187", "landline", "Maria L Rivera", 2, dnc=True),
        email("maria.rivera@example.com", "Maria L Rivera", 3),
        phone("(786) 555-0119", "mobile", "Luis Rivera", 4),
        email("luis.rivera@example.net", "Luis Rivera", 5),
    ]
    assert rows[1].record == record()  # no notice in a skip-trace file


def test_dealmachine_phone_types_cell_residential_and_an_unknown_word():
    rows = mapped("dealmachine")

    assert [(c.value, c.phone_type) for c in rows[3].contacts if c.kind == "phone"] == [
        ("(404) 555-0133", "mobile"), ("(404) 555-0171", "landline"), ("(678) 555-0109", "voip")]
    assert [(c.value, c.phone_type) for c in rows[4].contacts if c.kind == "phone"] == [
        ("(206) 555-0147", "mobile"), ("(206) 555-0182", "unknown"), ("(425) 555-0114", "mobile")]  # "Pager"
    assert rows[3].body["first_name"] == "James" and rows[3].body["last_name"] == "Washington"  # ... Washington Jr
    assert rows[2].body["mailing_address"]["state"] == "AZ" and rows[2].body["property"]["state"] == "CA"
    assert all(r.problems == [] for r in rows)


def test_batchdata_money_with_dollars_and_commas_becomes_a_clean_decimal():
    rows = mapped("batchdata")

    assert [(r.body.get("estimated_value"), r.body.get("mortgage_balance")) for r in rows] == [
        ("612000", "371450.25"), ("189000", "151200"), ("298500", "255000"), ("334000", "298750"),
        ("276000", None)]


def test_batchdata_rows_names_title_cased_and_contacts_flagged():
    rows = mapped("batchdata")

    assert rows[0].body == {
        "first_name": "Grace", "last_name": "Okafor", "external_id": "BD-55001",
        "property": {"street": "4482 Marlborough Ave", "city": "San Diego", "state": "CA", "zip": "92116"},
        "mailing_address": {"street": "4482 Marlborough Ave", "city": "San Diego", "state": "CA", "zip": "92116"},
        "estimated_value": "612000", "mortgage_balance": "371450.25",
    }
    assert rows[1].contacts == [
        phone("(404) 555-0156", "mobile", "Kevin Holloway", 1, litigator=True),
        phone("(214) 555-0193", "voip", "Kevin Holloway", 2),
        email("kevin.holloway@example.com", "Kevin Holloway", 3),
        phone("(470) 555-0117", "mobile", "Sharon Holloway", 4),
        phone("(214) 555-0140", "landline", "Sharon Holloway", 5),
    ]
    assert [(c.value, c.phone_type, c.dnc) for c in rows[2].contacts if c.kind == "phone"] == [
        ("(321) 555-0128", "mobile", False), ("(321) 555-0185", "unknown", False), ("(407) 555-0161", "mobile", True)]
    # An empty first name is left out, not sent as "".
    assert "first_name" not in rows[4].body and rows[4].body["last_name"] == "Morrison"
    assert rows[4].body["mailing_address"] == {"street": "4100 Ross Ave", "city": "Dallas", "state": "TX",
                                               "zip": "75204"}


def test_county_notices_grantor_is_the_owner_and_document_types_are_record_types():
    rows = mapped("county-notices")

    assert len(rows) == 7
    assert [(r.body["first_name"], r.body["last_name"]) for r in rows] == [
        ("Maria", "Rivera"), ("Terrence", "Brooks"), ("Funmi", "Oyelaran"), ("Hector", "Gutierrez"),
        ("Wei", "Chen"), ("Cole", "Abernathy"), ("Marcus", "Dawson")]
    assert [r.record["record_type"] for r in rows] == [
        "lis_pendens", "notice_of_sale", "judgment", "notice_of_sale", "notice_of_default", "notice_of_sale", "reo"]
    assert rows[1].record == record(
        record_type="notice_of_sale", document_type="NOTICE OF SALE", recording_date=date(2026, 11, 16),
        auction_date=date(2026, 12, 18), parcel_number="24-22-29-6789-00-150", case_number="2025-CA-004417",
        lender="U.S. BANK TRUST NA")
    assert rows[1].body == {"first_name": "Terrence", "last_name": "Brooks",
                            "property": {"street": "5530 Pine Cone Ct", "city": "Orlando", "state": "FL",
                                         "zip": "32808"}}


def test_county_sale_date_with_month_13_is_reported():
    rows = mapped("county-notices")

    assert rows[5].problems == [FieldError("Sale Date", "'13/27/2027' is not a real date (month must be in 1..12)")]
    assert rows[5].record["auction_date"] is None and rows[5].record["recording_date"] == date(2026, 11, 21)
    assert sum(len(r.problems) for r in rows) == 1


# Detection --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "ignored"), [
    ("attom-preforeclosure", ["TRANSACTIONID", "SITUSCOUNTY", "AUCTIONTIME", "AUCTIONADDRESS"]),
    ("dealmachine", ["property_county", "owner_2_name", "equity_percent", "lead_status"]),
    ("batchdata", ["Equity", "Absentee Owner"]),
    ("county-notices", ["Instrument Number", "Consideration", "Book", "Page"]),
])
def test_detection_picks_each_samples_profile_and_names_the_columns_it_ignores(name, ignored):
    header, _ = sample(name)

    found = detect(header, available_profiles())

    assert found.profile is not None and found.profile.name == name
    assert found.ignored == ignored
    assert name in found.why


def test_detection_compares_headers_without_case_or_stray_spaces():
    header = ["\ufeffrecordtype", " SitusStateCode ", "propertyaddressfull", "Notes"]

    found = detect(header, available_profiles())

    assert found.profile is not None and found.profile.name == "attom-preforeclosure"
    assert found.ignored == ["Notes"]


def test_detection_of_our_own_layout_says_to_import_it_without_a_profile():
    header = ["first_name", "last_name", "phone", "email", "property_street", "property_city", "property_state",
              "property_zip", "foreclosure_sale_date"]

    found = detect(header, available_profiles())

    assert found.profile is None
    assert found.why == ("the header is nurture's own layout (first_name, phone, property_zip, ...): "
                         "import it without a profile")


def test_detection_of_an_unknown_layout_says_what_each_profile_misses():
    header = ["Owner", "Situs", "Phone"]

    found = detect(header, available_profiles())

    assert found.profile is None and found.ignored == []
    assert found.why.startswith("no profile's columns are all in the header: ")
    assert "attom-preforeclosure needs RECORDTYPE, SITUSSTATECODE, PROPERTYADDRESSFULL" in found.why
    assert "county-notices needs Document Type, Recording Date, Grantor, Grantee" in found.why


def test_a_row_read_with_the_headers_own_spelling():
    profile = load_profile("attom-preforeclosure")
    row = {"recordtype": "nod", " RecordingDate ": "20261014 10:15:00", "BorrowerNameOwner": "SMITH JOHN",
           "SITUSSTATECODE": "CA", "PROPERTYADDRESSFULL": "12 OAK ST"}

    result = map_row(profile, row)

    assert result.record["record_type"] == "notice_of_default" and result.record["document_type"] == "nod"
    # 20261014 is not among this profile's date formats (YYYY-MM-DD, MM/DD/YYYY): reported, not guessed.
    assert result.problems == [FieldError(" RecordingDate ", "'20261014 10:15:00' is not a date written "
                                                             "YYYY-MM-DD or MM/DD/YYYY")]
    assert result.body == {"first_name": "John", "last_name": "Smith",
                           "property": {"street": "12 OAK ST", "state": "CA"}}


# Lint -------------------------------------------------------------------------------------------


def test_every_shipped_profile_lints_clean():
    profiles = shipped_profiles()

    assert {p.name for p in profiles} >= {"attom-preforeclosure", "dealmachine", "batchdata", "county-notices"}
    assert {p.name: lint_profile(p.path) for p in profiles} == {p.name: [] for p in profiles}


BROKEN = """\
name: broken
vendor: Acme Lists
description: A profile with one mistake of each kind.
detect: [Owner, Situs Address]
fields:
  owner_name:
    names: last_first
  phone: Owner Phone
  property.street: Situs Address
record:
  record_type:
    column: Doc
    values:
      NOD: default_notice
  auction_date:
    column: Sale Date
    date_formats: [MM/DD/YYYY, DD.MM.YYYY]
contacts:
  - contacts: 2
    phone: "Phone{m}"
    phones: 2
phone_types:
  Wireless: cellular
"""


def test_a_broken_profile_gets_one_precise_message_per_mistake(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)

    problems = lint_profile(path)

    assert problems == [
        ("broken.yaml:6: fields.owner_name: has no column: say which column of the vendor's file fills it "
        "(column: NAME)"),
        "broken.yaml:8: fields.phone: is not a field a profile can fill here: phone and email come from contacts:",
        ("broken.yaml:14: record.record_type.values.NOD: 'default_notice' is not a record type: use one of "
        "notice_of_default, lis_pendens, notice_of_sale, judgment, reo"),
        ("broken.yaml:17: record.auction_date.date_formats[1]: 'DD.MM.YYYY' is not a date format: use "
        "YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, MM-DD-YYYY, DD/MM/YYYY, MM/DD/YY, YYYYMMDD"),
        "broken.yaml:20: contacts[0].phone: 'Phone{m}' needs {n}: without it every contact reads the same column",
        "broken.yaml:23: phone_types.Wireless: 'cellular' is not a phone type: use mobile, landline, voip, unknown",
    ]
    with pytest.raises(ProfileError) as refused:
        load_profile(str(path))
    assert refused.value.problems == problems


def test_lint_names_unknown_keys_words_yaml_misreads_and_a_file_named_unlike_its_profile(tmp_path):
    path = tmp_path / "acme.yaml"
    path.write_text("name: acme-lists\nvendor: Acme\ndescription: d\ndetect: [A]\ncolour: blue\n"
                    "fields:\n  last_name: {column: A, title: true}\n"
                    "record:\n  record_type:\n    column: B\n    values: {NO: notice_of_default}\n"
                    "true_words: [yes]\n")

    assert lint_profile(path) == [
        ("acme.yaml:5: colour: is not a profile key: the keys are name, vendor, description, detect, fields, "
        "record, contacts, phone_types, true_words, false_words"),
        "acme.yaml:1: name: is 'acme-lists' but the file is acme.yaml: name the file acme-lists.yaml",
        ("acme.yaml:7: fields.last_name.title: is not a key of a field: the keys are column, values, otherwise, "
        "date_formats, names, title_case"),
        "acme.yaml:11: record.record_type.values: a word YAML read as false: write it in quotes",
        "acme.yaml:12: true_words[0]: YAML read this as true: write it in quotes",
    ]


def test_lint_names_a_key_written_twice_and_a_word_listed_twice(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("name: twice\nvendor: V\ndescription: D\ndetect: [Doc]\n"
                    "record:\n  record_type:\n    column: Doc\n    values:\n      NOD: notice_of_default\n"
                    "      nod: lis_pendens\n  lender: Grantee\n  lender: Beneficiary\n")

    assert lint_profile(path) == [
        "twice.yaml:12: record.lender: is written twice (lines 11 and 12): keep one",
        "twice.yaml:10: record.record_type.values.nod: is listed twice (words are compared without case)",
    ]


def test_a_document_type_the_profile_does_not_list_is_reported_unless_otherwise_says(tmp_path):
    county = load_profile("county-notices")
    row = {"Document Type": "SATISFACTION OF MORTGAGE", "Recording Date": "10/02/2026", "Grantor": "LEE, ANN",
           "Grantee": "CHASE BANK"}
    path = tmp_path / "lenient.yaml"
    path.write_text("name: lenient\nvendor: V\ndescription: D\ndetect: [Doc]\n"
                    "record:\n  record_type:\n    column: Doc\n    values: {NOD: notice_of_default}\n"
                    "    otherwise: null\n  document_type: Doc\n")

    reported = map_row(county, row)
    quiet = map_row(load_profile(str(path)), {"Doc": "ASSIGNMENT"})

    assert reported.record["record_type"] is None and reported.record["document_type"] == "SATISFACTION OF MORTGAGE"
    assert reported.problems == [FieldError("Document Type", "'SATISFACTION OF MORTGAGE' is not a document type "
                                                             "this profile knows: add it to record_type's values "
                                                             "in county-notices.yaml")]
    assert quiet.record == record(document_type="ASSIGNMENT") and quiet.problems == []


def test_lint_reports_invalid_yaml_with_its_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nvendor: [unclosed\n")

    [problem] = lint_profile(path)

    assert problem.startswith("bad.yaml:3: not valid YAML: ")


def test_loading_an_unknown_name_lists_the_profiles_there_are():
    with pytest.raises(ProfileError) as refused:
        load_profile("propstream")

    assert str(refused.value) == (
        "no profile named 'propstream': the profiles are attom-preforeclosure, batchdata, county-notices, "
        "dealmachine (nurture profiles list), or give the path of a .yaml file")


# The business's own profiles ---------------------------------------------------------------------


OWN = """\
name: acme-lists
vendor: Acme Lists
description: Our broker's weekly sheet.
detect: [Owner, Situs]
fields:
  owner_name: {column: Owner, names: first_last}
  property.street: Situs
  mortgage_balance: Balance
contacts:
  - phone: Cell
    phone_type: Cell Type
    dnc: On DNC
    email: Mail
true_words: ["Y"]
false_words: ["", "N"]
"""


@pytest.fixture
def own_profiles(tmp_path, monkeypatch):
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "acme-lists.yaml").write_text(OWN)
    monkeypatch.setenv("NURTURE_PROFILES_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_a_profile_in_the_businesss_folder_is_listed_detected_and_used(own_profiles):
    names = [p.name for p in available_profiles()]
    header = ["Owner", "Situs", "Balance", "Cell", "Cell Type", "On DNC", "Mail", "Notes"]

    found = detect(header, available_profiles())
    result = map_row(load_profile("acme-lists"), {
        "Owner": "Dana K Whitfield", "Situs": "800 Elm St", "Balance": "$1,250.5", "Cell": "(512) 555-0173",
        "Cell Type": "Wireless", "On DNC": "maybe", "Mail": "dana@example.com", "Notes": "call after 5"})

    assert names == ["acme-lists", "attom-preforeclosure", "batchdata", "county-notices", "dealmachine"]
    assert found.profile is not None and found.profile.name == "acme-lists" and found.ignored == ["Notes"]
    assert result.body == {"first_name": "Dana", "last_name": "Whitfield", "property": {"street": "800 Elm St"},
                           "mortgage_balance": "1250.50"}
    # A DNC cell the profile cannot read counts as on the list, and says so.
    assert result.contacts == [
        ContactIn("phone", "(512) 555-0173", "mobile", True, False, "", 1),
        ContactIn("email", "dana@example.com", "", False, False, "", 2)]
    assert result.problems == [FieldError("On DNC", "'maybe' is neither a yes word nor a no word of this "
                                                    "profile (true_words, false_words): counted as yes")]


def test_a_broken_profile_of_the_business_is_left_out_but_lint_says_why(own_profiles):
    (own_profiles / "half.yaml").write_text("name: half\nvendor: V\ndescription: D\n")

    names = [p.name for p in available_profiles()]
    result = runner.invoke(app, ["profiles", "lint"])

    assert "half" not in names and "acme-lists" in names
    assert result.exit_code == 1
    assert "FAILED half" in result.output
    assert "half.yaml:1: detect: is missing: list the header columns that tell this vendor's file apart" in result.output


def test_a_businesss_copy_replaces_the_shipped_profile_and_two_equal_fits_are_not_guessed(own_profiles):
    shipped = load_profile("batchdata").path.read_text()
    (own_profiles / "batchdata.yaml").write_text(shipped.replace("vendor: BatchData", "vendor: BatchData (ours)"))
    (own_profiles / "batchdata-2.yaml").write_text(shipped.replace("name: batchdata", "name: batchdata-2"))
    header, _ = sample("batchdata")

    profiles = {p.name: p for p in available_profiles()}
    found = detect(header, list(profiles.values()))

    assert profiles["batchdata"].vendor == "BatchData (ours)" and profiles["batchdata"].shipped is False
    assert found.profile is None
    assert found.why == "the header fits batchdata and batchdata-2 equally: name one with --profile"


# The verbs ------------------------------------------------------------------------------------------


def test_profiles_list_json_names_every_profile_with_its_detect_columns(own_profiles):
    result = runner.invoke(app, ["profiles", "list", "--json"])

    assert result.exit_code == 0, result.output
    listed = {p["name"]: p for p in json.loads(result.output)}
    assert sorted(listed) == ["acme-lists", "attom-preforeclosure", "batchdata", "county-notices", "dealmachine"]
    assert listed["acme-lists"]["shipped"] is False and listed["acme-lists"]["detect"] == ["Owner", "Situs"]
    assert listed["dealmachine"]["shipped"] is True and listed["dealmachine"]["vendor"] == "DealMachine"


def test_an_empty_profiles_dir_setting_reads_no_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docker-compose.yaml").write_text("services: {}\n")
    monkeypatch.setenv("NURTURE_PROFILES_DIR", "")
    get_settings.cache_clear()

    result = runner.invoke(app, ["profiles", "lint"])

    assert get_settings().profiles_dir is None
    assert result.exit_code == 0 and "docker-compose" not in result.output


def test_profiles_list_says_when_the_profiles_dir_is_not_a_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("NURTURE_PROFILES_DIR", str(tmp_path / "missing"))
    get_settings.cache_clear()

    result = runner.invoke(app, ["profiles", "list"])

    assert result.exit_code == 0
    assert f"NURTURE_PROFILES_DIR is {tmp_path / 'missing'}, which is not a folder" in result.output
    assert "dealmachine  (DealMachine; shipped)" in result.output


def test_profiles_list_prints_names_and_vendors():
    result = runner.invoke(app, ["profiles", "list"])

    assert result.exit_code == 0
    assert "attom-preforeclosure  (ATTOM Data Solutions; shipped)" in result.output
    assert "detects: RECORDTYPE, SITUSSTATECODE, PROPERTYADDRESSFULL" in result.output


def test_profiles_lint_of_the_shipped_ones_passes_and_json_parses():
    result = runner.invoke(app, ["profiles", "lint", "--json"])

    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)
    assert {f["profile"] for f in findings} == {"attom-preforeclosure", "batchdata", "county-notices", "dealmachine"}
    assert all(f["ok"] and f["problems"] == [] for f in findings)


def test_profiles_lint_of_a_broken_file_and_an_unknown_name_exits_1_with_each_problem(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)

    result = runner.invoke(app, ["profiles", "lint", str(path), "propstream", "batchdata", "--json"])

    assert result.exit_code == 1
    findings = {f["profile"]: f for f in json.loads(result.output)}
    assert len(findings[str(path)]["problems"]) == 6
    assert findings["propstream"]["problems"] == ["propstream: no such profile (nurture profiles list)"]
    assert findings["batchdata"]["ok"] is True


def test_a_profile_maps_the_language_column_and_warns_on_one_nurture_does_not_write_in(tmp_path, monkeypatch):
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "langs.yaml").write_text(
        "name: langs\nvendor: Acme\ndescription: A list with the owner's language.\n"
        "detect: [Owner, Situs, Lang]\n"
        "fields:\n  owner_name:\n    column: Owner\n    names: first_last\n"
        "  property.street: Situs\n  language: Lang\n"
        "contacts:\n  - email: Mail\n")
    monkeypatch.setenv("NURTURE_PROFILES_DIR", str(folder))
    get_settings.cache_clear()
    profile = load_profile("langs")
    spanish = map_row(profile, {"Owner": "Rosa Diaz", "Situs": "1 Main St", "Lang": "SPANISH", "Mail": "r@example.com"})
    assert spanish.body["language"] == "es" and spanish.problems == []
    other = map_row(profile, {"Owner": "Minh Tran", "Situs": "2 Main St", "Lang": "Vietnamese", "Mail": "m@example.com"})
    assert "language" not in other.body
    assert other.problems == [FieldError("Lang", "'Vietnamese' is not a language nurture writes in: "
                                                 "en (English), es (Español)")]
    get_settings.cache_clear()
