/**
 * What the server backend sends to servers that are not llama-server, checked against local HTTP servers that answer
 * in the documented shapes of vLLM and Ollama (no GPU or network here to run the real ones): how each is recognised,
 * where FIM goes (the model family's tokens in a raw /v1/completions prompt for vLLM, `suffix` for Ollama), token
 * counts through vLLM's /tokenize, and the estimate elsewhere.
 */
import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { requestSuggestion } from "../../src/completion/completionEngine";
import { ServerBackend } from "../../src/serverClient/serverBackend";

type Handler = (path: string, body: Record<string, unknown>) => { status?: number; json?: unknown; sse?: unknown[] };

async function fakeServer(handler: Handler): Promise<{ url: string; requests: { path: string; body: Record<string, unknown> }[]; close(): Promise<void> }> {
    const requests: { path: string; body: Record<string, unknown> }[] = [];
    const server = http.createServer((req, res) => {
        let raw = "";
        req.on("data", (d) => (raw += d));
        req.on("end", () => {
            const body = raw ? JSON.parse(raw) as Record<string, unknown> : {};
            requests.push({ path: req.url ?? "", body });
            const answer = handler(req.url ?? "", body);
            if (answer.sse) {
                res.writeHead(200, { "content-type": "text/event-stream" });
                for (const e of answer.sse) res.write(`data: ${JSON.stringify(e)}\n\n`);
                return res.end("data: [DONE]\n\n");
            }
            res.writeHead(answer.status ?? 200, { "content-type": "application/json" });
            res.end(JSON.stringify(answer.json ?? { error: { message: "not found" } }));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

const completionStream = (text: string) => [
    { choices: [{ index: 0, text, finish_reason: null }] },
    { choices: [{ index: 0, text: "", finish_reason: "stop" }], usage: { prompt_tokens: 50, completion_tokens: 2 } },
];

const doc = { text: "function add(a, b) {\n    return \n}\n", offset: "function add(a, b) {\n    return ".length, languageId: "javascript" };

describe("server dialects (vLLM- and Ollama-shaped local servers)", function () {
    this.timeout(20_000);

    it("vLLM: recognised by owned_by, context from max_model_len, FIM tokens checked with /tokenize and used in /v1/completions", async () => {
        const MODEL = "Qwen/Qwen2.5-Coder-7B-Instruct";
        const server = await fakeServer((path, body) => {
            if (path === "/v1/models") return { json: { data: [{ id: MODEL, owned_by: "vllm", max_model_len: 32768 }] } };
            if (path === "/tokenize") {
                const prompt = String(body.prompt);
                return { json: { count: prompt.startsWith("<|fim_") ? 1 : Math.ceil(prompt.length / 4), tokens: [] } };
            }
            if (path === "/v1/completions") return { sse: completionStream("a + b;") };
            return { status: 404 };
        });
        const backend = new ServerBackend({ config: () => ({ url: `${server.url}/v1`, model: "", contextSize: 0 }) });
        try {
            const model = await backend.ready();
            assert.equal(backend.facts?.kind, "vllm");
            assert.equal(model.contextSize, 32768);
            assert.deepEqual(model.capabilities, { fim: true, toolCalling: false, exactTokenCount: true });
            assert.ok(!server.requests.some((r) => r.path === "/props"), "no llama-server probes sent to vLLM");
            const counts = await backend.countTokens(["12345678"]);
            assert.deepEqual(counts, { counts: [2], estimated: false });

            const s = await requestSuggestion(backend, model, doc, { maxTokens: 16, timeBudgetMs: 5000 });
            assert.equal(s.kind, "infill");
            const sent = server.requests.filter((r) => r.path === "/v1/completions").at(-1)!.body;
            assert.equal(sent.model, MODEL);
            assert.equal(sent.prompt, "<|fim_prefix|>function add(a, b) {\n    return <|fim_suffix|>\n}\n<|fim_middle|>");
            assert.ok((sent.stop as string[]).includes("<|endoftext|>"), "the family's end markers stop generation");
            assert.equal(sent.stream, true);
            assert.equal(sent.top_k, 20, "vLLM accepts top_k");
            assert.equal(sent.repetition_penalty, 1, "in vLLM's name for it");
            assert.equal(s.result!.promptTokens, 50);
        } finally {
            backend.dispose();
            await server.close();
        }
    });

    it("vLLM with a model outside the FIM families: prefix-only completion", async () => {
        const server = await fakeServer((path) => {
            if (path === "/v1/models") return { json: { data: [{ id: "meta-llama/Llama-3.1-8B-Instruct", owned_by: "vllm", max_model_len: 8192 }] } };
            if (path === "/tokenize") return { json: { count: 1, tokens: [1] } };
            if (path === "/v1/completions") return { sse: completionStream(" a + b;") };
            return { status: 404 };
        });
        const backend = new ServerBackend({ config: () => ({ url: server.url, model: "", contextSize: 0 }) });
        try {
            const model = await backend.ready();
            assert.equal(model.capabilities.fim, false);
            const s = await requestSuggestion(backend, model, doc, { maxTokens: 16, timeBudgetMs: 5000 });
            assert.equal(s.kind, "plain");
            const sent = server.requests.filter((r) => r.path === "/v1/completions").at(-1)!.body;
            assert.equal(sent.prompt, "function add(a, b) {\n    return ");
        } finally {
            backend.dispose();
            await server.close();
        }
    });

    it("Ollama: recognised by /api/version, FIM through `suffix` when the model can insert, estimated counts", async () => {
        const server = await fakeServer((path, body) => {
            if (path === "/v1/models") return { json: { data: [{ id: "qwen2.5-coder:7b", owned_by: "library" }] } };
            if (path === "/api/version") return { json: { version: "0.12.3" } };
            if (path === "/api/show") return { json: body.model === "qwen2.5-coder:7b" ? { capabilities: ["completion", "insert"] } : {} };
            if (path === "/v1/completions") return { sse: completionStream("a + b;") };
            return { status: 404 };
        });
        const backend = new ServerBackend({ config: () => ({ url: server.url, model: "", contextSize: 0 }) });
        try {
            const model = await backend.ready();
            assert.equal(backend.facts?.kind, "ollama");
            assert.equal(model.contextSize, 4096, "assumed: Ollama does not report the context of OpenAI-API requests");
            assert.equal(backend.facts?.contextSource, "assumed");
            assert.equal(model.capabilities.fim, true);
            assert.equal((await backend.countTokens(["hello world"])).estimated, true);
            await requestSuggestion(backend, model, doc, { maxTokens: 16, timeBudgetMs: 5000 });
            const sent = server.requests.filter((r) => r.path === "/v1/completions").at(-1)!.body;
            assert.equal(sent.prompt, "function add(a, b) {\n    return ");
            assert.equal(sent.suffix, "\n}\n");
            assert.equal(sent.top_k, undefined, "only standard sampling fields");
        } finally {
            backend.dispose();
            await server.close();
        }
    });
});
