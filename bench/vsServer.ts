/**
 * Hearth against what llama.vscode, llama.vim and Continue users run instead: llama-server, one process for chat
 * and another for completions, same model, threads, context and sampling, requests alternating between the sides.
 *
 *   chat_vs_server_tok_ratio   streamed tokens/s at the client: Hearth's engine `chat` (what EmbeddedBackend.chat
 *                              sends) ÷ llama-server /v1/chat/completions with stream, greedy, same messages; a
 *                              prompt whose server answer its output parser cuts short is dropped on both sides.
 *   fim_vs_server_p50_ratio    per-keystroke completion latency over the scripted editing session (editSession.ts):
 *   fim_vs_server_p95_ratio    Hearth's requestSuggestion (the provider's path: prompt layout, infill on the
 *                              completion sequence, quality rules) ÷ llama-server /infill with llama.vscode's request.
 *                              Every keystroke waits for its answer; neither side's client-side result cache is used.
 *   fim_first_token_p50_ms     Hearth: request → first suggestion text at the client.
 *   memory_vs_two_servers_ratio  peak RSS (VmHWM) of Hearth's one engine process after serving both ÷ the sum of
 *                              the two servers' after the same work. Both map the model file, so RSS counts the
 *                              weights once per process; memory_anon_vs_two_servers_ratio compares private memory.
 *
 * --quick uses llama-server only when scripts/llama-cpp-tools.mjs has already built it (npm test builds it
 * first); otherwise only Hearth's side is measured. A GPU run skips the comparison (the servers are CPU builds).
 */
import { SETTINGS_DEFAULTS } from "../src/core/settingsDefaults";
import { calibrateCharsPerToken, requestSuggestion, type ModelFacts } from "../src/completion/completionEngine";
import { EmbeddedBackend } from "../src/engineClient/embeddedBackend";
import { cachedLlamaCppTools, ensureLlamaCppTools } from "../test/helpers/llamaCppTools";
import { chatMessages, hearthChatRun, streamRate, type StreamSample } from "./chatStream";
import { editingSession, llamaVscodeInfillRequest, type Keystroke } from "./editSession";
import { loadParams, log, median, newEngine, percentile, round, type BenchOptions, type StepOutput } from "./lib";
import { processMemory } from "../test/helpers/engineMemory";
import { LlamaServer, MemoryWatch, ServerError } from "./llamaServer";

const FIM_TOKENS = 16;

interface InfillResponse {
    content: string;
    tokens_predicted: number;
    tokens_evaluated: number;
    timings?: { prompt_n?: number; predicted_n?: number };
}

export async function measureVsServer(modelPath: string, options: BenchOptions): Promise<StepOutput> {
    const notes: Record<string, string> = {};
    const engine = newEngine();
    const backend = new EmbeddedBackend(engine, { loadParams: () => loadParams(modelPath, options) });
    const servers: LlamaServer[] = [];
    const watch = new MemoryWatch(() => [engine.pid, ...servers.map((s) => s.pid)].filter((p): p is number => p !== undefined));
    try {
        const facts = await backend.ready();
        if (!facts.capabilities.fim) throw new Error(`${modelPath} has no FIM tokens`);
        let tools = options.quick ? await cachedLlamaCppTools() : await ensureLlamaCppTools((m) => log(`  ${m}`));
        if (!tools) notes.server = "llama-server is not built on this machine yet (node scripts/llama-cpp-tools.mjs); Hearth's side only";
        if (tools && backend.loadResult?.backend !== "cpu") {
            notes.server = `engine on ${backend.loadResult?.backend}: the llama-server comparison needs a GPU build of llama-server; Hearth's side only`;
            tools = undefined;
        }
        if (tools) {
            const launch = { modelPath, threads: options.threads, contextSize: options.contextSize };
            servers.push(await LlamaServer.start(tools.llamaServer, { ...launch, role: "chat" }));
            servers.push(await LlamaServer.start(tools.llamaServer, { ...launch, role: "fim" }));
        }
        const [chatServer, fimServer] = servers;
        const results: Record<string, number> = {};
        if (chatServer) Object.assign(results, await compareChat(backend, chatServer, options));
        Object.assign(results, await compareFim(backend, facts, fimServer, options));
        watch.sample();
        if (chatServer && fimServer) {
            const hearth = processMemory(engine.pid!);
            const chat = processMemory(chatServer.pid);
            const fim = processMemory(fimServer.pid);
            const anon = [engine.pid!, chatServer.pid, fimServer.pid].map((p) => watch.peakAnon(p));
            Object.assign(results, {
                memory_vs_two_servers_ratio: round(hearth.peakRssBytes / (chat.peakRssBytes + fim.peakRssBytes), 4),
                memory_hearth_peak_mib: round(hearth.peakRssBytes / 2 ** 20, 1),
                memory_servers_peak_mib: round((chat.peakRssBytes + fim.peakRssBytes) / 2 ** 20, 1),
                memory_anon_vs_two_servers_ratio: round(anon[0]! / (anon[1]! + anon[2]!), 4),
                memory_hearth_anon_mib: round(anon[0]! / 2 ** 20, 1),
                memory_servers_anon_mib: round((anon[1]! + anon[2]!) / 2 ** 20, 1),
            });
            log(`  peak RSS: Hearth ${results.memory_hearth_peak_mib} MiB vs two llama-servers ${results.memory_servers_peak_mib} MiB; `
                + `private: ${results.memory_hearth_anon_mib} vs ${results.memory_servers_anon_mib} MiB`);
        }
        return { results, notes };
    } finally {
        watch.dispose();
        await Promise.all(servers.map((s) => s.stop()));
        backend.dispose();
        engine.dispose();
    }
}

async function compareChat(backend: EmbeddedBackend, server: LlamaServer, options: BenchOptions) {
    const runs = options.quick ? 4 : 7;
    const maxTokens = options.quick ? 64 : 128;
    const runHearth = (run: number) => hearthChatRun(backend, run, maxTokens);
    const runServer = async (run: number): Promise<StreamSample> => {
        let first: { at: number; tokens: number } | undefined;
        let last = { at: 0, tokens: 0 };
        const started = performance.now();
        await server.stream("/v1/chat/completions", {
            messages: chatMessages(run).map((m) => ({ role: m.role, content: m.text })),
            stream: true, max_tokens: maxTokens, temperature: 0, cache_prompt: true, timings_per_token: true,
        }, (data) => {
            const d = data as { choices?: { delta?: { content?: string } }[]; timings?: { predicted_n?: number } };
            const tokens = d.timings?.predicted_n ?? last.tokens;
            if (!d.choices?.[0]?.delta?.content) {
                last.tokens = Math.max(last.tokens, tokens);
                return;
            }
            const at = performance.now();
            first ??= { at, tokens };
            last = { at, tokens };
        });
        if (!first) throw new Error("llama-server streamed no text");
        return { ttftMs: first.at - started, tokensPerSecond: streamRate(first, last), tokens: last.tokens };
    };
    /**
     * One prompt on both sides, in the given order; undefined when llama-server's output parser ended its answer
     * (invalid UTF-8 from the random weights, see ServerError.rejectedModelOutput). Greedy decoding makes that
     * answer the same every time, so the prompt is dropped for both sides and the next one is used: the two sides
     * always generate the same number of tokens for the same prompts.
     */
    const pair = async (run: number, hearthFirst: boolean): Promise<[StreamSample, StreamSample] | undefined> => {
        try {
            if (hearthFirst) {
                const h = await runHearth(run);
                return [h, await runServer(run)];
            }
            const s = await runServer(run);
            return [await runHearth(run), s];
        } catch (err) {
            if (!(err instanceof ServerError && err.rejectedModelOutput)) throw err;
            return undefined;
        }
    };
    const hearth: StreamSample[] = [];
    const server_: StreamSample[] = [];
    const dropped: number[] = [];
    // Warm-up pair (prompts of their own), then `runs` measured pairs alternating which side goes first.
    for (let warm = -1; !(await pair(warm, true)); warm--) {
        if (warm < -runs) throw new Error("llama-server's output parser rejected every warm-up answer");
    }
    for (let run = 0; hearth.length < runs; run++) {
        if (run >= 3 * runs) {
            throw new Error(`llama-server's output parser rejected ${dropped.length} of ${run} answers (prompts ${dropped.join(", ")})`);
        }
        const samples = await pair(run, hearth.length % 2 === 0);
        if (!samples) {
            dropped.push(run);
            log(`  chat prompt ${run}: dropped on both sides (llama-server's output parser rejected its answer: invalid UTF-8)`);
            continue;
        }
        hearth.push(samples[0]);
        server_.push(samples[1]);
        log(`  chat prompt ${run}: hearth ${samples[0].tokensPerSecond.toFixed(1)} tok/s (ttft ${samples[0].ttftMs.toFixed(0)} ms), `
            + `llama-server ${samples[1].tokensPerSecond.toFixed(1)} tok/s (ttft ${samples[1].ttftMs.toFixed(0)} ms)`);
    }
    const short = [...hearth, ...server_].filter((s) => s.tokens < maxTokens);
    if (short.length) throw new Error(`a chat answer stopped before ${maxTokens} tokens (${short.map((s) => s.tokens).join(", ")})`);
    const tps = median(hearth.map((s) => s.tokensPerSecond));
    const tpsServer = median(server_.map((s) => s.tokensPerSecond));
    return {
        chat_vs_server_tok_ratio: round(tps / tpsServer, 4),
        chat_vs_server_tps_hearth: round(tps, 2),
        chat_vs_server_tps_server: round(tpsServer, 2),
        chat_vs_server_ttft_ms_hearth: round(median(hearth.map((s) => s.ttftMs)), 2),
        chat_vs_server_ttft_ms_server: round(median(server_.map((s) => s.ttftMs)), 2),
        chat_vs_server_tokens: maxTokens,
        chat_vs_server_runs: runs,
        chat_vs_server_prompts_dropped: dropped.length,
    };
}

interface FimSample {
    ms: number;
    firstTokenMs?: number;
    tokens: number;
    evaluated: number;
    prompt: number;
}

async function compareFim(backend: EmbeddedBackend, facts: ModelFacts, server: LlamaServer | undefined, options: BenchOptions) {
    const session = editingSession(options.quick ? 0.35 : 1);
    const first = session[0]!.doc;
    // Measured once per model, as CompletionSession does, from the text around the cursor.
    const charsPerToken = await calibrateCharsPerToken(backend, first.text.slice(Math.max(0, first.offset - 2000), first.offset + 2000));
    const hearthAsk = async (k: Keystroke, reuseCache = true): Promise<FimSample> => {
        const started = performance.now();
        let firstAt = 0;
        const r = await requestSuggestion(backend, facts, k.doc, {
            maxTokens: FIM_TOKENS, timeBudgetMs: SETTINGS_DEFAULTS["completions.timeBudgetMs"], snippets: k.snippets, charsPerToken, reuseCache,
            onPartial: () => { firstAt ||= performance.now(); },
        });
        return {
            ms: performance.now() - started, firstTokenMs: firstAt ? firstAt - started : undefined,
            tokens: r.result?.tokens ?? 0, evaluated: r.result?.evaluatedPromptTokens ?? 0, prompt: r.result?.promptTokens ?? 0,
        };
    };
    let rejected = 0;
    const serverAsk = async (k: Keystroke): Promise<FimSample> => {
        const started = performance.now();
        try {
            const r = await server!.post<InfillResponse>("/infill", llamaVscodeInfillRequest(k.doc, k.snippets, FIM_TOKENS));
            return { ms: performance.now() - started, tokens: r.tokens_predicted, evaluated: r.timings?.prompt_n ?? NaN, prompt: r.tokens_evaluated };
        } catch (err) {
            if (!(err instanceof ServerError && err.rejectedModelOutput)) throw err;
            // The answer was generated and then rejected by the server's output parser: the latency still counts.
            rejected++;
            return { ms: performance.now() - started, tokens: NaN, evaluated: NaN, prompt: NaN };
        }
    };

    // The first request (opening the file: the whole prompt is new) is not a keystroke.
    const coldHearth = await hearthAsk(session[0]!);
    const coldServer = server ? await serverAsk(session[0]!) : undefined;
    log(`  fim cold request: Hearth ${coldHearth.ms.toFixed(0)} ms (prompt ${coldHearth.prompt} tokens)`
        + (coldServer ? `, llama-server ${coldServer.ms.toFixed(0)} ms (prompt ${coldServer.prompt} tokens)` : ""));
    const hearth: FimSample[] = [];
    const srv: FimSample[] = [];
    for (let i = 1; i < session.length; i++) {
        const k = session[i]!;
        if (!server || i % 2 === 0) {
            hearth.push(await hearthAsk(k));
            if (server) srv.push(await serverAsk(k));
        } else {
            srv.push(await serverAsk(k));
            hearth.push(await hearthAsk(k));
        }
    }
    const ms = (s: FimSample[]) => s.map((x) => x.ms);
    const known = (v: number[]) => v.filter((x) => !Number.isNaN(x));
    const mean = (v: number[]) => known(v).reduce((a, b) => a + b, 0) / known(v).length;
    const firstTokens = hearth.map((s) => s.firstTokenMs).filter((v): v is number => v !== undefined);
    const results: Record<string, number> = {
        fim_p50_ms: round(median(ms(hearth)), 2),
        fim_p95_ms: round(percentile(ms(hearth), 95), 2),
        fim_first_token_p50_ms: round(median(firstTokens), 2),
        fim_keystrokes: hearth.length,
        fim_generated_tokens_mean: round(mean(hearth.map((s) => s.tokens)), 2),
        fim_evaluated_tokens_p50: median(hearth.map((s) => s.evaluated)),
        fim_prompt_tokens_p50: median(hearth.map((s) => s.prompt)),
        fim_max_tokens: FIM_TOKENS,
    };
    log(`  fim Hearth: ${hearth.length} keystrokes, p50 ${results.fim_p50_ms} ms, p95 ${results.fim_p95_ms} ms, first token p50 `
        + `${results.fim_first_token_p50_ms} ms, prompt p50 ${results.fim_prompt_tokens_p50} tokens, evaluated p50 ${results.fim_evaluated_tokens_p50}`);
    if (server) {
        Object.assign(results, {
            fim_vs_server_p50_ratio: round(median(ms(hearth)) / median(ms(srv)), 4),
            fim_vs_server_p95_ratio: round(percentile(ms(hearth), 95) / percentile(ms(srv), 95), 4),
            fim_server_p50_ms: round(median(ms(srv)), 2),
            fim_server_p95_ms: round(percentile(ms(srv), 95), 2),
            fim_server_generated_tokens_mean: round(mean(srv.map((s) => s.tokens)), 2),
            fim_server_evaluated_tokens_p50: median(known(srv.map((s) => s.evaluated))),
            fim_server_prompt_tokens_p50: median(known(srv.map((s) => s.prompt))),
            fim_server_rejected_answers: rejected,
        });
        log(`  fim llama-server: p50 ${results.fim_server_p50_ms} ms, p95 ${results.fim_server_p95_ms} ms, prompt p50 `
            + `${results.fim_server_prompt_tokens_p50} tokens, evaluated p50 ${results.fim_server_evaluated_tokens_p50}`
            + (rejected ? `; ${rejected} answer(s) rejected by llama-server's output parser after generation (latency counted)` : ""));
    }

    // Hearth without its KV cache (the sequence cleared before each request), on a few keystrokes at the end.
    const every = Math.max(1, Math.floor(session.length / (options.quick ? 3 : 8)));
    const noReuse: number[] = [];
    for (let i = every; i < session.length; i += every) noReuse.push((await hearthAsk(session[i]!, false)).ms);
    results.fim_p50_ms_noreuse = round(median(noReuse), 2);
    results.fim_reuse_p50_ratio = round(median(ms(hearth)) / median(noReuse), 4);
    results.fim_keystrokes_noreuse = noReuse.length;
    return results;
}
