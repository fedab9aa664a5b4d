#!/usr/bin/env python3
"""Write the checked-in seed and regression inputs of fuzz_vpci_msg to corpus/.

Each input is a list of records [flags:1][len:2 LE][packet]; flags bit 0 asks
for a completion, bit 2 makes the host's ring full once for it, bit 3 has the
host fault it (kind 1 + (flags >> 4) % 5: error, drop, late, twice, eject).
Usage: mkseeds.py [--help]   (run from vmbus/tests/fuzz; overwrites corpus/)
"""
import os
import struct
import sys

BASE = 0x42490000
VERSION, RELATIONS, D0_ENTRY, D0_EXIT = BASE + 0x13, BASE + 0x01, BASE + 0x07, BASE + 0x08
RES_REQS, RES_ASSIGNED3, RES_RELEASED = BASE + 0x05, BASE + 0x1A, BASE + 0x11
CREATE1, CREATE3, DELETE = BASE + 0x14, BASE + 0x1B, BASE + 0x15
POWER = BASE + 0x04
MSI_ADDR = 0xFEE00000
DATA_BASE = 0x1000
COMP = 1
FAULT = 8
ERROR, DROP, LATE, TWICE, EJECT = (k << 4 for k in range(5))


def rec(pkt, flags=COMP):
    return struct.pack("<BH", flags, len(pkt)) + pkt


def version(v=0x10004, flags=COMP):
    return rec(struct.pack("<II", VERSION, v), flags)


def d0_entry(base=0xFA000000, flags=COMP):
    return rec(struct.pack("<IIQ", D0_ENTRY, 0, base), flags)


def create3(wslot, vector, count, cpus=(0,)):
    procs = list(cpus) + [0] * (32 - len(cpus))
    return rec(struct.pack("<IIIBBHH32H", CREATE3, wslot, vector, 0, 0, count,
                           len(cpus), *procs))


def create1(wslot, vector, count, mask=1):
    return rec(struct.pack("<IIBBHIQ", CREATE1, wslot, vector, 0, count, 0, mask))


def delete(wslot, data):
    return rec(struct.pack("<IIHHIQ", DELETE, wslot, 0, 0, data, MSI_ADDR))


def wslot(devfn):
    return ((devfn >> 3) & 0x1F) | ((devfn & 7) << 5)


def main():
    if len(sys.argv) > 1:
        print(__doc__.strip())
        return 0 if sys.argv[1] in ("-h", "--help") else 2
    seeds = {
        # the driver's normal start: version, relations, D0, resources
        "seed-handshake": version() + rec(struct.pack("<I", RELATIONS)) +
        d0_entry() + rec(struct.pack("<II", RES_REQS, wslot(0))) +
        create1(wslot(0), 0x41, 1) + create3(wslot(8), 0x42, 1, (1,)) +
        rec(struct.pack("<IIII", POWER, wslot(0), 1, 0)) +
        rec(struct.pack("<II", RES_RELEASED, wslot(0))) +
        rec(struct.pack("<I", D0_EXIT)),
        # regression: a multi-MSI block's head deleted after one of its
        # entries went to another function freed that function's entry
        "regress-multimsi-delete": version() + d0_entry() +
        create3(wslot(0), 0x40, 4) + delete(wslot(0), DATA_BASE + 1) +
        create3(wslot(1), 0x50, 1) + delete(wslot(0), DATA_BASE),
        # regression: CREATE_INTERRUPT3's 32-bit vector + count - 1 wrapped
        "regress-vector-wrap": version() + d0_entry() +
        create3(wslot(0), 0xFFFFFFF0, 32),
        # regression: one pass handled every packet the guest kept adding
        "regress-pass-bound": version() + d0_entry() +
        b"".join(rec(struct.pack("<IIII", POWER, wslot(0), 1, 0), 0)
                 for _ in range(300)),
        # regression: CREATE_INTERRUPT3 (1.4) was served on a 1.1 bus
        "regress-version-gate": version(0x10001) + d0_entry() +
        create3(wslot(0), 0x40, 1),
        # completions deferred by a full ring, then sent
        "seed-ring-full": version() + rec(struct.pack("<I", RELATIONS), COMP | 4) +
        d0_entry(),
        # host faults: a late version answer, an error and a twice-sent D0,
        # a dropped resources query, an eject at create-interrupt, and a
        # late D0 exit answered after the ring is empty
        "seed-host-faults": version(flags=COMP | FAULT | LATE) +
        d0_entry(flags=COMP | FAULT | ERROR) +
        d0_entry(flags=COMP | FAULT | TWICE) +
        rec(struct.pack("<II", RES_REQS, wslot(0)), COMP | FAULT | DROP) +
        rec(create1(wslot(0), 0x41, 1)[3:], COMP | FAULT | EJECT) +
        rec(struct.pack("<I", D0_EXIT), COMP | FAULT | LATE),
    }
    os.makedirs("corpus", exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join("corpus", name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
