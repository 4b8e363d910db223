"""Texting hours read from the statutes for group c of issue 21: SC, TN, VT, VA, WV, WI, VI, GU, AS, MP
(an oracle for the tests, independent of the product's YAML files), plus corrected effective dates for
five entries of the old nurture/law/law.yaml (UT, CT, KY, NV, MI).

Written on 2026-12-07 by the research helper for group c, from the statute and regulation texts (or,
where ``confirmed`` is False, from secondary summaries) found with the search tool: the South Carolina
statehouse code archive and bill record, contactcentercompliance.com's copies of S.C. Code 16-17-446 and
NRS 597.814, the Legal Information Institute's copy of Tenn. Comp. R. & Regs. 1220-04-11-.02, casetext's
copy of Tenn. Code 47-18-1502, the Code of Virginia on law.lis.virginia.gov and a 2022 copy, the 2020
HB 1244 / SB 812 records (pluralpolicy, VPAP), FindLaw's and code.wvlegislature.gov's West Virginia
Code, the Wisconsin legislature's ATCP 127 and DATCP's pages, casetext's and the Vermont legislature's
Title 9, cliclaw.com's copies of the Virgin Islands and Guam telemarketing sections, PacLII and asbar.org
for American Samoa, the CNMI Consumer Protection Act; law-firm notes (WBK, Asurity) where marked.
Nothing here was taken from the product's YAML.

Shape: see statute_table.py's docstring for every key of a version (``_v``).

STATUTES              state -> versions of rules on hours/days/frequency that reach (or may reach) texts
                      and are stricter than or differ from the federal rule (here: the same hours as the
                      federal rule but with no consent exception (WV), or reaching every number with the
                      state's area code (SC, VA)).
AUTOMATED_VOICE_ONLY  state -> versions of stricter rules limited by their own words to devices that play
                      a recorded message (as in statute_table.py).
NOT_STRICTER          jurisdiction -> why nothing beyond the federal rule applies (with the citation).
EFFECTIVE_DATES       state -> [(rule id in the old law.yaml, corrected effective date, source and reason)].
"""
from datetime import date, time

from statute_versions import ALL_DAY_8_21, UNKNOWN_START, _all, _v  # noqa: F401 (part of this table's vocabulary)

STATUTES = {
    # SC - S.C. Code 37-21-30 (Telephone Privacy Protection Act, 2018 Act No. 218, eff. 2018-05-18): no telephone
    #      solicitation (calls and "a text or media message sent") before 8 a.m. or after 9 p.m. (WBK summary;
    #      the section's own words not found).
    "SC": [
        _v(effective=date(2018, 5, 18), effective_known=True,
           **_all(ALL_DAY_8_21),
           consent_exempt=True, texts_covered=True, area_code_presumption=True,
           scope="telephone solicitation: 'the initiation of a telephone call, or a text or media message sent, to "
                 "a natural person's residence in the State, or to a wireless telephone with a South Carolina area "
                 "code' (37-21-20(6))",
           citation="S.C. Code Ann. § 37-21-30; § 37-21-20(6) (2018 Act No. 218, H.4628)",
           source="https://scstatehouse.gov/Archives/CodeofLaws2021/t37c021.php (history, definitions) ; "
                  "https://thewbkfirm.com/industry/south-carolina-enacts-telephone-privacy-protection-act (hours) ; "
                  "https://www.asurity.com/regulatory-updates/legislative-update-2-0-0-0-0-0-0-1-0-0-0-0-0-0/ (exclusions)",
           words="(WBK) 'prohibits telephone solicitors from making calls or sending text messages before 8 a.m. or "
                 "after 9 p.m. local time'",
           confirmed=False,
           notes="Hours only secondary: § 37-21-30's words were not visible; the Act's title (scstatehouse.gov, read) "
                 "says it prohibits solicitation 'during certain hours of the day' with exceptions. Definitions and "
                 "the effective date (history line 'eff May 18, 2018') were read in the statute. Consent: per "
                 "Asurity, the definition excludes a consumer's 'prior express invitation or permission as evidenced "
                 "by a signed or electronically signed, written agreement', EBR and personal relationships (unless "
                 "the consumer opted out / is on the national registry) - consent_exempt True only for such a signed "
                 "agreement. Same hours as federal."),
    ],

    # VA - Va. Code 59.1-511: "No telephone solicitor shall initiate, or cause to be initiated, a telephone
    #      solicitation call at any time other than between 8:00 a.m. and 9:00 p.m. local time at the called
    #      person's location, unless the telephone solicitor has obtained the prior consent of the called person."
    #      Texts within "telephone solicitation call" from 2020 HB 1244 / SB 812.
    "VA": [
        _v(effective=date(2001, 7, 1), effective_known=True, ends=date(2020, 7, 1),
           **_all(ALL_DAY_8_21),
           consent_exempt=True, texts_covered=None, area_code_presumption=True,
           scope="telephone solicitation call: 'any telephone call made to any natural person's residence in the "
                 "Commonwealth, or to any wireless telephone with a Virginia area code' (2017 text)",
           citation="Va. Code § 59.1-511 (2001, cc. 528, 553; 2004, cc. 202, 224); § 59.1-510 before 2020",
           source="http://law.lis.virginia.gov/vacodepopularnames/virginia-telephone-privacy-protection-act/",
           words="at any time other than between 8:00 a.m. and 9:00 p.m. local time at the called person's location, "
                 "unless the telephone solicitor has obtained the prior consent of the called person",
           confirmed=True,
           notes="Read on the legislature's page (as of 2017-04-26). 2001-07-01 = Virginia's July 1 default for acts "
                 "of the 2001 session (the acts' effective clauses not read). Texts not named before 2020. The "
                 "area-code reach may date from 2004 (not read)."),
        _v(effective=date(2020, 7, 1), effective_known=True,
           **_all(ALL_DAY_8_21),
           consent_exempt=True, texts_covered=True, area_code_presumption=True,
           scope="telephone solicitation call, incl. '(ii) any text message sent to any wireless telephone with a "
                 "Virginia area code or to a wireless telephone registered to any natural person who is a resident "
                 "of the Commonwealth'",
           citation="Va. Code § 59.1-511; § 59.1-510 as amended by 2020 HB 1244 / SB 812",
           source="https://law.uslawyerdatabase.com/category/us-law/2022-code-of-virginia/title-59-1-trade-and-commerce/"
                  "chapter-44-virginia-telephone-privacy-protection-act ; "
                  "https://www.lawserver.com/law/state/virginia/va-code/virginia_code_59-1-513-1 (definition) ; "
                  "https://open.pluralpolicy.com/va/bills/2020/HB1244 ; https://www.vpap.org/bills/69642/",
           words="at any time other than between 8:00 a.m. and 9:00 p.m. local time at the called person's location, "
                 "unless the telephone solicitor has obtained the prior consent of the called person",
           confirmed=True,
           notes="HB 1244 signed 2020-03-10, SB 812 signed 2020-04-02 (identical; 'Enacted'); July 1 default "
                 "(the chapters' own text not read). Same hours as federal; consent exempts."),
    ],

    # WV - W. Va. Code 46A-6F-601(a)(4): abusive practice to "Engage in telemarketing to a person's residence at
    #      any time other than between eight a.m. and nine p.m. local time, Monday through Sunday, at the called
    #      person's location".
    "WV": [
        _v(in_force_by=date(2001, 2, 16),
           **_all(ALL_DAY_8_21),
           consent_exempt=False, texts_covered=None,
           scope="telemarketing to a person's residence by a telemarketer (W. Va. Code ch. 46A art. 6F)",
           citation="W. Va. Code § 46A-6F-601(a)(4)",
           source="https://codes.findlaw.com/wv/chapter-46a-west-virginia-consumer-credit-and-protection-act/"
                  "wv-code-sect-46a-6f-601/ ; https://code.wvlegislature.gov/email/46A-6F-112/",
           words="Engage in telemarketing to a person's residence at any time other than between eight a.m. and nine "
                 "p.m. local time, Monday through Sunday, at the called person's location",
           confirmed=True,
           notes="FindLaw text current as of 2024-01-01; the same words stand as existing law in 2001 SB 230 and 2002 "
                 "SB 24 (wvlegislature.gov). Article 6F's enactment date not found; 2001 SB 154 (introduced "
                 "2001-02-16) amends it as existing law. No consent exception in 601; 'telemarketing solicitation' "
                 "(46A-6F-112) covers an unsolicited call to a consumer who 'has not previously expressed an "
                 "interest' OR a communication 'by any means' inviting a response - an interested consumer is not "
                 "clearly outside. Texts neither named nor excluded; 'residence' - mobiles not addressed. Same hours "
                 "as federal."),
    ],
}


AUTOMATED_VOICE_ONLY = {
    # SC - S.C. Code 16-17-446(C)(3): "Adad calls which are not prohibited under subsection (B): ... (3) are
    #      prohibited after seven p.m. or before eight a.m."
    "SC": [
        _v(in_force_by=date(2008, 1, 23),
           **_all((time(8), time(19))),
           consent_exempt=False, texts_covered=False,
           scope="ADAD: 'an automatically dialed announcing device which delivers a recorded message without "
                 "assistance by a live operator'; only calls allowed under (B) (express request of the person called, "
                 "existing debt or contract, business relationship)",
           citation="S.C. Code Ann. § 16-17-446(C)(3)",
           source="http://www.contactcentercompliance.com/legal/statutes/SC/S.C._Code_Ann./16-17-446.adpx ; "
                  "https://scstatehouse.gov/sess117_2007-2008/bills/1019.htm",
           words="are prohibited after seven p.m. or before eight a.m.",
           confirmed=True,
           notes="The calls this limit binds are exactly those made on request/EBR, so consent does not lift it. "
                 "Enactment date not found; S. 1019 (introduced 2008-01-23) amends § 16-17-446 as existing law."),
    ],
}


NOT_STRICTER = {
    "TN": "Tenn. Comp. R. & Regs. 1220-04-11-.02(1): 'at any time other than between the hours of 8:00 a.m. to 9:00 "
          "p.m. (local time at the called party's location) without the residential telephone subscriber's prior "
          "express invitation or permission' = federal; Tenn. Code 47-18-1502(a)(2) ADAD 8:00-21:00 = federal; "
          "T.C.A. 65-4-401 et seq. (do-not-call/do-not-text) sets no hours; HB 2225/SB 2209 (2026, 8-9) not enacted.",
    "VT": "9 V.S.A. § 2464a (prohibited telephone solicitations: do-not-call lists, caller ID) and §§ 2464-2464e "
          "(registration, robocalls 'coextensive with' the TCPA): no hours, days or frequency limit found.",
    "WI": "Wis. Admin. Code ATCP 127.16(3): no telephone solicitation 'before 8:00 AM or after 9:00 PM without the "
          "prior c[onsent]' = federal (consent exempt); Wis. Stat. 100.52 / ATCP 127.80-.84 (do-not-call, texts "
          "included) set no hours.",
    "VI": "12A V.I.C. §§ 303, 310 (telemarketing; free trials), 327-336: no hours rule found; § 310's words not read "
          "(UNCONFIRMED).",
    "GU": "5 GCA §§ 32301-32308 (Regulation of Telemarketing: registration, notice, contracts; excludes contact "
          "initiated or requested by the consumer): no hours, days or frequency rule.",
    "AS": "A.S.C.A. Title 27 (ch. 27.04 Consumer Protection; ch. 27.09 price gouging): no telephone-solicitation "
          "provision found (chapters not read in full).",
    "MP": "4 CMC §§ 5101-5123 (Consumer Protection Act): no telephone-solicitation hours rule found (§§ 5104-5123 "
          "not read in full).",
}


# Corrected effective dates for entries of the old nurture/law/law.yaml (issue 21: "effective dates of 2023-2025
# on laws from 1996-2004"). Each: (rule id, the date the rule is in force from, the source and why).
# UNKNOWN_START (1900-01-01) means what it means in statute_versions.py: in force before any date a test uses,
# start not found.
EFFECTIVE_DATES = {
    "UT": [("ut-times-without-consent", date(1996, 4, 29),
            "Utah Code ch. 13-25a (Telephone and Facsimile Solicitation Act) 'Enacted by Chapter 26, 1996 General "
            "Session' (history line of 13-25a-101 read at docplayer.net/3760563); 1996-04-29 is the general 60-day "
            "effective date for acts of the 1996 General Session (60 days after adjournment on 1996-02-28 "
            "under Utah Const. art. VI § 25 - from general knowledge, not read; the chapter's own effective "
            "clause not read). "
            "Whether § 13-25a-103(3) (9 p.m.-8 a.m., Sunday, legal holiday, without prior express consent) has read "
            "so since 1996 was not read (the section has been amended since; 13-25a-102 last amended 2003 ch. 263 "
            "and 2024 ch. 102). The old 2018-01-16 is a dnc.com article date."),
           ],
    "CT": [("ct-hours-pre-2023", UNKNOWN_START,
            "Enactment of the 9 a.m.-9 p.m. window of Conn. Gen. Stat. § 42-288a NOT found. It is the law that P.A. "
            "23-98 (signed 2023-06-26, eff. 2023-10-01) amended, so it was in force before 2023-06-26; the old "
            "2023-06-28 is TCPAWorld's article date and is certainly not its start. Chapter 743m dates from P.A. "
            "96-196 (history of § 42-284, cliclaw.com); § 42-288b from P.A. 14-53 (courtgpt.ai copy of the CGA "
            "history). Keep ends=2023-10-01 and treat the start as unknown (UNKNOWN_START)."),
           ("ct-hours-pa-23-98", date(2023, 10, 1),
            "P.A. 23-98 (SB 1058), signed 2023-06-26 (KMT/Mondaq), effective 2023-10-01 (WBK, dnc.com) - correct "
            "as entered."),
           ],
    "KY": [("ky-hours", UNKNOWN_START,
            "The 10 a.m.-9 p.m. window is only in compliance charts (Drop Cowboy, ClickPoint, Call Desk); no "
            "provision holding it was found: KRS 367.46955 as read (lawserver 2024, self-law.org) lists prohibited "
            "practices without hours as far as read, 2000 HB 930's text of 367.46955 (1)-(8) has none, and KRS "
            "367.461(2)(e) (automated calling equipment) is 8 a.m.-9 p.m. The telephone-solicitation sections KRS "
            "367.46951-367.46999 exist since before 1998 (98RS SB 199 amends them as existing law; 98RS SB 199's "
            "committee substitute proposed 'permitted calling hours', enactment not found). The old 2025-07-01 is a "
            "chart's review date. Start unknown; the rule itself is UNCONFIRMED and may not exist in statute."),
           ],
    "NV": [("nv-adad-hours", date(1999, 10, 1),
            "NRS 597.814(2)(a) read (contactcentercompliance.com copy). NRS 597.812-597.818 appear to come from "
            "1999 AB 193 (70th Session, enrolled; adds sections to NRS ch. 597 on the 'device for automatic dialing "
            "and announcing', read on archive.leg.state.nv.us), whose acts take effect on 1999-10-01 by default "
            "(Nevada's October 1 default, from general knowledge; AB 193's own effective clause not read). The "
            "9 p.m.-9 a.m. clause may be older (AB 193 and 1997 AB 321 refer to the earlier "
            "ADAD section NRS 597.930, whose text was not read): 1999-10-01 is the latest date by which it is in "
            "force, not a proven enactment date. The old 2025-11-01 is a chart date. Note also: the rule reaches "
            "only prerecorded messages (covers: prerecorded, not texts)."),
           ],
    "MI": [("mi-hours", date(2003, 3, 31),
            "Michigan Home Solicitation Sales Act, 1971 PA 227, 'Imd. Eff. Jan. 3, 1972; Am. 2002, Act 612, Eff. "
            "Mar. 31, 2003' (act history on legislature.mi.gov, read): 2002 PA 612 added the telephone-solicitation "
            "provisions MCL 445.111a-445.111e. The 9 a.m.-9 p.m. window was NOT found in MCL 445.111-445.111e (only "
            "compliance charts give it); 2003-03-31 is the start of the telephone-solicitation provisions the entry "
            "cites, not of a proven hours rule. 'Telephone solicitation' is 'any voice communication' and excludes "
            "communications with the subscriber's express invitation or permission (MCL 445.111(m), USLegal). The "
            "old 2025-11-01 is a chart date."),
           ],
}
