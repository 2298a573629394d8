/**
 * HTTP requests to the configured server with the three waits a person can tell apart, each with its own limit:
 *   connect    until the TCP (and TLS) connection stands: "is the server there at all?"
 *   firstByte  until the response headers arrive: the server is queueing or evaluating the prompt
 *   idle       between two pieces of progress in the body: for a stream, two complete events (a server that drips
 *              one byte a second makes no progress), otherwise two chunks of bytes
 * plus an optional total deadline for short requests (model lists, tokenize). Aborting the signal destroys the
 * socket: for a generation that is how llama-server and vLLM learn to stop.
 *
 * Built on node:http(s) rather than fetch because fetch cannot tell a refused connection from a slow server, and
 * those need different messages.
 */
import * as http from "node:http";
import * as https from "node:https";
import { StringDecoder } from "node:string_decoder";

export interface Timeouts {
    connectMs: number;
    firstByteMs: number;
    idleMs: number;
    /** Whole request, for short non-streamed requests. */
    totalMs?: number;
}

export type HttpFailure =
    | { kind: "connect"; code: string; detail: string }
    | { kind: "timeout"; phase: "connect" | "firstByte" | "idle" | "total"; ms: number }
    | { kind: "cut"; detail: string }
    | { kind: "aborted" }
    | { kind: "tooLarge"; limit: number };

export class HttpError extends Error {
    constructor(readonly failure: HttpFailure) {
        super(describeFailure(failure));
        this.name = "HttpError";
    }
}

function describeFailure(f: HttpFailure): string {
    switch (f.kind) {
        case "connect": return `connection failed (${f.code}): ${f.detail}`;
        case "timeout": return `no ${f.phase === "connect" ? "connection" : f.phase === "firstByte" ? "answer" : f.phase === "idle" ? "progress" : "complete answer"} within ${f.ms} ms`;
        case "cut": return `the connection closed before the answer was complete (${f.detail})`;
        case "aborted": return "aborted";
        case "tooLarge": return `the answer is larger than ${f.limit} bytes`;
    }
}

export interface RequestOptions {
    method: "GET" | "POST";
    url: string;
    headers?: Record<string, string>;
    body?: string;
    timeouts: Timeouts;
    signal?: AbortSignal;
    /** false: a connection of its own, outside any pool. */
    agent?: http.Agent | false;
}

export interface HttpResponse {
    status: number;
    headers: http.IncomingHttpHeaders;
    /** The body as text pieces (UTF-8 decoded across chunk borders); throws HttpError on a cut or a timeout. */
    pieces(): AsyncIterable<string>;
    /** Restarts the idle timer: the caller saw progress (a complete stream event). */
    progress(): void;
    /** The whole body (at most `maxBytes`). */
    text(maxBytes?: number): Promise<string>;
    /** Stops reading and closes the connection. */
    close(): void;
}

const CONNECT_ERRORS = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);

/** `connected`: the TCP connection stood (a reset after that is a server that went away mid-request, not a wrong address). */
function asHttpError(err: unknown, connected: boolean): HttpError {
    if (err instanceof HttpError) return err;
    const e = err as NodeJS.ErrnoException;
    const code = e?.code ?? "EUNKNOWN";
    const detail = e?.message ?? String(err);
    const tls = code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL") || code.includes("CERT");
    if (!connected || tls || (CONNECT_ERRORS.has(code) && code !== "ECONNRESET" && code !== "EPIPE")) return new HttpError({ kind: "connect", code, detail });
    return new HttpError({ kind: "cut", detail: `${code}: ${detail}` });
}

export async function request(o: RequestOptions): Promise<HttpResponse> {
    try {
        return await attempt(o);
    } catch (err) {
        // A kept-alive socket the server had closed meanwhile fails at once, before the request reached anyone:
        // Node's documented case for sending it again on a fresh connection (req.reusedSocket + ECONNRESET).
        if (err instanceof StaleSocketError) return attempt({ ...o, agent: false });
        throw err;
    }
}

class StaleSocketError extends Error {
    constructor() {
        super("the kept-alive connection had been closed by the server");
    }
}

function attempt(o: RequestOptions): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
        const url = new URL(o.url);
        const lib = url.protocol === "https:" ? https : http;
        let settled = false;
        let connected = false;
        const timers = new Set<NodeJS.Timeout>();
        const clearTimers = () => { for (const t of timers) clearTimeout(t); timers.clear(); };
        const startTimer = (phase: "connect" | "firstByte" | "total", ms: number) => {
            const t = setTimeout(() => req.destroy(new HttpError({ kind: "timeout", phase, ms })), ms);
            timers.add(t);
            return t;
        };
        const fail = (err: unknown) => {
            if (settled) return;
            settled = true;
            clearTimers();
            o.signal?.removeEventListener("abort", onAbort);
            const code = (err as NodeJS.ErrnoException)?.code;
            if (req.reusedSocket && code === "ECONNRESET" && !(err instanceof HttpError)) return reject(new StaleSocketError());
            reject(asHttpError(err, connected));
        };
        const onAbort = () => req.destroy(new HttpError({ kind: "aborted" }));
        const headers: Record<string, string> = { accept: "application/json, text/event-stream", ...o.headers };
        if (o.body !== undefined) {
            headers["content-type"] = "application/json";
            headers["content-length"] = String(Buffer.byteLength(o.body));
        }
        const req = lib.request(url, { method: o.method, headers, agent: o.agent }, (res) => {
            if (settled) return res.destroy();
            settled = true;
            for (const t of [...timers]) if (t !== totalTimer) { clearTimeout(t); timers.delete(t); }
            resolve(new Response(req, res, o, timers, () => {
                clearTimers();
                o.signal?.removeEventListener("abort", onAbort);
            }));
        });
        const totalTimer = o.timeouts.totalMs ? startTimer("total", o.timeouts.totalMs) : undefined;
        const connectTimer = startTimer("connect", o.timeouts.connectMs);
        const onConnected = () => {
            connected = true;
            clearTimeout(connectTimer);
            timers.delete(connectTimer);
            startTimer("firstByte", o.timeouts.firstByteMs);
        };
        req.on("socket", (socket) => {
            // A kept-alive socket is connected already.
            if (!socket.connecting) return onConnected();
            socket.once(url.protocol === "https:" ? "secureConnect" : "connect", onConnected);
        });
        req.on("error", fail);
        if (o.signal?.aborted) return req.destroy(new HttpError({ kind: "aborted" }));
        o.signal?.addEventListener("abort", onAbort, { once: true });
        req.end(o.body);
    });
}

class Response implements HttpResponse {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    private idleTimer: NodeJS.Timeout | undefined;

    constructor(
        private readonly req: http.ClientRequest,
        private readonly res: http.IncomingMessage,
        private readonly o: RequestOptions,
        private readonly timers: Set<NodeJS.Timeout>,
        private readonly done: () => void,
    ) {
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        // Until the first progress the body gets the first-answer limit: servers such as vLLM send the headers at
        // once and the first token only after evaluating the prompt.
        this.arm("firstByte", o.timeouts.firstByteMs);
        // Abort and timeouts destroy the request; make the body stream fail with the same error.
        req.on("error", (err) => res.destroy(err));
        res.on("close", () => {
            if (this.idleTimer) clearTimeout(this.idleTimer);
            done();
        });
    }

    progress(): void {
        this.arm("idle", this.o.timeouts.idleMs);
    }

    private arm(phase: "firstByte" | "idle", ms: number): void {
        if (this.idleTimer) {
            clearTimeout(this.idleTimer);
            this.timers.delete(this.idleTimer);
        }
        this.idleTimer = setTimeout(() => this.req.destroy(new HttpError({ kind: "timeout", phase, ms })), ms);
        this.timers.add(this.idleTimer);
    }

    async *pieces(): AsyncIterable<string> {
        const decoder = new StringDecoder("utf8");
        try {
            for await (const chunk of this.res) {
                const text = decoder.write(chunk as Buffer);
                if (text) yield text;
            }
        } catch (err) {
            throw asHttpError(err, true);
        }
        // Node ends a response quietly when the server closes a body it announced as longer.
        if (!this.res.complete) throw new HttpError({ kind: "cut", detail: "the body ended early" });
        const rest = decoder.end();
        if (rest) yield rest;
    }

    async text(maxBytes = 16 << 20): Promise<string> {
        let out = "";
        for await (const piece of this.pieces()) {
            this.progress();
            out += piece;
            if (out.length > maxBytes) {
                this.close();
                throw new HttpError({ kind: "tooLarge", limit: maxBytes });
            }
        }
        return out;
    }

    close(): void {
        this.res.destroy();
        this.req.destroy();
        this.done();
    }
}
