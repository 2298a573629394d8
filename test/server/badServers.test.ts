/**
 * The server backend against servers that misbehave (test/helpers/badServer.ts, a real local HTTP server):
 * down, wrong URL, 401, unknown model, 500, a stream cut mid-way, invalid JSON, a server that never answers, one
 * that sends a byte a second. Each ends in a clear error (code + a message naming the host and what to do) within
 * its timeout, nothing hangs, and a chat turn keeps the question and whatever part of the answer had arrived.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runChatTurn } from "../../src/chat/chatTurn";
import { ConversationStore } from "../../src/core/chat/conversationStore";
import type { ChatMessageRecord, Conversation } from "../../src/protocol/conversation";
import { EngineError, type EngineErrorCode } from "../../src/protocol/engineProtocol";
import { ServerBackend, type ServerConfig } from "../../src/serverClient/serverBackend";
import { deadUrl, startBadServer, unacceptingUrl, type BadServer, type Behaviour } from "../helpers/badServer";

const TIMEOUTS = { connectMs: 1000, firstByteMs: 1500, idleMs: 1200, requestMs: 1500 };
/** Scheduling slack on a loaded 2-core machine. */
const SLACK_MS = 1500;

function backendFor(url: string, extra: Partial<ServerConfig> = {}): ServerBackend {
    return new ServerBackend({ config: () => ({ url, model: "", contextSize: 0, ...extra }), timeouts: TIMEOUTS });
}

async function failure(p: Promise<unknown>): Promise<{ err: EngineError; ms: number }> {
    const started = performance.now();
    try {
        await p;
    } catch (err) {
        assert.ok(err instanceof EngineError, `an EngineError, got ${String(err)}`);
        return { err, ms: performance.now() - started };
    }
    assert.fail("expected the request to fail");
}

function assertClear(err: EngineError, code: EngineErrorCode, message: RegExp, host: string): void {
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    assert.ok(err.message.includes(host), `the message names the server: ${err.message}`);
}

describe("server backend against bad servers", function () {
    this.timeout(30_000);
    let dir: string;
    let server: BadServer | undefined;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-bad-server-"))));
    afterEach(async () => {
        await server?.close();
        server = undefined;
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const start = async (b: Behaviour) => (server = await startBadServer(b));
    const host = () => new URL(server!.url).host;

    /** One chat turn through the product's runChatTurn, saved in a real ConversationStore; returns what is on disk. */
    async function chatTurn(backend: ServerBackend): Promise<{ answer: ChatMessageRecord; onDisk: Conversation; ms: number }> {
        const store = new ConversationStore(dir);
        const answer: ChatMessageRecord = { id: "a1", role: "assistant", text: "", status: "streaming", createdAt: 2 };
        const conversation: Conversation = {
            id: "c1", title: "t", createdAt: 1, updatedAt: 1,
            messages: [{ id: "u1", role: "user", text: "Tell me a story.", status: "complete", createdAt: 1 }, answer],
        };
        const started = performance.now();
        await runChatTurn({
            backend, store, conversation, answer, memory: {}, systemPrompt: "", maxTokens: 64, temperature: 0.7,
            signal: new AbortController().signal, onDelta: () => undefined, persistIntervalMs: 10,
        });
        const ms = performance.now() - started;
        await store.flush();
        const onDisk = (await new ConversationStore(dir).load()).conversations[0]!;
        assert.equal(onDisk.messages[0]!.text, "Tell me a story.", "the question is kept");
        return { answer, onDisk, ms };
    }

    it("a working server streams, and Stop closes the connection at once", async () => {
        await start("ok");
        const backend = backendFor(server!.url);
        const model = await backend.ready();
        assert.equal(model.location.kind, "server");
        assert.equal(model.contextSize, 2048, "the context the server reports (max_model_len)");
        const full = await backend.chat({ messages: [{ role: "user", text: "Hi" }], maxTokens: 64 });
        assert.equal(full.stopReason, "eos");
        assert.match(full.text, /^Once upon a time .* every day$/);
        assert.equal(full.promptTokens, 20, "usage from the server");

        const controller = new AbortController();
        let text = "";
        let stoppedAt = 0;
        const closedBefore = server!.clientClosedMidStream;
        const r = await backend.chat({ messages: [{ role: "user", text: "Hi" }], maxTokens: 64 }, {
            signal: controller.signal,
            onText: (t) => {
                text += t;
                if (!stoppedAt && text.split(" ").length >= 3) { stoppedAt = performance.now(); controller.abort(); }
            },
        });
        const stopMs = performance.now() - stoppedAt;
        assert.equal(r.stopReason, "cancelled");
        assert.ok(r.text.startsWith("Once upon a") && r.text.length < full.text.length, `partial text kept: ${r.text}`);
        // The whole answer takes about a second: stopping is much faster than finishing.
        assert.ok(stopMs < 300, `stopped in ${stopMs.toFixed(0)} ms`);
        await new Promise((res) => setTimeout(res, 100));
        assert.equal(server!.clientClosedMidStream, closedBefore + 1, "the server saw the connection close mid-answer");
        backend.dispose();
    });

    it("server down: unreachable, after the safe retries of the model list, and the chat keeps the question", async () => {
        const url = await deadUrl();
        const { err, ms } = await failure(backendFor(url).ready());
        assertClear(err, "serverUnreachable", /Cannot reach the server .*ECONNREFUSED.*hearth\.server\.url/, new URL(url).host);
        assert.ok(ms < 1300 + SLACK_MS, `${ms.toFixed(0)} ms (two retries, 0.3 s + 1 s)`);
        const turn = await chatTurn(backendFor(url));
        assert.equal(turn.onDisk.messages[1]!.status, "error");
        assert.match(turn.onDisk.messages[1]!.error ?? "", /Cannot reach/);
    });

    it("a host that never accepts the connection: the connect timeout, not the long first-answer wait", async () => {
        const blackhole = await unacceptingUrl();
        try {
            const { err, ms } = await failure(backendFor(blackhole.url).ready());
            assertClear(err, "serverTimeout", /did not accept a connection within 1 seconds/, new URL(blackhole.url).host);
            assert.ok(ms >= TIMEOUTS.connectMs - 50 && ms < TIMEOUTS.connectMs + SLACK_MS, `${ms.toFixed(0)} ms`);
        } finally {
            blackhole.close();
        }
    });

    it("wrong URL: a web server that is not an OpenAI-compatible server, and https to a plain-http port", async () => {
        await start("notOpenAi");
        const { err } = await failure(backendFor(`${server!.url}/v1`).ready());
        assertClear(err, "serverUnreachable", /does not answer like an OpenAI-compatible server \(GET \/v1\/models returned 404\)/, host());
        const tls = await failure(backendFor(server!.url.replace("http:", "https:")).ready());
        assertClear(tls.err, "serverUnreachable", /Cannot reach the server/, host());
        assert.ok(tls.ms < TIMEOUTS.connectMs + SLACK_MS);
    });

    it("401: says to set the API key, sends it only as a bearer token and never shows it", async () => {
        await start("unauthorized");
        const backend = backendFor(server!.url, { apiKey: "sk-secret-123" });
        const { err } = await failure(backend.ready());
        assertClear(err, "serverUnauthorized", /API key is missing or wrong.*Set Server API Key/, host());
        assert.ok(!err.message.includes("sk-secret-123") && !(err.detail ?? "").includes("sk-secret-123"));
        assert.equal(backend.state.kind, "error");
    });

    it("unknown model: at connect time (not in /v1/models) and when the server drops it later (404 on chat)", async () => {
        await start("ok");
        const { err } = await failure(backendFor(server!.url, { model: "qwen-32b" }).ready());
        assertClear(err, "serverModelNotFound", /has no model “qwen-32b”.*Select Model/, host());
        const backend = backendFor(server!.url);
        await backend.ready();
        server!.behaviour = "modelGone";
        const later = await failure(backend.chat({ messages: [{ role: "user", text: "Hi" }], maxTokens: 8 }));
        assertClear(later.err, "serverModelNotFound", /has no model “fake-model”/, host());
        assert.equal(backend.model, undefined, "the next request probes the server again");
    });

    it("500: the server's own message, and the chat turn records it", async () => {
        await start("ok");
        const backend = backendFor(server!.url);
        await backend.ready();
        server!.behaviour = "serverError";
        const turn = await chatTurn(backend);
        assert.equal(turn.onDisk.messages[1]!.status, "error");
        assert.match(turn.onDisk.messages[1]!.error ?? "", /failed \(500\): CUDA error: out of memory/);
    });

    it("a stream cut mid-way keeps the text that arrived, marked interrupted, on disk", async () => {
        await start("ok");
        const backend = backendFor(server!.url);
        await backend.ready();
        server!.behaviour = "cutMidStream";
        const turn = await chatTurn(backend);
        const saved = turn.onDisk.messages[1]!;
        assert.equal(saved.status, "interrupted");
        assert.equal(saved.text, "Once upon a time");
        assert.match(saved.error ?? "", /closed before the answer was complete/);
        assert.ok(turn.ms < 2000, `${turn.ms.toFixed(0)} ms`);
    });

    it("invalid JSON in the stream: a clear error at once, the text before it kept", async () => {
        await start("ok");
        const backend = backendFor(server!.url);
        await backend.ready();
        server!.behaviour = "invalidJson";
        const turn = await chatTurn(backend);
        const saved = turn.onDisk.messages[1]!;
        assert.equal(saved.status, "interrupted");
        assert.equal(saved.text, "Hello");
        assert.match(saved.error ?? "", /sent an answer Hearth cannot read: invalid JSON/);
        assert.ok(turn.ms < 2000, `did not wait for the server to end the stream (${turn.ms.toFixed(0)} ms)`);
    });

    it("a server that never answers: the model list times out, and so does a generation's first byte", async () => {
        await start("neverAnswers");
        const probe = await failure(backendFor(server!.url).ready());
        assertClear(probe.err, "serverTimeout", /did not (finish answering|start answering) within 1\.5 seconds/, host());
        assert.ok(probe.ms < TIMEOUTS.requestMs + SLACK_MS, `${probe.ms.toFixed(0)} ms`);

        server!.behaviour = "ok";
        const backend = backendFor(server!.url);
        await backend.ready();
        server!.behaviour = "neverAnswers";
        const turn = await chatTurn(backend);
        assert.equal(turn.onDisk.messages[1]!.status, "error");
        assert.match(turn.onDisk.messages[1]!.error ?? "", /did not start answering within 1\.5 seconds/);
        assert.ok(turn.ms < TIMEOUTS.firstByteMs + SLACK_MS, `${turn.ms.toFixed(0)} ms`);
    });

    it("one byte a second: headers that never complete, and a body that never completes an event", async () => {
        await start("ok");
        const backend = backendFor(server!.url);
        await backend.ready();
        server!.behaviour = "dripHeaders";
        const headers = await failure(backend.chat({ messages: [{ role: "user", text: "Hi" }], maxTokens: 8 }));
        assertClear(headers.err, "serverTimeout", /did not start answering/, host());
        assert.ok(headers.ms < TIMEOUTS.firstByteMs + SLACK_MS, `${headers.ms.toFixed(0)} ms`);

        server!.behaviour = "dripBody";
        const turn = await chatTurn(backend);
        assert.equal(turn.onDisk.messages[1]!.status, "interrupted");
        assert.equal(turn.onDisk.messages[1]!.text, "Slow");
        assert.match(turn.onDisk.messages[1]!.error ?? "", /stopped sending the answer for 1\.2 seconds/);
        assert.ok(turn.ms < TIMEOUTS.idleMs + SLACK_MS, `${turn.ms.toFixed(0)} ms although bytes kept arriving`);
        await new Promise((res) => setTimeout(res, 1100));
        assert.equal(server!.clientClosedMidStream, 1, "Hearth closed the connection");
    });
});
