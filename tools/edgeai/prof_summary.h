/* SPDX-License-Identifier: MIT */
/* prof_summary - edgeai prof's summary of a trace: each kind of span
 * (category and name) with its count, total and mean time, most time first;
 * then the GPU ops alone: count, mean time, share of the GPU's time, GB/s of
 * the bytes they bind (against @roofline_gbps when it is > 0) and GFLOP/s of
 * the matrix ops, from the bytes and flops the library put in their args;
 * then each layer's GPU time a run and its share. */
#ifndef PROF_SUMMARY_H
#define PROF_SUMMARY_H

#include "prof_trace.h"

void prof_summary_print(const struct prof_trace *t, double roofline_gbps);

#endif /* PROF_SUMMARY_H */
