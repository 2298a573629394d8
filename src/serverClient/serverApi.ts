/**
 * The server's HTTP API as Hearth uses it: JSON requests (retried only when that is safe: reads such as the model
 * list or tokenize, never a generation) and streamed generations, with every failure turned into an EngineError
 * whose message names the host and says what to do. The API key goes into the Authorization header and nowhere else.
 */
import * as http from "node:http";
import * as https from "node:https";
import { endpoint, type ServerAddress } from "../core/server/serverUrl";
import { readChunk, ResultAccumulator, type ChunkShape } from "../core/server/streamChunks";
import { errorText } from "../core/errorText";
import { EngineError } from "../protocol/engineProtocol";
import type { GenerationResult } from "../protocol/generation";
import { HttpError, request, type HttpResponse, type Timeouts } from "./httpClient";
import { serverMessage, type Localize } from "./serverMessages";
import { SseFormatError, sseData } from "./sseEvents";

export interface ServerTimeouts {
    /** Until the TCP/TLS connection stands. */
    connectMs: number;
    /** Until a generation's first answer (prompt evaluation and queueing happen before it). */
    firstByteMs: number;
    /** Between two streamed chunks. */
    idleMs: number;
    /** Whole short requests (model list, tokenize, probes). */
    requestMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { connectMs: 5_000, firstByteMs: 120_000, idleMs: 30_000, requestMs: 15_000 };

/** Read requests are retried this often after a refused connection or a 502/503/504 (a restarting server). */
const RETRY_DELAYS_MS = [300, 1000];

export interface StreamRequest {
    path: string;
    body: Record<string, unknown>;
    shape: ChunkShape;
    contextSize: number;
    /** Estimated prompt tokens, used when the server reports no usage. */
    promptEstimate: number;
    signal?: AbortSignal;
    onText?: (text: string) => void;
    /** Stop reading after this many ms and return what arrived (stopReason "timeBudget"). */
    timeBudgetMs?: number;
}

export class ServerApi {
    private readonly agent: http.Agent;

    constructor(
        readonly address: ServerAddress,
        private readonly apiKey: string | undefined,
        readonly timeouts: ServerTimeouts,
        private readonly localize: Localize,
    ) {
        // Kept-alive connections: completions fire on every pause in typing, a new TCP (and TLS) handshake each
        // time would add its round trips to every suggestion.
        // Idle sockets are dropped after 4 s, before servers drop them (llama-server after 5 s): reusing a socket the
        // server is closing would fail a request for nothing.
        const options = { keepAlive: true, maxSockets: 16, timeout: 4000 };
        this.agent = address.secure ? new https.Agent(options) : new http.Agent(options);
    }

    dispose(): void {
        this.agent.destroy();
    }

    private headers(): Record<string, string> {
        return this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
    }

    /**
     * A JSON request. `retry` only for requests that change nothing on the server. Answers with status and the
     * parsed body (undefined when it is not JSON); throws EngineError for transport failures only.
     */
    async json(method: "GET" | "POST", path: string, options: { body?: unknown; signal?: AbortSignal; retry?: boolean } = {}): Promise<{ status: number; body: unknown; text: string }> {
        for (let attempt = 0; ; attempt++) {
            try {
                const res = await request({
                    method,
                    url: endpoint(this.address, path),
                    headers: this.headers(),
                    body: options.body === undefined ? undefined : JSON.stringify(options.body),
                    timeouts: this.shortTimeouts(),
                    signal: options.signal,
                    agent: this.agent,
                });
                const text = await res.text();
                const retryable = res.status === 502 || res.status === 503 || res.status === 504;
                if (options.retry && retryable && attempt < RETRY_DELAYS_MS.length) {
                    await delay(RETRY_DELAYS_MS[attempt]!, options.signal);
                    continue;
                }
                return { status: res.status, body: parseJson(text), text };
            } catch (err) {
                const refused = err instanceof HttpError && err.failure.kind === "connect";
                if (options.retry && refused && attempt < RETRY_DELAYS_MS.length && !options.signal?.aborted) {
                    await delay(RETRY_DELAYS_MS[attempt]!, options.signal);
                    continue;
                }
                throw this.toEngineError(err);
            }
        }
    }

    /** A streamed generation. Never retried: the server may already be generating. */
    async stream(r: StreamRequest): Promise<GenerationResult> {
        const started = performance.now();
        const acc = new ResultAccumulator(started, r.contextSize);
        const controller = new AbortController();
        const onAbort = () => controller.abort();
        r.signal?.addEventListener("abort", onAbort, { once: true });
        if (r.signal?.aborted) controller.abort();
        let budgetHit = false;
        const budget = r.timeBudgetMs === undefined ? undefined : setTimeout(() => { budgetHit = true; controller.abort(); }, r.timeBudgetMs);
        const emit = (text: string) => {
            if (!text) return;
            r.onText?.(text);
        };
        try {
            const res = await request({
                method: "POST",
                url: endpoint(this.address, r.path),
                headers: this.headers(),
                body: JSON.stringify(r.body),
                timeouts: { connectMs: this.timeouts.connectMs, firstByteMs: this.timeouts.firstByteMs, idleMs: this.timeouts.idleMs },
                signal: controller.signal,
                agent: this.agent,
            });
            if (res.status >= 400) throw await this.statusError(res, r.body.model);
            const type = String(res.headers["content-type"] ?? "");
            if (!type.includes("text/event-stream")) {
                // Some servers answer a streamed request in one JSON body.
                const info = readChunk(parseJson(await res.text()) ?? null, r.shape);
                if (info.error) throw this.failed(String(res.status), info.error);
                acc.add(info, performance.now());
                emit(info.text);
                if (!info.finish) throw new EngineError("serverError", serverMessage(this.localize, "badResponse", this.address.host, `not an event stream (${type || "no content type"})`));
            } else {
                const state = { done: false };
                for await (const data of sseData(res, state)) {
                    const json = parseJson(data);
                    if (json === undefined) throw new SseFormatError(`invalid JSON in the stream: ${data.slice(0, 120)}`);
                    const info = readChunk(json, r.shape);
                    if (info.error) throw this.failed("stream", info.error);
                    acc.add(info, performance.now());
                    emit(info.text);
                }
                // Ended without "[DONE]" and without a finish reason: the connection was cut mid-answer.
                if (!state.done && !acc.finished) throw new HttpError({ kind: "cut", detail: "the stream ended without its last event" });
            }
            // llama-server closes a connection after a streamed answer although it announces keep-alive: not
            // handing this socket back to the pool spares the next request a dead one.
            res.close();
            return acc.finish("server", performance.now(), r.promptEstimate);
        } catch (err) {
            // Whatever went wrong, the connection closes: a server still generating for it stops.
            controller.abort();
            if (controller.signal.aborted && (budgetHit || r.signal?.aborted)) {
                return acc.finish(r.signal?.aborted ? "cancelled" : "timeBudget", performance.now(), r.promptEstimate);
            }
            throw this.toEngineError(err);
        } finally {
            if (budget) clearTimeout(budget);
            r.signal?.removeEventListener("abort", onAbort);
        }
    }

    /** An error answer (4xx/5xx) as the EngineError that tells the user what to do. */
    async statusError(res: HttpResponse | { status: number; text: string }, model?: unknown): Promise<EngineError> {
        const text = "text" in res && typeof res.text === "string" ? res.text : await (res as HttpResponse).text(64 << 10).catch(() => "");
        return this.errorForStatus(res.status, text, typeof model === "string" ? model : undefined);
    }

    errorForStatus(status: number, text: string, model?: string): EngineError {
        const host = this.address.host;
        const message = serverErrorMessage(text);
        if (status === 401 || status === 403) return new EngineError("serverUnauthorized", serverMessage(this.localize, "unauthorized", host, String(status)));
        if (status === 404 && model && /model/i.test(message)) {
            return new EngineError("serverModelNotFound", serverMessage(this.localize, "modelNotFound", host, model), message);
        }
        if (status === 404) return new EngineError("serverUnreachable", serverMessage(this.localize, "notOpenAi", this.address.display, "404"), message);
        if (/context|too long|exceed/i.test(message) && status === 400) {
            return new EngineError("contextOverflow", serverMessage(this.localize, "contextOverflow", host, message));
        }
        return this.failed(String(status), message || `HTTP ${status}`);
    }

    failed(status: string, detail: string): EngineError {
        return new EngineError("serverError", serverMessage(this.localize, "serverFailed", this.address.host, status, detail.slice(0, 300)));
    }

    toEngineError(err: unknown): EngineError {
        if (err instanceof EngineError) return err;
        const host = this.address.host;
        const seconds = (ms: number) => String(Math.round(ms / 100) / 10);
        if (err instanceof HttpError) {
            const f = err.failure;
            switch (f.kind) {
                case "aborted": return new EngineError("cancelled", "Cancelled.");
                case "connect": return new EngineError("serverUnreachable", serverMessage(this.localize, "unreachable", this.address.display, f.code), f.detail);
                case "timeout": {
                    const key = f.phase === "connect" ? "connectTimeout" : f.phase === "firstByte" ? "firstByteTimeout" : f.phase === "idle" ? "idleTimeout" : "totalTimeout";
                    return new EngineError("serverTimeout", serverMessage(this.localize, key, host, seconds(f.ms)));
                }
                case "cut": return new EngineError("serverError", serverMessage(this.localize, "streamCut", host), f.detail);
                case "tooLarge": return new EngineError("serverError", serverMessage(this.localize, "tooLarge", host));
            }
        }
        if (err instanceof SseFormatError) return new EngineError("serverError", serverMessage(this.localize, "badResponse", host, err.message));
        return new EngineError("serverError", serverMessage(this.localize, "badResponse", host, errorText(err)));
    }

    private shortTimeouts(): Timeouts {
        const t = this.timeouts;
        return { connectMs: t.connectMs, firstByteMs: Math.min(t.firstByteMs, t.requestMs), idleMs: Math.min(t.idleMs, t.requestMs), totalMs: t.requestMs };
    }
}

export function parseJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return undefined;
    }
}

/** The message inside an error body ({error:{message}}, {error:"…"}, {detail:"…"} or plain text). */
export function serverErrorMessage(text: string): string {
    const json = parseJson(text) as { error?: unknown; detail?: unknown; message?: unknown } | undefined;
    const e = json?.error;
    if (e && typeof e === "object" && typeof (e as { message?: unknown }).message === "string") return (e as { message: string }).message;
    if (typeof e === "string") return e;
    if (typeof json?.detail === "string") return json.detail;
    if (typeof json?.message === "string") return json.message;
    return text.trim().slice(0, 300);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(new HttpError({ kind: "aborted" }));
        const t = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => { clearTimeout(t); reject(new HttpError({ kind: "aborted" })); }, { once: true });
    });
}
