/**
 * Hearth's model through VS Code's own language-model API (`vscode.lm`, VS Code 1.104+; code-server 1.139 here),
 * exactly as another extension or VS Code's chat uses it: listed with the limits Hearth allocated, streaming through
 * the real engine, cancelled in the engine, counted with the model's tokenizer, calling tools on a model whose
 * template supports them (refused cleanly on one whose template does not), and a clear error with no model.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as vscode from "vscode";
import type { HearthApi } from "../../../src/extension";
import { LOCAL_MODEL_ID, MESSAGE_OVERHEAD_TOKENS } from "../../../src/lm/hearthChatProvider";
import { toolCallingModel, TOOL_MODEL_CONTEXT } from "../../helpers/toolModel";
import { fixture, hearthApi, waitFor } from "../helpers";

/** The parts of the 1.104 API that @types/vscode 1.90 (Hearth's engines.vscode) does not declare. */
interface LmParts {
    LanguageModelTextPart: new (value: string) => { value: string };
    LanguageModelToolCallPart: new (callId: string, name: string, input: object) => { callId: string; name: string; input: object };
    LanguageModelToolResultPart: new (callId: string, content: unknown[]) => object;
    LanguageModelChatToolMode: { Auto: number; Required: number };
    LanguageModelChatMessage: {
        User(content: string | unknown[]): vscode.LanguageModelChatMessage;
        Assistant(content: string | unknown[]): vscode.LanguageModelChatMessage;
    };
}
interface RequestWithTools {
    tools?: { name: string; description: string; inputSchema?: object }[];
    toolMode?: number;
}
const lm = vscode as unknown as LmParts;

const WEATHER = {
    name: "get_weather",
    description: "The weather forecast for a city",
    inputSchema: { type: "object", properties: { city: { enum: ["Paris", "Tokyo"] }, days: { enum: [1, 2, 3] } }, required: ["city", "days"] },
};

/** Hearth's entry in vscode.lm; with `where`, once it satisfies it (the list updates after settings change). */
async function hearthModel(where?: (model: vscode.LanguageModelChat) => boolean): Promise<vscode.LanguageModelChat> {
    let last: unknown;
    return waitFor("vscode.lm to list Hearth's model", async () => {
        const [model, ...more] = await vscode.lm.selectChatModels({ vendor: "hearth" });
        assert.equal(more.length, 0, "one entry for the embedded engine");
        last = model && { ...model };
        return model && (!where || where(model)) ? model : undefined;
    }, 30_000).catch((err: Error) => { throw new Error(`${err.message}; last listed: ${JSON.stringify(last)}`); });
}

/** What VS Code 1.139 exposes beyond the stable LanguageModelChat fields. */
const capabilities = (model: vscode.LanguageModelChat) =>
    (model as unknown as { capabilities?: { supportsToolCalling?: boolean } }).capabilities;

/** Every part of a streamed response, with the time each arrived. */
async function collect(response: vscode.LanguageModelChatResponse): Promise<{ part: unknown; at: number }[]> {
    const parts: { part: unknown; at: number }[] = [];
    for await (const part of (response as unknown as { stream: AsyncIterable<unknown> }).stream) parts.push({ part, at: performance.now() });
    return parts;
}

const config = () => vscode.workspace.getConfiguration("hearth");

describe("Hearth's model through vscode.lm", function () {
    this.timeout(240_000);
    let api: Required<HearthApi>;
    const changed = ["model", "contextSize", "chat.maxTokens"];
    /** The user's values before this suite changed them (the run's settings.json), restored afterwards. */
    const saved = new Map<string, unknown>();

    before(async () => {
        api = await hearthApi();
        for (const key of changed) saved.set(key, config().inspect(key)?.globalValue);
        await api.backend.ready();
    });
    after(async () => {
        for (const key of changed) await config().update(key, saved.get(key), vscode.ConfigurationTarget.Global);
    });

    async function useModel(modelPath: string, contextSize?: number, maxTokens?: number): Promise<void> {
        await config().update("model", modelPath, vscode.ConfigurationTarget.Global);
        await config().update("contextSize", contextSize ?? saved.get("contextSize"), vscode.ConfigurationTarget.Global);
        await config().update("chat.maxTokens", maxTokens ?? saved.get("chat.maxTokens"), vscode.ConfigurationTarget.Global);
    }

    it("declares the vendor with Hearth: Select Model as its management command", async () => {
        const ext = vscode.extensions.getExtension("hearth-local.hearth")!;
        const providers = ext.packageJSON.contributes.languageModelChatProviders as { vendor: string; managementCommand: string }[];
        assert.deepEqual(providers.map((p) => [p.vendor, p.managementCommand]), [["hearth", "hearth.selectModel"]]);
        assert.ok((await vscode.commands.getCommands(true)).includes("hearth.selectModel"));
    });

    it("lists the fixture model with the context Hearth allocated", async () => {
        const loaded = api.backend.model!;
        const model = await hearthModel((m) => m.name === loaded.name);
        assert.equal(model.vendor, "hearth");
        assert.equal(model.id, LOCAL_MODEL_ID);
        assert.equal(path.resolve(loaded.id), path.resolve(fixture("stories260K-chat-fim.derived.gguf")));
        // contextSize 1024 and chat.maxTokens 48 (the in-host settings): the prompt gets the rest of the context.
        assert.equal(loaded.contextSize, 1024);
        assert.equal(model.maxInputTokens, 1024 - 48);
        assert.equal(model.version, "stories260K-chat-fim.derived.gguf");
        assert.equal(capabilities(model)?.supportsToolCalling, false);
    });

    it("a request streams text through the engine as a foreground generation", async () => {
        const model = await hearthModel();
        let sawGenerating = false;
        const listener = api.backend.onDidChangeState((s) => { sawGenerating ||= s.kind === "generating"; });
        const response = await model.sendRequest([vscode.LanguageModelChatMessage.User("Tell me a story about a dog.")], {}, new vscode.CancellationTokenSource().token);
        const parts = await collect(response);
        listener.dispose();
        const texts = parts.map((p) => p.part).filter((p): p is { value: string } => p instanceof lm.LanguageModelTextPart);
        assert.ok(texts.length >= 2, `the answer did not stream (${texts.length} text parts)`);
        assert.ok(texts.map((t) => t.value).join("").trim().length > 0, "empty answer");
        assert.ok(sawGenerating, "the request did not show as a foreground generation (status bar, Stop Generation)");
        assert.deepEqual((await api.engine.request("stats", {})).busy, []);
    });

    it("countTokens agrees with the engine's tokenizer, for text and for messages", async () => {
        const model = await hearthModel();
        const samples = ["Once upon a time there was a little dog.", "本地模型在你的电脑上运行。", "def add(a, b):\n    return a + b\n"];
        const engineCounts = (await api.backend.countTokens(samples)).counts;
        for (const [i, text] of samples.entries()) {
            assert.equal(await model.countTokens(text), engineCounts[i], `count of ${JSON.stringify(text)}`);
            assert.equal(await model.countTokens(vscode.LanguageModelChatMessage.User(text)), engineCounts[i]! + MESSAGE_OVERHEAD_TOKENS);
        }
        // Cheap: VS Code counts every message of every prompt, again and again.
        const started = performance.now();
        const again = await Promise.all(Array.from({ length: 300 }, (_, i) => model.countTokens(samples[i % samples.length]!)));
        const ms = performance.now() - started;
        console.log(`      300 countTokens calls (cached) in ${ms.toFixed(0)} ms`);
        assert.deepEqual(again.slice(0, 3), engineCounts);
    });

    it("countTokens never waits for a model load: with none loaded it answers an estimate at once", async () => {
        const model = await hearthModel();
        await api.engine.restart();
        assert.equal(api.backend.model, undefined, "the restart left a model loaded");
        const started = performance.now();
        const n = await model.countTokens("A sentence that has not been counted before, about a cat and a hat.");
        const ms = performance.now() - started;
        assert.ok(n > 0);
        assert.equal(api.backend.model, undefined, "counting loaded the model");
        assert.ok(!["loading", "starting"].includes(api.backend.state.kind), `counting started a load (${api.backend.state.kind})`);
        console.log(`      estimate with no model loaded: ${n} tokens in ${ms.toFixed(0)} ms`);
        await api.backend.ready();
    });

    it("tools are refused cleanly on a model whose template has no function calling", async () => {
        const model = await hearthModel();
        assert.equal(api.backend.model?.capabilities.toolCalling, false);
        await assert.rejects(
            (async () => collect(await model.sendRequest([vscode.LanguageModelChatMessage.User("Weather in Paris?")],
                { tools: [WEATHER] } as vscode.LanguageModelChatRequestOptions)))(),
            (err: Error) => /cannot call tools: its chat template has no function calling/.test(err.message),
        );
        assert.deepEqual((await api.engine.request("stats", {})).busy, []);
    });

    it("cancelling a request stops the generation in the engine", async () => {
        const slowModel = await toolCallingModel({ slow: true });
        await useModel(slowModel, TOOL_MODEL_CONTEXT, 3000);
        const model = await hearthModel((m) => m.version === path.basename(slowModel));
        const cts = new vscode.CancellationTokenSource();
        const response = await model.sendRequest([vscode.LanguageModelChatMessage.User("Write a long story.")], {}, cts.token);
        let chunks = 0;
        let chunksAfterCancel = 0;
        let cancelledAt = 0;
        const reading = (async () => {
            for await (const part of (response as unknown as { stream: AsyncIterable<unknown> }).stream) {
                if (!(part instanceof lm.LanguageModelTextPart)) continue;
                if (cancelledAt) chunksAfterCancel++;
                else if (++chunks === 3) { cancelledAt = performance.now(); cts.cancel(); }
            }
        })().catch(() => undefined);
        await waitFor("the answer to start streaming", () => chunks >= 3, 60_000);
        const stats = await waitFor("the engine to stop generating", async () => {
            const s = await api.engine.request("stats", {});
            return s.busy.length === 0 ? s : undefined;
        }, 5_000);
        const stoppedMs = performance.now() - cancelledAt;
        await reading;
        // Nothing more is generated after the stop: the chat sequence stays as it was.
        await new Promise((r) => setTimeout(r, 300));
        const later = await api.engine.request("stats", {});
        console.log(`      engine idle ${stoppedMs.toFixed(0)} ms after the cancel; ${chunksAfterCancel} parts arrived after it; chat context ${stats.contextUsed.chat} tokens`);
        assert.equal(later.contextUsed.chat, stats.contextUsed.chat, "the engine kept generating after the cancel");
        assert.ok(stats.contextUsed.chat < TOOL_MODEL_CONTEXT / 2, `the answer ran on (${stats.contextUsed.chat} tokens in context)`);
        assert.equal(api.backend.generating, false);
    });

    it("a tool-calling round trip on a model whose template supports functions", async () => {
        const toolsModel = await toolCallingModel();
        await useModel(toolsModel, TOOL_MODEL_CONTEXT, 64);
        await api.backend.ready();
        assert.equal(api.backend.model?.capabilities.toolCalling, true);
        // Once loaded, the entry says so: VS Code offers tools (agent mode) for it.
        const model = await hearthModel((m) => m.version === path.basename(toolsModel) && capabilities(m)?.supportsToolCalling === true);
        assert.equal(model.maxInputTokens, TOOL_MODEL_CONTEXT - 64);
        const question = lm.LanguageModelChatMessage.User([new lm.LanguageModelTextPart("Weather in Paris?")]);
        const options: RequestWithTools = { tools: [WEATHER], toolMode: lm.LanguageModelChatToolMode.Required };
        const first = (await collect(await model.sendRequest([question], options as vscode.LanguageModelChatRequestOptions))).map((p) => p.part);
        const calls = first.filter((p): p is { callId: string; name: string; input: { city: string; days: number } } => p instanceof lm.LanguageModelToolCallPart);
        assert.equal(calls.length, 1, `parts: ${JSON.stringify(first)}`);
        const call = calls[0]!;
        assert.equal(call.name, "get_weather");
        assert.ok(["Paris", "Tokyo"].includes(call.input.city) && [1, 2, 3].includes(call.input.days), JSON.stringify(call.input));

        const followUp = [
            question,
            lm.LanguageModelChatMessage.Assistant([new lm.LanguageModelToolCallPart(call.callId, call.name, call.input)]),
            lm.LanguageModelChatMessage.User([new lm.LanguageModelToolResultPart(call.callId, [new lm.LanguageModelTextPart("Sunny, 21 degrees")])]),
        ];
        const afterCall = (await api.engine.request("stats", {})).contextUsed.chat;
        const second = (await collect(await model.sendRequest(followUp, { tools: [WEATHER] } as vscode.LanguageModelChatRequestOptions))).map((p) => p.part);
        const text = second.filter((p): p is { value: string } => p instanceof lm.LanguageModelTextPart).map((p) => p.value).join("");
        assert.ok(text.length > 0, `no text after the tool result: ${JSON.stringify(second)}`);
        // The engine's chat sequence now holds the call, the result (in the template's <tool_response> block) and the answer.
        const resultTokens = (await api.backend.countTokens(["<tool_response>\n\"Sunny, 21 degrees\"\n</tool_response>"])).counts[0]!;
        const afterAnswer = (await api.engine.request("stats", {})).contextUsed.chat;
        assert.ok(afterAnswer >= afterCall + resultTokens, `the result did not reach the model (${afterCall} → ${afterAnswer} tokens in context)`);
    });

    it("with no model selected, a request fails with a message that says to select one, and offers Select Model", async () => {
        const model = await hearthModel();
        const offered: string[][] = [];
        const window = vscode.window as { showWarningMessage: (...args: unknown[]) => Thenable<unknown> };
        const original = window.showWarningMessage;
        window.showWarningMessage = async (...args: unknown[]) => { offered.push(args.slice(1).map(String)); return undefined; };
        try {
            await useModel("");
            await hearthModel((m) => m.name === "Hearth (no model selected)");
            await assert.rejects(
                (async () => collect(await model.sendRequest([vscode.LanguageModelChatMessage.User("Hello")])))(),
                (err: Error) => /No model is selected/.test(err.message) && /Select Model/.test(err.message),
            );
            await waitFor("the notification with its actions", () => offered.length > 0, 5_000);
            assert.deepEqual(offered[0], ["Select Model", "Download Model"]);
        } finally {
            window.showWarningMessage = original;
        }
    });
});
