// SPDX-License-Identifier: MIT
/*
 * The GGUF reader over the fuzzer's seed corpus: each good-*.gguf loads and
 * each bad-*.gguf is rejected with a message naming a field and a byte
 * offset. Then the writer's output read back, value by value.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ea_gguf.h"
#include "ea_gguf_write.h"
#include "ea_tap.h"

#define CORPUS "tests/fuzz/corpus/gguf"

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool is_gguf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".gguf") == 0;
}

static int select_gguf(const struct dirent *d)
{
	return is_gguf(d);
}

static void check_corpus_file(struct tap *t, const char *name)
{
	char path[512];
	struct ea_error err = { { 0 } };
	bool bad = strncmp(name, "bad-", 4) == 0;
	struct ea_gguf *g = NULL;
	ea_status status;

	snprintf(path, sizeof(path), "%s/%s", CORPUS, name);
	status = ea_gguf_open(path, &g, &err);
	if (!bad) {
		tap_ok(t, status == EA_OK && g, "%s loads%s%s", name, status ? ": " : "",
		       status ? err.msg : "");
	} else {
		bool named = strstr(err.msg, " at offset ") && (strchr(err.msg, ':') != NULL);

		tap_ok(t, status != EA_OK && !g && named, "%s rejected: %s (%s)", name, err.msg,
		       ea_strerror(status));
	}
	ea_gguf_close(g);
}

/* The good file with every value type: each value as make-corpus.py wrote it. */
static bool check_all_types(void)
{
	const struct ea_gguf_str *strs;
	const struct ea_gguf_kv *nested;
	const float *f;
	const char *arch;
	struct ea_gguf *g;
	struct ea_error err;
	uint32_t u32;
	int32_t i32;
	uint64_t n, u64;
	float f32;
	bool b, ok;

	if (ea_gguf_open(CORPUS "/good-all-types.gguf", &g, &err) != EA_OK)
		return false;
	nested = ea_gguf_find_key(g, "t.nested");
	ok = ea_gguf_get_str(g, "general.architecture", &arch) == EA_OK && !strcmp(arch, "llama") &&
	     ea_gguf_get_u32(g, "t.u32", &u32) == EA_OK && u32 == 4000000000u &&
	     ea_gguf_get_u32(g, "t.u8", &u32) == EA_OK && u32 == 200 &&
	     ea_gguf_get_i32(g, "t.i32", &i32) == EA_OK && i32 == -7 &&
	     ea_gguf_get_i32(g, "t.i16", &i32) == EA_OK && i32 == -300 &&
	     ea_gguf_get_i32(g, "t.u32", &i32) == EA_ERR_FORMAT &&
	     ea_gguf_get_u32(g, "t.i8", &u32) == EA_ERR_FORMAT &&
	     ea_gguf_get_u64(g, "t.u64", &u64) == EA_OK && u64 == 1ull << 40 &&
	     ea_gguf_get_u32(g, "t.u64", &u32) == EA_ERR_FORMAT &&
	     ea_gguf_get_f32(g, "t.f32", &f32) == EA_OK && f32 == 0.5f &&
	     ea_gguf_get_f32(g, "t.f64", &f32) == EA_OK && f32 == 2.25f &&
	     ea_gguf_get_bool(g, "t.bool", &b) == EA_OK && b &&
	     ea_gguf_get_u32(g, "missing", &u32) == EA_ERR_NOT_FOUND &&
	     ea_gguf_get_arr_str(g, "t.strs", &strs, &n) == EA_OK && n == 3 &&
	     strs[1].len == 0 && !strcmp(strs[2].s, "<|endoftext|>") &&
	     ea_gguf_get_arr_f32(g, "t.f32s", &f, &n) == EA_OK && n == 2 && f[1] == -2.0f &&
	     ea_gguf_get_arr_i32(g, "t.f32s", NULL, &n) == EA_ERR_FORMAT &&
	     nested && nested->value.arr.type == EA_GGUF_ARRAY && nested->value.arr.n == 2 &&
	     ((const struct ea_gguf_array *)nested->value.arr.data)[0].type == EA_GGUF_I32 &&
	     ea_gguf_n_tensors(g) == 2 && ea_gguf_find_tensor(g, "w.weight") &&
	     ea_gguf_find_tensor(g, "w.weight")->type == EA_TYPE_Q8_0 &&
	     ea_gguf_find_tensor(g, "w.weight")->ne[1] == 2 &&
	     ea_gguf_find_tensor(g, "w.weight")->nbytes == 68 &&
	     ea_gguf_find_tensor(g, "nope") == NULL;
	ea_gguf_close(g);
	return ok;
}

/* Write a file with the writer, tensor data in uneven pieces, and read it back. */
static bool check_writer_round_trip(void)
{
	char path[] = "/tmp/edgeai-test-gguf-XXXXXX";
	static const char *const words[] = { "alpha", "", "g\xc3\xa9" };
	static const int32_t ints[] = { -1, 0, 7 };
	static const uint64_t ne_a[] = { 3, 5 }, ne_b[] = { 64 };
	const struct ea_gguf_tensor *a, *b;
	const struct ea_gguf_str *strs;
	const int32_t *i32s;
	struct ea_gguf_writer *w;
	struct ea_gguf *g;
	struct ea_error err;
	uint8_t data[64 / 32 * 34];
	float fa[15];
	uint64_t n;
	uint32_t u;
	bool ok;
	int fd = mkstemp(path);

	if (fd < 0)
		return false;
	close(fd);
	for (int i = 0; i < 15; i++)
		fa[i] = (float)i * 0.25f;
	memset(data, 0x11, sizeof(data));
	ok = ea_gguf_writer_open(path, 64, &w, &err) == EA_OK &&
	     ea_gguf_writer_u32(w, "x.u32", 123) == EA_OK &&
	     ea_gguf_writer_u32(w, "x.u32", 1) == EA_ERR_INVALID_ARGUMENT &&
	     ea_gguf_writer_arr_str(w, "x.words", words, NULL, 3) == EA_OK &&
	     ea_gguf_writer_arr_i32(w, "x.ints", ints, 3) == EA_OK &&
	     ea_gguf_writer_tensor(w, "a", EA_TYPE_F32, 2, ne_a) == EA_OK &&
	     ea_gguf_writer_tensor(w, "b", EA_TYPE_Q8_0, 1, ne_b) == EA_OK &&
	     ea_gguf_writer_data(w, fa, 7 * sizeof(float)) == EA_OK &&
	     ea_gguf_writer_data(w, fa + 7, 8 * sizeof(float)) == EA_OK &&
	     ea_gguf_writer_data(w, data, sizeof(data)) == EA_OK &&
	     ea_gguf_writer_finish(w, &err) == EA_OK;
	if (!ok || ea_gguf_open(path, &g, &err) != EA_OK) {
		unlink(path);
		return false;
	}
	a = ea_gguf_find_tensor(g, "a");
	b = ea_gguf_find_tensor(g, "b");
	ok = ea_gguf_alignment(g) == 64 && ea_gguf_get_u32(g, "x.u32", &u) == EA_OK && u == 123 &&
	     ea_gguf_get_arr_str(g, "x.words", &strs, &n) == EA_OK && n == 3 &&
	     !strcmp(strs[2].s, words[2]) && strs[1].len == 0 &&
	     ea_gguf_get_arr_i32(g, "x.ints", &i32s, &n) == EA_OK && n == 3 && i32s[0] == -1 &&
	     a && b && a->ne[0] == 3 && a->ne[1] == 5 && a->nbytes == 60 &&
	     !memcmp(a->data, fa, 60) && b->offset % 64 == 0 && b->nbytes == sizeof(data) &&
	     !memcmp(b->data, data, sizeof(data));
	ea_gguf_close(g);
	unlink(path);
	return ok;
}

/* A writer given too little data fails at finish and leaves no file. */
static bool check_writer_short(void)
{
	char path[] = "/tmp/edgeai-test-gguf-XXXXXX";
	static const uint64_t ne[] = { 8 };
	struct ea_gguf_writer *w;
	float x[8] = { 0 };
	struct ea_error err = { { 0 } };
	int fd = mkstemp(path);
	bool ok;

	if (fd < 0)
		return false;
	close(fd);
	ok = ea_gguf_writer_open(path, 0, &w, &err) == EA_OK &&
	     ea_gguf_writer_tensor(w, "t", EA_TYPE_F32, 1, ne) == EA_OK &&
	     ea_gguf_writer_data(w, x, 4 * sizeof(float)) == EA_OK &&
	     ea_gguf_writer_finish(w, &err) == EA_ERR_INVALID_ARGUMENT &&
	     access(path, F_OK) != 0 && strstr(err.msg, "16 of its 32 bytes");
	unlink(path);
	return ok;
}

int main(void)
{
	struct dirent **names;
	struct tap t = { 0 };
	int n;

	/* The corpus is relative to the repository root, where tests/run-all runs. */
	n = scandir(CORPUS, &names, select_gguf, by_name);
	if (n < 0) {
		printf("1..0 # SKIP no corpus at %s\n", CORPUS);
		return 0;
	}
	tap_plan(&t, n + 5);
	for (int i = 0; i < n; i++) {
		check_corpus_file(&t, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	tap_ok(&t, check_all_types(), "good-all-types.gguf: every value type, typed getters, tensors");
	tap_ok(&t, check_writer_round_trip(), "the writer's file reads back (keys, arrays, tensors, alignment 64)");
	tap_ok(&t, check_writer_short(), "a writer short of data fails and removes the file");
	{
		struct ea_gguf *g;
		struct ea_error err = { { 0 } };

		tap_ok(&t, ea_gguf_open("/nonexistent/x.gguf", &g, &err) == EA_ERR_IO &&
			   !g && strstr(err.msg, "/nonexistent/x.gguf"),
		       "a missing file: EA_ERR_IO, %s", err.msg);
		tap_ok(&t, ea_gguf_open(".", &g, &err) == EA_ERR_IO, "a folder: EA_ERR_IO, %s",
		       err.msg);
	}
	return tap_done(&t);
}
