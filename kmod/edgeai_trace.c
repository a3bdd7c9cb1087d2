// SPDX-License-Identifier: GPL-2.0-only
/* The tracepoints of edgeai_trace.h, defined once. */
#define CREATE_TRACE_POINTS
#include "edgeai_trace.h"
