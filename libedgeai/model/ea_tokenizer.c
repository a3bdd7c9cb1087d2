// SPDX-License-Identifier: MIT
/* ea_tokenizer - GPT-2 byte-level BPE and SentencePiece-style BPE from GGUF metadata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ea_utf8.h"
#include "ea_tokenizer.h"

/* tokenizer.ggml.token_type values (llama.cpp's llama_token_type). */
#define TOKEN_TYPE_NORMAL 1
#define TOKEN_TYPE_CONTROL 3
#define TOKEN_TYPE_BYTE 6

#define SPM_SPACE "\xe2\x96\x81"	/* U+2581, SentencePiece's space */
#define SPM_SPACE_LEN 3

struct piece {
	const char *s;
	uint32_t len;
};

/* Open addressing from byte strings to values; keys are not owned. */
struct strmap {
	struct piece *keys;
	int32_t *values;
	uint64_t mask;
};

struct ea_tokenizer {
	enum ea_tokenizer_model model;
	uint32_t n_vocab;
	struct piece *tokens;		/* the vocab's strings */
	struct piece *decoded;		/* what each token decodes to */
	int32_t *types;
	float *scores;
	char *text;			/* storage of tokens, decoded pieces and merges */
	struct strmap vocab;		/* token string -> id */
	struct strmap merges;		/* gpt2: "left right" -> rank */
	int32_t bos, eos, unk;
	bool add_bos, add_space_prefix;
	int32_t byte_token[256];	/* token of each byte (gpt2: its mapped char; llama: <0xXX>) */
	uint32_t byte_cp[256];		/* gpt2: the code point standing for each byte */
	int32_t *specials;		/* control tokens, longest first */
	size_t n_specials;
};

struct ids {
	int32_t *v;
	size_t n, cap;
};

static bool push_id(struct ids *ids, int32_t id)
{
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? 2 * ids->cap : 64;
		int32_t *v = realloc(ids->v, cap * sizeof(*v));

		if (!v)
			return false;
		ids->v = v;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
	return true;
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

static bool strmap_init(struct strmap *m, size_t n)
{
	uint64_t cap = 16;

	while (cap < 2 * (uint64_t)n)
		cap *= 2;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->values = calloc(cap, sizeof(*m->values));
	m->mask = cap - 1;
	return m->keys && m->values;
}

static void strmap_free(struct strmap *m)
{
	free(m->keys);
	free(m->values);
}

static uint64_t strmap_slot(const struct strmap *m, const char *s, size_t len)
{
	uint64_t i = hash_bytes(s, len) & m->mask;

	while (m->keys[i].s && (m->keys[i].len != len || memcmp(m->keys[i].s, s, len) != 0))
		i = (i + 1) & m->mask;
	return i;
}

/* Insert unless present (the first of duplicates wins). */
static void strmap_put(struct strmap *m, const char *s, size_t len, int32_t value)
{
	uint64_t i = strmap_slot(m, s, len);

	if (m->keys[i].s)
		return;
	m->keys[i].s = s;
	m->keys[i].len = (uint32_t)len;
	m->values[i] = value;
}

static int32_t strmap_get(const struct strmap *m, const char *s, size_t len)
{
	uint64_t i = strmap_slot(m, s, len);

	return m->keys[i].s ? m->values[i] : -1;
}

/* One code point of UTF-8 at s (n > 0 bytes left); an invalid sequence is
 * one byte standing for itself, with code point 0xFFFD's class. */
static uint32_t utf8_next(const uint8_t *s, size_t n, size_t *len)
{
	uint32_t cp;
	size_t need;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		*len = 1;
		return 0xfffd;
	}
	if (need > n)
		need = 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			need = 0;
			break;
		}
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*len = need ? need : 1;
	return need ? cp : 0xfffd;
}

enum cp_class { CP_OTHER, CP_LETTER, CP_NUMBER, CP_SPACE };

struct cp_range {
	uint32_t lo, hi;
};

static bool in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

/*
 * The classes of GPT-2's pattern (\p{L}, \p{N}, \s): exact for ASCII and
 * Latin-1, and by the main blocks of letters and digits beyond (Latin, Greek,
 * Cyrillic, Hebrew, Arabic, Indic, CJK, kana, Hangul, full-width forms).
 */
static enum cp_class classify(uint32_t cp)
{
	static const struct cp_range spaces[] = {
		{ 0x09, 0x0d }, { 0x20, 0x20 }, { 0x85, 0x85 }, { 0xa0, 0xa0 },
		{ 0x1680, 0x1680 }, { 0x2000, 0x200a }, { 0x2028, 0x2029 }, { 0x202f, 0x202f },
		{ 0x205f, 0x205f }, { 0x3000, 0x3000 },
	};
	static const struct cp_range numbers[] = {
		{ '0', '9' }, { 0xb2, 0xb3 }, { 0xb9, 0xb9 }, { 0xbc, 0xbe }, { 0x660, 0x669 },
		{ 0x6f0, 0x6f9 }, { 0x966, 0x96f }, { 0x2070, 0x2079 }, { 0x2080, 0x2089 },
		{ 0x2150, 0x2189 }, { 0x2460, 0x249b }, { 0xff10, 0xff19 },
	};
	static const struct cp_range letters[] = {
		{ 'A', 'Z' }, { 'a', 'z' }, { 0xaa, 0xaa }, { 0xb5, 0xb5 }, { 0xba, 0xba },
		{ 0xc0, 0xd6 }, { 0xd8, 0xf6 }, { 0xf8, 0x2c1 }, { 0x370, 0x373 }, { 0x376, 0x377 },
		{ 0x37b, 0x37d }, { 0x386, 0x386 }, { 0x388, 0x3ff }, { 0x400, 0x481 },
		{ 0x48a, 0x52f }, { 0x531, 0x556 }, { 0x561, 0x587 }, { 0x5d0, 0x5ea },
		{ 0x620, 0x64a }, { 0x671, 0x6d3 }, { 0x904, 0x939 }, { 0xe01, 0xe30 },
		{ 0x10a0, 0x10ff }, { 0x1e00, 0x1fff }, { 0x3041, 0x3096 }, { 0x30a1, 0x30fa },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xac00, 0xd7a3 }, { 0xff21, 0xff3a },
		{ 0xff41, 0xff5a },
	};

	if (in_ranges(cp, spaces, sizeof(spaces) / sizeof(spaces[0])))
		return CP_SPACE;
	if (in_ranges(cp, numbers, sizeof(numbers) / sizeof(numbers[0])))
		return CP_NUMBER;
	if (in_ranges(cp, letters, sizeof(letters) / sizeof(letters[0])))
		return CP_LETTER;
	return CP_OTHER;
}

static enum cp_class class_at(const uint8_t *s, size_t n, size_t *len)
{
	return classify(utf8_next(s, n, len));
}

/* The end of the run of class @c starting at @i. */
static size_t run_end(const uint8_t *s, size_t n, size_t i, enum cp_class c)
{
	size_t len;

	while (i < n && class_at(s + i, n - i, &len) == c)
		i += len;
	return i;
}

/* Length of GPT-2's contraction ('s 't 're 've 'm 'll 'd) at s, or 0. */
static size_t contraction(const uint8_t *s, size_t n)
{
	static const char *const forms[] = { "'s", "'t", "'re", "'ve", "'m", "'ll", "'d" };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t len = strlen(forms[i]);

		if (len <= n && memcmp(s, forms[i], len) == 0)
			return len;
	}
	return 0;
}

/*
 * The length of the next piece of GPT-2's pattern at s:
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 */
static size_t gpt2_piece(const uint8_t *s, size_t n)
{
	size_t len, i = 0, end;
	enum cp_class c;

	if ((len = contraction(s, n)))
		return len;
	if (s[0] == ' ' && n > 1)
		i = 1;
	c = class_at(s + i, n - i, &len);
	if (c != CP_SPACE)
		return run_end(s, n, i, c);
	/* Whitespace: all of it at the end of the text, else all but the last
	 * character, which goes with what follows (as " ?" or on its own). */
	end = run_end(s, n, 0, CP_SPACE);
	if (end == n)
		return end;
	{
		size_t last = 0, at = 0;

		while (at < end) {
			last = at;
			utf8_next(s + at, end - at, &len);
			at += len;
		}
		return last > 0 ? last : end;
	}
}

/*
 * BPE merging shared by both models: symbols are byte ranges of @text, given
 * by @start[0..*n_sym] (symbol i is start[i]..start[i+1]). Repeatedly merge
 * the adjacent pair of the lowest priority from @prio (false: the pair does
 * not merge), the leftmost on ties, until no pair merges; @start then holds
 * the final symbols. A heap of candidate pairs makes this O(n log n): an
 * entry whose symbols changed since it was pushed is skipped when popped.
 */
typedef bool (*pair_prio_fn)(const struct ea_tokenizer *tok, const char *text, uint32_t left,
			     uint32_t mid, uint32_t right, char *scratch, double *prio);

struct merge_cand {
	double prio;
	uint32_t left, right;	/* symbol indices (their order is the text's) */
	uint32_t end;		/* right's end when pushed: unchanged means still valid */
};

struct merge_state {
	const struct ea_tokenizer *tok;
	const char *text;
	pair_prio_fn prio;
	char *scratch;
	uint32_t *begin, *end;	/* each symbol's range; begin == UINT32_MAX: merged away */
	int32_t *next, *prev;
	struct merge_cand *heap;
	size_t n_heap;
};

static bool cand_before(const struct merge_cand *a, const struct merge_cand *b)
{
	return a->prio < b->prio || (a->prio == b->prio && a->left < b->left);
}

static void heap_push(struct merge_state *m, struct merge_cand c)
{
	size_t i = m->n_heap++;

	while (i > 0 && cand_before(&c, &m->heap[(i - 1) / 2])) {
		m->heap[i] = m->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	m->heap[i] = c;
}

static struct merge_cand heap_pop(struct merge_state *m)
{
	struct merge_cand top = m->heap[0], last = m->heap[--m->n_heap];
	size_t i = 0;

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= m->n_heap)
			break;
		if (child + 1 < m->n_heap && cand_before(&m->heap[child + 1], &m->heap[child]))
			child++;
		if (!cand_before(&m->heap[child], &last))
			break;
		m->heap[i] = m->heap[child];
		i = child;
	}
	if (m->n_heap)
		m->heap[i] = last;
	return top;
}

/* Push the pair of symbol @l and its right neighbour, if they merge. */
static void push_pair(struct merge_state *m, int32_t l)
{
	int32_t r = l < 0 ? -1 : m->next[l];
	struct merge_cand c;

	if (r < 0 || !m->prio(m->tok, m->text, m->begin[l], m->begin[r], m->end[r], m->scratch,
			      &c.prio))
		return;
	c.left = (uint32_t)l;
	c.right = (uint32_t)r;
	c.end = m->end[r];
	heap_push(m, c);
}

static bool bpe_merge(const struct ea_tokenizer *tok, const char *text, uint32_t *start,
		      size_t *n_sym, pair_prio_fn prio, char *scratch)
{
	size_t n = *n_sym, out = 0;
	struct merge_state m = { .tok = tok, .text = text, .prio = prio, .scratch = scratch };
	bool ok;

	if (n < 2)
		return true;
	m.begin = malloc(n * sizeof(*m.begin));
	m.end = malloc(n * sizeof(*m.end));
	m.next = malloc(n * sizeof(*m.next));
	m.prev = malloc(n * sizeof(*m.prev));
	m.heap = malloc(3 * n * sizeof(*m.heap));	/* n - 1 pairs, then at most 2 a merge */
	ok = m.begin && m.end && m.next && m.prev && m.heap;
	for (size_t i = 0; ok && i < n; i++) {
		m.begin[i] = start[i];
		m.end[i] = start[i + 1];
		m.prev[i] = (int32_t)i - 1;
		m.next[i] = i + 1 < n ? (int32_t)i + 1 : -1;
	}
	for (size_t i = 0; ok && i + 1 < n; i++)
		push_pair(&m, (int32_t)i);
	while (ok && m.n_heap) {
		struct merge_cand c = heap_pop(&m);
		int32_t l = (int32_t)c.left, r = (int32_t)c.right;

		if (m.begin[l] == UINT32_MAX || m.next[l] != r || m.end[r] != c.end)
			continue;	/* stale: one of the two has merged since */
		m.end[l] = m.end[r];
		m.begin[r] = UINT32_MAX;
		m.next[l] = m.next[r];
		if (m.next[r] >= 0)
			m.prev[m.next[r]] = l;
		push_pair(&m, m.prev[l]);
		push_pair(&m, l);
	}
	for (int32_t i = 0; ok && i >= 0; i = m.next[i])
		start[out++] = m.begin[i];
	if (ok) {
		start[out] = start[n];
		*n_sym = out;
	}
	free(m.begin);
	free(m.end);
	free(m.next);
	free(m.prev);
	free(m.heap);
	return ok;
}

/* gpt2: a pair merges when "left right" is in the merges; its rank is the priority. */
static bool gpt2_pair(const struct ea_tokenizer *tok, const char *text, uint32_t left,
		      uint32_t mid, uint32_t right, char *key, double *prio)
{
	int32_t rank;

	memcpy(key, text + left, mid - left);
	key[mid - left] = ' ';
	memcpy(key + (mid - left) + 1, text + mid, right - mid);
	rank = strmap_get(&tok->merges, key, right - left + 1);
	*prio = rank;
	return rank >= 0;
}

/* llama: a pair merges when its union is a token; a higher score goes first. */
static bool spm_pair(const struct ea_tokenizer *tok, const char *text, uint32_t left,
		     uint32_t mid, uint32_t right, char *scratch, double *prio)
{
	int32_t id = strmap_get(&tok->vocab, text + left, right - left);

	(void)mid;
	(void)scratch;
	if (id < 0)
		return false;
	*prio = -(double)tok->scores[id];
	return true;
}

/* BPE by merge rank over the mapped bytes of one piece; appends ids. */
static bool gpt2_bpe(const struct ea_tokenizer *tok, const char *mapped, size_t n,
		     struct ids *out)
{
	size_t n_sym = 0, len;
	uint32_t *start = malloc((n + 1) * sizeof(*start));
	char *key = malloc(n + 2);
	bool ok = start && key;

	for (size_t i = 0; ok && i < n; i += len) {
		utf8_next((const uint8_t *)mapped + i, n - i, &len);
		start[n_sym++] = (uint32_t)i;
	}
	if (ok)
		start[n_sym] = (uint32_t)n;
	ok = ok && bpe_merge(tok, mapped, start, &n_sym, gpt2_pair, key);
	for (size_t i = 0; ok && i < n_sym; i++) {
		int32_t id = strmap_get(&tok->vocab, mapped + start[i], start[i + 1] - start[i]);

		if (id >= 0) {
			ok = push_id(out, id);
			continue;
		}
		/* A merge result missing from the vocab: its characters one by one. */
		for (size_t at = start[i]; ok && at < start[i + 1]; at += len) {
			utf8_next((const uint8_t *)mapped + at, start[i + 1] - at, &len);
			id = strmap_get(&tok->vocab, mapped + at, len);
			ok = push_id(out, id >= 0 ? id : tok->unk);
		}
	}
	free(start);
	free(key);
	return ok;
}

static bool gpt2_encode(const struct ea_tokenizer *tok, const uint8_t *s, size_t n,
			struct ids *out)
{
	char *mapped = malloc(2 * n + 1);
	bool ok = mapped != NULL;

	for (size_t i = 0; ok && i < n;) {
		size_t len = gpt2_piece(s + i, n - i), m = 0;

		for (size_t j = 0; j < len; j++)
			m += ea_utf8_put(mapped + m, tok->byte_cp[s[i + j]]);
		ok = gpt2_bpe(tok, mapped, m, out);
		i += len;
	}
	free(mapped);
	return ok;
}

/* SentencePiece-style: merge the adjacent pair whose union is the token of
 * the highest score (leftmost on ties) until none is in the vocab. The whole
 * text is one run of symbols, so the merging must not be quadratic. */
static bool spm_encode(const struct ea_tokenizer *tok, const uint8_t *s, size_t n, bool prefix,
		       struct ids *out)
{
	size_t cap = (n + 1) * SPM_SPACE_LEN, m = 0, n_sym = 0, len;
	char *text = malloc(cap);
	uint32_t *start = malloc((cap + 1) * sizeof(*start));
	bool ok = text && start;

	if (ok && prefix) {
		memcpy(text, SPM_SPACE, SPM_SPACE_LEN);
		m = SPM_SPACE_LEN;
	}
	for (size_t i = 0; ok && i < n; i++) {
		if (s[i] == ' ') {
			memcpy(text + m, SPM_SPACE, SPM_SPACE_LEN);
			m += SPM_SPACE_LEN;
		} else {
			text[m++] = (char)s[i];
		}
	}
	for (size_t i = 0; ok && i < m; i += len) {
		utf8_next((const uint8_t *)text + i, m - i, &len);
		start[n_sym++] = (uint32_t)i;
	}
	if (ok)
		start[n_sym] = (uint32_t)m;
	ok = ok && bpe_merge(tok, text, start, &n_sym, spm_pair, NULL);
	for (size_t i = 0; ok && i < n_sym; i++) {
		int32_t id = strmap_get(&tok->vocab, text + start[i], start[i + 1] - start[i]);

		if (id >= 0) {
			ok = push_id(out, id);
			continue;
		}
		for (uint32_t at = start[i]; ok && at < start[i + 1]; at++) {
			int32_t b = tok->byte_token[(uint8_t)text[at]];

			ok = push_id(out, b >= 0 ? b : tok->unk);
		}
	}
	free(text);
	free(start);
	return ok;
}

/* The control token whose text starts at s, longest first; -1 if none. */
static int32_t special_at(const struct ea_tokenizer *tok, const char *s, size_t n)
{
	for (size_t k = 0; k < tok->n_specials; k++) {
		const struct piece *p = &tok->tokens[tok->specials[k]];

		if (p->len <= n && p->s[0] == s[0] && memcmp(p->s, s, p->len) == 0)
			return tok->specials[k];
	}
	return -1;
}

/* A stretch of text between control tokens. SentencePiece puts "▁" in front
 * of each (as llama.cpp does), so that every one starts as a word would. */
static bool encode_text(const struct ea_tokenizer *tok, const char *s, size_t n, struct ids *out)
{
	if (n == 0)
		return true;
	if (tok->model == EA_TOKENIZER_GPT2)
		return gpt2_encode(tok, (const uint8_t *)s, n, out);
	return spm_encode(tok, (const uint8_t *)s, n, tok->add_space_prefix, out);
}

ea_status ea_tokenizer_encode(const struct ea_tokenizer *tok, const char *text, size_t len,
			      unsigned flags, int32_t **ids, size_t *n_ids)
{
	struct ids out = { 0 };
	bool ok = true;
	size_t from = 0;

	if (!tok || (!text && len) || !ids || !n_ids)
		return EA_ERR_INVALID_ARGUMENT;
	if ((flags & EA_TOKENIZE_ADD_BOS) && tok->bos >= 0)
		ok = push_id(&out, tok->bos);
	for (size_t i = 0; ok && i < len && (flags & EA_TOKENIZE_SPECIAL); i++) {
		int32_t id = special_at(tok, text + i, len - i);

		if (id < 0)
			continue;
		ok = encode_text(tok, text + from, i - from, &out) && push_id(&out, id);
		i += tok->tokens[id].len - 1;
		from = i + 1;
	}
	if (ok)
		ok = encode_text(tok, text + from, len - from, &out);
	if (!ok) {
		free(out.v);
		return EA_ERR_NO_MEMORY;
	}
	*ids = out.v;
	*n_ids = out.n;
	return EA_OK;
}

ea_status ea_tokenizer_decode(const struct ea_tokenizer *tok, int32_t id, const char **bytes,
			      size_t *len)
{
	if (!tok || id < 0 || (uint32_t)id >= tok->n_vocab || !bytes || !len)
		return EA_ERR_INVALID_ARGUMENT;
	*bytes = tok->decoded[id].s;
	*len = tok->decoded[id].len;
	return EA_OK;
}

ea_status ea_tokenizer_detokenize(const struct ea_tokenizer *tok, const int32_t *ids, size_t n,
				  unsigned flags, char **text, size_t *len)
{
	size_t total = 0, at = 0;
	bool strip = tok && tok->model == EA_TOKENIZER_LLAMA && tok->add_space_prefix;
	bool text_start = true;
	char *out;

	if (!tok || (!ids && n) || !text || !len)
		return EA_ERR_INVALID_ARGUMENT;
	for (size_t i = 0; i < n; i++) {
		if (ids[i] < 0 || (uint32_t)ids[i] >= tok->n_vocab)
			return EA_ERR_INVALID_ARGUMENT;
		total += tok->decoded[ids[i]].len;
	}
	out = malloc(total + 1);
	if (!out)
		return EA_ERR_NO_MEMORY;
	for (size_t i = 0; i < n; i++) {
		const struct piece *p = &tok->decoded[ids[i]];
		size_t skip = 0;

		if (tok->types[ids[i]] == TOKEN_TYPE_CONTROL) {
			text_start = true;
			if (!(flags & EA_DETOKENIZE_SPECIAL))
				continue;
		} else {
			if (strip && text_start && p->len && p->s[0] == ' ')
				skip = 1;
			text_start = false;
		}
		memcpy(out + at, p->s + skip, p->len - skip);
		at += p->len - skip;
	}
	out[at] = '\0';
	*text = out;
	*len = at;
	return EA_OK;
}

enum ea_tokenizer_model ea_tokenizer_model(const struct ea_tokenizer *tok)
{
	return tok->model;
}

uint32_t ea_tokenizer_n_vocab(const struct ea_tokenizer *tok)
{
	return tok->n_vocab;
}

int32_t ea_tokenizer_bos(const struct ea_tokenizer *tok)
{
	return tok->bos;
}

int32_t ea_tokenizer_eos(const struct ea_tokenizer *tok)
{
	return tok->eos;
}

bool ea_tokenizer_adds_bos(const struct ea_tokenizer *tok)
{
	return tok->add_bos;
}

bool ea_tokenizer_is_control(const struct ea_tokenizer *tok, int32_t id)
{
	return id >= 0 && (uint32_t)id < tok->n_vocab && tok->types[id] == TOKEN_TYPE_CONTROL;
}

/* An optional token id key: absent leaves *id, present must be in the vocab. */
static ea_status load_id(const struct ea_gguf *g, const char *key, uint32_t n_vocab, int32_t *id,
			 struct ea_error *err)
{
	uint32_t v;
	ea_status status = ea_gguf_get_u32(g, key, &v);

	if (status == EA_ERR_NOT_FOUND)
		return EA_OK;
	if (status != EA_OK || v >= n_vocab)
		return ea_error_set(err, EA_ERR_FORMAT, "%s: not a token id below %u", key,
				    n_vocab);
	*id = (int32_t)v;
	return EA_OK;
}

/* GPT-2's printable stand-ins for bytes: printable Latin-1 bytes stand for
 * themselves, the others for 256, 257, ... in order. */
static void gpt2_byte_map(uint32_t *byte_cp)
{
	uint32_t next = 256;

	for (int b = 0; b < 256; b++) {
		bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;

		byte_cp[b] = printable ? (uint32_t)b : next++;
	}
}

/* The code points GPT-2 maps bytes to are below this. */
#define GPT2_CP_END 324

/* Bytes of a gpt2 token: each mapped code point back to its byte (cp_byte,
 * -1 where a code point stands for no byte). */
static size_t gpt2_unmap(const int16_t *cp_byte, const struct piece *p, char *out)
{
	size_t n = 0, len;

	for (size_t i = 0; i < p->len; i += len) {
		uint32_t cp = utf8_next((const uint8_t *)p->s + i, p->len - i, &len);

		if (cp < GPT2_CP_END && cp_byte[cp] >= 0) {
			out[n++] = (char)cp_byte[cp];
		} else {
			memcpy(out + n, p->s + i, len);
			n += len;
		}
	}
	return n;
}

/* Bytes of a llama token: <0xXX> byte tokens are their byte, "▁" a space. */
static size_t spm_unmap(const struct ea_tokenizer *tok, int32_t id, const struct piece *p,
			char *out)
{
	size_t n = 0;
	unsigned byte;

	if (tok->types[id] == TOKEN_TYPE_BYTE && p->len == 6 && sscanf(p->s, "<0x%2X>", &byte) == 1) {
		out[0] = (char)byte;
		return 1;
	}
	for (size_t i = 0; i < p->len; i++) {
		if (p->len - i >= SPM_SPACE_LEN && memcmp(p->s + i, SPM_SPACE, SPM_SPACE_LEN) == 0) {
			out[n++] = ' ';
			i += SPM_SPACE_LEN - 1;
		} else {
			out[n++] = p->s[i];
		}
	}
	return n;
}

static int compare_special(const void *a, const void *b, void *arg)
{
	const struct ea_tokenizer *tok = arg;
	uint32_t la = tok->tokens[*(const int32_t *)a].len, lb = tok->tokens[*(const int32_t *)b].len;

	return la > lb ? -1 : la < lb;
}

/* Copy the vocab's strings and derive what decode() returns for each. */
static ea_status load_tokens(struct ea_tokenizer *tok, const struct ea_gguf_str *strs,
			     const struct ea_gguf_str *merges, uint64_t n_merges)
{
	size_t total = 0, at = 0;
	int16_t cp_byte[GPT2_CP_END];

	for (int i = 0; i < GPT2_CP_END; i++)
		cp_byte[i] = -1;
	for (int b = 0; b < 256 && tok->model == EA_TOKENIZER_GPT2; b++)
		cp_byte[tok->byte_cp[b]] = (int16_t)b;
	for (uint32_t i = 0; i < tok->n_vocab; i++)
		total += 2 * strs[i].len + 2;
	for (uint64_t i = 0; i < n_merges; i++)
		total += merges[i].len + 1;
	tok->text = malloc(total ? total : 1);
	tok->tokens = calloc(tok->n_vocab, sizeof(*tok->tokens));
	tok->decoded = calloc(tok->n_vocab, sizeof(*tok->decoded));
	tok->specials = calloc(tok->n_vocab, sizeof(*tok->specials));
	if (!tok->text || !tok->tokens || !tok->decoded || !tok->specials ||
	    !strmap_init(&tok->vocab, tok->n_vocab) || !strmap_init(&tok->merges, n_merges))
		return EA_ERR_NO_MEMORY;
	for (uint32_t i = 0; i < tok->n_vocab; i++) {
		struct piece *p = &tok->tokens[i], *d = &tok->decoded[i];

		p->s = memcpy(tok->text + at, strs[i].s, strs[i].len);
		p->len = (uint32_t)strs[i].len;
		at += p->len;
		d->s = tok->text + at;
		if (tok->types[i] == TOKEN_TYPE_CONTROL)
			d->len = (uint32_t)strs[i].len, memcpy(tok->text + at, p->s, p->len);
		else if (tok->model == EA_TOKENIZER_GPT2)
			d->len = (uint32_t)gpt2_unmap(cp_byte, p, tok->text + at);
		else
			d->len = (uint32_t)spm_unmap(tok, (int32_t)i, p, tok->text + at);
		at += p->len + 1;
		strmap_put(&tok->vocab, p->s, p->len, (int32_t)i);
		if (tok->types[i] == TOKEN_TYPE_CONTROL && p->len)
			tok->specials[tok->n_specials++] = (int32_t)i;
	}
	for (uint64_t i = 0; i < n_merges; i++) {
		char *m = memcpy(tok->text + at, merges[i].s, merges[i].len);

		strmap_put(&tok->merges, m, merges[i].len, (int32_t)i);
		at += merges[i].len + 1;
	}
	qsort_r(tok->specials, tok->n_specials, sizeof(*tok->specials), compare_special, tok);
	return EA_OK;
}

/* Every byte must have a token (its mapped char for gpt2, <0xXX> for llama)
 * unless an unknown token stands in. */
static ea_status load_byte_tokens(struct ea_tokenizer *tok, struct ea_error *err)
{
	for (int b = 0; b < 256; b++) {
		char s[8];
		size_t len;

		if (tok->model == EA_TOKENIZER_GPT2)
			len = ea_utf8_put(s, tok->byte_cp[b]);
		else
			len = (size_t)snprintf(s, sizeof(s), "<0x%02X>", b);
		tok->byte_token[b] = strmap_get(&tok->vocab, s, len);
		if (tok->byte_token[b] < 0 && tok->unk < 0)
			return ea_error_set(err, EA_ERR_FORMAT, "tokenizer.ggml.tokens: no token "
					    "for byte 0x%02x and no unknown token", b);
	}
	return EA_OK;
}

static ea_status check_merges(const struct ea_gguf_str *merges, uint64_t n, struct ea_error *err)
{
	for (uint64_t i = 0; i < n; i++) {
		const char *space = memchr(merges[i].s, ' ', merges[i].len);

		if (!space || space == merges[i].s || space == merges[i].s + merges[i].len - 1)
			return ea_error_set(err, EA_ERR_FORMAT, "tokenizer.ggml.merges[%llu]: "
					    "'%.64s' is not \"LEFT RIGHT\"", (unsigned long long)i,
					    merges[i].s);
	}
	return EA_OK;
}

static ea_status load_arrays(struct ea_tokenizer *tok, const struct ea_gguf *g, uint64_t n,
			     struct ea_error *err)
{
	const int32_t *types;
	const float *scores;
	uint64_t m;
	ea_status status;

	tok->types = malloc(n * sizeof(*tok->types));
	tok->scores = calloc(n, sizeof(*tok->scores));
	if (!tok->types || !tok->scores)
		return EA_ERR_NO_MEMORY;
	for (uint64_t i = 0; i < n; i++)
		tok->types[i] = TOKEN_TYPE_NORMAL;
	status = ea_gguf_get_arr_i32(g, "tokenizer.ggml.token_type", &types, &m);
	if (status == EA_OK && m != n)
		return ea_error_set(err, EA_ERR_FORMAT,
				    "tokenizer.ggml.token_type has %llu entries for %llu tokens",
				    (unsigned long long)m, (unsigned long long)n);
	if (status == EA_OK)
		memcpy(tok->types, types, n * sizeof(*types));
	else if (status != EA_ERR_NOT_FOUND)
		return ea_error_set(err, status, "tokenizer.ggml.token_type: not an i32 array");
	status = ea_gguf_get_arr_f32(g, "tokenizer.ggml.scores", &scores, &m);
	if (status == EA_OK && m != n)
		return ea_error_set(err, EA_ERR_FORMAT,
				    "tokenizer.ggml.scores has %llu entries for %llu tokens",
				    (unsigned long long)m, (unsigned long long)n);
	if (status == EA_OK)
		memcpy(tok->scores, scores, n * sizeof(*scores));
	else if (status != EA_ERR_NOT_FOUND)
		return ea_error_set(err, status, "tokenizer.ggml.scores: not an f32 array");
	return EA_OK;
}

static ea_status load_model(struct ea_tokenizer *tok, const struct ea_gguf *g,
			    struct ea_error *err)
{
	const char *model;
	ea_status status = ea_gguf_get_str(g, "tokenizer.ggml.model", &model);

	if (status != EA_OK)
		return ea_error_set(err, status == EA_ERR_NOT_FOUND ? status : EA_ERR_FORMAT,
				    "tokenizer.ggml.model: %s", status == EA_ERR_NOT_FOUND ?
				    "missing" : "not a string");
	if (strcmp(model, "gpt2") == 0)
		tok->model = EA_TOKENIZER_GPT2;
	else if (strcmp(model, "llama") == 0)
		tok->model = EA_TOKENIZER_LLAMA;
	else
		return ea_error_set(err, EA_ERR_UNSUPPORTED, "tokenizer.ggml.model '%.64s' is "
				    "not supported (gpt2, llama are)", model);
	tok->add_bos = tok->model == EA_TOKENIZER_LLAMA;
	tok->add_space_prefix = tok->model == EA_TOKENIZER_LLAMA;
	if (ea_gguf_get_bool(g, "tokenizer.ggml.add_bos_token", &tok->add_bos) == EA_ERR_FORMAT ||
	    ea_gguf_get_bool(g, "tokenizer.ggml.add_space_prefix", &tok->add_space_prefix) ==
	    EA_ERR_FORMAT)
		return ea_error_set(err, EA_ERR_FORMAT,
				    "tokenizer.ggml.add_bos_token/add_space_prefix: not a bool");
	return EA_OK;
}

static ea_status load(struct ea_tokenizer *tok, const struct ea_gguf *g, struct ea_error *err)
{
	const struct ea_gguf_str *strs, *merges = NULL;
	uint64_t n, n_merges = 0;
	ea_status status = load_model(tok, g, err);

	if (status != EA_OK)
		return status;
	status = ea_gguf_get_arr_str(g, "tokenizer.ggml.tokens", &strs, &n);
	if (status != EA_OK || n == 0 || n > INT32_MAX)
		return ea_error_set(err, status == EA_ERR_NOT_FOUND ? status : EA_ERR_FORMAT,
				    "tokenizer.ggml.tokens: %s", status == EA_ERR_NOT_FOUND ?
				    "missing" : "not a non-empty array of strings");
	tok->n_vocab = (uint32_t)n;
	if (tok->model == EA_TOKENIZER_GPT2) {
		status = ea_gguf_get_arr_str(g, "tokenizer.ggml.merges", &merges, &n_merges);
		if (status != EA_OK)
			return ea_error_set(err,
					    status == EA_ERR_NOT_FOUND ? status : EA_ERR_FORMAT,
					    "tokenizer.ggml.merges: missing or not strings");
		status = check_merges(merges, n_merges, err);
		if (status != EA_OK)
			return status;
		gpt2_byte_map(tok->byte_cp);
	}
	tok->bos = tok->eos = tok->unk = -1;
	status = load_arrays(tok, g, n, err);
	if (status == EA_OK)
		status = load_id(g, "tokenizer.ggml.bos_token_id", tok->n_vocab, &tok->bos, err);
	if (status == EA_OK)
		status = load_id(g, "tokenizer.ggml.eos_token_id", tok->n_vocab, &tok->eos, err);
	if (status == EA_OK)
		status = load_id(g, "tokenizer.ggml.unknown_token_id", tok->n_vocab, &tok->unk,
				 err);
	if (status == EA_OK)
		status = load_tokens(tok, strs, merges, n_merges);
	if (status == EA_OK)
		status = load_byte_tokens(tok, err);
	if (status == EA_ERR_NO_MEMORY)
		ea_error_set(err, status, "out of memory loading a vocab of %u tokens",
			     tok->n_vocab);
	return status;
}

ea_status ea_tokenizer_load(const struct ea_gguf *g, struct ea_tokenizer **out,
			    struct ea_error *err)
{
	struct ea_tokenizer *tok;
	ea_status status;

	if (!g || !out)
		return ea_error_set(err, EA_ERR_INVALID_ARGUMENT, "ea_tokenizer_load: %s is NULL",
				    g ? "the tokenizer's pointer" : "the file");
	*out = NULL;
	tok = calloc(1, sizeof(*tok));
	if (!tok)
		return ea_error_set(err, EA_ERR_NO_MEMORY, "out of memory");
	status = load(tok, g, err);
	if (status != EA_OK) {
		ea_tokenizer_free(tok);
		return status;
	}
	*out = tok;
	return EA_OK;
}

void ea_tokenizer_free(struct ea_tokenizer *tok)
{
	if (!tok)
		return;
	free(tok->tokens);
	free(tok->decoded);
	free(tok->types);
	free(tok->scores);
	free(tok->text);
	free(tok->specials);
	strmap_free(&tok->vocab);
	strmap_free(&tok->merges);
	free(tok);
}
