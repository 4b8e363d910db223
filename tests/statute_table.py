"""Texting hours by state, read from the statutes for the test suite (an oracle independent of the product).
Each entry: citation, where read, and the rule as the statute words it.

Written only from statute / regulation text (or, where marked ``confirmed: False``, from
secondary summaries).  Nothing here was taken from the product's own table.

Shape
-----
FEDERAL        the TCPA rule (47 CFR 64.1200(c)(1)).
STATUTES       state -> list of versions of rules on hours / days / frequency that are
               stricter than FEDERAL and that reach (or may reach) text messages.
AUTOMATED_VOICE_ONLY
               state -> list of versions of stricter rules whose own definitions limit them
               to automatic dialing-announcing devices that play a recorded / synthesized
               VOICE message.  By their words they do not reach a plain text message; they
               are kept apart so a test about texts can leave them out deliberately.
NOT_STRICTER   jurisdictions checked and found no stricter than FEDERAL (with the reason).
HOLIDAY_NOTES  what each "holidays" value means for that state, as far as it was read.

Version keys (all versions carry all keys)
------------------------------------------
effective / ends   the version applies from ``effective`` (inclusive) to ``ends``
                   (exclusive, None = still in force).
effective_known    False when the rule's start date was not read; ``effective`` is then
                   UNKNOWN_START, which only means "in force before any date a test will use".
in_force_by        the date of the text that was read (the rule is known to be in force then),
                   or None.
weekday/saturday/sunday
                   (start, end) local times, end exclusive ("before 8 p.m." -> time(20));
                   None = no solicitation at all that day.  "weekday" is Monday-Friday.
holidays           None, "state" (the state's legal holidays), "federal" (national
                   holidays), or "state+federal" (RI: "a state or federal holiday").
per_24h            frequency cap per 24 hours (None = no cap in the statute).
per_24h_scope      words limiting the cap (e.g. "same subject matter or issue"), or None.
other_cap          (count, hours) for caps over other periods (ME: 1 per 8 h), or None.
consent_exempt     True  = the rule does not apply to messages sent with the recipient's
                           prior express consent / request (e.g. it only covers
                           "unsolicited" calls, or says "without prior express consent");
                   False = the words make the limit apply regardless of consent;
                   None  = not determined from what was read.
texts_covered      True = the statute reaches text messages in its own words;
                   False = its definitions limit it to recorded/synthesized voice;
                   None = not determined (e.g. the statute only says "call").
scope              what the rule regulates, in short.
area_code_presumption
                   True if the statute presumes that a number with the state's area code is
                   a resident / in the state; None if not read.
clock              "local" (recipient's local time) unless the statute names a clock.
citation, source   the section and the address(es) actually read.
words              the operative words, quoted briefly.
confirmed          True  = the operative words were read in the statute/regulation text
                           (official site or a verbatim reproduction);
                   False = only secondary summaries (law-firm notes, vendors, news) were found.
status             "in force", or e.g. "bill - enactment not confirmed".
notes              anything a test writer must know.

Helpers at the bottom (``version_on``, ``rule_on``) only look rules up; they encode no
holiday calendar.
"""
from datetime import date, time

import statutes_a
import statutes_b
import statutes_c
from statute_versions import ALL_DAY_8_21, UNKNOWN_START, _all, _v  # noqa: F401 (part of this table's vocabulary)

FEDERAL = {
    "weekday": (time(8), time(21)), "saturday": (time(8), time(21)), "sunday": (time(8), time(21)),
    "holidays": None, "per_24h": None,
    "citation": "47 CFR 64.1200(c)(1)",
    # "(c) No person or entity shall initiate any telephone solicitation to: (1) Any residential
    #  telephone subscriber before the hour of 8 a.m. or after 9 p.m. (local time at the called
    #  party's location)"
    "words": "before the hour of 8 a.m. or after 9 p.m. (local time at the called party's location)",
    "consent_exempt": True,   # 64.1200(f)(15): "telephone solicitation" excludes a call or message
                              # "(i) To any person with that person's prior express invitation or
                              # permission; (ii) ... established business relationship; (iii) ...
                              # tax-exempt nonprofit organization"
    "source": "https://www.nwdebtresolution.com/post/telephone-consumer-protection-act-call-time-restrictions "
              "(quotes 64.1200(c)(1) and (f)(15) verbatim); https://saxton.org/tcpa/47CFR64.php (older text)",
    "confirmed": True,
}


# 73 P.S. § 2245.2 (Act 73 of 2019, Telemarketer Registration Act) lists the holidays itself: "New Year's Day,
# Dr. Martin Luther King, Jr. Day, Presidents' Day, Good Friday, Memorial Day, Flag Day, Independence Day, Labor
# Day, Columbus Day, Election Day, Veterans Day, Thanksgiving Day and Christmas Day" (the list issue 21 quotes).
PA_HOLIDAYS = ("new_years_day", "mlk_day", "presidents_day", "good_friday", "memorial_day", "flag_day",
               "independence_day", "labor_day", "columbus_day", "election_day", "veterans_day", "thanksgiving",
               "christmas")
# La. R.S. 1:55(A): the days of public rest and legal holidays, with those kept only in some parishes or in
# Baton Rouge (Mardi Gras, Inauguration Day) taken for the whole state, the stricter reading; Huey P. Long Day
# (Aug 30) and All Saints' Day (Nov 1) as issue 21 lists them.
LA_HOLIDAYS = ("new_years_day", "battle_of_new_orleans", "mlk_day", "presidents_day", "mardi_gras", "good_friday",
               "memorial_day", "independence_day", "huey_p_long_day", "labor_day", "columbus_day",
               "all_saints_day", "veterans_day", "thanksgiving", "christmas", "inauguration_day")
# Utah Code § 63G-1-301 (self-law.org copy of the 2026-05-06 text; 2026 HB 104 adds Election Day from 2027):
# Jan 1, Jul 4, Jul 24 (Pioneer Day), Nov 11, Dec 25; 3rd Mon Jan, 3rd Mon Feb ("Presidents' Day"), Good Friday
# ("subject to Subsection (6)", not read: kept, the stricter reading), last Mon May, 1st Mon Sep, 2nd Mon Oct,
# 4th Thu Nov, and June 19 moved to a Monday by (2)(c)-(d). The statute's Saturday -> Friday, Sunday -> Monday
# for the fixed days is not applied here (the oracle takes the named days only).
UT_HOLIDAYS = ("new_years_day", "mlk_day", "presidents_day", "good_friday", "memorial_day", "juneteenth_utah",
               "independence_day", "pioneer_day", "labor_day", "columbus_day", "election_day", "veterans_day",
               "thanksgiving", "christmas")

STATUTES = {
    # AL - Ala. Admin. Code r. 770-X-5-.17(1)(b): "No solicitation calls are allowed on Sundays or
    #      holidays. On the days that calls are allowed, none will be placed prior to 8 a.m. or after 8 p.m."
    "AL": [
        _v(in_force_by=date(2024, 11, 27),
           weekday=(time(8), time(20)), saturday=(time(8), time(20)), sunday=None,
           holidays="state", consent_exempt=False, texts_covered=None,
           scope="automated solicitation telephone calls to consumers in Alabama",
           citation="Ala. Admin. Code r. 770-X-5-.17(1)(b) (Alabama PSC Telephone Rule T-17)",
           source="https://d1tvxue8o4w0fl.cloudfront.net/regulation/alabama-administrative-code/"
                  "title-770-alabama-public-service-commission/chapter-770-x-5-telephone-rules/"
                  "section-770-x-5-17-live-and-automated-solicitations-and-announcements",
           words="No solicitation calls are allowed on Sundays or holidays. On the days that calls are "
                 "allowed, none will be placed prior to 8 a.m. or after 8 p.m.",
           confirmed=True,
           notes="Paragraph (1) opens 'The following requirements apply to all automated solicitation "
                 "telephone calls to consumers in the State of Alabama'. Whether an automated text is an "
                 "'automated solicitation telephone call' is not settled by the words (texts_covered None). "
                 "'holidays' is not defined in the text read; read here as Alabama's legal holidays. "
                 "A secondary source (dnc.com) says the PSC telephone rules apply to telephone utilities. "
                 "Text is 'current through Register Vol. 43, No. 02, November 27, 2024'; adoption date not read."),
    ],

    # CT - Conn. Gen. Stat. § 42-288a.  Before P.A. 23-98: 9 a.m.-9 p.m. (secondary).  From
    #      2023-10-01: "between the hours of nine o'clock a.m. and eight o'clock p.m. local time"
    #      (quoted by Klein Moynihan Turco; statute text itself not read).
    "CT": [
        _v(ends=date(2023, 10, 1),
           **_all((time(9), time(21))),
           citation="Conn. Gen. Stat. § 42-288a (as in force before P.A. 23-98)",
           source="https://tcpaworld.com/2023/06/28/connecticut-rolls-out-new-telemarketing-requirements-here-is-what-you-need-to-know/",
           words="(secondary) 'Changes the allowable call time from 9 AM to 9 PM to ending one hour earlier at 8 PM.'",
           confirmed=False,
           notes="Start date of the 9 a.m. rule not read. Old 42-288a(a)(7) (lawserver) defined 'marketing or "
                 "sales solicitation' to exclude a call or text 'to any consumer with such consumer's prior "
                 "express written consent'; whether the hours limit used that term was not read."),
        _v(effective=date(2023, 10, 1), effective_known=True,
           **_all((time(9), time(20))),
           texts_covered=True, area_code_presumption=True,
           citation="Conn. Gen. Stat. § 42-288a as amended by P.A. 23-98 (SB 1058), eff. 2023-10-01; "
                    "presumption: § 42-288(c)",
           source="https://mondaq.co.uk/unitedstates/advertising-marketing--branding/1340464/revised-connecticut-telemarketing-law-signed-into-law ; "
                  "https://app.legiplex.com/ct/legislature/2023/2023-r/bills/sb01058/drafts-latest (P.A. 23-98, not read to the hours section) ; "
                  "https://www.tcpadefenseforce.com/tcpa-law-blog/connecticut-broadens-its-telemarketing-laws ; "
                  "https://self-law.org/code/ct/title-42/chapter-743m-telemarketing/42-288",
           words="'between the hours of nine o'clock a.m. and eight o'clock p.m. local time' (as quoted by KMT)",
           confirmed=False,
           notes="Effective date 2023-10-01 agreed by tcpaworld, WBK, KMT, dnc.com. Text messages are within "
                 "'telephonic sales call' after P.A. 23-98 (tcpadefenseforce: 'regardless of whether the calls "
                 "are made using a live voice, ... or text or media messaging'). § 42-288(c) (read): 'rebuttable "
                 "presumption that a telephonic sales call made to a resident consumer or to a telephone number "
                 "with a Connecticut area code has taken place in this state.' Whether consented calls are "
                 "outside the hours limit: not read (consent_exempt None)."),
    ],

    # FL - Fla. Stat. § 501.616(6): "(a) A commercial telephone solicitation phone call before 8 a.m. or
    #      after 8 p.m. local time at the called person's location. (b) More than three commercial telephone
    #      solicitation phone calls from any number to a person over a 24-hour period on the same subject
    #      matter or issue, regardless of the phone number used to make the call."
    "FL": [
        _v(effective=date(2021, 7, 1), effective_known=False,
           **_all((time(8), time(20))),
           per_24h=3, per_24h_scope="from any number to a person ... on the same subject matter or issue, "
                                     "regardless of the phone number used to make the call",
           consent_exempt=None, texts_covered=None, area_code_presumption=True,
           scope="commercial telephone seller or salesperson (Florida Telemarketing Act, part IV ch. 501), "
                 "'including calls made through automated dialing or recorded messages'",
           citation="Fla. Stat. § 501.616(6)(a)-(b), as amended by ch. 2021-185 (CS/SB 1120)",
           source="https://flsenate.gov/Session/Bill/2021/1120/BillText/Filed/HTML ; "
                  "https://flsenate.gov/Session/Bill/2021/1120/BillText/er/HTML ; "
                  "http://www.lawserver.com/law/state/florida/statutes/florida_statutes_501-616",
           words="(a) ... before 8 a.m. or after 8 p.m. local time at the called person's location. "
                 "(b) More than three commercial telephone solicitation phone calls from any number to a person "
                 "over a 24-hour period on the same subject matter or issue, regardless of the phone number used",
           confirmed=True,
           notes="The hours/frequency rule is in § 501.616(6), not § 501.059(8) (the brief's example cites "
                 "501.059(8)(a)-(b); 501.059(8) is the prior-express-written-consent rule for automated systems). "
                 "Before the 2021 act 501.616(6)(a) read 8 a.m.-9 p.m. 'in the called person's time zone' "
                 "(= federal, so no earlier version is listed). The area-code presumption is in § 501.059 "
                 "(enrolled title: 'providing a rebuttable presumption for certain calls made to any area code in "
                 "this state'); its own words, and whether it reaches § 501.616, were not read. "
                 "consent_exempt None: § 501.603 defines 'commercial telephone solicitation' as 'An unsolicited "
                 "telephone call to a person initiated by a commercial telephone seller or salesperson...', so a "
                 "requested contact may fall outside; § 501.604 also exempts many sellers. Effective date "
                 "2021-07-01 is the brief's and common reporting; the act's effective-date section was not read "
                 "(legiscan shows chapter 2021-185)."),
    ],

    # KY - KRS 367.46955 (subsection (16) per secondary sources): 10 a.m. - 9 p.m.  NOT READ.
    "KY": [
        _v(**_all((time(10), time(21))),
           citation="KRS 367.46955 (subsection (16) per secondary sources)",
           source="https://www.dropcowboy.com/state-compliance (chart: 'Kentucky 10am - 9pm' every day)",
           words="(secondary) Kentucky 10am - 9pm",
           confirmed=False,
           notes="The statute page (self-law.org, lawserver.com) was found but only paragraphs (1)-(7) were "
                 "visible; the hours paragraph was not read. KRS 367.46951(1)(a) defines telephone solicitation "
                 "as 'A live or recorded communication sent by a telephone or message sent by a facsimile "
                 "machine to a residential, mobile, or telephone paging device telephone number' - texts not "
                 "settled. Secondary wording suggests the limit is for calls 'to a person's residence'. "
                 "KRS 367.461(2)(e) (automated calling equipment, 8 a.m.-9 p.m.) is not stricter."),
    ],

    # LA - La. R.S. 45:811: unlawful to use ADAD equipment "or to use a live operator to make calls" for
    #      advertising/offering for sale when "(2) Such use is other than between the hours of 8:00 a.m. and
    #      8:00 p.m., Monday through Saturday. (3) Such use is on days declared to be a state holiday, or Sundays."
    "LA": [
        _v(weekday=(time(8), time(20)), saturday=(time(8), time(20)), sunday=None,
           holidays=LA_HOLIDAYS, consent_exempt=False, texts_covered=None,
           scope="ADAD equipment or a live operator making calls to advertise/offer goods, services or property "
                 "primarily for personal, family or household use, or to poll/solicit information",
           citation="La. R.S. 45:811(2)-(3)",
           source="https://lawserver.com/?p=30183792",
           words="other than between the hours of 8:00 a.m. and 8:00 p.m., Monday through Saturday ... on days "
                 "declared to be a state holiday, or Sundays",
           confirmed=True,
           notes="45:811 lists conditions that each make the use unlawful; (1) is 'Consent is not received prior "
                 "to the invitation of the calls as specified in ... 45:812', so consent does not lift (2)-(3). "
                 "Separately R.S. 45:844.31 bars telephonic solicitation during a governor-declared state of "
                 "emergency (exceptions: express request within 6 months, debt, EBR, some nonprofits); the LPSC "
                 "DNC General Order R-29617 also regulates telephonic solicitation (not read). Neither is "
                 "modelled here."),
    ],

    # MA - 201 CMR 12.02(2): "No telephone solicitor shall make or cause to be made an unsolicited telephonic
    #      sales call to a consumer between the hours of 8:00 P.M. to 8:00 A.M., local time at the consumer's location."
    "MA": [
        _v(in_force_by=date(2024, 9, 27),
           **_all((time(8), time(20))),
           consent_exempt=True, texts_covered=None,
           scope="unsolicited telephonic sales call by a telephone solicitor (M.G.L. c. 159C)",
           citation="201 CMR 12.02(2) (Mass. Do Not Call regulations under M.G.L. c. 159C)",
           source="https://regulations.justia.com/states/massachusetts/201-cmr/title-201-cmr-12-00/section-12-02",
           words="an unsolicited telephonic sales call to a consumer between the hours of 8:00 P.M. to 8:00 A.M., "
                 "local time at the consumer's location",
           confirmed=True,
           notes="consent_exempt True because the rule is limited to 'unsolicited' calls (definition in c. 159C "
                 "§ 1 not read in full). c. 159C took effect 2003-01-01 (mass.gov); the regulation's own "
                 "adoption date was not read. Text current through Register 1531, 2024-09-27."),
    ],

    # MD - Com. Law § 14-4502 (Stop the Spam Calls Act of 2023): 8 a.m.-8 p.m.; 3 per 24 h same subject.
    #      Operative subsection NOT READ.
    "MD": [
        _v(effective=date(2024, 1, 1), effective_known=True,
           **_all((time(8), time(20))),
           per_24h=3, per_24h_scope="same subject, same called party (secondary wording)",
           texts_covered=True,
           scope="telephone solicitation ('an organized activity, program, or campaign to communicate by "
                 "telephone with residents of Maryland' to sell etc.)",
           citation="Md. Code, Com. Law § 14-4502 (Stop the Spam Calls Act of 2023, SB 90)",
           source="https://www.wmar2news.com/local/law-to-prevent-spam-calls-takes-effect-first-of-the-year ; "
                  "https://www.dataguidance.com/news/maryland-bill-unsolicited-telephone-calls-signed ; "
                  "https://lexace.ai/us/statute/maryland/CL-14-4502 ; https://self-law.org/code/md/commercial-law/14-4501",
           words="(secondary) 'Restricting calling hours to between 8:00am and 8:00pm in the called party's time "
                 "zone' ... 'A limit of three calls or text messages per 24 hours about the same subject to the "
                 "same called party'",
           confirmed=False,
           notes="Signed 2023-05-03, in force 2024-01-01 (DataGuidance, Kelley Drye; one dnc.com page says "
                 "2023 in error). § 14-4502 was read only as far as (a)(3) (prior express written consent for "
                 "automated selection/dialing or recorded messages); the hours/cap subsection was not visible. "
                 "(a)(1)'s exemptions are stated to apply to 'this subsection' (a) only. § 14-4501(d) defines "
                 "prior express written consent as authorizing solicitation 'by telephone call, text message, or "
                 "voicemail', hence texts_covered True. Whether consent lifts the hours/cap: not read."),
    ],

    # MI - 9 a.m.-9 p.m. per secondary charts; statute not identified or read.
    "MI": [
        _v(**_all((time(9), time(21))),
           citation="not identified (secondary charts: Michigan 9am-9pm)",
           source="https://www.dropcowboy.com/state-compliance",
           words="(secondary) Michigan 9am - 9pm",
           confirmed=False,
           notes="Searched MCL 445.111-445.111e (Home Solicitation Sales Act) and the AG/MPSC pages: no hours "
                 "rule found in what was visible. MCL 445.111(m) (per uslegal summary) defines 'telephone "
                 "solicitation' as a 'voice communication' and excludes calls with the subscriber's 'express "
                 "invitation or permission', which would make any such rule consent-exempt and voice-only. "
                 "Treat as unconfirmed."),
    ],

    # MS - Miss. Code § 77-3-723(1): "Such calls may only be made between the hours of 8:00 a.m. and 8:00 p.m.
    #      Central Standard Time. No telephone solicitations may be made on a Sunday."  Legal-holiday ban came
    #      from PSC rule 39 Miss. Admin. Code Pt. 1, R. 1:28, later repealed.
    "MS": [
        _v(effective=date(2003, 7, 1), effective_known=True, ends=date(2024, 6, 3),
           weekday=(time(8), time(20)), saturday=(time(8), time(20)), sunday=None,
           holidays="state", texts_covered=None, clock="Central Standard Time (statute's words)",
           scope="authorized telephone solicitation (to consumers not on the no-call list, by authorized or "
                 "exempt solicitors)",
           citation="Miss. Code § 77-3-723(1); holiday ban: 39 Miss. Admin. Code Pt. 1, R. 1:28 (PSC, repealed)",
           source="https://getpocketlaw.com/law/state_mississippi/section-77-3-723-rules-for-authorized-calls_57b73fa7ff73 ; "
                  "https://www.dnc.com/blog/no-more-holidays-mississippi-marketers-magnolia-state-lifts-prohibition-telemarketing-legal ; "
                  "https://www.psc.state.ms.us/nocall/nocall.html",
           words="between the hours of 8:00 a.m. and 8:00 p.m. Central Standard Time. No telephone solicitations "
                 "may be made on a Sunday. (+ PSC rule: no solicitations on legal holidays)",
           confirmed=False,
           notes="Only the holiday ban is unconfirmed: the PSC rule was not read and its repeal date is unknown. "
                 "dnc.com (2024-06-03) reports that after HB 1225 (2023) moved enforcement to the AG, the PSC "
                 "repealed R. 1:28 incl. the holiday ban; the boundary 2024-06-03 is the latest date by which the "
                 "repeal is reported, not its real date. The act took effect 2003-07-01 (PSC page). Text messages "
                 "entered the Act at some point before 2019 (texts_covered None for this span)."),
        _v(effective=date(2024, 6, 3), effective_known=False,
           weekday=(time(8), time(20)), saturday=(time(8), time(20)), sunday=None,
           holidays=None, texts_covered=True, clock="Central Standard Time (statute's words)",
           scope="authorized telephone solicitation (to consumers not on the no-call list, by authorized or "
                 "exempt solicitors)",
           citation="Miss. Code § 77-3-723(1)",
           source="https://getpocketlaw.com/law/state_mississippi/section-77-3-723-rules-for-authorized-calls_57b73fa7ff73",
           words="Such calls may only be made between the hours of 8:00 a.m. and 8:00 p.m. Central Standard Time. "
                 "No telephone solicitations may be made on a Sunday.",
           confirmed=True,
           notes="The statute's hours/Sunday rule is the same in both versions (since 2003). 'Central Standard "
                 "Time' is the statute's wording; Mississippi lies wholly in the Central zone, so a test may treat "
                 "it as local time (during DST a literal reading would shift by an hour - not decided here). "
                 "Texts: 77-3-703 (2017 reenactment, HB 450) speaks of 'telemarketing calls and text messages' and "
                 "2019 SB 2821 put text messages in 'telephone solicitation'. § 77-3-603 (unsolicited telephonic "
                 "sales calls: 8 a.m.-9 p.m. Mon-Sat, no Sunday) is looser than 77-3-723 on hours."),
    ],

    # NM - NMSA 1978 § 57-12-22(B)(5): unlawful to make a telephone solicitation for a purchase of goods or
    #      services "that are received before 9:00 a.m. or after 9:00 p.m."
    "NM": [
        _v(in_force_by=date(2006, 1, 1),
           **_all((time(9), time(21))),
           citation="NMSA 1978 § 57-12-22(B)(5) (Unfair Practices Act)",
           source="https://law.justia.com/codes/new-mexico/2006/nmrc/jd_57-12-22-13117.html",
           words="It is unlawful ... for a person to make a telephone solicitation for a purchase of goods or "
                 "services: ... (5) that are received before 9:00 a.m. or after 9:00 p.m.",
           confirmed=True,
           notes="Text read is the 2006 compilation; later amendments not checked. Consent/EBR carve-outs for "
                 "this paragraph not read (consent_exempt None)."),
    ],

    # OK - 15 O.S. § 775C.4 (Telephone Solicitation Act of 2022): 8 a.m.-8 p.m.; max 3 in 24 h same matter.
    #      Section text NOT READ (enrolled HB 3168 title read).
    "OK": [
        _v(effective=date(2022, 11, 1), effective_known=True,
           **_all((time(8), time(20))),
           per_24h=3, per_24h_scope="same matter / same subject matter or issue (secondary wording)",
           texts_covered=True, area_code_presumption=True,
           scope="commercial telephone seller or salesperson; commercial telephonic sales calls",
           citation="Okla. Stat. tit. 15, § 775C.4 (Telephone Solicitation Act of 2022, HB 3168)",
           source="https://app.legiplex.com/ok/legislature/2022/2022-r/bills/hb3168/drafts-latest (enrolled title) ; "
                  "https://kfor.com/news/oklahoma-legislature/oklahoma-state-senate-votes-to-prohibit-certain-solicitation-calls/ ; "
                  "https://24kyc.com/oklahoma-passes-new-telephone-solicitation-act-similar-to-the-federal-tcpa-lerman-senter-pllc/ ; "
                  "https://www.dataguidance.com/opinion/oklahoma-telephone-solicitation-act-what-you-need",
           words="(secondary) 'Sales calls before 8 a.m. and after 8 p.m.; More than three sales calls within a "
                 "24-hour period on the same matter' - enrolled title: 'providing the time frame during which a "
                 "commercial telephone seller or salesperson may make commercial solicitation phone calls; "
                 "prohibiting ... a specified number of commercial telephone solicitation phone calls to a person "
                 "over a specified time frame'",
           confirmed=False,
           notes="Effective 2022-11-01 (DataGuidance, Lerman Senter, dnc.com). Prior express written consent "
                 "definition (15 O.S. 775C.2(3), read) names 'telephone call, text message, or voicemail "
                 "transmission'. 775C.5 lists 26 exemptions (isolated transactions, religious/charitable/political, "
                 "face-to-face close, licensed brokers, ...). The older ADAD rule (15 O.S. 755.1, 9 a.m.-9 p.m.) "
                 "is in AUTOMATED_VOICE_ONLY."),
    ],

    # PA - 73 P.S. § 2245(a)(1): "Conducting telemarketing after 9 p.m. or before 8 a.m." (= federal);
    #      Act 73 of 2019 added § 5(a)(10): no telephone solicitation calls on legal holidays, eff. 2019-12-03.
    #      SB 992 (2025-26): no Sunday calls; 9 a.m.-7 p.m. other days; covers texts.  Enactment NOT confirmed.
    "PA": [
        _v(effective=date(2019, 12, 3), effective_known=True, ends=date(2026, 10, 18),
           **_all((time(8), time(21))),
           holidays=PA_HOLIDAYS,
           scope="telephone solicitation calls by telemarketers (Telemarketer Registration Act)",
           citation="73 P.S. § 2245(a)(1) and (a)(10) (Telemarketer Registration Act § 5(a)(10), added by Act 73 "
                    "of 2019, HB 318)",
           source="https://govt.westlaw.com/pac/Document/NE4CC77F0E9F711E9BEFE89A994168F89 (§ 2245, 'Effective: "
                  "December 3, 2019') ; https://www.jenkinslaw.org/blog/2019/12/03/amendments-pennsylvanias-telemarketer-registration-act-effective-today ; "
                  "https://mslawgroup.com/regulatory-alert-pennsylvania-amends-telemarketing-registration-act/",
           words="(a)(1) 'Conducting telemarketing after 9 p.m. or before 8 a.m.' (read); (a)(10) 'Telephone "
                 "solicitation calls should no longer occur on legal holidays' (Jenkins Law Library summary)",
           confirmed=False,
           notes="Hours words read on Westlaw's Purdon's page; the holiday paragraph's own words were not "
                 "visible (sources: Jenkins Law Library, Mac Murray & Shuster, dnc.com, Rep. Gillen). Signed "
                 "2019-10-04, effective 2019-12-03. 'Telephone solicitation call' excludes debt collection, "
                 "political, nonprofit and EBR (within 12 months) calls (MMS summary); prior consent as such not "
                 "mentioned (consent_exempt None). Holidays per dnc.com: New Year's, MLK, Presidents', Good "
                 "Friday, Memorial, Flag Day, Independence, Labor, Columbus, Election Day, Veterans, Thanksgiving, "
                 "Christmas. ends=2026-10-18 only if SB 992 (next version) took effect then; if it did not, this "
                 "version is still in force."),
        _v(effective=date(2026, 10, 18), effective_known=False,
           weekday=(time(9), time(19)), saturday=(time(9), time(19)), sunday=None,
           holidays=PA_HOLIDAYS, texts_covered=True,
           scope="telemarketing calls incl. robocalls, text messages, voicemails and ringless voicemails",
           citation="PA SB 992 of 2025-26 (Brooks), amending 73 P.S. §§ 2242-2249",
           source="https://www.pasenategop.com/news/brooks-bill-to-strengthen-protections-against-telemarketers-passes-senate ; "
                  "https://www.billtrack50.com/billdetail/1905317 ; effective date only from "
                  "https://glama.ai/mcp/connectors/com.modernmustardseed/call-desk/tools/can_i_call_now ('Pennsylvania "
                  "bans Sundays from 2026-10-18')",
           words="(Senate GOP release) 'a prohibition against any telemarketing calls - including robocalls - being "
                 "made on Sundays and between 7 p.m. and 9 a.m. on every other day of the week' ... 'expands the "
                 "law to cover text messages, voicemails and \"ringless\" voicemails'",
           confirmed=False, status="bill - passed the Senate; enactment and effective date NOT confirmed",
           notes="Bill text not read; whether the holiday ban survives unchanged was not read (kept). The "
                 "effective date 2026-10-18 rests on one secondary source. A test should skip this version unless "
                 "enactment is confirmed."),
    ],

    # RI - R.I. Gen. Laws § 5-61-3.6(a): no "unsolicited telephonic sales calls to any residential, mobile or
    #      telephonic paging device telephone number except during hours of operation"; § 5-61-2(2): "Monday
    #      through Friday, except a state or federal holiday, nine o'clock (9:00 a.m.) to six o'clock (6:00 p.m.);
    #      Saturday ten o'clock (10:00 a.m.) to five o'clock (5:00 p.m.)."
    "RI": [
        _v(weekday=(time(9), time(18)), saturday=(time(10), time(17)), sunday=None,
           holidays="state+federal", consent_exempt=True, texts_covered=None,
           scope="unsolicited telephonic sales calls by a salesperson or telephonic seller to residential, mobile "
                 "or paging numbers",
           citation="R.I. Gen. Laws §§ 5-61-3.6(a), 5-61-2(2) (Telephone Sales Solicitation Act)",
           source="http://webserver.rilin.state.ri.us/Statutes/TITLE5/5-61/5-61-3.6.HTM ; "
                  "https://instalawyer.io/laws/rhode-island-general-laws/section-5-61-2-definitions",
           words="'Hours of operation' means Monday through Friday, except a state or federal holiday, nine o'clock "
                 "(9:00 a.m.) to six o'clock (6:00 p.m.); Saturday ten o'clock (10:00 a.m.) to five o'clock (5:00 p.m.)",
           confirmed=True,
           notes="Sunday is outside the hours of operation -> None. The holiday exception is written into the "
                 "Monday-Friday clause only; a holiday falling on a Saturday is not excluded by the words. "
                 "§ 5-61-3.6 still cites '§ 5-61-2(9)' (old numbering); the current definition is (2). Added by "
                 "P.L. 1999 ch. 456; the hours definition's own enactment date was not read."),
    ],

    # SD - SDCL 37-30-28: "No person may use an automated telephone dialing system to make a telephone
    #      solicitation to any telephone number in the state except weekdays between 9 a.m. and 9 p.m.,
    #      according to the time in this state."
    "SD": [
        _v(weekday=(time(9), time(21)), saturday=None, sunday=None,
           consent_exempt=False, texts_covered=None,
           scope="telephone solicitation using an automated telephone dialing system",
           clock="'the time in this state'",
           citation="SDCL 37-30-28 (SL 1991, ch 322, § 7)",
           source="http://legis.state.sd.us/statutes/DisplayStatute.aspx?Type=Statute&Statute=37-30-28",
           words="except weekdays between 9 a.m. and 9 p.m., according to the time in this state",
           confirmed=True,
           notes="Applies only to an 'automated telephone dialing system' (term not read; if it requires a "
                 "recorded message, texts are outside). Saturday and Sunday are outside 'weekdays'. Manual "
                 "solicitation: no stricter rule found (37-30A-3 'Unreasonable solicitor practices' not read)."),
    ],

    # TX - Tex. Bus. & Com. Code § 301.051: 9 a.m.-9 p.m. weekdays and Saturday; noon-9 p.m. Sunday.  NOT READ.
    #      SB 140 (89th Leg.) put text messages within "telephone solicitation" from 2025-09-01.
    "TX": [
        _v(ends=date(2025, 9, 1),
           weekday=(time(9), time(21)), saturday=(time(9), time(21)), sunday=(time(12), time(21)),
           texts_covered=None,
           citation="Tex. Bus. & Com. Code § 301.051",
           source="https://tcpaguide.org/states/texas/cold-calling ; "
                  "http://law.justia.com/codes/texas/2005/bc/004.00.000037.00.html (predecessor § 37.02 "
                  "'SOLICITOR IDENTITY; PERMISSIBLE HOURS; DISCONNECT', hours text not visible)",
           words="(secondary) 'calling hours (9am-9pm weekdays/Saturday, noon-9pm Sunday)'",
           confirmed=False,
           notes="Statute text not read. Secondary: exceptions for communications 'in direct response to a "
                 "consumer's explicit request' or to a person with an existing business relationship "
                 "(consent_exempt None)."),
        _v(effective=date(2025, 9, 1), effective_known=False,
           weekday=(time(9), time(21)), saturday=(time(9), time(21)), sunday=(time(12), time(21)),
           texts_covered=True,
           citation="Tex. Bus. & Com. Code § 301.051, as affected by SB 140 (89th Leg., 2025)",
           source="https://tcpaguide.org/states/texas/cold-calling ; public compliance note quoting SB 140 "
                  "('\"telephone solicitation\" includes any voice or other transmission, including a text or "
                  "graphic message or image')",
           words="(secondary) 'Monday-Saturday: not before 9 a.m. or after 9 p.m. (recipient's local time); "
                 "Sunday: only between 12 p.m. and 9 p.m.'",
           confirmed=False,
           notes="Effective 2025-09-01 per secondary sources only."),
    ],

    # UT - Utah Code § 13-25a-103(3): "A person may not make a telephone solicitation to a residential
    #      telephone or cellular telephone without prior express consent during any of the following times:
    #      (a) between the hours of 9 p.m. and 8 a.m. local time; (b) on a Sunday; or (c) on a legal holiday."
    "UT": [
        _v(in_force_by=date(2025, 1, 1),
           weekday=(time(8), time(21)), saturday=(time(8), time(21)), sunday=None,
           holidays=UT_HOLIDAYS, consent_exempt=True, texts_covered=None,
           scope="telephone solicitation to a residential telephone or cellular telephone",
           citation="Utah Code § 13-25a-103(3) (Telephone and Facsimile Solicitation Act)",
           source="https://codes.findlaw.com/ut/title-13-commerce-and-trade/ut-code-sect-13-25a-103/",
           words="without prior express consent during any of the following times: (a) between the hours of 9 p.m. "
                 "and 8 a.m. local time; (b) on a Sunday; or (c) on a legal holiday",
           confirmed=True,
           notes="FindLaw 'current as of January 01, 2025'. 'Legal holiday' read as Utah's legal holidays "
                 "(incl. Pioneer Day, July 24, per secondary). The definition of 'telephone solicitation' "
                 "(13-25a-102) was not read far enough to settle texts."),
    ],

    # WA - RCW 19.158.040(2): "A commercial telephone solicitor shall not place calls to any person which will
    #      be received before 8:00 a.m. or after 8:00 p.m. at the call recipient's local time."
    "WA": [
        _v(**_all((time(8), time(20))),
           consent_exempt=True, texts_covered=None,
           scope="commercial telephone solicitor (RCW 19.158; 'an unsolicited telephone call')",
           citation="RCW 19.158.040(2); see also RCW 80.36.390",
           source="https://app.leg.wa.gov/RCW/default.aspx?cite=19.158.040 ; "
                  "https://app.leg.wa.gov/RCW/default.aspx?cite=19.158&full=true",
           words="shall not place calls to any person which will be received before 8:00 a.m. or after 8:00 p.m. at "
                 "the call recipient's local time",
           confirmed=True,
           notes="RCW 19.158.020: 'Commercial telephone solicitation' means '(a) An unsolicited telephone call to a "
                 "person initiated by a salesperson and conversation ...' -> consent_exempt True. RCW 80.36.390 "
                 "(telephone solicitation, excludes 'Calls made in response to a request or inquiry by the called "
                 "party') also regulates; its hours subsection was not read. Chapter dates from 1989 c 20; "
                 "amended by HB 1497 (2021)."),
    ],

    # WY - Wyo. Stat. § 40-12-302: 8 a.m.-8 p.m. per secondary sources.  NOT READ.
    "WY": [
        _v(**_all((time(8), time(20))),
           citation="Wyo. Stat. § 40-12-302 (subsection not read)",
           source="https://glama.ai/mcp/connectors/com.modernmustardseed/call-desk/tools/can_i_call_now "
                  "('Wyoming ... stop at 8 p.m.') ; https://cliclaw.com/library/us-state-laws/telemarketing-sms/"
                  "wyoming-telephone-solicitation-wy-stat-%C2%A7-40-12-301-et-seq (section list only)",
           words="(secondary) Wyoming stops at 8 p.m.",
           confirmed=False,
           notes="§ 40-12-301 (definitions) and § 40-12-303 (automated sales calls) were read; § 40-12-302 was "
                 "not. The AG FAQ says the telephone-solicitation article does not apply to calls made at the "
                 "request of the person called or to an established business relationship (consent_exempt likely "
                 "True, not confirmed)."),
    ],

    # PR - Ley 210-2003 (10 L.P.R.A. § 4033): abusive practice to "Call at any time other than between
    #      9:00 am and 9:00 pm" (law-firm summary).  NOT READ.
    "PR": [
        _v(effective=date(2003, 8, 28), effective_known=False,
           **_all((time(9), time(21))),
           scope="telemarketing (Ley para la Prevención del Fraude en el Telemercadeo)",
           citation="P.R. Law No. 210 of 2003-08-28, 10 L.P.R.A. § 4033",
           source="https://www.gaclaw.com/news-publications/archived-news-letters/fall-2003-09-new-puerto-rico-telemarketing-law/ ; "
                  "https://www.codexpr.ai/ley/2003-210 ('llamadas fuera de horario') ; https://cliclaw.com/node/7144 (section list)",
           words="(Goldman Antonetti summary) 'Call at any time other than between 9:00 am and 9:00 pm.'",
           confirmed=False,
           notes="Law date 2003-08-28; effective date and current text not read."),
    ],
}


# Rules limited by their own definitions to devices that play a recorded/synthesized VOICE message.
AUTOMATED_VOICE_ONLY = {
    # ME - 10 M.R.S. § 1498(3): may not use an automated telephone calling device "to make solicitation calls
    #      to any telephone number in the State except weekdays between 9 a.m. and 5 p.m., according to the time
    #      in this State, and may not complete more than one solicitation call to any telephone number during
    #      each 8-hour period."
    "ME": [
        _v(in_force_by=date(2003, 1, 1),
           weekday=(time(9), time(17)), saturday=None, sunday=None,
           other_cap=(1, 8), consent_exempt=False, texts_covered=False,
           scope="automated telephone calling device: 'any system or equipment, including a facsimile machine, "
                 "that selects, dials or calls telephone numbers and plays recorded messages or attempts to send "
                 "facsimiles' (PL 2005 c. 197 wording)",
           clock="'the time in this State'",
           citation="10 M.R.S. § 1498(3)",
           source="https://legislature.maine.gov/legis/bills/bills_121st/billtexts/LD039201-1.asp (existing text "
                  "shown in LD 392, 121st Leg.) ; https://legislature.maine.gov/legis/bills/bills_122nd/chapters/PUBLIC197-1.asp",
           words="except weekdays between 9 a.m. and 5 p.m., according to the time in this State, and may not "
                 "complete more than one solicitation call to any telephone number during each 8-hour period",
           confirmed=True,
           notes="Text is the law as shown (un-struck) in a 2003 bill; later amendments were not checked. The "
                 "restriction binds 'a person making a permitted use' under the exceptions in sub-§ 6 "
                 "(purchase status, reply to the called person's inquiry, government)."),
    ],
    # MN - Minn. Stat. § 325E.26-.31 (ADAD): 9 a.m.-9 p.m. per secondary charts.  Hours NOT READ.
    "MN": [
        _v(**_all((time(9), time(21))),
           texts_covered=False,
           scope="automatic dialing-announcing device: 'a device that selects and dials telephone numbers and that, "
                 "working alone or in conjunction with other equipment, disseminates a prerecorded or synthesized "
                 "voice message'",
           citation="Minn. Stat. §§ 325E.26-.31 (hours section, reportedly § 325E.30, not read)",
           source="http://www.ag.state.mn.us/Consumer/Utilities/AutoDialingDeviceLaw.asp ; "
                  "https://www.dropcowboy.com/state-compliance ('Minnesota 9am - 9pm')",
           words="(secondary) Minnesota 9am - 9pm",
           confirmed=False,
           notes="The AG memo quotes § 325E.27 (consent or live-operator introduction) and the ADAD definition "
                 "(read). The general telephone-solicitation statute (§ 325E.311 et seq., read in part) defines "
                 "telephone solicitation as 'any voice communication' and excludes calls with the subscriber's "
                 "'prior express invitation or permission'; no hours rule was seen there."),
    ],
    # NV - NRS 597.814(2): "A person shall not operate a device for automatic dialing and announcing to place:
    #      (a) A call that is received by a telephone located in this state during the period between 9 p.m. and 9 a.m."
    "NV": [
        _v(**_all((time(9), time(21))),
           consent_exempt=False, texts_covered=False,
           scope="device for automatic dialing and announcing used to disseminate a prerecorded message",
           citation="NRS 597.814(2)(a)",
           source="http://www.contactcentercompliance.com/legal/statutes/NV/NRS/597.814.adpx",
           words="A call that is received by a telephone located in this state during the period between 9 p.m. and 9 a.m.",
           confirmed=True,
           notes="(2)(b) also bars a call-back to a number whose person terminated the original call; (3) exempts "
                 "calls to persons with a preexisting business relationship. Secondary charts give Nevada a general "
                 "9 a.m.-8 p.m. window; no statute for that was found (NRS 228.500 ff. and 599B searched)."),
    ],
    # OK - 15 O.S. § 755.1(C)(2)(a): ADAD "is not used to make a call: a. before 9 a.m. or after 9 p.m."
    "OK": [
        _v(**_all((time(9), time(21))),
           texts_covered=False,
           scope="automatic dial announcing device (prerecorded or synthesized voice message)",
           citation="15 O.S. § 755.1(C)(2)(a)",
           source="https://self-law.org/code/ok/title-15-contracts/15-755-1",
           words="For calls terminating in this state, the device is not used to make a call: a. before 9 a.m. or "
                 "after 9 p.m.",
           confirmed=True,
           notes="Applies alongside the general 8 a.m.-8 p.m. rule in STATUTES['OK'] (from 2022-11-01)."),
    ],
    # SC - S.C. Code § 16-17-446(C)(3): ADAD calls "are prohibited after seven p.m. or before eight a.m."
    "SC": [
        _v(**_all((time(8), time(19))),
           texts_covered=False,
           scope="ADAD: 'an automatically dialed announcing device which delivers a recorded message without "
                 "assistance by a live operator' (only calls allowed under (B): express request, existing "
                 "debt/contract, business relationship)",
           citation="S.C. Code § 16-17-446(C)(3)",
           source="http://www.contactcentercompliance.com/legal/statutes/SC/S.C._Code_Ann./16-17-446.adpx",
           words="Adad calls which are not prohibited under subsection (B): ... (3) are prohibited after seven p.m. "
                 "or before eight a.m.",
           confirmed=True,
           notes="The general SC Telephone Privacy Protection Act (§ 37-21-30, texts included) is 8 a.m.-9 p.m. "
                 "(= federal)."),
    ],
}


NOT_STRICTER = {
    "AR": "Ark. Code 4-99 (telephonic sellers, DNC) and 5-63-204 (automated recorded solicitation banned outright) - "
          "no hours/day/frequency rule found.",
    "DC": "D.C. Code 34-1701 restricts automated/pre-recorded commercial calls (secondary summary); no hours rule found.",
    "GA": "O.C.G.A. 46-5-187(3): outbound calls only 'between 8:00 A.M. and 9:00 P.M. local time' unless consent = federal.",
    "GU": "5 GCA §§ 32301-32308: registration, notice, contracts - no hours rule in the section list.",
    "IL": "815 ILCS 5/8b (noon-9 p.m. Sunday, 9 a.m.-9 p.m. other days, Central Time) applies only to securities "
          "dealers/investment advisers - out of scope; general rule (815 ILCS 413) not read, charts give 8-9 = federal.",
    "IN": "Ind. Code 24-5-14-5: ADAD consent/live-operator rule only; no hours seen (an ADAD hours rule in "
          "24-5-14-8 is claimed by one unverified secondary table - not read).",
    "NJ": "N.J.S.A. 56:8-128(d): no unsolicited telemarketing sales call 'between the hours of 9:00 p.m. and 8:00 a.m.' = federal.",
    "NY": "GBL § 399-z(2): telemarketing only 'between 8:00 A.M. and 9:00 P.M.' unless express consent = federal.",
    "OR": "ORS 646.561-646.578 (DNC, 'do not call again'): no stricter hours rule found in the text seen.",
    "SC": "§ 37-21-30 general rule = federal (8-9); only the ADAD rule is stricter (AUTOMATED_VOICE_ONLY).",
    "VA": "Va. Code § 59.1-511: 'between 8:00 a.m. and 9:00 p.m. local time ... unless ... prior consent' = federal.",
}
NOT_CHECKED = ["KS", "NE", "ND", "VT", "WI", "VI", "AS", "MP"]  # no source seen calling them stricter; not read


HOLIDAY_NOTES = {
    "AL": "r. 770-X-5-.17 says 'holidays' without definition; assumed Alabama legal holidays (Ala. Code 1-3-8, not read).",
    "LA": "'days declared to be a state holiday' (La. R.S. 1:55, not read; secondary lists include Mardi Gras and Good Friday).",
    "MS": "Only in the first version (PSC rule, repealed by mid-2024); 'legal holidays' of Mississippi (not read).",
    "PA": "'legal holidays' (44 P.S. § 11, not read); dnc.com list: New Year's, MLK, Presidents', Good Friday, "
          "Memorial, Flag Day (Jun 14), Independence, Labor, Columbus, Election Day, Veterans, Thanksgiving, Christmas.",
    "RI": "'a state or federal holiday' (Mon-Fri clause). R.I. Gen. Laws 25-1-1 (read via unicourt copy) lists New Year's, "
          "MLK, Washington's Birthday, RI Independence Day (May 4), Memorial, Independence Day, Victory Day (2nd Mon "
          "of Aug), Labor, Columbus, Veterans, Christmas, general-election day, plus days appointed by governor/"
          "president; Monday-observance when the day falls on a weekend.",
    "UT": "'legal holiday' (Utah Code 63G-1-301, read 2026-12-07 in the self-law.org copy; UT_HOLIDAYS above).",
}


# The jurisdictions read on 2026-12-07 (issue 21), each table written from the statutes by its
# reader (tests/statutes_a.py, _b, _c); where one of them found rules, an older "not stricter" goes.
for _table in (statutes_a, statutes_b, statutes_c):
    STATUTES.update(_table.STATUTES)
    NOT_STRICTER.update(_table.NOT_STRICTER)
    for _code in _table.STATUTES:
        NOT_STRICTER.pop(_code, None)
AUTOMATED_VOICE_ONLY.update(statutes_c.AUTOMATED_VOICE_ONLY)
NOT_CHECKED = [c for c in NOT_CHECKED if c not in STATUTES and c not in NOT_STRICTER]

# ---------------------------------------------------------------- lookup helpers (no interpretation)

def version_on(state, d, table=None, include_unconfirmed=True):
    """The version of ``table`` (default STATUTES) for ``state`` in force on date ``d``, or None."""
    table = STATUTES if table is None else table
    for v in table.get(state, []):
        if not include_unconfirmed and not v["confirmed"]:
            continue
        if v["effective"] <= d and (v["ends"] is None or d < v["ends"]):
            return v
    return None


_DAY_KEY = {5: "saturday", 6: "sunday"}


def _intersect(a, b):
    if a is None or b is None:
        return None
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if start < end else None


def rule_on(state, d, include_unconfirmed=True, include_automated_voice=False):
    """Federal window intersected with the state's window for the weekday of date ``d``.

    Returns dict(window=(start,end)|None, holidays=..., per_24h=..., versions=[...]).
    Holidays are NOT applied (no calendar here): the caller must check ``holidays``.
    """
    key = _DAY_KEY.get(d.weekday(), "weekday")
    window = FEDERAL[key]
    holidays, cap, used = [], [], []
    tables = [STATUTES] + ([AUTOMATED_VOICE_ONLY] if include_automated_voice else [])
    for table in tables:
        v = version_on(state, d, table, include_unconfirmed)
        if v is None:
            continue
        used.append(v)
        window = _intersect(window, v[key])
        if v["holidays"]:
            holidays.append(v["holidays"])
        if v["per_24h"]:
            cap.append(v["per_24h"])
    return {"window": window, "holidays": holidays[0] if len(holidays) == 1 else (holidays or None),
            "per_24h": min(cap) if cap else None, "versions": used}


if __name__ == "__main__":  # quick self-check
    for table in (STATUTES, AUTOMATED_VOICE_ONLY):
        for st, vs in table.items():
            for a, b in zip(vs, vs[1:]):
                assert a["ends"] == b["effective"], (st, a["ends"], b["effective"])
            for v in vs:
                for k in ("weekday", "saturday", "sunday"):
                    w = v[k]
                    assert w is None or (isinstance(w, tuple) and w[0] < w[1]), (st, k, w)
    print(len(STATUTES), "states in STATUTES;", len(AUTOMATED_VOICE_ONLY), "in AUTOMATED_VOICE_ONLY")
    print("FL 2024-03-02 (Sat):", rule_on("FL", date(2024, 3, 2))["window"])
    print("RI 2024-03-03 (Sun):", rule_on("RI", date(2024, 3, 3))["window"])
