// SPDX-License-Identifier: MIT
/*
 * test_route_serve.c - routed generation against a real `edgeai serve` on
 * loopback as the cloud (a synthesized model four times the local one's
 * size, CPU reference): an offloaded answer streams from it; the server
 * killed (SIGKILL) after the first streamed piece -> the answer completes
 * locally from its partial text, and the caller is told; the dead port next
 * -> local. The local model is a tiny synthesized one on the CPU reference.
 */
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ea_tap.h"
#include "ea_test_tool.h"
#include "edgeai.h"

#define PROMPT "Package: vim\nDescription:"
#define N_TOKENS 64
#define START_TIMEOUT_MS 60000

struct fixture {
	char tmp[64], edgeai[PATH_MAX], local[128], cloud[128], config[128], log[128];
	pid_t server;
	int port;
	struct ea_model *model;
	struct ea_session *session;
};

static bool server_start(struct fixture *f)
{
	f->server = fork();
	if (f->server == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (!freopen(f->log, "w", stderr))
			_exit(127);
		execl(f->edgeai, f->edgeai, "serve", "-m", f->cloud, "--cpu", "--port", "0",
		      "--model-name", "cloud", (char *)NULL);
		_exit(127);
	}
	for (int waited = 0; f->server > 0 && waited < START_TIMEOUT_MS; waited += 20) {
		f->port = ea_test_read_port(f->log);
		if (f->port)
			return true;
		usleep(20000);
	}
	return false;
}

static bool setup(struct fixture *f)
{
	char *local[] = { f->edgeai, "synth", "--type", "f16", "--ctx", "256", "-o", f->local,
			  NULL };
	char *cloud[] = { f->edgeai, "synth", "--type", "f16", "--layers", "4", "--dim", "512",
			  "--heads", "8", "--kv-heads", "4", "--ffn", "1024", "--ctx", "256",
			  "-o", f->cloud, NULL };
	struct ea_session_options so = { .engine = EA_ENGINE_CPU, .n_threads = 1 };
	char why[512];
	FILE *c;

	snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_route_serve.XXXXXX");
	if (!ea_test_edgeai_path(f->edgeai, sizeof(f->edgeai)) || !mkdtemp(f->tmp))
		return false;
	snprintf(f->local, sizeof(f->local), "%s/local.gguf", f->tmp);
	snprintf(f->cloud, sizeof(f->cloud), "%s/cloud.gguf", f->tmp);
	snprintf(f->config, sizeof(f->config), "%s/cloud.json", f->tmp);
	snprintf(f->log, sizeof(f->log), "%s/serve.log", f->tmp);
	if (ea_test_run_wait(local) || ea_test_run_wait(cloud) || !server_start(f))
		return false;
	c = fopen(f->config, "w");
	fprintf(c, "{\"endpoints\":[{\"base_url\":\"http://127.0.0.1:%d/v1\",\"model\":\"cloud\","
		"\"timeout_ms\":20000,\"retries\":1,\"backoff_ms\":10}]}\n", f->port);
	fclose(c);
	if (ea_model_open(f->local, NULL, NULL, &f->model, why, sizeof(why)) ||
	    ea_session_open(NULL, f->model, &so, &f->session, why, sizeof(why))) {
		tap_diag("%s", why);
		return false;
	}
	return true;
}

static void teardown(struct fixture *f)
{
	if (f->server > 0) {
		kill(f->server, SIGKILL);
		waitpid(f->server, NULL, 0);
	}
	ea_session_close(f->session);
	ea_model_close(f->model);
	unlink(f->local);
	unlink(f->cloud);
	unlink(f->config);
	unlink(f->log);
	rmdir(f->tmp);
}

/* The pieces as the caller saw them; kills the server after the first. */
struct streamed {
	char text[8192];
	size_t len;
	pid_t kill_after_first;
};

static int on_text(const char *text, size_t len, void *user)
{
	struct streamed *s = user;

	if (s->len + len < sizeof(s->text)) {
		memcpy(s->text + s->len, text, len);
		s->len += len;
		s->text[s->len] = '\0';
	}
	if (s->kill_after_first > 0) {
		kill(s->kill_after_first, SIGKILL);
		waitpid(s->kill_after_first, NULL, 0);
		s->kill_after_first = 0;
	}
	return 0;
}

static struct ea_router *router(struct fixture *f)
{
	struct ea_router_options o = { .cloud_config = f->config };
	struct ea_router *r = NULL;
	char why[512];

	if (ea_router_open(NULL, &o, &r, why, sizeof(why)))
		tap_diag("ea_router_open: %s", why);
	return r;
}

static char *local_answer(struct fixture *f, const char *prompt, int max_tokens)
{
	struct ea_generate_params p = { .prompt = prompt, .max_tokens = max_tokens,
					.ignore_eos = true };
	struct ea_generate_result r;

	return ea_generate(f->session, &p, NULL, NULL, &r) ? strdup("(failed)") : strdup(r.text);
}

static void test_offload(struct tap *t, struct fixture *f, struct ea_router *r)
{
	struct ea_generate_params p = { .prompt = PROMPT, .max_tokens = 16, .ignore_eos = true };
	struct ea_route_params rp = { .force = EA_ROUTE_FORCE_CLOUD };
	struct streamed seen = { .len = 0 };
	struct ea_route_result res;
	ea_status st = ea_generate_routed(r, f->session, &p, &rp, on_text, &seen, &res);

	tap_ok(t, st == EA_OK && res.where == EA_RAN_CLOUD && res.text_len > 0 &&
	       !strcmp(seen.text, res.text) && res.ttft_ms > 0,
	       "offloaded to edgeai serve: %zu bytes streamed, TTFT %.1f ms, %.0f tok/s",
	       res.text_len, res.ttft_ms, res.tokens_per_s);
}

static void test_killed(struct tap *t, struct fixture *f, struct ea_router *r)
{
	struct ea_generate_params p = { .prompt = PROMPT, .max_tokens = N_TOKENS,
					.ignore_eos = true };
	struct ea_route_params rp = { .force = EA_ROUTE_FORCE_CLOUD };
	struct streamed seen = { .len = 0, .kill_after_first = f->server };
	struct ea_route_result res;
	char prompt[8192], *rest, want[16384], partial[8192];
	ea_status st = ea_generate_routed(r, f->session, &p, &rp, on_text, &seen, &res);
	size_t n_partial = 0;

	f->server = 0;
	snprintf(partial, sizeof(partial), "%.*s", (int)res.cloud_bytes, res.text);
	ea_tokenize(f->model, partial, strlen(partial), EA_TEXT_NO_BOS, NULL, 0, &n_partial);
	snprintf(prompt, sizeof(prompt), "%s%s", PROMPT, partial);
	rest = local_answer(f, prompt, N_TOKENS - (int)n_partial);
	snprintf(want, sizeof(want), "%s%s", partial, rest);
	tap_ok(t, st == EA_OK && res.where == EA_RAN_LOCAL_AFTER_FALLBACK && res.cut &&
	       res.cloud_bytes > 0 && res.fallback_reason[0],
	       "server killed mid-stream: the caller is told (%s, %zu bytes from the cloud: %s)",
	       ea_route_where_name(res.where), res.cloud_bytes, res.fallback_reason);
	if (!tap_ok(t, !strcmp(res.text, want) && !strcmp(seen.text, want) &&
		    res.finish_reason == EA_FINISH_LENGTH,
		    "... and the answer completes locally from the partial text (%zu bytes)",
		    res.text_len))
		tap_diag("got '%s'\n# want '%s'", res.text, want);
	free(rest);
}

static void test_refused(struct tap *t, struct fixture *f, struct ea_router *r)
{
	struct ea_generate_params p = { .prompt = PROMPT, .max_tokens = 16, .ignore_eos = true };
	struct ea_route_params rp = { .force = EA_ROUTE_FORCE_CLOUD };
	struct ea_route_result res;
	char *want = local_answer(f, PROMPT, 16);
	ea_status st = ea_generate_routed(r, f->session, &p, &rp, NULL, NULL, &res);

	tap_ok(t, st == EA_OK && res.where == EA_RAN_LOCAL_AFTER_FALLBACK && !res.cut &&
	       !strcmp(res.text, want),
	       "the dead server's port refuses: completes locally (%s)", res.fallback_reason);
	free(want);
}

int main(void)
{
	struct tap t = { 0 };
	struct fixture f = { .server = 0 };
	struct ea_router *r;

	bool ready;

	alarm(180);
	tap_plan(&t, 5);
	ready = setup(&f);

	if (!tap_ok(&t, ready, "edgeai serve with a synthesized cloud model listens (port %d)",
		    f.port)) {
		teardown(&f);
		return tap_done(&t);
	}
	r = router(&f);
	test_offload(&t, &f, r);
	test_killed(&t, &f, r);
	test_refused(&t, &f, r);
	ea_router_close(r);
	teardown(&f);
	return tap_done(&t);
}
