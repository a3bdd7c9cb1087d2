/* SPDX-License-Identifier: MIT */
/*
 * ea_shaders - the SPIR-V of every shader in shaders/, embedded at build time.
 * shaders/embed.sh generates the table; ea_shaders.c looks shaders up.
 */
#ifndef EA_SHADERS_H
#define EA_SHADERS_H

#include <stddef.h>
#include <stdint.h>

struct ea_shader {
	const char *name;	/* the source's base name: "dequant_q8_0" */
	const uint32_t *code;
	const uint32_t *end;	/* one past the last word */
};

extern const struct ea_shader ea_shader_table[];
extern const size_t ea_shader_count;

/* The shader called @name, or NULL when none is embedded. */
const struct ea_shader *ea_shader_find(const char *name);

/* Size of @shader's SPIR-V in bytes. */
static inline size_t ea_shader_size(const struct ea_shader *shader)
{
	return (size_t)(shader->end - shader->code) * sizeof(uint32_t);
}

#endif /* EA_SHADERS_H */
