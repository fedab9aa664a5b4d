#include "trace/trace-hw_hyperv_video.h"
