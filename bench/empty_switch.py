#!/usr/bin/env python3
# An empty BPF program ("return 0") on the sched_switch raw tracepoint, held until SIGTERM or
# SIGINT: the fixed cost of running any program at every context switch of the box, which
# bench/sql_waits_cost.sh reads from its run_time_ns beside ktop's programs. No compiler needed:
# two instructions through the bpf(2) system call (x86_64). Needs root. Prints "attached".
import ctypes
import os
import signal
import struct
import sys

NR_BPF = 321
BPF_PROG_LOAD = 5
BPF_RAW_TRACEPOINT_OPEN = 17
BPF_PROG_TYPE_RAW_TRACEPOINT = 17

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def bpf(cmd, attr):
    """bpf(2) with an attribute buffer; the new file descriptor, or exit with the reason."""
    buf = ctypes.create_string_buffer(attr, 128)
    fd = libc.syscall(NR_BPF, cmd, buf, 128)
    if fd < 0:
        err = ctypes.get_errno()
        sys.exit("empty_switch.py: bpf(%d): %s" % (cmd, os.strerror(err)))
    return fd


# mov r0, 0; exit
insns = ctypes.create_string_buffer(struct.pack("<BBhi", 0xB7, 0, 0, 0) +
                                    struct.pack("<BBhi", 0x95, 0, 0, 0), 16)
lic = ctypes.create_string_buffer(b"GPL")
attr = struct.pack("<IIQQIIQII16s", BPF_PROG_TYPE_RAW_TRACEPOINT, 2,
                   ctypes.addressof(insns), ctypes.addressof(lic), 0, 0, 0, 0, 0,
                   b"empty_switch")
prog = bpf(BPF_PROG_LOAD, attr)
name = ctypes.create_string_buffer(b"sched_switch")
link = bpf(BPF_RAW_TRACEPOINT_OPEN, struct.pack("<QI", ctypes.addressof(name), prog))
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
print("attached", flush=True)
while True:
    signal.pause()
