"""Hostile or careless templates are refused quickly, in a marketer's words, without using memory."""

from __future__ import annotations

import resource
import shutil
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nurture.config import Settings, get_settings
from nurture.content import RenderError, TemplateStore, lint, sample_leads
from nurture.content.limits import RenderLimits
from nurture.models import Lead

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
MB = 1024 * 1024


# Without Regulation O's short form after every text (NURTURE_MARS_STATUS=attorney): these tests
# read what the template itself writes.
PLAIN = Settings(mars_status="attorney")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", target)
    return target


def a_lead() -> Lead:
    return Lead(first_name="Maria", last_name="Lopez", timezone="America/New_York", city="Miami", state="FL",
                hardships=["job_loss", "divorce"])


def render(folder: Path, name: str = "sms/next_steps", limits: RenderLimits | None = None):
    return TemplateStore(folder, limits=limits).render(name, a_lead(), now=NOW, settings=PLAIN, secret="s")


def refused(folder: Path, source: str, *, name: str = "sms/next_steps", limits: RenderLimits | None = None):
    """Write `source` as the template `name`, render it, and return the RenderError it must raise."""
    channel, theme = name.split("/")
    path = folder / channel / f"{theme}{'.txt' if channel == 'sms' else '.md'}"
    path.write_text(source)
    with pytest.raises(RenderError) as info:
        render(folder, name, limits)
    return info.value


HOSTILE = [
    # (template, words the error must contain)
    ("{{ 'x'|center(200000000) }}", "too big: center(200000000) would make 200,000,000 characters"),
    ("{{ lead.first_name.center(200000000) }}", "too big: center(200000000)"),
    ("{{ 'x'.ljust(200000000) }}", "too big: ljust(200000000)"),
    ("{{ 'x'.zfill(200000000) }}", "too big: zfill(200000000)"),
    ("{{ 'x'|indent(200000000, true) }}", "too big: indent(200000000)"),
    ("{{ 'a b c d e'|wordwrap(1, wrapstring='x' * 50000) }}", "too big: wordwrap"),
    ("{{ ('x' * 90000)|wordwrap(1, wrapstring='y' * 1000) }}", "too big: wordwrap"),
    ("{{ '%200000000s'|format('x') }}", "too big: the format '%200000000s'"),
    ("{{ '%200000000s' % 'x' }}", "too big: the format '%200000000s'"),
    ("{{ '%.200000000f' % 1 }}", "too big: the format"),
    ("{{ '%*s' % (200000000, 'x') }}", "'*' width"),
    ("{{ '{:>200000000}'.format('x') }}", "too big: the format"),
    ("{{ '{:>{}}'.format('x', 200000000) }}", "width taken from a value"),
    ("{{ range(10000)|join('x' * 50000) }}", "too big: join"),
    ("{{ ('x' * 90000).join(['a', 'b', 'c']) }}", "too big: join"),
    ("{{ ('x' * 90000)|replace('x', 'yy') }}", "too big: replace('x', 'yy')"),
    ("{{ ('x' * 90000).replace('x', 'yy') }}", "too big: replace('x', 'yy')"),
    ("{{ 'x' * 200000000 }}", "too big: 'x' * 200000000"),
    ("{{ [0] * 200000000 }}", "too big: list * 200000000"),
    ("{{ ('x' * 60000) ~ ('x' * 60000) }}", "too big: joining text with '~'"),
    ("{{ ('x' * 60000) + ('x' * 60000) }}", "too big: joining with '+'"),
    ("{{ [1]|batch(200000000, 0)|list }}", "too big: batch(200000000)"),
    ("{{ [1]|slice(200000000)|list }}", "too big: slice(200000000)"),
    ("{{ 10 ** 100 }}", "too big: the exponent 100"),
    ("{% set ns = namespace(n=10 ** 60) %}{% for i in range(12) %}{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }}",
     "a number with more than 1,228 digits"),
    # a list holding itself twice, 40 times over: 2**40 copies in a few bytes, refused when printed
    ("{% set ns = namespace(l=['x' * 100]) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}"
     "{{ ns.l }}", "too big: this value would make more than 100,000 characters"),
    ("{% set ns = namespace(l=['x' * 100]) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}"
     "{{ ns.l|string }}", "too big: the string filter"),
    ("{% set ns = namespace(l=['x' * 100]) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}"
     "{{ ns.l|tojson }}", "too big: the tojson filter"),
    ("{{ 'a'.expandtabs(200000000) }}", "the text method 'expandtabs' is not available"),
    # repetition
    ("{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}",
     "too much repetition: range(100000) counts 100,000 numbers; a message may loop at most 20,000 times"),
    ("{{ range(200000000)|list }}", "too much repetition: range(200000000)"),
    ("{% for i in range(20000) %}{% for j in range(20000) %}{% endfor %}{% endfor %}",
     "too much repetition: more than 20,000 loop turns, calls and filters in one message"),
    ("{% for a in 'x' * 90000 %}{% for b in 'x' * 90000 %}{% endfor %}{% endfor %}", "too much repetition"),
    ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
     "too much repetition"),
    ("{% for x in [1] recursive %}{{ loop([1, 2]) }}{% endfor %}",
     "too much repetition: a macro or recursive loop calls itself without end"),
    # output
    ("{% for i in range(400) %}word {% endfor %}",
     "too long: the text message would be longer than 1,600 characters"),
    ("{% set s %}{% for i in range(5000) %}{{ 'x' * 90000 }}{% endfor %}{% endset %}{{ s|length }}",
     "too long: the text message would be longer than 1,600 characters"),
    ("{% macro m() %}{% for i in range(5000) %}{{ 'x' * 1000 }}{% endfor %}{% endmacro %}{{ m()|length }}",
     "too long: the text message"),
]


@pytest.mark.parametrize(("source", "words"), HOSTILE, ids=[s[:60] for s, _ in HOSTILE])
def test_a_hostile_template_is_refused_fast_saying_which_limit(folder, source, words):
    started = time.perf_counter()
    error = refused(folder, source)
    assert words in error.problem
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("source", [s for s, _ in HOSTILE], ids=[s[:60] for s, _ in HOSTILE])
def test_a_hostile_template_is_refused_without_building_it(folder, source):
    # Under tracemalloc everything is slower, so a few refusals here are "too slow" instead: still refused.
    tracemalloc.start()
    try:
        refused(folder, source)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * MB, f"{peak / MB:.1f} MB"


def test_center_200_million_is_refused_without_growing_the_process(folder):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = refused(folder, "Hi {{ lead.first_name }}\n{{ 'x'|center(200000000) }}\n")
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 20 * 1024  # the string would have been 200 MB
    assert (error.file, error.line) == (folder / "sms" / "next_steps.txt", 2)
    assert str(error).endswith(
        "next_steps.txt:2: too big: center(200000000) would make 200,000,000 characters; "
        "a template may build at most 100,000"
    )


def test_a_limit_error_points_at_the_template_line(folder):
    error = refused(folder, "Hi {{ lead.first_name }},\n{% for i in range(20000) %}\n{% for j in range(20000) %}"
                            "{% endfor %}\n{% endfor %}\n")
    assert error.line == 3 and "too much repetition" in error.problem
    source = "Hi {{ lead.first_name }},\n{% for i in range(500) %}\n{{ lead.first_name }}\n{% endfor %}\n"
    error = refused(folder, source)
    assert error.line == 3 and "too long: the text message" in error.problem


def test_an_email_longer_than_gmail_shows_is_refused(folder):
    path = folder / "email" / "deficiency.md"
    lines = path.read_text().splitlines()
    lines[6] = "{% for i in range(2000) %} A short sale usually leaves less of a gap than you fear. {% endfor %}"
    error = refused(folder, "\n".join(lines) + "\n", name="email/deficiency")
    assert "too long: the email's text would be longer than 100,000 characters" in error.problem
    assert (error.file, error.line) == (path, 7)


def test_a_runaway_subject_is_refused(folder):
    path = folder / "email" / "deficiency.md"
    source = path.read_text().replace("subject:", "subject: {{ 'x' * 2000 }}", 1)
    error = refused(folder, source, name="email/deficiency")
    assert "too long: the subject would be longer than 1,000 characters" in error.problem


def test_slow_work_stops_at_the_deadline_in_a_worker_thread(folder):
    slow = "{% set s = 'ab ' * 30000 %}{% for i in range(15000) %}{% if s|wordcount %}{% endif %}{% endfor %}"
    (folder / "sms" / "next_steps.txt").write_text(slow)
    limits = RenderLimits(seconds=0.2)

    def attempt() -> tuple[str, float]:
        started = time.perf_counter()
        try:
            render(folder, limits=limits)
        except RenderError as exc:
            return exc.problem, time.perf_counter() - started
        return "rendered", time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [f.result() for f in [pool.submit(attempt), pool.submit(attempt)]]
    for problem, took in results:
        assert problem == "too slow: rendering took more than 0.2 s of processing time"
        assert took < 3  # two threads share the GIL; each counts only its own CPU time


def test_the_step_budget_is_per_message_not_per_process(folder):
    source = "{% for i in range(15000) %}{% endfor %}{{ lead.first_name }}"
    (folder / "sms" / "next_steps.txt").write_text(source)
    store = TemplateStore(folder)
    for _ in range(3):  # 45,000 turns in all, 15,000 in each message
        assert store.render("sms/next_steps", a_lead(), now=NOW, settings=PLAIN, secret="s").text == "Maria"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ lead.first_name|center(11) }}|", "Maria |"),  # tidy() trims the leading spaces
        ("{{ '%.2f' % 3.14159 }} {{ '{:0>6}'.format('ab') }}", "3.14 0000ab"),
        ("{{ lead.hardships|and_list }}", "job loss or reduced income and divorce"),
        ("{% for h in lead.hardships %}{{ loop.index }}.{{ h|upper }} {% endfor %}",
         "1.JOB LOSS OR REDUCED INCOME 2.DIVORCE"),
        ("{{ ['a', 'b']|join(', ') }} {{ 'x'|replace('x', 'y') }} {{ lead.city ~ ', ' ~ lead.state }}",
         "a, b y Miami, FL"),
        ("{% macro hi(n) %}Hi {{ n }}{% endmacro %}{{ hi(lead.first_name) }} {{ range(3)|list|sum }}", "Hi Maria 3"),
        ("{{ lead.city.upper() }} {{ '-' * 3 }} {{ 2 ** 10 }} {{ [1, 2] + [3] }}", "MIAMI --- 1024 [1, 2, 3]"),
    ],
)
def test_ordinary_template_features_still_work(folder, source, expected):
    (folder / "sms" / "next_steps.txt").write_text(source)
    assert render(folder).text == expected


@pytest.mark.parametrize(("source", "words"), [
    ("{{ lipsum(1000) }}", "'lipsum' is undefined"),
    ("{{ 'see www.example.com'|urlize }}", "No filter named 'urlize'"),
])
def test_unboundable_extras_are_not_available(folder, source, words):
    assert words in refused(folder, source).problem


def test_shipped_templates_render_well_inside_the_limits(folder):
    tight = RenderLimits(steps=200, seconds=0.5)  # a hundredth of the real step budget
    store = TemplateStore(ROOT / "templates", limits=tight)
    for name in store.names():
        for lead in sample_leads(NOW).values():
            store.render(name, lead, now=NOW, settings=PLAIN, secret="s")


def test_templates_lint_fails_a_template_over_a_limit(folder, monkeypatch):
    path = folder / "sms" / "deficiency.txt"
    path.write_text("Hi {{ lead.first_name }},\n{{ '%200000000s' % lead.city }}\n")
    monkeypatch.setenv("NURTURE_TEMPLATES_DIR", str(folder))
    get_settings.cache_clear()
    settings = get_settings()
    found = [f for f in lint(settings.templates_dir, settings) if f.severity == "error"]
    assert len(found) == 1, "\n".join(map(str, found))
    assert (found[0].file, found[0].line) == (str(path), 2)
    assert found[0].problem.startswith("too big: the format '%200000000s'")
