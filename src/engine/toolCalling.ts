/**
 * Tool (function) calling on node-llama-cpp's LlamaChat: whether a model can do it, the tools as LlamaChat
 * functions, and the "required" tool choice.
 *
 * LlamaChat generates text until the model writes its template's function-call prefix (Qwen's `<tool_call>`,
 * Llama 3.1's `<function=`…); from there the function name and the JSON arguments are generated under a grammar
 * built from the tools, so every call it returns names a declared tool and has arguments of the declared shape.
 */
import { randomUUID } from "node:crypto";
import type {
    ChatModelFunctions,
    ChatWrapper,
    ChatWrapperGeneratedPrefixTriggersContextState,
    GbnfJsonSchema,
    LlamaChatResponseFunctionCall,
} from "node-llama-cpp" with { "resolution-mode": "import" };
import { toolArgumentsGrammar } from "../core/tools/grammarSchema";
import { EngineError } from "../protocol/engineProtocol";
import type { ToolCall, ToolDefinition } from "../protocol/generation";
import type { NodeLlamaCpp } from "./modelHost";

/**
 * True when the model's own chat template handles tools and the wrapper node-llama-cpp chose for it writes calls
 * in that template's syntax. Every node-llama-cpp wrapper can describe functions in a system message in a generic
 * syntax, but a model never trained on tools rarely uses it; so a template must mention `tools`, and the wrapper
 * must be either the Jinja wrapper with the call syntax it extracted from the template, or a family wrapper with a
 * syntax of its own (Qwen, Llama 3.1, Mistral, DeepSeek, Functionary, gpt-oss…), not the generic default.
 */
export function templateSupportsTools(nlc: NodeLlamaCpp, wrapper: ChatWrapper, template: string | undefined): boolean {
    if (!template || !/\btools\b/.test(template)) return false;
    if (wrapper instanceof nlc.JinjaTemplateChatWrapper) return wrapper.usingJinjaFunctionCallTemplate;
    return wrapper.settings.functions !== nlc.ChatWrapper.defaultSettings.functions && !isGenericCallSyntax(wrapper);
}

/** node-llama-cpp's generic "||call:" syntax (used by wrappers of families that have no tool format of their own). */
function isGenericCallSyntax(wrapper: ChatWrapper): boolean {
    const prefix = wrapper.settings.functions.call.prefix;
    return typeof prefix === "string" && prefix.trim().startsWith("||call:");
}

/** The request's tools as LlamaChat functions (argument schemas reduced to what the grammar can enforce). */
export function functionsForTools(tools: readonly ToolDefinition[]): ChatModelFunctions {
    const functions: Record<string, { description?: string; params?: GbnfJsonSchema }> = {};
    for (const tool of tools) {
        if (!/^[^\s]+$/.test(tool.name)) {
            throw new EngineError("badRequest", `The tool name “${tool.name}” is empty or contains spaces; tool names must be single words.`);
        }
        if (tool.name in functions) throw new EngineError("badRequest", `The tool “${tool.name}” is declared twice.`);
        const params = toolArgumentsGrammar(tool.parameters);
        functions[tool.name] = {
            ...(tool.description ? { description: tool.description } : {}),
            // Structurally the same type (see grammarSchema.ts); the cast only bridges the two declarations.
            ...(params ? { params: params as GbnfJsonSchema } : {}),
        };
    }
    return functions;
}

/**
 * The wrapper for `toolChoice: "required"`: the same template, but generation starts in function-calling mode, so
 * the answer is a call (a grammar-constrained name and arguments) instead of text. Built on the wrapper's own
 * context state: prefix-trigger wrappers get "no prefix → function call", wrappers that start engaged in function
 * calling (Functionary) lose their way out of it.
 */
export function requireToolCall(nlc: NodeLlamaCpp, wrapper: ChatWrapper): ChatWrapper {
    const forced = Object.create(wrapper) as ChatWrapper;
    forced.generateContextState = (options) => {
        const state = wrapper.generateContextState(options);
        if (!options.availableFunctions) return state;
        if (state.functionCall != null) return { ...state, functionCall: { initiallyEngaged: true, disengageInitiallyEngaged: [] } };
        // LlamaChat puts the call prefix into the context itself when it enters function mode: inject nothing more.
        const triggered: ChatWrapperGeneratedPrefixTriggersContextState = {
            ...(state as ChatWrapperGeneratedPrefixTriggersContextState),
            prefixTriggers: undefined,
            rerender: undefined,
            noPrefixTrigger: { type: "functionCall", inject: nlc.LlamaText([]) },
        };
        return triggered;
    };
    return forced;
}

/** LlamaChat's function calls as protocol tool calls, each with a fresh id the caller answers with. */
export function toToolCalls(calls: readonly LlamaChatResponseFunctionCall<ChatModelFunctions>[] | undefined): ToolCall[] | undefined {
    if (!calls?.length) return undefined;
    return calls.map((call) => ({
        id: `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`,
        name: call.functionName,
        arguments: isRecord(call.params) ? call.params : {},
    }));
}

/** node-llama-cpp's errors for a call that failed its own validation, as a message a person can act on. */
export function toolCallFailure(err: unknown): EngineError | undefined {
    const name = err instanceof Error ? err.name : "";
    if (name !== "LlamaFunctionCallValidationError" && name !== "LlamaJsonSchemaValidationError") return undefined;
    return new EngineError("internal", `The model wrote a tool call that does not match the tool's declaration (${(err as Error).message}). Try again, or rephrase the request.`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
