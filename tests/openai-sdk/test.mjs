// SPDX-License-Identifier: MIT
// The official OpenAI Node SDK (npm package `openai`) as a real client of
// `edgeai serve`: it starts the server on a free loopback port, lists the
// models, runs chat and completions streamed and not, checks the answers'
// shapes and that greedy text is the same either way, checks that the SDK
// sees the server's errors as its typed API errors, sends token-id prompts
// with echo and logprobs (and return_tokens_as_token_ids), streams a completion
// with logprobs and checks them against the whole answer's, stops the server
// with SIGTERM and expects exit status 0. Prints TAP. Every wait is bounded.
//
// Usage: node test.mjs EDGEAI_BINARY MODEL.gguf
import { spawn } from 'node:child_process';
import OpenAI from 'openai';
import { VERSION } from 'openai/version';

const WATCHDOG_MS = 180000;
const START_TIMEOUT_MS = 60000;
const EXIT_TIMEOUT_MS = 30000;
const MODEL = 'sdk-model';
const PROMPT = 'Package: vim\nDescription:';
const PLAN = 21;

let run = 0;
let failed = 0;

function ok(cond, name, diag) {
	run++;
	if (!cond)
		failed++;
	console.log(`${cond ? '' : 'not '}ok ${run} - ${name}`);
	if (!cond && diag !== undefined)
		console.log(`# ${String(diag).replace(/\n/g, '\n# ')}`);
	return cond;
}

// Run @fn; a throw is a failed check named @name.
async function check(name, fn) {
	try {
		await fn();
	} catch (e) {
		ok(false, name, e && e.stack ? e.stack : e);
	}
}

function startServer(bin, model) {
	const server = spawn(bin, ['serve', '-m', model, '--cpu', '--port', '0',
		'--model-name', MODEL, '--sessions', '2', '--queue', '4',
		'--max-tokens', '64', '--drain-timeout', '20'],
	{ stdio: ['ignore', 'ignore', 'pipe'] });
	let log = '';

	server.stderr.setEncoding('utf8');
	const port = new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no port in ${START_TIMEOUT_MS} ms:\n${log}`)),
			START_TIMEOUT_MS);
		server.stderr.on('data', (d) => {
			log += d;
			const m = log.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\/v1/);
			if (m) {
				clearTimeout(timer);
				resolve(Number(m[1]));
			}
		});
		server.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`edgeai serve exited with ${code}:\n${log}`));
		});
	});
	const exited = new Promise((resolve) => server.on('exit', (code, sig) => resolve(sig ? sig : code)));
	return { server, port, exited, log: () => log };
}

function withTimeout(promise, ms, what) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function streamText(stream, pick) {
	let text = '';
	let finish = null;
	let usage = null;
	let chunks = 0;

	for await (const chunk of stream) {
		chunks++;
		if (chunk.usage)
			usage = chunk.usage;
		const choice = chunk.choices[0];
		if (!choice)
			continue;
		text += pick(choice) ?? '';
		if (choice.finish_reason)
			finish = choice.finish_reason;
	}
	return { text, finish, usage, chunks };
}

async function main() {
	const [bin, model] = process.argv.slice(2);
	const greedy = { model: MODEL, max_tokens: 12, temperature: 0 };

	console.log(`1..${PLAN}`);
	console.log(`# openai SDK ${VERSION}, node ${process.version}, model ${model}`);
	const srv = startServer(bin, model);
	let port;
	try {
		port = await srv.port;
	} catch (e) {
		ok(false, 'edgeai serve starts', e.message);
		srv.server.kill('SIGKILL');
		return;
	}
	ok(true, `edgeai serve starts (port ${port})`);
	const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'none',
		timeout: 60000, maxRetries: 0 });

	await check('models.list', async () => {
		const list = await client.models.list();
		ok(list.data.length === 1 && list.data[0].id === MODEL, `models.list() -> ['${MODEL}']`,
			JSON.stringify(list.data));
	});

	let chatWhole = '';
	await check('chat, not streamed', async () => {
		const r = await client.chat.completions.create({ ...greedy,
			messages: [{ role: 'system', content: 'Debian packages' },
				{ role: 'user', content: PROMPT }] });
		const c = r.choices[0];
		chatWhole = c.message.content;
		ok(r.object === 'chat.completion' && typeof r.id === 'string' && r.model === MODEL &&
			typeof r.created === 'number' && c.index === 0 && c.message.role === 'assistant' &&
			typeof chatWhole === 'string' && chatWhole.length > 0 &&
			['stop', 'length'].includes(c.finish_reason),
		'chat.completions.create: a chat.completion with an assistant message', JSON.stringify(r));
		ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0 &&
			r.usage.completion_tokens <= 12 &&
			r.usage.total_tokens === r.usage.prompt_tokens + r.usage.completion_tokens,
		`chat usage: ${r.usage.prompt_tokens}+${r.usage.completion_tokens} tokens`,
		JSON.stringify(r.usage));
	});

	await check('chat, streamed', async () => {
		const stream = await client.chat.completions.create({ ...greedy, stream: true,
			messages: [{ role: 'system', content: 'Debian packages' },
				{ role: 'user', content: PROMPT }] });
		const s = await withTimeout(streamText(stream, (c) => c.delta.content), 60000, 'chat stream');
		ok(s.chunks > 2 && ['stop', 'length'].includes(s.finish), `chat streamed: ${s.chunks} chunks, finish_reason ${s.finish}`);
		ok(s.text === chatWhole, 'chat: greedy text streamed == not streamed',
			`${JSON.stringify(s.text)} vs ${JSON.stringify(chatWhole)}`);
	});

	let cmplWhole = '';
	await check('completions, not streamed', async () => {
		const r = await client.completions.create({ ...greedy, prompt: PROMPT });
		cmplWhole = r.choices[0].text;
		ok(r.object === 'text_completion' && typeof cmplWhole === 'string' && cmplWhole.length > 0 &&
			r.usage.completion_tokens > 0,
		`completions.create: a text_completion (${JSON.stringify(cmplWhole)})`, JSON.stringify(r));
	});

	await check('completions, streamed', async () => {
		const stream = await client.completions.create({ ...greedy, prompt: PROMPT, stream: true,
			stream_options: { include_usage: true } });
		const s = await withTimeout(streamText(stream, (c) => c.text), 60000, 'completions stream');
		ok(s.chunks > 2 && ['stop', 'length'].includes(s.finish), `completions streamed: ${s.chunks} chunks, finish_reason ${s.finish}`);
		ok(s.text === cmplWhole, 'completions: greedy text streamed == not streamed',
			`${JSON.stringify(s.text)} vs ${JSON.stringify(cmplWhole)}`);
		ok(s.usage && s.usage.completion_tokens > 0, 'stream_options.include_usage: a usage chunk',
			JSON.stringify(s.usage));
	});

	await check('stop strings and seeds', async () => {
		const args = { model: MODEL, prompt: PROMPT, max_tokens: 24, temperature: 0.8, seed: 7 };
		const [a, b] = [await client.completions.create(args), await client.completions.create(args)];
		ok(a.choices[0].text === b.choices[0].text, 'sampling with a seed is repeatable',
			`${JSON.stringify(a.choices[0].text)} vs ${JSON.stringify(b.choices[0].text)}`);
	});

	const expectError = async (name, status, code, fn) => {
		try {
			await fn();
			ok(false, name, 'no error');
		} catch (e) {
			ok(e instanceof OpenAI.APIError && e.status === status && e.code === code &&
				typeof e.message === 'string',
			name, `${e.constructor.name} ${e.status} ${e.code}: ${e.message}`);
		}
	};
	await expectError('an unknown model: NotFoundError 404 model_not_found', 404, 'model_not_found',
		() => client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }));
	await expectError('max_tokens over the limit: BadRequestError 400', 400, 'invalid_value',
		() => client.completions.create({ model: MODEL, prompt: 'a', max_tokens: 1000 }));
	await expectError('temperature 3: BadRequestError 400', 400, 'invalid_value',
		() => client.completions.create({ model: MODEL, prompt: 'a', temperature: 3 }));
	await expectError('n = 2: BadRequestError 400', 400, 'unsupported_parameter',
		() => client.completions.create({ model: MODEL, prompt: 'a', n: 2 }));

	await check('token ids, echo and logprobs', async () => {
		const ids = [1, 10, 20, 30, 40];
		const r = await client.completions.create({ model: MODEL, prompt: ids, echo: true,
			logprobs: 2, max_tokens: 3, temperature: 0 });
		const lp = r.choices[0].logprobs;
		ok(lp && lp.tokens.length === 8 && lp.token_logprobs[0] === null &&
			lp.token_logprobs.slice(1).every((v) => typeof v === 'number' && v <= 0) &&
			lp.top_logprobs.slice(1).every((t) => Object.keys(t).length >= 1 &&
				Object.keys(t).length <= 2) && lp.text_offset.length === 8,
		'completions.create with token ids, echo, logprobs 2: 8 tokens with logprobs and alternatives',
		JSON.stringify(r));
		const s = await client.completions.create({ model: MODEL, prompt: [...ids, 50], echo: true,
			logprobs: 0, max_tokens: 0, return_tokens_as_token_ids: true });
		const sl = s.choices[0].logprobs;
		ok(s.usage.completion_tokens === 0 && sl.tokens.length === 6 &&
			sl.tokens.every((t, i) => t === `token_id:${[...ids, 50][i]}`) &&
			s.usage.prompt_tokens_details && typeof s.usage.prompt_tokens_details.cached_tokens === 'number',
		'max_tokens 0 with echo scores the prompt; return_tokens_as_token_ids; usage.prompt_tokens_details.cached_tokens',
		JSON.stringify(s));
	});
	await check('completions streamed with logprobs', async () => {
		const args = { ...greedy, prompt: PROMPT, logprobs: 2 };
		const whole = (await client.completions.create(args)).choices[0];
		const stream = await client.completions.create({ ...args, stream: true });
		const lp = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
		let text = '';
		let chunks = 0;
		await withTimeout((async () => {
			for await (const chunk of stream) {
				const c = chunk.choices[0];
				chunks++;
				text += c.text;
				for (const key of Object.keys(lp))
					lp[key].push(...c.logprobs[key]);
			}
		})(), 60000, 'completions stream with logprobs');
		ok(chunks > 2 && text === whole.text &&
			JSON.stringify(lp) === JSON.stringify(whole.logprobs),
		`completions streamed with logprobs 2: ${chunks} chunks, together == not streamed`,
		`${JSON.stringify(lp)}\nvs ${JSON.stringify(whole.logprobs)}`);
	});
	await expectError('a token id past the vocabulary: BadRequestError 400', 400, 'invalid_value',
		() => client.completions.create({ model: MODEL, prompt: [1, 1 << 30], max_tokens: 1 }));

	await check('still serving', async () => {
		const r = await client.completions.create({ ...greedy, prompt: PROMPT });
		ok(r.choices[0].text === cmplWhole, 'still serving after the errors, same greedy text');
	});

	srv.server.kill('SIGTERM');
	let code;
	try {
		code = await withTimeout(srv.exited, EXIT_TIMEOUT_MS, 'exit after SIGTERM');
	} catch (e) {
		srv.server.kill('SIGKILL');
		code = e.message;
	}
	ok(code === 0, 'SIGTERM: edgeai serve exits with status 0', `${code}\n${srv.log()}`);
	if (failed)
		console.log(`# server log:\n# ${srv.log().trimEnd().replace(/\n/g, '\n# ')}`);
}

const watchdog = setTimeout(() => {
	ok(false, `watchdog: the test did not end in ${WATCHDOG_MS} ms`);
	process.exit(1);
}, WATCHDOG_MS);

main().then(() => {
	clearTimeout(watchdog);
	if (run !== PLAN)
		console.log(`# planned ${PLAN} checks, ran ${run}`);
	process.exit(failed || run !== PLAN ? 1 : 0);
}, (e) => {
	ok(false, 'the test ran to its end', e && e.stack ? e.stack : e);
	process.exit(1);
});
