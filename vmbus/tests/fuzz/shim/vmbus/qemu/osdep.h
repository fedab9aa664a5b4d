/* see fuzz-shim.h in this directory */
#include "fuzz-shim.h"
