/*
 * Hyper-V video for the hvpci stand-in: wire format of the synthetic video
 * protocol and the host's "range in use by the framebuffer"
 *
 * Protocol facts (message numbers, layouts, version encoding) as the Linux
 * guest driver uses them; the names and structure here are our own.
 *
 * This work is licensed under the terms of the GNU GPL, version 2 or later.
 * See the COPYING file in the top-level directory.
 */

#ifndef HW_HYPERV_VIDEO_HV_VIDEO_H
#define HW_HYPERV_VIDEO_HV_VIDEO_H

/* --- synthetic video wire format (all little endian, packed) ----------- */

#define SYNTHVID_CLASS_GUID     "da0a7802-e377-4aac-8e77-0558eb1073f8"

/* A version is major in the low 16 bits, minor in the high 16 bits */
#define SYNTHVID_VER(major, minor)  (((uint32_t)(minor) << 16) | (major))
#define SYNTHVID_VER_WIN7       SYNTHVID_VER(3, 0)
#define SYNTHVID_VER_WIN8       SYNTHVID_VER(3, 2)
#define SYNTHVID_VER_WIN10      SYNTHVID_VER(3, 5)

/* Every packet starts with a pipe header; only data packets carry video */
#define SYNTHVID_PIPE_DATA      1

enum {
    SV_MSG_ERROR = 0,
    SV_MSG_VERSION_REQ = 1,
    SV_MSG_VERSION_RESP = 2,
    SV_MSG_VRAM_LOCATION = 3,
    SV_MSG_VRAM_ACK = 4,
    SV_MSG_SITUATION = 5,
    SV_MSG_SITUATION_ACK = 6,
    SV_MSG_POINTER_POS = 7,
    SV_MSG_POINTER_SHAPE = 8,
    SV_MSG_FEATURE_CHANGE = 9,
    SV_MSG_DIRT = 10,
    SV_MSG_RESOLUTION_REQ = 13,
    SV_MSG_RESOLUTION_RESP = 14,
};

#define SV_EDID_SIZE            128
#define SV_MAX_RESOLUTIONS      64

typedef struct QEMU_PACKED SvHeader {
    uint32_t pipe_type;     /* SYNTHVID_PIPE_DATA */
    uint32_t pipe_size;     /* bytes after the pipe header */
    uint32_t type;          /* SV_MSG_* */
    uint32_t size;          /* this video header plus its payload */
} SvHeader;

typedef struct QEMU_PACKED SvVersionReq {
    uint32_t version;
} SvVersionReq;

typedef struct QEMU_PACKED SvVersionResp {
    uint32_t version;
    uint8_t accepted;
    uint8_t max_outputs;
} SvVersionResp;

typedef struct QEMU_PACKED SvResolution {
    uint16_t width;
    uint16_t height;
} SvResolution;

typedef struct QEMU_PACKED SvResolutionResp {
    uint8_t edid[SV_EDID_SIZE];
    uint8_t count;
    uint8_t default_index;
    uint8_t standard;
    SvResolution res[SV_MAX_RESOLUTIONS];
} SvResolutionResp;

typedef struct QEMU_PACKED SvVramLocation {
    uint64_t user_ctx;
    uint8_t gpa_specified;
    uint64_t gpa;
} SvVramLocation;

typedef struct QEMU_PACKED SvAck {
    uint64_t user_ctx;
} SvAck;

typedef struct QEMU_PACKED SvOutput {
    uint8_t active;
    uint32_t vram_offset;
    uint8_t depth;
    uint32_t width;
    uint32_t height;
    uint32_t pitch;
} SvOutput;

typedef struct QEMU_PACKED SvSituation {
    uint64_t user_ctx;
    uint8_t output_count;
    SvOutput output[1];
} SvSituation;

typedef struct QEMU_PACKED SvFeatureChange {
    uint8_t dirt_needed;
    uint8_t pointer_pos_needed;
    uint8_t pointer_shape_needed;
    uint8_t situation_needed;
} SvFeatureChange;

typedef struct QEMU_PACKED SvRect {
    int32_t x1, y1, x2, y2;
} SvRect;

typedef struct QEMU_PACKED SvDirt {
    uint8_t output;
    uint8_t count;
    SvRect rect[1];
} SvDirt;

/* --- the range the host considers in use by the framebuffer ------------ */

/*
 * On Hyper-V the host refuses a vPCI config window or BAR that overlaps the
 * guest's framebuffer as the host sees it:
 *  - Gen1: BAR 0 of the PCI video device (1414:5353), wherever the firmware
 *    or the guest put it;
 *  - Gen2: the framebuffer the firmware's GOP drew into, at the base of the
 *    low MMIO range; with hv-synthvid's "in-use=vram" the range follows
 *    the VRAM location the guest's synthetic video driver sets instead.  A
 *    location the guest set survives a VMBus unload (kexec, crash); a
 *    machine reset brings the firmware's back.
 * The Gen1 BAR wins when a Gen1 device exists.  Every change is pushed to
 * the vPCI buses.
 */
#define HV_VIDEO_UNMAPPED       UINT64_MAX

void hv_video_note_gen1_bar(uint64_t base, uint64_t size);
void hv_video_note_gen2(uint64_t base, uint64_t size);

/* The current range; false (and size 0) when nothing is in use */
bool hv_video_in_use(uint64_t *base, uint64_t *size);

#endif
