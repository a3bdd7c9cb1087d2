/* SPDX-License-Identifier: MIT */
/*
 * ea_vk_coopmat - whether the prompt matmul can run on the GPU's matrix units
 * (tensor cores) through VK_NV_cooperative_matrix: the extension, its
 * cooperativeMatrix feature, fp16 arithmetic, subgroups of 32 and a 16 x 16 x
 * 16 shape of fp16 A and B with fp32 C and D at subgroup scope. The kernels
 * (matmul_<type>_cm, shaders/matmul_cm_main.glsl) assume exactly that shape.
 */
#ifndef EA_VK_COOPMAT_H
#define EA_VK_COOPMAT_H

#include <stdbool.h>
#include <vulkan/vulkan.h>

/* Whether @physical offers the shape above (@instance resolves the query). */
bool ea_vk_coopmat_probe(VkInstance instance, VkPhysicalDevice physical, bool shader_float16,
			 uint32_t subgroup_size);

#endif
