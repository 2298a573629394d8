/**
 * Integration tests: the real engine process (dist/engine.mjs) on the real GGUF fixtures, driven through the
 * same EngineProcess client the extension uses. Threads are pinned to 1 (2-core CI machines).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { EngineError, type LoadModelParams } from "../../src/protocol/engineProtocol";
import { ENGINE_PATH, fixture } from "../helpers/fixtures";
import { qwen2VocabModel } from "../helpers/llamaVocab";

function params(modelPath: string, extra: Partial<LoadModelParams> = {}): LoadModelParams {
    return { modelPath, contextSize: 2048, threads: 1, gpuLayers: 0, sequences: 2, gpu: "cpu", ...extra };
}

function newEngine(): EngineProcess {
    return new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined });
}

async function rejectsWith(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<EngineError> {
    try {
        await p;
    } catch (err) {
        assert.ok(err instanceof EngineError, `expected EngineError, got ${String(err)}`);
        assert.equal(err.code, code, err.message);
        if (pattern) assert.match(err.message, pattern);
        return err;
    }
    assert.fail(`expected rejection with ${code}`);
}

describe("engine process on the real fixture model", function () {
    this.timeout(60_000);
    let engine: EngineProcess;

    beforeEach(() => (engine = newEngine()));
    afterEach(() => engine.dispose());

    it("loads stories260K and streams at least 100 tokens", async () => {
        const progress: number[] = [];
        const info = await engine.request("loadModel", params(fixture("stories260K.gguf")), {
            onEvent: (e) => progress.push(e.progress),
        });
        assert.equal(info.backend, "cpu");
        assert.equal(info.threads, 1);
        assert.ok(info.contextSize <= 2048 && info.contextSize >= 512, `context ${info.contextSize}`);
        assert.equal(progress.at(-1), 1);
        let streamed = "";
        let chunks = 0;
        let firstChunkAt = 0;
        const started = performance.now();
        const r = await engine.request("complete", {
            sequence: "chat", prompt: "Once upon a time", maxTokens: 120, sampling: { temperature: 0 },
        }, { onEvent: (e) => { streamed += e.text; chunks++; firstChunkAt ||= performance.now(); } });
        const totalMs = performance.now() - started;
        assert.ok(r.tokens >= 100, `only ${r.tokens} tokens`);
        // Text streams: it arrives in several pieces, the first long before the answer is complete. (Chunks that
        // arrive within 8 ms are merged, so at ~3000 tok/s there are fewer chunks than tokens.)
        assert.ok(chunks >= 3, `only ${chunks} chunks streamed`);
        assert.ok(firstChunkAt - started < totalMs / 2, `first chunk after ${(firstChunkAt - started).toFixed(1)} of ${totalMs.toFixed(1)} ms`);
        assert.equal(streamed, r.text);
        assert.match(r.text, /\b(Lily|girl|play|day)\b/, "greedy output of stories260K is a children's story");
        console.log(`      model load ${info.loadMs} ms, first token ${r.timeToFirstTokenMs.toFixed(1)} ms, ${r.tokensPerSecond.toFixed(0)} tok/s`);
    });

    it("cancels mid-stream and the stream ends within 200 ms", async () => {
        await engine.request("loadModel", params(fixture("stories260K.gguf")));
        const controller = new AbortController();
        let cancelledAt = 0;
        let chunksAfterCancel = 0;
        const done = engine.request("complete", {
            sequence: "chat", prompt: "Once upon a time", maxTokens: 1900, sampling: { temperature: 0.8, seed: 1 },
        }, {
            signal: controller.signal,
            onEvent: (e) => {
                if (cancelledAt) chunksAfterCancel++;
                else if (e.tokens >= 20) { cancelledAt = performance.now(); controller.abort(); }
            },
        });
        const r = await done;
        const stopMs = performance.now() - cancelledAt;
        assert.equal(r.stopReason, "cancelled");
        assert.ok(r.tokens < 1900);
        assert.ok(stopMs < 200, `stream ended ${stopMs.toFixed(1)} ms after cancel`);
        console.log(`      stopped ${stopMs.toFixed(1)} ms after cancel (${chunksAfterCancel} chunks in flight)`);
    });

    it("chat turn through the chat template fixture", async () => {
        const info = await engine.request("loadModel", params(fixture("stories260K-chat-fim.derived.gguf")));
        assert.equal(info.hasChatTemplate, true);
        assert.equal(info.infillSupported, true);
        const r = await engine.request("chat", {
            messages: [{ role: "user", text: "Tell me a story." }], maxTokens: 40, sampling: { temperature: 0 },
        });
        assert.ok(r.tokens > 0 && r.tokens <= 40);
        assert.ok(r.text.length > 0);
        assert.ok(r.contextUsed <= r.contextSize);
    });

    it("a chat answer stopped by its allowance counts every token it generated, also a held-back last one", async () => {
        // LlamaChat holds back trailing whitespace (and a possible stop string's start) instead of reporting it as a
        // token; an answer whose allowance ran out on such a token was counted one short, so "cut" came with a
        // count under the allowance. Every allowance from 1 to 60 must count exactly (Qwen2's vocabulary has
        // whitespace-only tokens; the stories fixtures never end an allowance on one).
        await engine.request("loadModel", params(await qwen2VocabModel()));
        const miscounted: string[] = [];
        let heldBack = 0;
        for (let maxTokens = 1; maxTokens <= 60; maxTokens++) {
            let streamedTokens = 0;
            const r = await engine.request("chat", {
                messages: [{ role: "user", text: "Tell me a story." }], maxTokens, sampling: { temperature: 0 },
            }, { onEvent: (e) => { streamedTokens = e.tokens; } });
            if (r.stopReason !== "maxTokens") continue;
            if (r.tokens !== maxTokens) miscounted.push(`${r.tokens} of ${maxTokens}`);
            if (streamedTokens < maxTokens) heldBack++;
        }
        assert.deepEqual(miscounted, [], "answers stopped at their allowance with another token count");
        // The case the fix is for happened at least once in this range (else the test proves nothing).
        assert.ok(heldBack > 0, "no allowance ended on a held-back token; pick another prompt");
        console.log(`      ${heldBack} of 60 allowances ended on a token LlamaChat held back`);
    });

    it("restarts after kill -9 and the next request succeeds", async () => {
        await engine.request("loadModel", params(fixture("stories260K.gguf")));
        const firstPid = engine.pid!;
        const pending = engine.request("complete", { sequence: "chat", prompt: "Once", maxTokens: 1900 });
        process.kill(firstPid, "SIGKILL");
        await rejectsWith(pending, "engineCrashed", /killed|exited/);
        assert.equal(engine.state.kind, "crashed");
        const info = await engine.request("loadModel", params(fixture("stories260K.gguf")));
        assert.notEqual(engine.pid, firstPid);
        assert.equal(info.backend, "cpu");
        const r = await engine.request("complete", { sequence: "chat", prompt: "Once upon a time", maxTokens: 10 });
        assert.ok(r.tokens > 0);
    });

    it("stops restarting after 3 crashes in 60 s, until restarted explicitly", async () => {
        for (let i = 0; i < 3; i++) {
            await engine.start();
            const pid = engine.pid!;
            const exited = new Promise<void>((resolve) => {
                const sub = engine.onDidChangeState((s) => { if (s.kind === "crashed" || s.kind === "stopped") { sub.dispose(); resolve(); } });
            });
            process.kill(pid, "SIGKILL");
            await exited;
        }
        assert.equal(engine.state.kind, "stopped");
        await rejectsWith(engine.request("stats", {}), "engineStopped", /3 times/);
        await engine.restart();
        const stats = await engine.request("stats", {});
        assert.equal(stats.pid, engine.pid);
    });

    describe("bad model files get a clear error and the engine keeps working", () => {
        let tmp: string;
        before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-bad-"))));
        after(() => fs.rmSync(tmp, { recursive: true, force: true }));

        it("a text file renamed .gguf", async () => {
            const file = path.join(tmp, "notes.gguf");
            fs.writeFileSync(file, "These are my notes, not a model.\n");
            await rejectsWith(engine.request("loadModel", params(file)), "badModel", /notes\.gguf is not a GGUF model file/);
        });

        it("a truncated copy of a real model", async () => {
            const file = path.join(tmp, "truncated.gguf");
            const data = fs.readFileSync(fixture("stories260K.gguf"));
            fs.writeFileSync(file, data.subarray(0, Math.floor(data.length / 2)));
            await rejectsWith(engine.request("loadModel", params(file)), "badModel", /truncated\.gguf/);
            const info = await engine.request("loadModel", params(fixture("stories260K.gguf")));
            assert.equal(info.backend, "cpu");
        });

        it("a missing file", async () => {
            await rejectsWith(engine.request("loadModel", params(path.join(tmp, "nope.gguf"))), "badModel", /does not exist/);
        });
    });

    it("refuses an engine that speaks another protocol version, saying what to do", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-proto-"));
        const fake = path.join(dir, "engine.mjs");
        // Announces itself like an engine from another release, then waits.
        fs.writeFileSync(fake, "process.send({ type: 'ready', protocolVersion: 999, pid: process.pid, nodeVersion: process.version });\n"
            + "setInterval(() => undefined, 1000);\n");
        const engine = new EngineProcess({ enginePath: fake, execPath: process.execPath, log: () => undefined });
        try {
            await rejectsWith(engine.request("stats", {}), "engineStopped", /protocol version 999.*needs version \d+.*Reinstall/);
            assert.equal(engine.state.kind, "stopped");
            for (let i = 0; i < 100 && engine.pid !== undefined; i++) await new Promise((r) => setTimeout(r, 20));
            assert.equal(engine.pid, undefined, "the mismatched process was stopped");
        } finally {
            engine.dispose();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
