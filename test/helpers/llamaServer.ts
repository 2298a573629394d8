/**
 * A real llama-server (built from node-llama-cpp's llama.cpp source by scripts/llama-cpp-tools.mjs) on a free
 * loopback port, for the server-backend tests and the concurrency measurement. One thread per slot's work, CPU only,
 * no web UI. Stopped with SIGTERM (SIGKILL after 5 s); its log is kept for failure messages.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { ensureLlamaCppTools } from "./llamaCppTools";

export interface LlamaServerOptions {
    model: string;
    /** Total context (llama-server -c); each of the `parallel` slots gets an equal share. */
    contextSize?: number;
    parallel?: number;
    threads?: number;
    apiKey?: string;
    extraArgs?: string[];
    /** The executable; default: built (or taken from the cache) by scripts/llama-cpp-tools.mjs. */
    exe?: string;
}

export interface LlamaServer {
    url: string;
    process: ChildProcess;
    /** The last lines llama-server printed. */
    log(): string;
    stop(): Promise<void>;
}

/** Whether llama-server is built (npm test's "llama.cpp tools" suite builds it); the build takes minutes. */
export async function llamaServerPath(): Promise<string> {
    return (await ensureLlamaCppTools()).llamaServer;
}

export async function startLlamaServer(o: LlamaServerOptions): Promise<LlamaServer> {
    const exe = o.exe ?? await llamaServerPath();
    const threads = String(o.threads ?? 1);
    const args = [
        "-m", o.model, "--host", "127.0.0.1", "--port", "0",
        "-c", String(o.contextSize ?? 4096), "-np", String(o.parallel ?? 1),
        "-t", threads, "-tb", threads, "--no-webui", "--jinja", "-fit", "off", "--no-warmup",
        ...(o.apiKey ? ["--api-key", o.apiKey] : []),
        ...(o.extraArgs ?? []),
    ];
    // LLAMA_ARG_* in the caller's environment would override these arguments.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("LLAMA_ARG_")));
    const child = spawn(exe, args, { stdio: ["ignore", "pipe", "pipe"], env });
    const lines: string[] = [];
    let listening: ((url: string) => void) | undefined;
    const onData = (d: Buffer) => {
        for (const line of String(d).split("\n")) {
            if (!line) continue;
            lines.push(line);
            if (lines.length > 300) lines.shift();
            const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
            if (m) listening?.(m[1]!);
        }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const log = () => lines.join("\n");
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const stop = async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(t);
    };
    try {
        const url = await new Promise<string>((resolve, reject) => {
            listening = resolve;
            child.once("exit", (code, signal) => reject(new Error(`llama-server exited (${code ?? signal}) before listening:\n${log()}`)));
            setTimeout(() => reject(new Error(`llama-server did not start listening within 60 s:\n${log()}`)), 60_000);
        });
        // Listening comes before the model is loaded: /health answers 200 once it is.
        const deadline = Date.now() + 60_000;
        for (;;) {
            const status = await fetch(`${url}/health`).then((r) => r.status, () => 0);
            if (status === 200) break;
            if (Date.now() > deadline || child.exitCode !== null) throw new Error(`llama-server did not become healthy (last status ${status}):\n${log()}`);
            await new Promise((r) => setTimeout(r, 100));
        }
        return { url, process: child, log, stop };
    } catch (err) {
        await stop();
        throw err;
    }
}

/** llama-server's slots (GET /slots): which are processing a request now. */
export async function busySlots(url: string): Promise<number> {
    const slots = (await (await fetch(`${url}/slots`)).json()) as { is_processing?: boolean }[];
    return slots.filter((s) => s.is_processing).length;
}
