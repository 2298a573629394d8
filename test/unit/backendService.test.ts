/**
 * BackendService (src/backend/backendService.ts): forwards to the backend the setting chooses, says "generating"
 * only for generations the user waits for, stops them with stopAll(), and switches backends cleanly.
 */
import * as assert from "node:assert/strict";
import { BackendService } from "../../src/backend/backendService";
import type { BackendKind, BackendModel, BackendState, LlmBackend, StreamOptions } from "../../src/backend/llmBackend";
import type { GenerationResult } from "../../src/protocol/generation";

function model(id: string): BackendModel {
    return {
        id, name: id, contextSize: 1024,
        capabilities: { fim: false, toolCalling: false, exactTokenCount: true },
        location: { kind: "server", url: "http://127.0.0.1:1", host: "127.0.0.1:1" },
    };
}

/** A backend whose generations run until aborted (or until `finish` is called). */
class FakeBackend implements LlmBackend {
    state: BackendState;
    calls: string[] = [];
    private listeners = new Set<(s: BackendState) => void>();
    private running = new Set<() => void>();
    constructor(readonly kind: BackendKind, readonly model: BackendModel) {
        this.state = { kind: "ready", model };
    }
    onDidChangeState(l: (s: BackendState) => void) {
        this.listeners.add(l);
        return { dispose: () => this.listeners.delete(l) };
    }
    setState(s: BackendState) {
        this.state = s;
        for (const l of this.listeners) l(s);
    }
    async ready() {
        return this.model;
    }
    private run(name: string, o: StreamOptions = {}): Promise<GenerationResult> {
        this.calls.push(name);
        return new Promise((resolve) => {
            const done = () => resolve({
                text: "", tokens: 0, promptTokens: 0, evaluatedPromptTokens: 0, stopReason: o.signal?.aborted ? "cancelled" : "eos",
                timeToFirstTokenMs: 0, totalMs: 0, tokensPerSecond: 0, contextUsed: 0, contextSize: 1024,
            });
            this.running.add(done);
            o.signal?.addEventListener("abort", done, { once: true });
        });
    }
    finishAll() {
        for (const d of this.running) d();
        this.running.clear();
    }
    chat(_p: unknown, o?: StreamOptions) { return this.run("chat", o); }
    complete(_p: unknown, o?: StreamOptions) { return this.run("complete", o); }
    infill(_p: unknown, o?: StreamOptions) { return this.run("infill", o); }
    async countTokens(texts: readonly string[]) { return { counts: texts.map((t) => t.length), estimated: false }; }
    async listModels() { return [{ id: this.model.id, name: this.model.name }]; }
}

describe("BackendService", () => {
    it("says generating for chat and chat-sequence prompts, not for completions", async () => {
        const embedded = new FakeBackend("embedded", model("a"));
        const service = new BackendService({ embedded }, () => "embedded");
        const states: string[] = [];
        service.onDidChangeState((s) => states.push(s.kind));
        const infill = service.infill({ extraContext: "", prefix: "", suffix: "", currentLinePrefix: "", maxTokens: 4 });
        const completion = service.complete({ sequence: "completion", prompt: "x", maxTokens: 4 });
        assert.equal(service.state.kind, "ready", "ghost text must not flip the status bar");
        const chat = service.chat({ messages: [], maxTokens: 4 });
        assert.equal(service.state.kind, "generating");
        assert.equal(service.generating, true);
        embedded.finishAll();
        await Promise.all([infill, completion, chat]);
        assert.equal((service.state as BackendState).kind, "ready");
        assert.deepEqual(states, ["generating", "ready"]);
    });

    it("stopAll aborts foreground generations only", async () => {
        const embedded = new FakeBackend("embedded", model("a"));
        const service = new BackendService({ embedded }, () => "embedded");
        const chat = service.chat({ messages: [], maxTokens: 4 });
        const raw = service.complete({ sequence: "chat", prompt: "x", maxTokens: 4 });
        const ghost = service.complete({ sequence: "completion", prompt: "x", maxTokens: 4 });
        service.stopAll();
        assert.equal((await chat).stopReason, "cancelled");
        assert.equal((await raw).stopReason, "cancelled");
        embedded.finishAll();
        assert.equal((await ghost).stopReason, "eos");
    });

    it("a background generation (the chat's summary) is not 'generating' and not stopped by Stop, but by its owner and a backend switch", async () => {
        const embedded = new FakeBackend("embedded", model("a"));
        const server = new FakeBackend("openai-compatible", model("b"));
        let choice: BackendKind = "embedded";
        const service = new BackendService({ embedded, "openai-compatible": server }, () => choice);
        const states: string[] = [];
        service.onDidChangeState((s) => states.push(s.kind));
        const untouched = service.chat({ messages: [], maxTokens: 4 }, { background: true });
        assert.equal(service.state.kind, "ready");
        assert.equal(service.generating, false);
        service.stopAll();
        embedded.finishAll();
        assert.equal((await untouched).stopReason, "eos", "Stop Generation left the background generation alone");
        const owner = new AbortController();
        const summary = service.chat({ messages: [], maxTokens: 4 }, { background: true, signal: owner.signal });
        owner.abort();
        assert.equal((await summary).stopReason, "cancelled");
        const other = service.chat({ messages: [], maxTokens: 4 }, { background: true });
        choice = "openai-compatible";
        service.backendChanged();
        assert.equal((await other).stopReason, "cancelled");
        assert.deepEqual(states.filter((s) => s === "generating"), []);
    });

    it("a caller's own abort reaches the backend", async () => {
        const embedded = new FakeBackend("embedded", model("a"));
        const service = new BackendService({ embedded }, () => "embedded");
        const controller = new AbortController();
        const chat = service.chat({ messages: [], maxTokens: 4 }, { signal: controller.signal });
        controller.abort();
        assert.equal((await chat).stopReason, "cancelled");
        assert.equal(service.generating, false);
    });

    it("switches to the chosen backend, stopping what ran on the old one and forwarding the new one's state", async () => {
        const embedded = new FakeBackend("embedded", model("local"));
        const server = new FakeBackend("openai-compatible", model("remote"));
        let choice: BackendKind = "embedded";
        const service = new BackendService({ embedded, "openai-compatible": server }, () => choice);
        const chat = service.chat({ messages: [], maxTokens: 4 });
        choice = "openai-compatible";
        service.backendChanged();
        assert.equal((await chat).stopReason, "cancelled");
        assert.equal(service.kind, "openai-compatible");
        assert.equal((await service.ready()).id, "remote");
        const seen: string[] = [];
        service.onDidChangeState((s) => seen.push(s.kind));
        embedded.setState({ kind: "error", message: "x", stopped: false });
        server.setState({ kind: "loading", progress: 0.5, label: "remote" });
        assert.deepEqual(seen, ["loading"], "only the active backend's state is forwarded");
    });

    it("falls back to the embedded engine when the chosen backend is not available", () => {
        const embedded = new FakeBackend("embedded", model("local"));
        const service = new BackendService({ embedded }, () => "openai-compatible");
        assert.equal(service.kind, "embedded");
    });
});
