"""Reading leads' replies: revocations in their own words, keywords, look-alikes, quoted email text.

The table below is the oracle: each row is a reply as leads really write them and the kind a
person reading it would assign, judged from the FCC's "any reasonable means" rule (when in doubt,
a revocation; a reply that only might be one is maybe_opt_out). It was written before the code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nurture.conversations.replies import (
    HELP_KEYWORDS,
    OPT_IN_KEYWORDS,
    OPT_OUT_KEYWORDS,
    ReplyKind,
    classify_email_reply,
    classify_sms,
    strip_quoted,
)

OUT, IN, HELP, MAYBE, TALK = (
    ReplyKind.opt_out, ReplyKind.opt_in, ReplyKind.help, ReplyKind.maybe_opt_out, ReplyKind.conversation,
)

SMS_REPLIES = [
    # Twilio's keywords, in every shape a phone produces
    ("STOP", OUT),
    ("stop", OUT),
    ("Stop.", OUT),
    ("STOP!!!", OUT),
    ("  stop  ", OUT),
    ("\uff33\uff34\uff2f\uff30", OUT),  # full-width ＳＴＯＰ
    ("\u201cStop\u201d", OUT),
    ("Stop \U0001f6d1", OUT),
    ("\U0001f6d1", OUT),
    ("stop \U0001f64f", OUT),
    ("S.T.O.P.", OUT),
    ("STOPALL", OUT),
    ("Stop all", OUT),
    ("UNSUBSCRIBE", OUT),
    ("Cancel", OUT),
    ("end", OUT),
    ("Quit", OUT),
    ("revoke", OUT),
    ("OPT OUT", OUT),
    ("opt-out", OUT),
    ("optout", OUT),
    ("Stop stop stop", OUT),
    ("STOP HELP", OUT),
    ("Yes stop", OUT),
    ("Stop por favor", OUT),
    # misspelled keywords
    ("Stopp", OUT),
    ("stpo", OUT),
    ("Sotp", OUT),
    ("STOOOP", OUT),
    ("unsubscibe", OUT),
    ("Cancle", OUT),
    ("pls stp", OUT),
    # revocations in the lead's own words
    ("Stop please", OUT),
    ("Please stop", OUT),
    ("please just stop", OUT),
    ("stop it", OUT),
    ("Ok stop", OUT),
    ("alright, stop", OUT),
    ("I said stop", OUT),
    ("Can you stop?", OUT),
    ("u can stop now", OUT),
    ("thank you but please stop", OUT),
    ("Stop texting me", OUT),
    ("please stop texting me", OUT),
    ("STOP TEXTING ME \U0001f621", OUT),
    ("Stop messaging me!", OUT),
    ("Stop sending me these messages", OUT),
    ("stop txting me", OUT),
    ("stop msgs", OUT),
    ("Stop the texts", OUT),
    ("stop with the messages already", OUT),
    ("stop contacting me", OUT),
    ("Stop calling me", OUT),
    ("Stop bugging me", OUT),
    ("Quit texting me", OUT),
    ("End these texts", OUT),
    ("Don't text me", OUT),
    ("Don\u2019t text me again", OUT),
    ("Dont text me anymore", OUT),
    ("Do not text this number", OUT),
    ("do not contact me", OUT),
    ("Never text me again", OUT),
    ("Please don't message me", OUT),
    ("I don't want any more texts", OUT),
    ("Remove me", OUT),
    ("remove", OUT),
    ("remove me from your list", OUT),
    ("Please remove my number", OUT),
    ("Take me off your list", OUT),
    ("take my number off your list please", OUT),
    ("Please take me off this list, thank you", OUT),
    ("Unsubscribe me please", OUT),
    ("How do I unsubscribe?", OUT),
    ("I want to opt out", OUT),
    ("Opt me out", OUT),
    ("Cancel my subscription", OUT),
    ("cancel please", OUT),
    ("End please", OUT),
    ("Quit please", OUT),
    ("Ok. End.", OUT),
    ("Leave me alone", OUT),
    ("Leave me the hell alone", OUT),
    ("Go away", OUT),
    ("F*** off", OUT),
    ("Wrong number", OUT),
    ("You have the wrong number", OUT),
    ("wrong person, I don't own a house", OUT),
    ("Maria doesn't live here", OUT),
    ("I'm not the homeowner", OUT),
    ("No more texts", OUT),
    ("No more messages please", OUT),
    ("No more!", OUT),
    ("no more texting me", OUT),
    ("Lose my number", OUT),
    ("Delete my number", OUT),
    ("Not interested, stop", OUT),
    ("not interested. please stop", OUT),
    ("I'm not interested, remove me", OUT),
    ("Who is this? Stop texting me", OUT),
    ("Stop, I already sold the house", OUT),
    ("Stop. We're working with a realtor", OUT),
    ("I revoke my consent", OUT),
    ("I do not consent to these messages", OUT),
    ("I never signed up for this", OUT),
    ("Enough already", OUT),
    ("Why do you keep texting me", OUT),
    ("Why don't you stop texting me", OUT),
    ("I want these texts to stop", OUT),
    ("This is spam", OUT),
    ("I'm on the do not call list", OUT),
    ("Cease and desist", OUT),
    # Spanish
    ("Para", OUT),
    ("PARA YA", OUT),
    ("PARE", OUT),
    ("Alto", OUT),
    ("alto por favor", OUT),
    ("Basta", OUT),
    ("Ya basta de mensajes", OUT),
    ("No me manden mensajes", OUT),
    ("No me envíen más mensajes", OUT),
    ("No más mensajes", OUT),
    ("No mas", OUT),
    ("Quítame de la lista", OUT),
    ("Número equivocado", OUT),
    ("Cancelar", OUT),
    ("No quiero mensajes", OUT),
    ("No quiero recibir más mensajes", OUT),
    ("Dejen de mandarme mensajes", OUT),
    ("Déjenme en paz", OUT),
    ("No me escriban más", OUT),
    ("Quiero darme de baja", OUT),
    ("Borren mi número por favor", OUT),
    ("Por favor no me molesten", OUT),
    # look-alikes: "stop", "end", "cancel", "remove" about something else
    ("Don't stop helping me", TALK),
    ("Don't stop texting me, this is helpful", TALK),
    ("Please don't stop, this is helpful", TALK),
    ("Can you stop the foreclosure?", TALK),
    ("How do I stop the sale", TALK),
    ("Stop sale?", TALK),
    ("Stop foreclosure", TALK),
    ("Is there a way to stop foreclosure?", TALK),
    ("Can you help me stop the auction on the 10th?", TALK),
    ("What would it take to stop the bank from taking my house", TALK),
    ("We want to stop it from going to auction", TALK),
    ("Stop by tomorrow?", TALK),
    ("Can you guys stop by the house?", TALK),
    ("Stop over after 5", TALK),
    ("Meet me at the bus stop", TALK),
    ("I can't stop worrying", TALK),
    ("Can't stop thinking about what you said", TALK),
    ("I stopped paying in March", TALK),
    ("I quit my job last month, that's why I'm behind", TALK),
    ("End of the month works for me", TALK),
    ("Can we cancel the sale?", TALK),
    ("cancel appointment", TALK),
    ("Can you remove the lien?", TALK),
    ("Don't call me, text me instead", TALK),
    ("Don't worry about it", TALK),
    ("I don't want to lose my house, what can I do?", TALK),
    ("I don't agree with the bank's appraisal", TALK),
    ("I never asked the bank for a modification", TALK),
    ("¿Para cuándo es la subasta?", TALK),
    ("Es para mi casa en Miami", TALK),
    ("El precio es muy alto", TALK),
    ("¿Pueden parar la subasta?", TALK),
    ("Quiero cancelar la subasta", TALK),
    # yes, START, HELP: only the bare keyword is one
    ("START", IN),
    ("Unstop", IN),
    ("YES", IN),
    ("yes.", IN),
    ("Yes please", TALK),
    ("Yes, I'd like to talk", TALK),
    ("Yesss", TALK),
    ("Sí", TALK),
    ("si", TALK),
    ("Start the process", TALK),
    ("HELP", HELP),
    ("help?", HELP),
    ("Info", HELP),
    ("\uff28\uff25\uff2c\uff30", HELP),  # full-width ＨＥＬＰ
    ("I need help", TALK),
    ("Help me please", TALK),
    ("More info please", TALK),
    # conversation
    ("Call me at 3pm", TALK),
    ("Thanks!", TALK),
    ("OK", TALK),
    ("My sale date is Dec 10", TALK),
    ("I'm 3 months behind, what can I do?", TALK),
    ("\U0001f44d", TALK),
    # might be a revocation: pause, a person reads it, never consent
    ("Not now", MAYBE),
    ("not interested", MAYBE),
    ("Not interested at this time", MAYBE),
    ("Not interested in selling", MAYBE),
    ("No thanks", MAYBE),
    ("No", MAYBE),
    ("nope", MAYBE),
    ("Who is this?", MAYBE),
    ("who dis", MAYBE),
    ("How did you get my number?", MAYBE),
    ("Why are you texting me?", MAYBE),
    ("Busy", MAYBE),
    ("I'm busy right now", MAYBE),
    ("Later", MAYBE),
    ("Maybe later", MAYBE),
    ("I'm good", MAYBE),
    ("This is a scam", MAYBE),
    ("wtf", MAYBE),
    ("F*** you", MAYBE),
    ("\U0001f44e", MAYBE),
    ("How do I stop?", MAYBE),
    ("Make it stop", MAYBE),
    ("No me interesa", MAYBE),
    ("¿Quién es?", MAYBE),
    ("Ahora no", MAYBE),
]


def test_the_table_is_big_enough_to_mean_something():
    assert len(SMS_REPLIES) >= 120
    assert len({text for text, _ in SMS_REPLIES}) == len(SMS_REPLIES)


@pytest.mark.parametrize(("text", "kind"), SMS_REPLIES, ids=[t for t, _ in SMS_REPLIES])
def test_sms_reply_is_read_as_a_person_would(text, kind):
    found = classify_sms(text)
    assert found.kind is kind, found.reason
    assert found.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("STOP", "keyword STOP"),
        ("opt out", "keyword OPTOUT"),
        ("stpo", 'typo of keyword STOP: "stpo"'),
        ("please stop texting me", 'phrase "stop texting"'),
        ("not now", 'could be a revocation: "not now"'),
        ("HELP", "keyword HELP"),
        ("yes", "keyword YES"),
    ],
)
def test_reason_says_what_was_recognised(text, reason):
    assert classify_sms(text).reason == reason


def test_look_alike_says_why_it_is_not_a_revocation():
    found = classify_sms("Can you stop the foreclosure?")
    assert found.kind is TALK
    assert found.reason.startswith('"stop" here is not a revocation: "') and "stop the foreclosure" in found.reason


@pytest.mark.parametrize("body", [None, "", "   ", "\n"])
def test_an_empty_message_is_conversation(body):
    assert classify_sms(body).kind is TALK


@pytest.mark.parametrize(
    ("opt_out_type", "body", "kind"),
    [
        ("STOP", "yes please", OUT),  # a custom opt-out keyword Twilio knows and we do not
        ("STOP", "ARRET", OUT),
        ("START", "subscribe", IN),
        ("HELP", "ayuda", HELP),
        ("stop", "hello", OUT),
        (" START ", "stop", IN),  # Twilio decided; it already re-subscribed the number
    ],
)
def test_twilio_opt_out_type_wins_over_the_body(opt_out_type, body, kind):
    found = classify_sms(body, opt_out_type=opt_out_type)
    assert found.kind is kind
    assert found.reason == f"Twilio OptOutType {opt_out_type.strip().upper()}"


@pytest.mark.parametrize("opt_out_type", [None, "", "SOMETHING_NEW"])
def test_missing_or_unknown_opt_out_type_falls_back_to_the_words(opt_out_type):
    assert classify_sms("please stop texting me", opt_out_type=opt_out_type).kind is OUT
    assert classify_sms("yes please", opt_out_type=opt_out_type).kind is TALK


def test_the_keyword_sets_are_twilios_defaults():
    assert OPT_OUT_KEYWORDS == {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
    assert OPT_IN_KEYWORDS == {"START", "UNSTOP", "YES"}
    assert HELP_KEYWORDS == {"HELP", "INFO"}


# -- email replies --------------------------------------------------------------------------------

GMAIL_FOOTER = """\
On Tue, Dec 1, 2026 at 10:00 AM Short Sale Help <help@example.com> wrote:
> Hi Maria,
>
> A short sale will show on your credit, but it typically does less damage than a foreclosure.
>
> You are getting this email because you asked Short Sale Help about options for your home.
> If that was not you, or you would rather not hear from us, unsubscribe here and we will stop.
> https://nurture.example.com/unsubscribe/abc
"""

OUTLOOK_REPLY = """\
Please call me tomorrow after 5, my cell is 305-555-0142.

Thanks,
Maria

________________________________
From: Short Sale Help <help@example.com>
Sent: Tuesday, December 1, 2026 10:00 AM
To: Maria Lopez <maria@example.com>
Subject: What a short sale means for your credit

Hi Maria,
If you would rather not hear from us, unsubscribe here and we will stop.
"""

OUTLOOK_DESKTOP_REPLY = """\
Not now, maybe in January.

-----Original Message-----
From: Short Sale Help [mailto:help@example.com]
Sent: Tuesday, December 01, 2026 10:00 AM
Subject: Won't the bank just say no?

Stop waiting: unsubscribe here if you would rather not hear from us.
"""

IPHONE_REPLY = """\
Ok sounds good

Sent from my iPhone

> On Dec 1, 2026, at 10:00 AM, Short Sale Help <help@example.com> wrote:
>
> Hi Maria, unsubscribe here and we will stop.
"""

GMAIL_WRAPPED_HEADER = """\
What documents do you need?

On Tue, Dec 1, 2026 at 10:00 AM Short Sale Help from Example Realty Partners <
help@example.com> wrote:

> Reply STOP to opt out. Unsubscribe here.
"""

SPANISH_GMAIL = """\
Sí, llámenme el jueves.

El mar, 1 dic 2026 a las 10:00, Short Sale Help (<help@example.com>)
escribió:

> Si prefiere no recibir más correos, dese de baja aquí.
"""

SIGNATURE = """\
Call me at 3.
-- 
Maria Lopez
Unsubscribe from nothing, this is just my signature
"""

INLINE = """\
> Are you behind on payments?
Yes, 3 months.
> Is a sale date set?
December 10.
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Yes, Tuesday works.\n\n" + GMAIL_FOOTER, "Yes, Tuesday works."),
        (OUTLOOK_REPLY, "Please call me tomorrow after 5, my cell is 305-555-0142.\n\nThanks,\nMaria"),
        (OUTLOOK_DESKTOP_REPLY, "Not now, maybe in January."),
        (IPHONE_REPLY, "Ok sounds good"),
        (GMAIL_WRAPPED_HEADER, "What documents do you need?"),
        (SPANISH_GMAIL, "Sí, llámenme el jueves."),
        (SIGNATURE, "Call me at 3."),
        (INLINE, "Yes, 3 months.\nDecember 10."),
        ("On Monday I called the bank.\nThey said no.", "On Monday I called the bank.\nThey said no."),
        ("Line one\r\nLine two\r\n", "Line one\nLine two"),
        ("", ""),
    ],
    ids=["gmail", "outlook-web", "outlook-desktop", "iphone", "gmail-wrapped", "gmail-es", "signature", "inline",
         "on-monday", "crlf", "empty"],
)
def test_strip_quoted_keeps_only_what_the_lead_wrote(body, expected):
    assert strip_quoted(body) == expected


@pytest.mark.parametrize(
    ("text", "subject", "kind"),
    [
        ("Unsubscribe", None, OUT),
        ("Please remove me from your mailing list.\n\n" + GMAIL_FOOTER, "Re: Won't the bank just say no?", OUT),
        ("Stop emailing me", None, OUT),
        ("STOP", None, OUT),
        ("Please take me off your list. Thank you.", None, OUT),
        ("Darme de baja por favor", None, OUT),
        ("", "Unsubscribe", OUT),
        (None, "Remove me", OUT),
        ("Thanks, call me tomorrow at 10?\n\n" + GMAIL_FOOTER, "Re: What a short sale means for your credit", TALK),
        (OUTLOOK_REPLY, "RE: What a short sale means for your credit", TALK),
        (IPHONE_REPLY, "Re: Hi", TALK),
        ("Can you stop the foreclosure? The sale is on the 10th.", None, TALK),
        ("Not interested", None, TALK),
        ("Yes", None, TALK),
        ("HELP", None, TALK),
        (None, None, TALK),
    ],
)
def test_email_reply_is_an_opt_out_only_when_it_asks_for_one(text, subject, kind):
    assert classify_email_reply(text, subject).kind is kind


def test_email_reply_that_might_be_a_revocation_says_so_for_the_person_reading_it():
    found = classify_email_reply("Not interested, thanks", "Re: Hi")
    assert found.kind is TALK
    assert "could be a revocation" in found.reason and "not interested" in found.reason


def test_email_opt_out_in_the_subject_says_so():
    assert classify_email_reply("", "unsubscribe me").reason == 'phrase "unsubscribe" (subject)'


def test_replies_to_every_shipped_subject_are_conversation():
    """A reply keeps our subject after "Re:"; none of ours may read as an unsubscribe request."""
    root = Path(__file__).resolve().parents[2] / "templates" / "email"
    subjects = [
        line.split(":", 1)[1].strip()
        for path in sorted(root.glob("*.md"))
        for line in path.read_text().splitlines()
        if line.startswith("subject:")
    ]
    assert len(subjects) >= 11
    for subject in subjects:
        assert classify_email_reply("Sounds good, call me.", f"Re: {subject}").kind is TALK, subject
