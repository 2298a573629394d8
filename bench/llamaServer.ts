/**
 * llama.cpp's llama-server as llama.vscode, llama.vim and Continue users run it: one process per role (chat, FIM),
 * on a free loopback port, built by scripts/llama-cpp-tools.mjs from the llama.cpp source node-llama-cpp ships.
 * The clients here are deliberately thin (fetch + an SSE parser), so what is measured is the server.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createParser } from "eventsource-parser";
import { processMemory } from "../test/helpers/engineMemory";
import { CACHE_DIR, log } from "./lib";

export type ServerRole = "chat" | "fim";

export interface ServerLaunch {
    modelPath: string;
    threads: number;
    contextSize: number;
    role: ServerRole;
}

/**
 * Command-line flags per role. Both: one slot (one user), the bench's context and threads (prompt threads too).
 * FIM adds what llama.vscode's "launch_completion" command line uses: 1024-token batches and --cache-reuse 256
 * (KV shifting, so a prompt whose middle moved still reuses its cached chunks).
 */
export function serverArgs(o: ServerLaunch): string[] {
    const common = [
        "-m", o.modelPath, "--host", "127.0.0.1", "--port", "0", "-np", "1",
        "-c", String(o.contextSize), "-t", String(o.threads), "-tb", String(o.threads), "-ngl", "0", "--no-webui",
    ];
    return o.role === "fim" ? [...common, "-b", "1024", "-ub", "1024", "--cache-reuse", "256"] : common;
}

export class ServerError extends Error {
    constructor(readonly route: string, readonly status: number, readonly body: string) {
        super(`llama-server ${route}: HTTP ${status} ${body}`);
    }

    /**
     * llama-server parses every answer with the model's chat-format parser (/infill once generation has finished,
     * a chat stream after every token) and rejects text that is not valid UTF-8 (HTTP 500 "…does not match the
     * expected Content-only format", or in a stream an error event that ends the answer there: "…peg-native format").
     * A random-weight model produces such byte sequences now and then; a real model rarely does.
     */
    get rejectedModelOutput(): boolean {
        return this.status === 500 && /does not match the expected .* format/.test(this.body);
    }
}

/**
 * One SSE data payload of a llama-server stream: the parsed object, undefined for the closing "[DONE]". An error
 * after the stream began (HTTP 200 already sent) arrives as an `{"error": …}` event and ends the answer: thrown.
 */
export function streamEventData(route: string, raw: string): unknown {
    if (raw === "[DONE]") return undefined;
    const data = JSON.parse(raw) as { error?: { code?: number } };
    if (data.error) throw new ServerError(route, data.error.code ?? 500, raw);
    return data;
}

export class LlamaServer {
    private exited = false;

    private constructor(readonly role: ServerRole, readonly url: string, private readonly child: ChildProcess) {
        child.once("exit", () => (this.exited = true));
    }

    get pid(): number {
        return this.child.pid!;
    }

    /** Starts llama-server and resolves once /health says the model is loaded. */
    static async start(exe: string, launch: ServerLaunch, timeoutMs = 180_000): Promise<LlamaServer> {
        const logFile = path.join(CACHE_DIR, `llama-server-${launch.role}.log`);
        const out = fs.createWriteStream(logFile);
        const child = spawn(exe, serverArgs(launch), { stdio: ["ignore", "pipe", "pipe"] });
        const url = await new Promise<string>((resolve, reject) => {
            let text = "";
            const timer = setTimeout(() => fail(new Error(`llama-server (${launch.role}) did not start listening in ${timeoutMs / 1000} s; see ${logFile}`)), timeoutMs);
            const onData = (chunk: Buffer) => {
                out.write(chunk);
                text += chunk.toString("utf8");
                const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
                if (m) {
                    clearTimeout(timer);
                    resolve(m[1]!);
                }
            };
            const fail = (err: Error) => {
                clearTimeout(timer);
                child.kill("SIGKILL");
                reject(err);
            };
            child.stdout!.on("data", onData);
            child.stderr!.on("data", onData);
            child.once("error", fail);
            child.once("exit", (code, signal) => fail(new Error(`llama-server (${launch.role}) exited (${signal ?? code}) while starting; see ${logFile}`)));
        });
        const server = new LlamaServer(launch.role, url, child);
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const status = await fetch(`${url}/health`).then((r) => r.status, () => 0);
            if (status === 200) break;
            if (server.exited || Date.now() > deadline) {
                await server.stop();
                throw new Error(`llama-server (${launch.role}) never became healthy (last status ${status}); see ${logFile}`);
            }
            await new Promise((r) => setTimeout(r, 100));
        }
        log(`  llama-server (${launch.role}) ready at ${url}, pid ${server.pid}`);
        return server;
    }

    async stop(): Promise<void> {
        if (this.exited) return;
        const exited = new Promise((r) => this.child.once("exit", r));
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
    }

    async post<T>(route: string, body: unknown, signal?: AbortSignal): Promise<T> {
        const r = await fetch(`${this.url}${route}`, {
            method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal,
        });
        if (!r.ok) throw new ServerError(route, r.status, await r.text());
        return await r.json() as T;
    }

    /** POSTs a streaming request and calls `onData` with every parsed SSE data payload as it arrives. */
    async stream(route: string, body: unknown, onData: (data: unknown) => void): Promise<void> {
        const r = await fetch(`${this.url}${route}`, {
            method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
        });
        if (!r.ok || !r.body) throw new ServerError(route, r.status, await r.text());
        const parser = createParser({
            onEvent: (event) => {
                const data = streamEventData(route, event.data);
                if (data !== undefined) onData(data);
            },
        });
        const decoder = new TextDecoder();
        for await (const chunk of r.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    }
}

/** Samples a set of processes' private memory every `everyMs` and keeps the maximum per process. */
export class MemoryWatch {
    private readonly maxAnon = new Map<number, number>();
    private readonly timer: NodeJS.Timeout;

    constructor(private readonly pids: () => number[], everyMs = 200) {
        this.timer = setInterval(() => this.sample(), everyMs);
        this.timer.unref();
    }

    sample(): void {
        for (const pid of this.pids()) {
            try {
                const { rssAnonBytes } = processMemory(pid);
                this.maxAnon.set(pid, Math.max(this.maxAnon.get(pid) ?? 0, rssAnonBytes));
            } catch { /* process gone */ }
        }
    }

    peakAnon(pid: number): number {
        return this.maxAnon.get(pid) ?? NaN;
    }

    dispose(): void {
        clearInterval(this.timer);
    }
}
