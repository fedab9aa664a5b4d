#!/usr/bin/env python3
"""Write the checked-in seed and regression inputs of the fuzz targets to
corpus/<target>/ (see the harnesses for the input formats).

vpci: records [flags:1][len:2 LE][packet]; flags bit 0 asks for a completion,
bit 2 makes the host's ring full once for it, bit 3 has the host fault it
(kind 1 + (flags >> 4) % 5: error, drop, late, twice, eject).
synthvid: [config:1] then records [flags:1][len:2 LE][packet]; see
fuzz_synthvid.c.
Usage: mkseeds.py [--help]   (run from vmbus/tests/fuzz; overwrites the files
it writes, leaves the others)
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


def vpci_seeds():
    return {
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


# --- synthvid --------------------------------------------------------------
SV_VERSION_REQ, SV_VRAM_LOCATION, SV_SITUATION = 1, 3, 5
SV_POINTER_POS, SV_POINTER_SHAPE, SV_DIRT, SV_RESOLUTION_REQ = 7, 8, 10, 13
SV_WIN7, SV_WIN8, SV_WIN10 = 0x3, 0x20003, 0x50003
# config byte: max-version index, 4: in-use=vram, 8: fw-vram-base, 16: no bridge
SV_IN_USE_VRAM, SV_FW_BASE, SV_NO_BRIDGE = 4, 8, 16
# record flags: 2 not in-band, 4 ring full, 0x10 reopen, 0x20 VMBus reset,
# 0x40 machine reset
SV_RING_FULL, SV_REOPEN, SV_VMBUS_RESET, SV_MACHINE_RESET = 4, 0x10, 0x20, 0x40


def sv(msg_type, payload, flags=0, pipe=1):
    size = 8 + len(payload)
    pkt = struct.pack("<IIII", pipe, size, msg_type, size) + payload
    return struct.pack("<BH", flags, len(pkt)) + pkt


def sv_version(v=SV_WIN10, flags=0):
    return sv(SV_VERSION_REQ, struct.pack("<I", v), flags)


def sv_vram(gpa, ctx=0x1234, specified=1, flags=0):
    return sv(SV_VRAM_LOCATION, struct.pack("<QBQ", ctx, specified, gpa), flags)


def sv_situation(w=1024, h=768, depth=32, count=1):
    return sv(SV_SITUATION, struct.pack("<QBBIBIII", 0x77, count, 1, 0, depth,
                                        w, h, w * depth // 8))


def sv_dirt(rects):
    return sv(SV_DIRT, struct.pack("<BB", 0, len(rects)) +
              b"".join(struct.pack("<iiii", *r) for r in rects))


def synthvid_seeds():
    # hyperv_fb's start: version, resolutions (3.5), VRAM, situation, pointer
    start = (sv_version() + sv(SV_RESOLUTION_REQ, bytes([64])) +
             sv_vram(0xc0000000) + sv_situation() +
             sv(SV_POINTER_POS, struct.pack("<BBii", 1, 0, 10, 20)) +
             sv(SV_POINTER_SHAPE, struct.pack("<BBIIIII", 0, 0, 1, 1, 1, 0, 0) +
                bytes(16)) +
             sv_dirt([(0, 0, 1024, 768)]))
    return {
        "seed-start": bytes([2]) + start,
        "seed-start-win7": bytes([0]) + sv_version(SV_WIN7) +
        sv_version(SV_WIN10) + sv_vram(0xc0000000) + sv_situation(),
        # kexec: the new kernel finds the VRAM where the old one put it
        "seed-vram-vmbus-reset": bytes([2 | SV_IN_USE_VRAM]) + start +
        sv_version(SV_WIN10, SV_VMBUS_RESET) + sv_vram(0, specified=0) +
        sv_vram(0xd0000000),
        # a reboot brings back the firmware's framebuffer
        "seed-vram-machine-reset": bytes([2 | SV_IN_USE_VRAM | SV_FW_BASE]) +
        sv_version() + sv_vram(0xd0000000) +
        sv_version(SV_WIN10, SV_MACHINE_RESET) + sv_vram(0xe0001000) +
        sv_version(SV_WIN8, SV_REOPEN) + sv_vram(0xe0002000),
        # refused locations, answers the ring has no room for, odd packets
        "seed-refusals": bytes([1 | SV_NO_BRIDGE]) + sv_version(SV_WIN8) +
        sv_vram(0xc0000800) +
        sv_vram(0xfffffffffffff000) + sv_vram(0, specified=1) +
        sv_version(SV_WIN8, SV_RING_FULL) + sv(SV_RESOLUTION_REQ, bytes([0])) +
        sv(SV_SITUATION, b"", 0) + sv(99, b"x", 0) + sv(SV_DIRT, b"", 2) +
        sv(SV_VERSION_REQ, struct.pack("<I", SV_WIN10), pipe=2),
        # regression: VRAM location and situation were answered before any
        # version was agreed
        "regress-before-version": bytes([2]) + sv_vram(0xc0000000) +
        sv_situation() + sv_version(0x12345678) + sv_vram(0xc0000000),
        # regression: a 3.5 resolution request was answered on a 3.2 channel
        "regress-resolution-version": bytes([1]) + sv_version(SV_WIN8) +
        sv(SV_RESOLUTION_REQ, bytes([64])),
        # regression: a request for at most 0 resolutions got 1
        "regress-resolution-max": bytes([2]) + sv_version() +
        sv(SV_RESOLUTION_REQ, bytes([0])) + sv(SV_RESOLUTION_REQ, bytes([1])),
        # more moves than the stderr lines a boot gets
        "seed-vram-moves": bytes([2 | SV_IN_USE_VRAM]) +
        sv_version() +
        b"".join(sv_vram(0xc0000000 + i * 0x1000) for i in range(12)),
    }


def main():
    if len(sys.argv) > 1:
        print(__doc__.strip())
        return 0 if sys.argv[1] in ("-h", "--help") else 2
    for target, seeds in (("vpci", vpci_seeds()),
                          ("synthvid", synthvid_seeds())):
        os.makedirs(os.path.join("corpus", target), exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join("corpus", target, name), "wb") as f:
                f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
