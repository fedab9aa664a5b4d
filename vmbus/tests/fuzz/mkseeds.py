#!/usr/bin/env python3
"""Write the checked-in seed and regression inputs of the fuzz targets to
corpus/<target>/ (see the harnesses for the input formats).

vpci: records [flags:1][len:2 LE][packet]; flags bit 0 asks for a completion,
bit 2 makes the host's ring full once for it, bit 3 has the host fault it
(kind 1 + (flags >> 4) % 6: error, drop, late, twice, eject, rescind).
synthvid: [config:1] then records [flags:1][len:2 LE][packet]; see
fuzz_synthvid.c.
vmbus: operations [op:1][arguments] (post a message, write guest memory,
put a packet in a ring, signal, choose how a message lands, reset); see
fuzz_vmbus.c.
known/<target>/ gets the inputs of bugs not fixed yet (none at present).
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
READ_BLOCK, WRITE_BLOCK = BASE + 0x09, BASE + 0x0A
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


def read_block(slot, block, size):
    return rec(struct.pack("<IIII", READ_BLOCK, block, slot, size))


def write_block(slot, block, data, count=None):
    count = len(data) if count is None else count
    return rec(struct.pack("<IIII", WRITE_BLOCK, block, slot, count) + data)


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
        # config blocks: a write read back whole and in part, the last
        # block, and the refusals (block 64, size 0 and 129, a byte count
        # past the packet, a slot with no function)
        "seed-config-blocks": version() +
        write_block(wslot(0), 3, bytes(range(128))) +
        read_block(wslot(0), 3, 128) + read_block(wslot(0), 3, 5) +
        write_block(wslot(8), 63, b"\xa5" * 4) + read_block(wslot(8), 63, 4) +
        read_block(wslot(0), 64, 4) + read_block(wslot(0), 0, 0) +
        read_block(wslot(0), 0, 129) +
        write_block(wslot(0), 1, b"\x01" * 8, count=200) +
        write_block(wslot(0x20), 0, b"\x01"),
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


# --- vmbus -------------------------------------------------------------------
# operations of fuzz_vmbus.c
OP_POST, OP_MEM, OP_SIGNAL, OP_VMBUS_EVENT, OP_MODE, OP_EOM, OP_RING = range(7)
OP_RINGHDR, OP_RESET = 7, 8
# VMBus message types and versions
VM_OPEN, VM_CLOSE, VM_REQUESTOFFERS, VM_GPADL_HEADER, VM_GPADL_BODY = 5, 7, 3, 8, 9
VM_GPADL_TEARDOWN, VM_RELID_RELEASED, VM_CONTACT, VM_UNLOAD = 11, 13, 14, 16
VM_WIN7, VM_V4 = 0x10001, 0x40000
PKT_INBAND, PKT_GPA_DIRECT, PKT_COMP_REQUESTED = 6, 9, 1


def post(msg_type, body=b""):
    msg = struct.pack("<II", msg_type, 0) + body
    return bytes([OP_POST, len(msg)]) + msg


def contact(version=VM_V4, vcpu=0, int_page=0):
    return post(VM_CONTACT, struct.pack("<IIQQQ", version, vcpu, int_page,
                                        0, 0))


def gpadl_header(gpadl_id, relid, pfns, in_header=None, count=None):
    """A GPADL of the given pages; pfns past in_header go in GPADL_BODY"""
    count = len(pfns) if count is None else count
    first = pfns if in_header is None else pfns[:in_header]
    rng = struct.pack("<II", count * 4096, 0) + b"".join(
        struct.pack("<Q", p) for p in first)
    out = post(VM_GPADL_HEADER, struct.pack("<IIHH", relid, gpadl_id,
                                            8 + 8 * count, 1) + rng)
    if in_header is not None:
        out += post(VM_GPADL_BODY, struct.pack("<II", 1, gpadl_id) +
                    b"".join(struct.pack("<Q", p) for p in pfns[in_header:]))
    return out


def open_chan(relid, gpadl_id, send_offset, vp=0, open_id=7):
    return post(VM_OPEN, struct.pack("<IIIII", relid, open_id, gpadl_id, vp,
                                     send_offset) + bytes(120))


def ring(chan, pkt):
    return bytes([OP_RING, chan, len(pkt)]) + pkt


def inband(payload, tid=1, flags=PKT_COMP_REQUESTED):
    return struct.pack("<HHHHQ", PKT_INBAND, 2, 2 + (len(payload) + 7) // 8,
                       flags, tid) + payload


def gpa_direct(ranges, payload=b"x" * 8, tid=2):
    desc = struct.pack("<II", 0, len(ranges))
    for count, offset, pfns in ranges:
        desc += struct.pack("<II", count, offset) + b"".join(
            struct.pack("<Q", p) for p in pfns)
    off = (16 + len(desc)) // 8
    return struct.pack("<HHHHQ", PKT_GPA_DIRECT, off,
                       off + (len(payload) + 7) // 8, PKT_COMP_REQUESTED,
                       tid) + desc + payload


def vmbus_regressions(connect, chan1, traffic):
    """One input per bug fixed in patches 0112 and 0113; each fails before
    the fix"""
    dev_mem = [8, 0x100001, 0x100002, 0x100003, 12, 0x100005, 0x100006,
               0x100007]
    return {
        # a GPADL_HEADER whose range buffer is shorter than its one range:
        # 2^32 - 1 pages, a 32 GiB allocation
        "regress-gpadl-range-buflen": connect +
        post(VM_GPADL_HEADER, struct.pack("<IIHHII", 1, 1, 0, 1, 0xfffff000,
                                          0) + struct.pack("<Q", 8)),
        # a GPA-direct packet whose range count exceeds its descriptor:
        # the scatter-gather hint wrapped to 0xb000000 entries (2.8 GB)
        "regress-gpa-direct-rangecount": connect + chan1 +
        ring(0, struct.pack("<HHHHQII", PKT_GPA_DIRECT, 3, 4, 1, 5, 0,
                            0xf5000000) + bytes(8)) + bytes([OP_SIGNAL, 0]),
        # UNLOAD before INITIATE_CONTACT, and a contact for VP 0xffffffff:
        # a message posted on no SINT route
        "regress-unload-before-contact": post(VM_UNLOAD) +
        contact(vcpu=0xffffffff) + contact(vcpu=5) + post(VM_UNLOAD),
        # a pre-Win8 interrupt page that is not page aligned
        "regress-int-page-unaligned": contact(VM_WIN7, 0, 60 * 4096 + 4) +
        post(VM_REQUESTOFFERS) + bytes([OP_VMBUS_EVENT]) + chan1 +
        ring(0, inband(b"old")),
        # GPADL_BODY for a GPADL that is already complete
        "regress-gpadl-body-complete": connect + chan1 +
        post(VM_GPADL_BODY, struct.pack("<IIQ", 1, 1, 9)),
        # OPENCHANNEL with ring_buffer_offset 0xffffffff (offset + 1 wrapped)
        "regress-ring-offset-wrap": connect + gpadl_header(1, 1, list(range(8, 16))) +
        open_chan(1, 1, 0xffffffff),
        # both rings' data in a device's memory (bounce buffer), starting half
        # way through a page: the copy ran past the bounce buffer
        "regress-bounce-offset": connect +
        bytes([OP_MEM, 8, 0, 0, 8]) + struct.pack("<II", 0x900, 0x900) +
        bytes([OP_MEM, 12, 0, 0, 8]) + struct.pack("<II", 0x900, 0x900) +
        gpadl_header(1, 1, dev_mem) + open_chan(1, 1, 4) + traffic,
        # a completion sent while the receive ring holds the bounce buffer:
        # the failed map (NULL) was unmapped
        "regress-bounce-busy": connect + gpadl_header(1, 1, dev_mem) +
        open_chan(1, 1, 4) + bytes([OP_MEM, 65, 0, 0, 24]) +
        inband(b"") + bytes(8) + bytes([OP_RINGHDR, 0, 0]) +
        struct.pack("<I", 24) + bytes([OP_SIGNAL, 0]),
        # 0113: a message waiting for the guest's EOM (its slot busy) kept
        # its SINT route across the VMBus reset of a machine reset, and
        # hyperv.c's synic_reset() asserted that no route was left
        "regress-busy-slot-reset": bytes([OP_MODE, 1]) + contact() +
        bytes([OP_RESET]),
    }


def vmbus_seeds():
    # contact, offers, a GPADL of 8 RAM pages (4 receive, 4 send), open
    connect = contact() + post(VM_REQUESTOFFERS)
    chan1 = gpadl_header(1, 1, list(range(8, 16))) + open_chan(1, 1, 4)
    traffic = (ring(0, inband(b"hello!!!")) + ring(0, inband(b"x" * 40, 2, 0)) +
               ring(0, gpa_direct([(8192, 0, [20, 21])])) +
               bytes([OP_SIGNAL, 0]))
    down = (post(VM_CLOSE, struct.pack("<I", 1)) +
            post(VM_GPADL_TEARDOWN, struct.pack("<II", 1, 1)) + post(VM_UNLOAD))
    return dict(vmbus_regressions(connect, chan1, traffic), **{
        "seed-session": connect + chan1 + traffic + down,
        # a new INITIATE_CONTACT while the answer to the first waits for the
        # guest's EOM: it queues behind it, then resets the session
        "seed-busy-slot-recontact": bytes([OP_MODE, 1]) + contact() +
        contact() + bytes([OP_EOM]),
        # two channels, the GPADL of the second through a GPADL_BODY, on vCPU 1
        "seed-two-channels": connect + chan1 +
        gpadl_header(2, 2, list(range(24, 40)), in_header=4) +
        open_chan(2, 2, 8, vp=1) + ring(1, inband(b"second")) + traffic +
        post(VM_RELID_RELEASED, struct.pack("<I", 2)),
        # a pre-Win8 guest: the interrupt page, signals through the VMBus event
        "seed-win7-int-page": contact(VM_WIN7, 0, 60 * 4096) +
        post(VM_REQUESTOFFERS) + chan1 + ring(0, inband(b"old")) +
        bytes([OP_VMBUS_EVENT]) + bytes([OP_MEM, 60, 0, 8, 1]) +
        struct.pack("<Q", 2) + bytes([OP_VMBUS_EVENT]),
        # message slots busy until the guest's EOM, a lost message page, and
        # a machine reset in the middle of a session
        "seed-slots": bytes([OP_MODE, 1]) + connect + bytes([OP_EOM]) +
        bytes([OP_MODE, 1]) + chan1 + bytes([OP_EOM, OP_EOM]) + traffic +
        bytes([OP_RESET]) + connect + bytes([OP_MODE, 2]) + chan1 + connect,
        # ring headers the guest scribbles on: indexes, mask, pending size
        "seed-ring-headers": connect + chan1 +
        bytes([OP_RINGHDR, 0, 4]) + struct.pack("<I", 0xffff) +
        bytes([OP_RINGHDR, 0, 7]) + struct.pack("<I", 64) + traffic +
        bytes([OP_RINGHDR, 0, 5]) + struct.pack("<I", 0) +
        bytes([OP_RINGHDR, 0, 2]) + struct.pack("<I", 1) + traffic,
        # a ring GPADL partly outside RAM (bounce buffer paths): the send
        # ring's header in unassigned space, then data pages of both rings
        # in a device's memory (pfn 0x100000 up, reached by bounce only)
        "seed-ring-mmio": connect + gpadl_header(1, 1, [8, 9, 10, 11, 0x200000,
                                                        13, 14, 15]) +
        open_chan(1, 1, 4) + traffic,
        "seed-ring-device-memory": connect +
        gpadl_header(1, 1, [8, 0x100001, 0x100002, 0x100003, 12, 0x100005,
                            0x100006, 0x100007]) +
        # both rings start half way through a page of device memory
        bytes([OP_MEM, 8, 0, 0, 8]) + struct.pack("<II", 0x900, 0x900) +
        bytes([OP_MEM, 12, 0, 0, 8]) + struct.pack("<II", 0x900, 0x900) +
        open_chan(1, 1, 4) + traffic + bytes([OP_RINGHDR, 0, 1]) +
        struct.pack("<I", 0x20) + bytes([OP_RINGHDR, 0, 0]) +
        struct.pack("<I", 0x20) + ring(0, inband(b"offset")) +
        bytes([OP_SIGNAL, 0]),
    })


def vmbus_known():
    """Inputs of bugs not fixed yet (known/<target>/); none at present"""
    return {}


def main():
    if len(sys.argv) > 1:
        print(__doc__.strip())
        return 0 if sys.argv[1] in ("-h", "--help") else 2
    for where, seeds in (("corpus/vpci", vpci_seeds()),
                         ("corpus/synthvid", synthvid_seeds()),
                         ("corpus/vmbus", vmbus_seeds()),
                         ("known/vmbus", vmbus_known())):
        if not seeds:
            continue
        os.makedirs(where, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(where, name), "wb") as f:
                f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
