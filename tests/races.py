"""Races as an attacker runs them: the same work released at the same moment in many threads."""

import threading


def at_the_same_moment(work, items) -> None:
    """Call ``work(item)`` for every item, each in its own thread, all released together by a
    barrier; returns once every thread has finished."""
    start = threading.Barrier(len(items))

    def when_all_are_ready(item):
        start.wait()
        work(item)

    threads = [threading.Thread(target=when_all_are_ready, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
