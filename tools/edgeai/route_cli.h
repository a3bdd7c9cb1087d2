/* SPDX-License-Identifier: MIT */
/* What edgeai ask, probe and top share: where the probe's figures are kept. */
#ifndef EDGEAI_ROUTE_CLI_H
#define EDGEAI_ROUTE_CLI_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The probe cache file: $EDGEAI_PROBE_CACHE, else
 * $HOME/.cache/edgeai/cloud-probe.json (its folder created when @make_dir).
 * False when neither variable is set or the path does not fit.
 */
bool route_cli_cache_path(char *out, size_t n, bool make_dir);

#endif /* EDGEAI_ROUTE_CLI_H */
