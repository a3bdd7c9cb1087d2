// SPDX-License-Identifier: MIT
/* ea_shaders - find an embedded shader by name. */
#include <string.h>

#include "ea_shaders.h"

const struct ea_shader *ea_shader_find(const char *name)
{
	for (size_t i = 0; i < ea_shader_count; i++)
		if (strcmp(ea_shader_table[i].name, name) == 0)
			return &ea_shader_table[i];
	return NULL;
}
