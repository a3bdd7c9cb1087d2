// SPDX-License-Identifier: MIT
/* ea_hash - SHA-256 through OpenSSL's EVP digest interface. */
#include <openssl/err.h>
#include <openssl/evp.h>

#include "ea_hash.h"

/*
 * Remember the first failure and OpenSSL's reason for it: the first error in
 * the thread's queue, which init emptied, so the root cause of this failure.
 */
static void fail(struct ea_sha256 *h, ea_status status, const char *step)
{
	if (h->failed)
		return;
	h->failed = step;
	h->status = status;
	h->ssl_error = ERR_get_error();
	ERR_clear_error();
}

static ea_status report(const struct ea_sha256 *h, struct ea_error *err)
{
	char why[256] = "OpenSSL queued no reason";

	if (h->ssl_error)
		ERR_error_string_n(h->ssl_error, why, sizeof(why));
	return ea_error_set(err, h->status, "SHA-256 (OpenSSL): %s failed: %s", h->failed, why);
}

void ea_sha256_init(struct ea_sha256 *h)
{
	ERR_clear_error();
	*h = (struct ea_sha256){ .ctx = EVP_MD_CTX_new() };
	if (!h->ctx)
		fail(h, EA_ERR_NO_MEMORY, "allocating a digest context");
	else if (!EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL))
		fail(h, EA_ERR_UNSUPPORTED, "EVP_DigestInit_ex");
}

void ea_sha256_update(struct ea_sha256 *h, const void *data, size_t bytes)
{
	if (!h->failed && !EVP_DigestUpdate(h->ctx, data, bytes))
		fail(h, EA_ERR_UNSUPPORTED, "EVP_DigestUpdate");
}

ea_status ea_sha256_final(struct ea_sha256 *h, uint8_t digest[EA_SHA256_BYTES],
			  struct ea_error *err)
{
	unsigned int n = 0;

	if (!h->failed && (!EVP_DigestFinal_ex(h->ctx, digest, &n) || n != EA_SHA256_BYTES))
		fail(h, EA_ERR_UNSUPPORTED, "EVP_DigestFinal_ex");
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	return h->failed ? report(h, err) : EA_OK;
}

ea_status ea_sha256(const void *data, size_t bytes, uint8_t digest[EA_SHA256_BYTES],
		    struct ea_error *err)
{
	struct ea_sha256 h;

	ea_sha256_init(&h);
	ea_sha256_update(&h, data, bytes);
	return ea_sha256_final(&h, digest, err);
}
