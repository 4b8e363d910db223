"""Statute table, group a: AK AZ AR CA CO DE DC GA HI ID IL IN (an oracle for the tests, independent of the product).

Written 2026-12-07 by the law-research helper for issue 21 (group a), from the statute texts read on the
legislatures' and councils' own sites where the search found them (ilga.gov, code.dccouncil.gov, akleg.gov,
legislature.idaho.gov) and otherwise from verbatim copies (findlaw, statutes.laws.com, self-law.org, lawserver,
legalfix, lexace, laws-info); where only a summary was found (tcpaguide.org, the Delaware Attorney General's page,
compliance charts by Drop Cowboy and ClickPoint) the version says ``confirmed=False``. Nothing here was converted from
nurture/law/jurisdictions/*.yaml. Keys: see statute_table.py's docstring and statute_versions._v.

STATUTES      jurisdictions with a rule that is stricter than or different from FEDERAL (hours without the federal
              consent exception count as different), including rules limited to prerecorded messages
              (texts_covered=False, scope says so).
NOT_STRICTER  jurisdictions read and found to add nothing to FEDERAL for marketing texts, with the reason.
"""
from datetime import date, time

from statute_versions import ALL_DAY_8_21, UNKNOWN_START, _all, _v  # noqa: F401 (part of this table's vocabulary)


STATUTES = {
    # CA - Cal. Pub. Util. Code § 2872(c): "No person shall operate an automatic dialing-announcing device in this
    #      state to place a call that is received by a telephone in this state during the hours between 9 p.m. and
    #      9 a.m. California time."
    "CA": [
        _v(effective=UNKNOWN_START, effective_known=False, in_force_by=date(1980, 1, 1),
           **_all((time(9), time(21))),
           consent_exempt=False, texts_covered=False,
           scope="automatic dialing-announcing devices disseminating a prerecorded message (§ 2871)",
           citation="Cal. Pub. Util. Code § 2872(c)",
           source="https://codes.findlaw.com/ca/public-utilities-code/puc-sect-2872.html ; "
                  "http://statutes.laws.com/california/puc/2871-2876",
           words="during the hours between 9 p.m. and 9 a.m. California time",
           confirmed=True,
           notes="Prerecorded-message devices only (§ 2871: capability 'to disseminate a prerecorded message'). "
                 "(c) has no consent carve-out; § 2873's prior agreement is a condition for using the device at all. "
                 "'California time' read as Pacific local time. Enactment date of (c) not read; "
                 "california.public.law dates § 2871 of the article Jan. 1, 1980."),
    ],

    # DC - D.C. Code § 22-3226.08(3): "Engage in telephone solicitation to a consumer's residence at any time before
    #      8:00 a.m. and after 9:00 p.m., local time at the place of the consumer called."
    "DC": [
        _v(effective=date(2001, 6, 8), effective_known=True,
           **_all(ALL_DAY_8_21),
           consent_exempt=False, texts_covered=None,
           scope="telephone solicitation to a consumer's residence (Telephone Solicitation Fraud Act)",
           citation="D.C. Code § 22-3226.08(3) (D.C. Law 13-301, § 102)",
           source="https://code.dccouncil.gov/us/dc/council/code/sections/22-3226.08",
           words="at any time before 8:00 a.m. and after 9:00 p.m., local time at the place of the consumer called",
           confirmed=True,
           notes="Same window as FEDERAL but no consent exception in the paragraph. Subchapter added by D.C. Law "
                 "13-301 effective 2001-06-08 (history of § 22-3226.15). 'Telephone solicitation' definition "
                 "(§ 22-3226.01) not read; (7) excludes from 'telemarketing' a call responding to a consumer's "
                 "request, which the hours paragraph does not use."),
    ],

    # HI - Haw. Rev. Stat. ch. 481P: 8 a.m.-9 p.m. local time per tcpaguide.org; § 481P-3's text read only through
    #      paragraph (5) ("Cause the telephone to ring more than ten times ...").
    "HI": [
        _v(effective=UNKNOWN_START, effective_known=False, in_force_by=date(2001, 1, 1),
           **_all(ALL_DAY_8_21),
           consent_exempt=None, texts_covered=None,
           scope="telephone solicitation (Telemarketing Fraud Prevention Act)",
           citation="Haw. Rev. Stat. ch. 481P (§ 481P-3, paragraph not confirmed)",
           source="https://tcpaguide.org/states/hawaii/dnc ; https://self-law.org/code/hi/481p-3 (cut off after (5))",
           words="(secondary) 'Permitted hours: 8am-9pm local time.'",
           confirmed=False,
           notes="Chapter enacted by Act 170, SLH 1999 (recited in H.B. 914 (2001)); the paragraph holding the hours "
                 "and the § 481P-5 exemptions were not read, so consent treatment is unknown."),
    ],

    # IL - 815 ILCS 413/15(a): "No person shall solicit the sale of goods or services in this State by placing a
    #      telephone call during the hours between 9 p.m. and 8 a.m."
    #      815 ILCS 305/15(a): "No person shall operate an autodialer in this State to place a telephone call
    #      durin[g the hours between 9 p.m. and 9 a.m.]" (copies read were cut off; the hours are not confirmed).
    "IL": [
        _v(effective=UNKNOWN_START, effective_known=False, in_force_by=date(2005, 2, 22),
           **_all(ALL_DAY_8_21),
           consent_exempt=False, texts_covered=None,
           scope="soliciting the sale of goods or services by telephone call (Telephone Solicitations Act)",
           citation="815 ILCS 413/15(a)",
           source="https://ilga.gov/legislation/103/HB/10300HB5566ham001.htm (existing text) ; "
                  "https://www.ilga.gov/legislation/fulltext.asp?DocName=09400HB2853 (2005 text)",
           words="by placing a telephone call during the hours between 9 p.m. and 8 a.m.",
           confirmed=True,
           notes="Same window as FEDERAL, no consent exception in (a). 413/10 exempts telecommunications carriers, "
                 "banks, credit unions, licensed insurers and Real Estate License Act licensees (P.A. 90-541 text). "
                 "Act from P.A. 88-288; effective date not read. Bills HB 5566 (3 per 24 h, died 2024) and HB 2435 "
                 "(2025) not enacted."),
        _v(effective=UNKNOWN_START, effective_known=False, in_force_by=date(2000, 1, 1),
           **_all((time(9), time(21))),
           consent_exempt=True, texts_covered=False,
           scope="autodialer connecting a telephone with a recorded message (Automatic Telephone Dialers Act)",
           citation="815 ILCS 305/15(a); exemptions 305/20(a)",
           source="http://www.ilga.gov/legislation/publicacts/pubact91/acts/91-0182.html ; "
                  "https://www.ilga.gov/legislation/ilcs/documents/081503050K20.htm",
           words="No person shall operate an autodialer in this State to place a telephone call durin[g the hours "
                 "between 9 p.m. and 9 a.m.] (end not seen)",
           confirmed=False,
           notes="Recorded messages only (305/5(a),(c)). 305/20(a): the Act 'shall not apply' to autodialer calls "
                 "'(1) made in response to an express request of the person called; (2) made to any person with "
                 "whom the telephone solicitor has a prior or existing business relationship'; 20(b) keeps only "
                 "15(d). In force by P.A. 91-182 (eff. 2000-01-01), which amended § 15. Secondary: usestello.com "
                 "(reviewed 2026-04-08) lists Illinois as 9 a.m.-9 p.m. citing 815 ILCS 305."),
    ],
}


NOT_STRICTER = {
    "AK": "AS 45.50.475 (do-not-call, automated or recorded messages banned outright) and AS 45.63 (registration, "
          "disclosures): no hours, day or frequency rule (akleg.gov bill texts HB 15 (2003), HB 93).",
    "AZ": "A.R.S. 44-1282 (DNC, texts included by HB 2498 (2023)), 13-2919 (automated recorded/text solicitation "
          "banned unless prior express permission or business relationship), 44-1278 per SOS/Senate summaries: no "
          "hours rule. HB 2246 (2026) only introduced.",
    "AR": "Ark. Code 4-99 (telephonic sellers, caller ID, DNC database) and 5-63-204 (automated recorded solicitation "
          "banned): no hours, day or frequency rule in the sections read.",
    "CO": "C.R.S. 6-1-904 (no-call list, caller ID) and 6-1-304 (telemarketing fraud, part read): no hours rule.",
    "DE": "6 Del. C. ch. 25A (2507A read in part): no hours rule found; the Attorney General's page gives 8 a.m.-9 p.m. "
          "under 'federal and Delaware laws' = FEDERAL. 6 Del. C. 4406 (9-8) is door-to-door only and excludes "
          "telephone solicitation.",
    "GA": "O.C.G.A. 46-5-187(3): telecommunications companies only, 8:00 A.M.-9:00 P.M. 'unless such person has "
          "consented' = FEDERAL; 46-5-27 (no-call list) and 10-1-393.13 (ADAD) set no hours.",
    "ID": "Idaho Code 48-1001 to 48-1010 (registration, no-call list, disclosures, ADAD): no hours rule found; a "
          "secondary claim of an 8-9 rule in 48-1005 is contradicted by 48-1005's text (exemptions).",
    "IN": "IC 24-4.7 (texts included, 24-4.7-2-9; not applicable to calls at the person's express request) and "
          "IC 24-5-14-5 (ADAD consent/live operator): no hours, day or frequency rule found.",
}
