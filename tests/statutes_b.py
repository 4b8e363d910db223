"""Texting hours of IA, KS, MO, MT, NE, NH, NJ, NY, NC, ND, OH and OR, read for the test suite as an oracle
independent of the product (group b of issue 21).

Written 2026-12-07 by the research helper for group b, from the statute / regulation texts and secondary
summaries named in each version's ``source`` (legislature pages: leg.mt.gov, nebraskalegislature.gov,
nysenate.gov, legis.iowa.gov, pub.njleg.gov, ksrevisor.org; verbatim statute copies: legalfix.com,
statutes.laws.com, instalawyer.io, the cloudfront copies of the N.J. statutes and Nebraska rules; law-firm
and vendor notes: Troutman Pepper Locke (JD Supra), Postscript, Vicifast, Lexology, NatLawReview,
tcpaguide.org).  Nothing here was converted from nurture/law/jurisdictions/*.yaml.  Same shape and keys as
tests/statute_table.py (see its docstring); ``confirmed`` is True only where the operative words were read in
the statute or rule text itself.

STATUTES      state -> versions of rules that are stricter than, or differ from, 47 CFR 64.1200(c)(1): other
              hours, days, holidays, a cap, or the federal hours without the federal consent exception.
NOT_STRICTER  state -> why nothing beyond the federal rule applies (with the citation read).
"""
from datetime import date, time

from statute_versions import ALL_DAY_8_21, UNKNOWN_START, _all, _v  # noqa: F401 (the tables' shared vocabulary)


STATUTES = {
    # OR - HB 3865 (2025), signed 2025-07-24, in force 2026-01-01: "text message" within telephone solicitation;
    #      unlawful outside 8 a.m.-8 p.m. or more than three solicitations in 24 hours (EBR: cap only).
    "OR": [
        _v(effective=date(2026, 1, 1), effective_known=True,
           **_all((time(8), time(20))),
           per_24h=3,
           per_24h_scope="solicitations to a party in any 24 hours; not to a party with an established business "
                         "relationship (a transaction in the preceding 18 months) nor replies to the party's own message",
           consent_exempt=False, texts_covered=True, area_code_presumption=True,
           scope="telephone solicitation, including a text message (ORS 646.561 ff. as amended by HB 3865)",
           citation="ORS 646.561 et seq. / 646.608 as amended by Or. Laws 2025, HB 3865 (enrolled sections not read)",
           source="https://production.jdsupra.com/legalnews/oregon-passes-new-telephone-8210765 ; "
                  "https://postscript.io/blog/oregon-house-bill-3865 ; https://vicifast.com/blog/oregon-mini-tcpa-rules ; "
                  "https://citizenportal.ai/articles/6229846/Oregon/Senate-Judiciary-approves-texting-time-limits-for-telephone-solicitation-sends-bill-to-floor",
           words="(Troutman summary) contacting consumers outside the hours of 8 a.m. to 8 p.m. (previously 9 p.m.) or "
                 "exceeding three solicitations within a 24-hour period, unless an established business relationship exists",
           confirmed=False,
           notes="Only law-firm/vendor summaries and committee reports were read, not the enrolled act. Effective date "
                 "2026-01-01 set by the -A3 amendment (2025-05-21) and reported by Postscript and Vicifast. Drafts had "
                 "7 p.m. and 9 a.m.-7 p.m.; not enacted. Whether the EBR lifts the hours is ambiguous in Troutman's "
                 "sentence; Postscript applies quiet hours to everyone and the EBR only to the cap -> hours bind every "
                 "solicitation (stricter). No consent exemption in any source. Area code: 'a person may rely on the area "
                 "code of a telephone number for a mobile telephone' (quoted by Vicifast)."),
    ],

    # NY - GBL § 399-z(2): "No telemarketer or seller shall engage in telemarketing at any time other than between
    #      8:00 A.M. and 9:00 P.M. at the location of the customer unless the customer has given his or her express
    #      consent to the call at a different time."  Texts ("electronic messaging texts") from 2021-08-12.
    "NY": [
        _v(ends=date(2021, 8, 12),
           **_all(ALL_DAY_8_21),
           consent_exempt=False, texts_covered=None,
           scope="telemarketing sales calls to a customer in New York (before texts were named)",
           citation="N.Y. Gen. Bus. Law § 399-z(2) (as in force before L. 2021, S.3941/A.6040)",
           source="https://www.legiscan.com/NY/text/A07490/2019 (shows § 399-z subdivision 2 'as amended by chapter 239 "
                  "of the laws of 2017')",
           words="at any time other than between 8:00 A.M. and 9:00 P.M. at the location of the customer unless the "
                 "customer has given his or her express consent to the call at a different time",
           confirmed=False,
           notes="The pre-2021 wording of subdivision 2 was not read itself; assumed the same hours (the 2021 act only "
                 "added texts). Start date not read."),
        _v(effective=date(2021, 8, 12), effective_known=True,
           **_all(ALL_DAY_8_21),
           consent_exempt=False, texts_covered=True,
           scope="telemarketing, including 'electronic messaging texts', to a customer in New York",
           citation="N.Y. Gen. Bus. Law § 399-z(2); § 399-z(1)(h), (n) as amended by L. 2021 (S.3941/A.6040)",
           source="https://instalawyer.io/laws/new-york-laws/399-z-telemarketing-establishment-of ; "
                  "https://www.nysenate.gov/legislation/laws/GBS/399-Z/ ; "
                  "https://www.lexology.com/library/detail.aspx?g=0fdf4830-0cbf-41fa-ad4e-f4208ed264f0",
           words="No telemarketer or seller shall engage in telemarketing at any time other than between 8:00 A.M. and "
                 "9:00 P.M. at the location of the customer unless the customer has given his or her express consent to "
                 "the call at a different time.",
           confirmed=True,
           notes="Same hours as federal, but the only exception is consent to a call 'at a different time', not a general "
                 "marketing consent -> consent_exempt False. Text amendment signed 2021-07-13, in force 30 days later "
                 "(2021-08-12, Lexology). ALSO (not an hours rule, so not a version here): § 399-z(5-a) and § 399-pp(7)(f), "
                 "added by L. 2019 ch. 680, signed 2019-12-18 and in force at once: no 'unsolicited telemarketing sales "
                 "call' into a county, city, town or village under a declared state of emergency or disaster emergency "
                 "(Executive Law §§ 24, 28); 'unsolicited' excludes express requests and an unterminated EBR. A.1250 of "
                 "2025 (narrowing the ban) passed the Assembly only."),
    ],

    # NJ - N.J.S.A. 56:8-128(d): "A telemarketer shall not make or cause to be made any unsolicited telemarketing sales
    #      call to any customer between the hours of 9:00 p.m. and 8:00 a.m., local time, at the customer's location."
    "NJ": [
        _v(**_all(ALL_DAY_8_21),
           consent_exempt=True, texts_covered=None,
           scope="unsolicited telemarketing sales calls to a New Jersey customer (Telemarketing Do Not Call law)",
           citation="N.J.S.A. 56:8-128(d) (P.L.2003, c.76, § 10, as amended)",
           source="https://d1tvxue8o4w0fl.cloudfront.net/statute/new-jersey-statutes/title-56-trade-names-trade-marks-and-"
                  "unfair-trade-practices/chapter-568/section-568-128-requirements-relative-to-telemarketing-sales-calls ; "
                  "https://pub.njleg.gov/bills/2002/PL03/76_.HTM",
           words="any unsolicited telemarketing sales call to any customer between the hours of 9:00 p.m. and 8:00 a.m., "
                 "local time, at the customer's location",
           confirmed=True,
           notes="Equal to the federal rule in hours and in its consent treatment ('unsolicited'); listed because it is "
                 "a New Jersey statute in force that the issue names. Copy current through L. 2024, c. 62. Definitions "
                 "(56:8-120) not read, so whether a text is a 'telemarketing sales call' is open. Enactment/effective "
                 "date of P.L.2003, c.76 not read (a 2004-02-02 N.J. Register proposal already applies it)."),
    ],

    # MO - RSMo 407.1076(5): unlawful to "Engage in telemarketing to a consumer's residence at any time other than
    #      between 8:00 a.m. and 9:00 p.m. local time at the called consumer's location"
    "MO": [
        _v(effective=date(2000, 8, 28), effective_known=True,
           **_all(ALL_DAY_8_21),
           consent_exempt=False, texts_covered=None,
           scope="telemarketing to a consumer's residence (RSMo 407.1070-407.1085)",
           citation="RSMo 407.1076(5)",
           source="https://legalfix.com/statutes/state-codes/missouri/title-xxvi/chapter-407/section-407-1076 ; "
                  "https://statutes.laws.com/missouri/t26/c407/407_1076",
           words="Engage in telemarketing to a consumer's residence at any time other than between 8:00 a.m. and "
                 "9:00 p.m. local time at the called consumer's location",
           confirmed=True,
           notes="Federal hours without a consent exception in the section. 'Effective 28 Aug 2000' per legalfix. The "
                 "no-call law (407.1095 ff.) reaches 'data communication (which includes text messaging)' since SB 43 "
                 "(2009) but has no hours."),
    ],

    # MT - Mont. Code Ann. § 30-14-1412(1)(d): abusive to "engage in telemarketing to a person's residence at any time
    #      other than between 8 a.m. and 9 p.m. local time at the called person's location"
    "MT": [
        _v(in_force_by=date(2023, 10, 1),
           **_all(ALL_DAY_8_21),
           consent_exempt=False, texts_covered=None,
           scope="telemarketing to a person's residence (Montana Telemarketing Registration and Fraud Prevention Act)",
           citation="Mont. Code Ann. § 30-14-1412(1)(d)",
           source="https://leg.mt.gov/bills/mca/title_0300/chapter_0140/part_0140/section_0120/0300-0140-0140-0120.html",
           words="engage in telemarketing to a person's residence at any time other than between 8 a.m. and 9 p.m. local "
                 "time at the called person's location",
           confirmed=True,
           notes="Read on the legislature's MCA 2023 page (in_force_by = that code's date, approximately). History: En. "
                 "Sec. 12, Ch. 342, L. 1999; amended 2001, 2005; the act's effective date was not read (Montana's default "
                 "is October 1). Federal hours, no consent exception in the section."),
    ],

    # ND - N.D. Cent. Code § 51-28-05 "Time of day limit": hours 8 a.m.-9 p.m. per a vendor; words NOT READ.
    #      Chapter definitions (read): telephone solicitation = "any voice, text, or other electronic communication".
    "ND": [
        _v(**_all(ALL_DAY_8_21),
           consent_exempt=False, texts_covered=True,
           scope="telephone solicitation by voice, text or other electronic communication to a subscriber in North Dakota",
           citation="N.D. Cent. Code § 51-28-05 (definitions § 51-28-01; exemptions § 51-28-02)",
           source="https://cliclaw.com/library/us-state-laws/north-dakota/north-dakota-telephone-solicitations-nd-cent-"
                  "code-%C2%A7-51-28-01-et ; https://tcpaguide.org/states/north-dakota/cold-calling ; "
                  "http://laws9.com/statutes/north-dakota/t51/t51c28 ; https://lexace.ai/us/statute/north-dakota/51-28-02",
           words="(section title) 51-28-05 Time of day limit; (tcpaguide) Calling hours 8 AM-9 PM",
           confirmed=False,
           notes="Hours from a vendor summary only. § 51-28-02 (read): 'This section and section 51-28-05 do not apply to' "
                 "public-safety, school, work-schedule messages or 'a message to a subscriber with whom the caller has a "
                 "current business relationship' -> no consent exemption. Start date not read."),
    ],

    # NE - 291 Neb. Admin. Code ch. 11 § 003.01: ADAD solicitations "between the hours of 8:00 a.m. and 9:00 p.m.,
    #      Monday through Saturday, and between the hours of 1:00 p.m. and 9:00 p.m., Sunday and legal holidays".
    "NE": [
        _v(in_force_by=date(2024, 9, 17),
           weekday=ALL_DAY_8_21, saturday=ALL_DAY_8_21, sunday=(time(13), time(21)),
           holidays=("new_years_day", "mlk_day", "presidents_day", "arbor_day", "memorial_day", "juneteenth", "independence_day",
                     "labor_day", "columbus_day", "veterans_day", "thanksgiving", "day_after_thanksgiving", "christmas"),
           consent_exempt=True, texts_covered=False,
           scope="telephone solicitations or unsolicited advertisements by an automatic dialing-announcing device "
                 "(recorded message) to a residential line",
           citation="291 Neb. Admin. Code ch. 11, § 003.01 (Neb. Rev. Stat. §§ 86-236 to 86-257)",
           source="https://d1tvxue8o4w0fl.cloudfront.net/regulation/nebraska-administrative-code/public-service-commission/"
                  "title-291-nebraska-public-service-commission/chapter-11-automatic-dialing-announcing-devices-rules-and-"
                  "regulations/section-291-11-003-automatic-dialing-announcing-devices-used-for-telephone-solicitations-and-"
                  "unsolicited-advertisements ; https://nebraskalegislature.gov/laws/statutes.php?statute=86-242",
           words="between the hours of 8:00 a.m. and 9:00 p.m., Monday through Saturday, and between the hours of 1:00 "
                 "p.m. and 9:00 p.m., Sunday and legal holidays. All times indicated are local times of the party called.",
           confirmed=True,
           notes="On a legal holiday the rule ALLOWS 13:00-21:00; the tuple lists the holidays that get the Sunday window "
                 "(a product without holiday hours must block them whole). Legal holidays read as Neb. Rev. Stat. "
                 "§ 25-2221 (read), observed Saturday -> Friday, Sunday -> Monday; Arbor Day (last Friday of April) is "
                 "also on that list but has no name in docs/law.md, so it is missing from the tuple. Consent: the act's "
                 "'telephone solicitation' excludes calls with 'prior express invitation or permission' (86-242(2)(a)). "
                 "Statute 86-248 alone is 8 a.m.-9 p.m. (federal). Rule adoption date not read (copy current through "
                 "2024-09-17)."),
    ],
}


NOT_STRICTER = {
    "IA": "Iowa Code § 476.57 (read: ADAD/prerecorded use banned with exceptions, no hours) and ch. 714D (telecom "
          "service solicitations, no hours); the ch. 476B telephone-solicitation bills of 1999-2003 were not enacted as "
          "far as found.",
    "KS": "K.S.A. 50-670 (definitions read: 'unsolicited consumer telephone call' excludes express requests/written "
          "agreement and EBR) and 50-670a (no-call list): no stricter hours found; any hours in 50-670(b)-(c) (not read "
          "in full) reach only unsolicited calls, like 47 CFR 64.1200.",
    "NH": "RSA 359-E:1-11 (section list and definitions read): prerecorded dialers, caller ID, do-not-call; no hours, "
          "days or frequency section; texts not addressed (ALFA International).",
    "NC": "N.C.G.S. 75-102(a)-(c) (read), 75-103, 75-104: do-not-call, identification, recorded-message rules; no hours "
          "found (75-102(d)-(h) not read in full).",
    "OH": "Ohio Rev. Code 109.87 (read in part) makes violations of the TCPA/TSR state violations and defines 'text "
          "message' -- the federal hours, nothing stricter; R.C. 4719 (registration) has no hours section.",
}
