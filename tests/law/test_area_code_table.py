"""The area-code table is built once per process, however many threads meet their first text at
once (a dramatiq worker's eight did: each built it, and the worker kept the garbage of eight builds;
the memory itself is bench/delivery_bench.py's figure, not a test's)."""

import threading

from nurture.law import location

THREADS = 8


def test_eight_threads_meeting_their_first_text_at_once_build_the_area_code_table_once(monkeypatch):
    builds = []
    every_record = location.every_zip_record

    def counted():
        builds.append(threading.get_ident())
        yield from every_record()

    monkeypatch.setattr(location, "every_zip_record", counted)
    location._area_codes.cache_clear()
    start = threading.Barrier(THREADS)
    answers = []

    def first_text():
        start.wait()
        answers.append(location.area_code_place("305"))

    try:
        threads = [threading.Thread(target=first_text) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        location._area_codes.cache_clear()
    assert len(builds) == 1
    # 305 is Miami's area code: Florida, Eastern time, for every thread alike.
    assert answers == [("FL", ("America/New_York",))] * THREADS
