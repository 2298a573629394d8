/**
 * A small local HTTP server that behaves like an OpenAI-compatible server until told to misbehave, for the
 * bad-server tests (test/server/badServers.test.ts). Listens on a free loopback port; every behaviour is bounded
 * in time so nothing outlives the test.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export type Behaviour =
    | "ok"
    | "unauthorized"
    | "notOpenAi"
    | "modelGone"
    | "serverError"
    | "cutMidStream"
    | "invalidJson"
    | "neverAnswers"
    | "dripBody"
    | "dripHeaders";

export interface BadServer {
    url: string;
    behaviour: Behaviour;
    /** Requests seen (method + path), in order. */
    seen: string[];
    /** Sockets closed by the client while the server was still streaming to them. */
    clientClosedMidStream: number;
    close(): Promise<void>;
}

const MODEL = "fake-model";

function sse(res: http.ServerResponse, events: unknown[]): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const e of events) res.write(`data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`);
}

const delta = (content: string) => ({ choices: [{ index: 0, delta: { content }, finish_reason: null }] });

export async function startBadServer(behaviour: Behaviour = "ok"): Promise<BadServer> {
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void) => {
        const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
        timers.add(t);
    };
    const state: BadServer = {
        url: "",
        behaviour,
        seen: [],
        clientClosedMidStream: 0,
        close: async () => undefined,
    };
    const server = http.createServer((req, res) => {
        state.seen.push(`${req.method} ${req.url}`);
        const b = state.behaviour;
        const json = (status: number, body: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(body));
        };
        req.resume();
        if (b === "neverAnswers") return; // holds the socket until the client gives up
        if (b === "dripHeaders") {
            // Headers one byte a second: the response never becomes complete enough to read.
            const head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n";
            let i = 0;
            const tick = () => {
                if (res.socket?.destroyed || i >= head.length) return;
                res.socket?.write(head[i++]!);
                later(1000, tick);
            };
            tick();
            return;
        }
        if (b === "unauthorized") return json(401, { error: { message: "Invalid API Key", type: "authentication_error", code: 401 } });
        if (b === "notOpenAi") {
            res.writeHead(404, { "content-type": "text/html" });
            return res.end("<html><body>Not Found</body></html>");
        }
        if (req.url === "/v1/models") return json(200, { object: "list", data: [{ id: MODEL, object: "model", owned_by: "fake", max_model_len: 2048 }] });
        if (req.method === "GET") return json(404, { error: { message: "not found" } });
        if (b === "modelGone") return json(404, { error: { message: `The model \`${MODEL}\` does not exist.`, type: "NotFoundError", code: 404 } });
        if (b === "serverError") return json(500, { error: { message: "CUDA error: out of memory", type: "server_error", code: 500 } });
        if (b === "invalidJson") {
            sse(res, [delta("Hello")]);
            res.write("data: {\"choices\": [ this is not json\n\n");
            return later(3000, () => res.end());
        }
        if (b === "cutMidStream") {
            sse(res, [delta("Once"), delta(" upon"), delta(" a time")]);
            // The server (or a proxy) dies mid-answer: the socket closes without the final chunk.
            return later(100, () => res.socket?.destroy());
        }
        if (b === "dripBody") {
            // Valid headers and a first word, then the next event one byte a second: bytes keep coming, progress
            // never does.
            const body = `data: ${JSON.stringify(delta(" and slower"))}\n\n`;
            sse(res, [delta("Slow")]);
            let i = 0;
            const tick = () => {
                if (res.destroyed || i >= body.length) return res.end();
                res.write(body[i++]!);
                later(1000, tick);
            };
            tick();
            res.on("close", () => { if (i < body.length) state.clientClosedMidStream++; });
            return;
        }
        // ok: a short story, streamed one word every 50 ms, then usage and [DONE].
        const words = "Once upon a time there was a little dog named Max who loved to run in the park every day".split(" ");
        res.writeHead(200, { "content-type": "text/event-stream" });
        let i = 0;
        let finished = false;
        const tick = () => {
            if (res.destroyed) return;
            if (i < words.length) {
                res.write(`data: ${JSON.stringify(delta((i ? " " : "") + words[i++]))}\n\n`);
                return later(50, tick);
            }
            finished = true;
            res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`);
            res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 20, completion_tokens: words.length } })}\n\n`);
            res.end("data: [DONE]\n\n");
        };
        res.on("close", () => { if (!finished) state.clientClosedMidStream++; });
        tick();
    });
    const sockets = new Set<import("node:net").Socket>();
    server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    state.close = () => new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
    });
    return state;
}

/** A loopback URL where nothing listens (the port was free a moment ago). */
export async function deadUrl(): Promise<string> {
    const s = http.createServer();
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    return `http://127.0.0.1:${port}`;
}

/**
 * A loopback port whose accept queue is full, so a new connection is never accepted (like a firewalled host): a
 * listening socket that never calls accept(), filled by a few connections. Node always accepts, so a small Python
 * process holds it (python3 is on every Debian machine this runs on). Ended by `close()` or after 60 s.
 */
export async function unacceptingUrl(): Promise<{ url: string; close(): void }> {
    const { spawn } = await import("node:child_process");
    const script = [
        "import socket, time",
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)",
        "port = s.getsockname()[1]",
        "held = []",
        "for i in range(3):",
        "    c = socket.socket(); c.setblocking(False)",
        "    try: c.connect(('127.0.0.1', port))",
        "    except BlockingIOError: pass",
        "    held.append(c)",
        "time.sleep(0.3)",
        "print(port, flush=True)",
        "time.sleep(60)",
    ].join("\n");
    const child = spawn("python3", ["-c", script], { stdio: ["ignore", "pipe", "inherit"] });
    const port = await new Promise<number>((resolve, reject) => {
        child.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim())));
        child.once("error", reject);
        child.once("exit", (code) => reject(new Error(`python3 exited with ${code}`)));
    });
    return { url: `http://127.0.0.1:${port}`, close: () => child.kill() };
}
