/* see fuzz-shim.h in this directory; the wire format is the real one */
#include "fuzz-shim.h"
#include "hw/hyperv/hyperv-proto.h"
