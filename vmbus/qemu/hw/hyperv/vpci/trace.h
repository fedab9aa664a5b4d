#include "trace/trace-hw_hyperv_vpci.h"
