/* SPDX-License-Identifier: MIT */
/* prof_summary - edgeai prof -- CMD's summary of a trace: each kind of span
 * (category and name) with its count, total and mean time, most time first. */
#ifndef PROF_SUMMARY_H
#define PROF_SUMMARY_H

#include "prof_trace.h"

void prof_summary_print(const struct prof_trace *t);

#endif /* PROF_SUMMARY_H */
