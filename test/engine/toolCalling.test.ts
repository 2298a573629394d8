/**
 * Tool calling through the real engine process: the engine reports which models can call tools, a required call on
 * a random-weight model with a tool-capable template comes back as a valid call (grammar-constrained), its result
 * goes back into the template's own format and the model answers after it, complex real-world argument schemas are
 * accepted, and a model without function calling refuses tools with a clear error.
 */
import * as assert from "node:assert/strict";
import { EngineProcess } from "../../src/engineClient/engineProcess";
import { toChatHistory } from "../../src/engine/chatHistory";
import { EngineError } from "../../src/protocol/engineProtocol";
import type { ChatMessage, ChatParams, ToolDefinition } from "../../src/protocol/generation";
import { ENGINE_PATH, fixture } from "../helpers/fixtures";
import { testLoadParams } from "../helpers/embedded";
import { toolCallingModel } from "../helpers/toolModel";

const WEATHER: ToolDefinition = {
    name: "get_weather",
    description: "The weather forecast for a city",
    parameters: {
        type: "object",
        properties: { city: { enum: ["Paris", "Tokyo"] }, days: { enum: [1, 2, 3] } },
        required: ["city", "days"],
    },
};
const QUESTION: ChatMessage[] = [{ role: "system", text: "You help with travel." }, { role: "user", text: "Weather in Paris?" }];

describe("tool calling on the real engine", function () {
    this.timeout(120_000);
    let engine: EngineProcess;

    before(async () => {
        engine = new EngineProcess({ enginePath: ENGINE_PATH, execPath: process.execPath, log: () => undefined });
        await engine.start();
    });
    after(() => engine.dispose());

    it("reports tool calling for a template with tools, not for templates without them", async () => {
        const withTools = await engine.request("loadModel", testLoadParams(await toolCallingModel()));
        assert.equal(withTools.chatWrapper, "JinjaTemplate");
        assert.equal(withTools.toolCalling, true);
        const plainTemplate = await engine.request("loadModel", testLoadParams(fixture("stories260K-chat-fim.derived.gguf")));
        assert.equal(plainTemplate.hasChatTemplate, true);
        assert.equal(plainTemplate.toolCalling, false);
        const noTemplate = await engine.request("loadModel", testLoadParams(fixture("stories260K.gguf")));
        assert.equal(noTemplate.toolCalling, false);
    });

    it("refuses tools cleanly on a model without function calling, and still chats without them", async () => {
        await engine.request("loadModel", testLoadParams(fixture("stories260K-chat-fim.derived.gguf")));
        await assert.rejects(
            engine.request("chat", { messages: QUESTION, maxTokens: 8, tools: [WEATHER] }),
            (err: unknown) => err instanceof EngineError && err.code === "badRequest" && /cannot call tools: its chat template has no function calling/.test(err.message),
        );
        const plain = await engine.request("chat", { messages: QUESTION, maxTokens: 8, sampling: { temperature: 0 } });
        assert.ok(plain.tokens > 0);
        assert.deepEqual(await engine.request("stats", {}).then((s) => s.busy), []);
    });

    it("a required call comes back valid; its result goes back in and the model answers after it", async () => {
        await engine.request("loadModel", testLoadParams(await toolCallingModel()));
        const first = await engine.request("chat", {
            messages: QUESTION, maxTokens: 64, sampling: { temperature: 0 }, tools: [WEATHER], toolChoice: "required",
        });
        assert.equal(first.stopReason, "toolCalls");
        assert.equal(first.toolCalls?.length, 1, JSON.stringify(first.toolCalls));
        const call = first.toolCalls[0]!;
        assert.equal(call.name, "get_weather");
        assert.match(call.id, /^call_[0-9a-f]{24}$/);
        assert.ok(["Paris", "Tokyo"].includes(call.arguments.city as string), JSON.stringify(call.arguments));
        assert.ok([1, 2, 3].includes(call.arguments.days as number), JSON.stringify(call.arguments));

        const followUp: ChatParams = {
            messages: [...QUESTION, { role: "assistant", text: "", toolCalls: [call] }, { role: "tool", toolCallId: call.id, text: "Sunny, 21 degrees" }],
            maxTokens: 12, sampling: { temperature: 0 }, tools: [WEATHER],
        };
        const chunks: string[] = [];
        const second = await engine.request("chat", followUp, { onEvent: (e) => chunks.push(e.text) });
        assert.ok(second.tokens > 0, "no answer after the tool result");
        assert.equal(chunks.join(""), second.text);
        assert.ok(second.promptTokens > first.promptTokens + 10, `the result did not reach the prompt (${first.promptTokens} → ${second.promptTokens} tokens)`);
    });

    it("lays a call and its result out in the template's own format (what the follow-up prompt holds)", async () => {
        const { getLlama, LlamaLogLevel, resolveChatWrapper } = await import("node-llama-cpp");
        const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
        const model = await llama.loadModel({ modelPath: await toolCallingModel() });
        try {
            const wrapper = resolveChatWrapper(model)!;
            const call = { id: "call_1", name: "get_weather", arguments: { city: "Tokyo", days: 2 } };
            const history = toChatHistory([...QUESTION, { role: "assistant", text: "", toolCalls: [call] }, { role: "tool", toolCallId: "call_1", text: "Rain" }]);
            const { contextText } = wrapper.generateContextState({ chatHistory: history, availableFunctions: { get_weather: { description: "d" } } });
            const rendered = contextText.toString();
            assert.match(rendered, /<tool_call>\n\{"name": "get_weather", "arguments": \{"city": ?"Tokyo", ?"days": ?2\}\}\n<\/tool_call>/);
            // node-llama-cpp writes every result as JSON (a text result as a JSON string), whatever the template.
            assert.match(rendered, /<tool_response>\n"Rain"\n<\/tool_response>/);
            // The model continues its own turn after the result: no empty assistant turn was opened before it.
            assert.ok(!/<\|im_start\|>assistant\n<\|im_end\|>/.test(rendered), rendered);
        } finally {
            await model.dispose();
        }
    });

    it("accepts real-world argument schemas ($ref, anyOf, allOf, tuples, formats) and returns a call that fits them", async () => {
        await engine.request("loadModel", testLoadParams(await toolCallingModel()));
        const editTool: ToolDefinition = {
            name: "edit_file",
            description: "Edits a file",
            parameters: {
                $schema: "http://json-schema.org/draft-07/schema#",
                type: "object",
                definitions: { mode: { enum: ["replace", "insert"] } },
                properties: {
                    mode: { $ref: "#/definitions/mode" },
                    when: { anyOf: [{ const: "now" }, { const: "later" }] },
                    range: { type: "array", items: [{ enum: [1] }, { enum: [2] }], minItems: 2, maxItems: 2 },
                    flags: { allOf: [{ type: "object", properties: { dry: { type: "boolean" } }, required: ["dry"] }] },
                },
                required: ["mode", "when", "range", "flags"],
                additionalProperties: false,
            },
        };
        const r = await engine.request("chat", {
            messages: QUESTION, maxTokens: 200, sampling: { temperature: 0 }, tools: [editTool], toolChoice: "required",
        });
        assert.equal(r.stopReason, "toolCalls", `stopped for ${r.stopReason}: ${r.text.slice(0, 80)}`);
        const args = r.toolCalls![0]!.arguments;
        assert.ok(["replace", "insert"].includes(args.mode as string), JSON.stringify(args));
        assert.ok(["now", "later"].includes(args.when as string), JSON.stringify(args));
        assert.deepEqual(args.range, [1, 2]);
        assert.equal(typeof (args.flags as { dry: unknown }).dry, "boolean");
    });

    it("a message longer than the whole context is refused as a context overflow; a long history still drops its oldest turns", async () => {
        await engine.request("loadModel", testLoadParams(await toolCallingModel(), 2048));
        const long = "the cat sat on a mat and looked at the dog ".repeat(100);
        // Before, node-llama-cpp failed with "No tokens to evaluate" or silently answered an empty prompt.
        await assert.rejects(
            engine.request("chat", { messages: [{ role: "user", text: long }], maxTokens: 8 }),
            (err: unknown) => err instanceof EngineError && err.code === "contextOverflow" && /context of 2048 tokens/.test(err.message),
        );
        const third = "the cat sat on a mat ".repeat(20);
        const history: ChatMessage[] = [
            { role: "system", text: "You help." },
            ...[1, 2, 3, 4].flatMap((i): ChatMessage[] => [{ role: "user", text: `${i} ${third}` }, { role: "assistant", text: third }]),
            { role: "user", text: "And now?" },
        ];
        const full = (await engine.request("tokenize", { texts: history.map((m) => m.text) })).counts.reduce((a, b) => a + b, 0);
        assert.ok(full > 2048, `the history (${full} tokens) must overflow the context for this test`);
        // LlamaChat's context shift drops the oldest turns (how many is node-llama-cpp's choice) and answers.
        const r = await engine.request("chat", { messages: history, maxTokens: 8, sampling: { temperature: 0 } });
        assert.ok(r.tokens > 0 && r.promptTokens > 0 && r.promptTokens < 2048, `prompt ${r.promptTokens} tokens, ${r.tokens} generated`);
    });

    it("rejects a tool name with spaces before generating", async () => {
        await engine.request("loadModel", testLoadParams(await toolCallingModel()));
        await assert.rejects(
            engine.request("chat", { messages: QUESTION, maxTokens: 8, tools: [{ name: "get weather", description: "" }] }),
            (err: unknown) => err instanceof EngineError && err.code === "badRequest" && /single words/.test(err.message),
        );
    });
});
