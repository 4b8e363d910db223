"""What lint says of the translation folders (`templates/es/`): which templates a language lacks,
and which of its files nothing would send.

A lead who reads a language gets each message from that language's folder when it has the file
and in English otherwise. A missing story message is a warning (the lead reads one message in
English); a missing system text is an error: the answer to STOP and HELP, the welcome text that
confirms the opt-in (CTIA: the program's name, frequency, rates, HELP and STOP in the language
the lead signed up in) and the email frame that carries Regulation O's disclosures and the
unsubscribe link must be in the lead's language (47 CFR 64.1200(a)(10): a consumer may revoke in
the language the messages come in; 12 CFR 1015.2: a disclosure the consumer can understand).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nurture.content.languages import DEFAULT_LANGUAGE, LANGUAGES
from nurture.content.store import SYSTEM_TEMPLATES, TemplateStore

#: Templates a language's folder must have once it exists (errors when missing).
REQUIRED = (*SYSTEM_TEMPLATES, "sms/welcome")
#: The email frame: the disclosures and the unsubscribe footer are in it.
REQUIRED_LAYOUTS = ("layouts/email.html", "layouts/email.txt")


@dataclass(frozen=True)
class Gap:
    """One finding about a translation: the file, how bad, what to do."""

    file: Path
    severity: str
    problem: str


def translation_folders(directory: Path) -> list[str]:
    """The languages with a folder under `directory` (`templates/es`), in code order."""
    return sorted(code for code in LANGUAGES if code != DEFAULT_LANGUAGE and (Path(directory) / code).is_dir())


def gaps(store: TemplateStore, *, error: str, warning: str) -> list[Gap]:
    """Every missing translation and every translated file nothing sends, for each language folder."""
    found: list[Gap] = []
    english = set(store.names())
    for code in translation_folders(store.directory):
        name_of_language = LANGUAGES[code]
        translated = store.translation(code)
        have = set(translated.names())
        for name in sorted(english - have):
            channel, _ = name.split("/", 1)
            path = translated.directory / channel / store.path(name).name
            if name in REQUIRED:
                found.append(Gap(path, error, f"missing {name_of_language} translation of {name}: nurture sends "
                                              f"it by itself, and a lead who reads {code} must get it in {code} "
                                              f"(the STOP and HELP answers, the opt-in welcome)"))
            else:
                found.append(Gap(path, warning, f"missing {name_of_language} translation of {name}: leads who read "
                                                f"{code} get this message in English"))
        for name in sorted(have - english):
            found.append(Gap(translated.path(name), warning,
                             f"{name} has no English template beside it ({store.path(name)}): schedules name "
                             f"English templates, so nothing sends this file"))
        for layout in REQUIRED_LAYOUTS:
            if not (translated.directory / layout).is_file():
                found.append(Gap(translated.directory / layout, error,
                                 f"missing {name_of_language} email frame {layout}: Regulation O's disclosures and "
                                 f"the unsubscribe footer would reach {code} readers in the English frame"))
    return found

