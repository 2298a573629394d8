/**
 * hearth.backend = "openai-compatible" in the real extension host: a chat turn goes to a real llama-server on a
 * loopback port (built by scripts/llama-cpp-tools.mjs; npm test builds it before this suite), the status bar says
 * plainly that text goes to that host, and switching back to "embedded" returns to the engine.
 */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { HearthApi } from "../../../src/extension";
import { cachedLlamaCppTools } from "../../helpers/llamaCppTools";
import { startLlamaServer, type LlamaServer } from "../../helpers/llamaServer";
import { fixture, hearthApi, waitFor } from "../helpers";

describe("Server backend in the extension host", function () {
    this.timeout(120_000);
    let api: Required<HearthApi>;
    let server: LlamaServer | undefined;
    const config = () => vscode.workspace.getConfiguration("hearth");

    before(async () => {
        api = await hearthApi();
        const tools = await cachedLlamaCppTools();
        assert.ok(tools, "llama-server is not built: run `node scripts/llama-cpp-tools.mjs` (npm test does it before this suite)");
        server = await startLlamaServer({ model: fixture("stories260K-chat-fim.derived.gguf"), contextSize: 2048, exe: tools.llamaServer });
    });
    after(async () => {
        await config().update("backend", undefined, vscode.ConfigurationTarget.Global);
        await config().update("server.url", undefined, vscode.ConfigurationTarget.Global);
        await server?.stop();
    });

    it("a chat turn goes to the configured server, and the status bar names its host", async () => {
        const host = new URL(server!.url).host;
        await config().update("server.url", server!.url, vscode.ConfigurationTarget.Global);
        await config().update("backend", "openai-compatible", vscode.ConfigurationTarget.Global);
        await waitFor("the server backend to become active", () => api.backend.kind === "openai-compatible");
        await waitFor("the status bar to name the server before any request", () => api.statusBar.shown.text.includes(host));
        assert.match(api.statusBar.shown.tooltip, new RegExp(`text of your requests is sent there`));

        await vscode.commands.executeCommand("hearth.newChat");
        await api.chat.ask({ prompt: "Tell me a story about a cat.", displayText: "Cat story" });
        const answer = api.chat.conversations()[0]!.messages.at(-1)!;
        // "cut": ended at hearth.chat.maxTokens (a finished answer, marked so Continue can go on with it).
        assert.ok(answer.status === "complete" || answer.status === "cut", `${answer.status}: ${answer.error}`);
        assert.ok(answer.text.length > 0 && answer.stats!.promptTokens > 0);

        const model = api.backend.model!;
        assert.deepEqual(model.location, { kind: "server", url: server!.url, host });
        assert.equal(model.contextSize, 2048);
        const shown = await waitFor("the status bar in the ready state", () => api.statusBar.shown.text.includes("→") ? api.statusBar.shown : undefined);
        assert.ok(shown.text.includes(host), shown.text);
        assert.match(shown.tooltip, new RegExp(`Your text is sent to the server ${host.replace(/[.]/g, "\\.")}`));
    });

    it("switching hearth.backend back to embedded answers from the engine on this computer again", async () => {
        await config().update("backend", "embedded", vscode.ConfigurationTarget.Global);
        await waitFor("the embedded backend to become active", () => api.backend.kind === "embedded");
        await api.chat.ask({ prompt: "Tell me a story about a dog.", displayText: "Dog story" });
        const answer = api.chat.conversations()[0]!.messages.at(-1)!;
        // "cut": ended at hearth.chat.maxTokens (a finished answer, marked so Continue can go on with it).
        assert.ok(answer.status === "complete" || answer.status === "cut", `${answer.status}: ${answer.error}`);
        assert.equal(api.backend.model?.location.kind, "embedded");
        assert.ok(!api.statusBar.shown.text.includes(new URL(server!.url).host));
    });
});
