# SPDX-License-Identifier: GPL-2.0
# A Python process blocking about 1500 times a second in five threads, for
# tests/bpf/test_unwind.sh: a 10 ms sleeper, a pipe reader and its writer (a byte every 2 ms),
# a half-busy thread (1 ms of work, 1 ms of sleep) and an Event waiter (50 ms time-outs).
#   python3 busy_threads.py SECONDS
# It prints "ready" once every thread runs, and exits after SECONDS.
import os
import sys
import threading
import time

end = time.monotonic() + float(sys.argv[1])


def sleeper():
    while time.monotonic() < end:
        time.sleep(0.01)


def reader(fd):
    while os.read(fd, 1):
        pass


def writer(fd):
    while time.monotonic() < end:
        os.write(fd, b"x")
        time.sleep(0.002)
    os.close(fd)


def half_busy():
    while time.monotonic() < end:
        t = time.monotonic() + 0.001
        while time.monotonic() < t:
            pass
        time.sleep(0.001)


def waiter(ev):
    while time.monotonic() < end:
        ev.wait(0.05)


r, w = os.pipe()
threads = [threading.Thread(target=f, args=a) for f, a in
           ((sleeper, ()), (reader, (r,)), (writer, (w,)), (half_busy, ()),
            (waiter, (threading.Event(),)))]
for t in threads:
    t.start()
print("ready", flush=True)
for t in threads:
    t.join()
