#!/usr/bin/env python3
"""Write the checked-in seeds of fuzz_msg to corpus/msg (see msg.README)."""
import os
import struct

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "msg")


def func(slot, serial, v2):
    e = struct.pack("<HHBBBBIII", 0x1AF4, 0x1000, 1, 2, 8, 1, 0xABCD1414, slot, serial)
    return e + (struct.pack("<IHH", 1, 0, 0) if v2 else b"")


def packet(ptype, data, trans=0):
    data += b"\0" * (-len(data) % 8)
    return struct.pack("<HHHHQ", ptype, 2, 2 + len(data) // 8, 0, trans) + data


def seed(name, head, vectors, body):
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes([head, vectors]) + body)


os.makedirs(out, exist_ok=True)
rel1 = struct.pack("<II", 0x42490000, 2) + func(0x00, 1, False) + func(0x21, 2, False)
rel2 = struct.pack("<II", 0x42490019, 2) + func(0x01, 1, True) + func(0x02, 2, True)
eject = struct.pack("<II", 0x4249000B, 0x21)
inval = struct.pack("<IIQ", 0x42490012, 0x01, 3)
bars = struct.pack("<6I", 0xFFF00000, 0xFFFFC00C, 0xFFFFFFFF, 0xFFFFFF01, 0, 0)
reqs = struct.pack("<i", 0) + bars
intr = struct.pack("<iIHHIQ", 0, 0, 0, 4, 0x4040, 0xFEE00000)
block = struct.pack("<i", 0) + bytes(range(16))
seed("packet-relations", 0x01, 0, packet(6, rel1))
seed("packet-relations2", 0x02, 0, packet(6, rel2))
seed("packet-eject", 0x03, 0, packet(6, eject))
seed("packet-invalidate", 0x00, 0, packet(6, inval))
seed("packet-resource-reqs", 0x03, 0, packet(11, reqs, 7))
seed("packet-create-int", 0x03, 4, packet(11, intr, 8))
seed("packet-read-block", 0x01, 16, packet(11, block, 9))
seed("incoming-relations2", 0x04 | 0x02, 0, rel2)
seed("reply-create-int", 0x08 | 0x01, 4, intr)
seed("bars", 0x0C, 0, bars + struct.pack("<QQ", 0x1000, 0x4000))
# Function lifetime: eject fn 1, eject it again, drop it; drop fn 2.
seed("lifetime", 0x10, 0, bytes([0x03, 0x03, 0x02, 0x04]))
# Near the limits: two 64-bit BARs of 2^62, two 32-bit BARs of 2 GiB.
seed("bars-huge64", 0x0C, 0, struct.pack("<6I", 4, 0xC0000000, 4, 0xC0000000, 0, 0))
seed("bars-4g32", 0x0C, 0, struct.pack("<6I", 0x80000000, 0x80000000, 0, 0, 0, 0))
