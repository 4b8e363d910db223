"""The table of every ZIP is built once per process, however many threads need it at once."""

import threading

from nurture import geo

THREADS = 8


def test_eight_threads_past_the_one_by_one_look_ups_build_the_zip_table_once(monkeypatch):
    builds = []
    every_record = geo.every_zip_record

    def counted():
        builds.append(threading.get_ident())
        yield from every_record()

    monkeypatch.setattr(geo, "every_zip_record", counted)
    monkeypatch.setattr(geo, "ZIP_TABLE_AFTER", 0)  # every look-up goes to the table
    monkeypatch.setattr(geo, "_zip_seen", {})
    geo._zip_records.cache_clear()
    start = threading.Barrier(THREADS)
    answers = []

    def look_up():
        start.wait()
        answers.append(geo.zip_info("33101"))

    try:
        threads = [threading.Thread(target=look_up) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        geo._zip_records.cache_clear()
    assert len(builds) == 1
    # 33101 is a Miami ZIP.
    assert answers == [{"state": "FL", "timezone": "America/New_York"}] * THREADS
