/** Hearth's foundation inside a real extension host: activation, the real EngineService on a fixture, crash restart. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { CODE_CACHE_FILE } from "../../../src/activation/codeCache";
import { fixture, hearthApi, waitFor } from "../helpers";

/**
 * Issue 1's bound on activate() itself: it registers everything and returns at once. Issue 13's goal for the whole
 * activation (bundle load + activate(), ≤ 50 ms as well) is a benchmark figure (`activation_ms`, reported by npm run
 * bench against its goal): on the shared 2-core machine the bundle load alone took 54–145 ms (2026-12-03, load
 * average 6–9), so it is measured and reported here, not enforced.
 */
const ACTIVATE_BUDGET_MS = 50;
const ACTIVATION_GOAL_MS = 50;

describe("Hearth in the extension host", () => {
    it("activates and returns HearthApi with its activation time", async () => {
        const api = await hearthApi();
        const { codeLoadMs, activateMs, codeCache } = api.activation;
        console.log(`    Hearth activationMs = ${api.activationMs.toFixed(1)} ms: bundle load ${codeLoadMs?.toFixed(1)} ms (code cache: ${codeCache}) + activate() ${activateMs.toFixed(1)} ms `
            + `(goal ≤ ${ACTIVATION_GOAL_MS} ms, reported by npm run bench; activate() alone must stay ≤ ${ACTIVATE_BUDGET_MS} ms)`);
        // The extension host's own marks time the bundle load; without them only activate() would be measured.
        assert.ok(codeLoadMs !== undefined && codeLoadMs >= 0, "the extension host's code-loading marks for Hearth were not found");
        assert.ok(activateMs >= 0);
        assert.equal(api.activationMs, codeLoadMs + activateMs);
        // For `npm run bench -- --quick` (bench/activation.ts), which reports the last in-host measurement.
        fs.writeFileSync(path.resolve(__dirname, "..", "..", "..", "activation.json"), `${JSON.stringify({
            activationMs: api.activationMs, codeLoadMs, activateMs, codeCache, measuredAt: new Date().toISOString(),
        }, null, 2)}\n`);
        assert.ok(activateMs <= ACTIVATE_BUDGET_MS, `activate() took ${activateMs.toFixed(1)} ms, over the ${ACTIVATE_BUDGET_MS} ms budget`);
        assert.ok(api.engine, "HearthApi.engine is missing");
    });

    it("writes a V8 code cache after activation, for the next start to load Hearth's code from", async function () {
        this.timeout(30_000);
        const api = await hearthApi();
        const file = path.join(api.context.globalStorageUri.fsPath, CODE_CACHE_FILE);
        const hostStartedAt = Date.now() - process.uptime() * 1000;
        // A first start (a fresh profile, or a new build) compiled from source and writes the cache ~5 s later; a
        // start that used the cache leaves it as it is.
        const cache = api.activation.codeCache;
        assert.ok(cache, "activation did not go through src/extensionEntry.ts (no code-cache state)");
        const written = await waitFor(`the code cache at ${file} (state at activation: ${cache})`, () => {
            const stat = fs.statSync(file, { throwIfNoEntry: false });
            return stat && (cache === "hit" || stat.mtimeMs >= hostStartedAt) ? stat : undefined;
        }, 20_000);
        assert.ok(written.size > 10_000, `the code cache holds only ${written.size} bytes`);
        assert.equal(fs.readFileSync(file).toString("latin1", 0, 4), "HCC1");
    });

    it("declares and registers Hearth: Select Model", async () => {
        const ext = vscode.extensions.getExtension("hearth-local.hearth");
        const declared = (ext?.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
        assert.ok(declared.includes("hearth.selectModel"), "package.json does not contribute hearth.selectModel");
        const registered = await vscode.commands.getCommands(true);
        assert.ok(registered.includes("hearth.selectModel"), "hearth.selectModel is declared but no handler is registered");
    });

    it("loads the configured fixture model through the real backend service and streams a completion", async function () {
        this.timeout(120_000);
        const api = await hearthApi();
        // Other suites may have loaded the model already: restart so this test sees a real load from disk.
        await api.engine.restart();
        const states: string[] = [];
        const listener = api.backend.onDidChangeState((s) => states.push(s.kind));
        const model = await api.backend.ready().finally(() => listener.dispose());
        assert.ok(states.includes("loading"), `no loading state was reported (states: ${states.join(", ")})`);
        assert.equal(api.backend.kind, "embedded");
        assert.equal(path.resolve(model.id), path.resolve(fixture("stories260K-chat-fim.derived.gguf")));
        assert.ok(model.location.kind === "embedded", "the embedded engine answers");
        assert.equal(model.location.compute, "cpu");
        assert.equal(model.location.threads, 1);
        assert.equal(model.contextSize, 1024);
        assert.equal(api.backend.state.kind, "ready");
        assert.ok(api.engine.enginePid, "no engine pid after loading");

        const chunks: string[] = [];
        const result = await api.backend.complete(
            { sequence: "completion", prompt: "Once upon a time", maxTokens: 12, sampling: { temperature: 0 } },
            { onText: (text) => chunks.push(text) },
        );
        assert.ok(result.tokens > 0, "no tokens generated");
        assert.ok(chunks.length > 0, "no text streamed");
        assert.equal(chunks.join(""), result.text);
    });

    it("restarts the engine after kill -9 and serves the next request", async function () {
        this.timeout(120_000);
        const api = await hearthApi();
        await api.backend.ready();
        const killedPid = api.engine.enginePid;
        assert.ok(killedPid, "engine is not running");
        process.kill(killedPid, "SIGKILL");
        await waitFor("the service to notice the crash", () => api.backend.state.kind === "error", 15_000);

        const result = await api.backend.complete({
            sequence: "completion",
            prompt: "Once upon a time",
            maxTokens: 8,
            sampling: { temperature: 0 },
        });
        assert.ok(result.tokens > 0, "the request after the restart generated nothing");
        const newPid = api.engine.enginePid;
        assert.ok(newPid && newPid !== killedPid, `engine pid did not change (was ${killedPid}, now ${newPid})`);
        assert.ok(["ready", "generating"].includes(api.backend.state.kind), `state after restart: ${api.backend.state.kind}`);
    });
});
