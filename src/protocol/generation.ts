/**
 * What a generation request and its answer look like, whichever backend serves it (the embedded engine process or
 * an OpenAI-compatible server). Shapes only: the engine protocol (engineProtocol.ts) and the backend interface
 * (src/backend/llmBackend.ts) both use them, so a feature never depends on which backend answers.
 */

/**
 * A chat message as the host keeps it; the engine turns these into node-llama-cpp's ChatHistoryItem[]. Tool use
 * follows the OpenAI shape (an assistant message carries its calls, one "tool" message answers each call) so every
 * backend maps it directly.
 */
export interface ChatMessage {
    role: "system" | "user" | "assistant" | "tool";
    /** The message text; for a "tool" message, the tool's result. */
    text: string;
    /** Assistant messages: the tools the model called in this turn, in order. */
    toolCalls?: ToolCall[];
    /** Tool messages: the id of the call this result answers. */
    toolCallId?: string;
}

/** A tool the model may call (a function with JSON arguments); the caller runs it and sends the result back. */
export interface ToolDefinition {
    /** No spaces; unique within a request. */
    name: string;
    description: string;
    /** JSON Schema of the arguments object; undefined when the tool takes no arguments. */
    parameters?: object;
}

/** A call the model made: the caller runs the tool and answers with a "tool" message naming `id`. */
export interface ToolCall {
    id: string;
    name: string;
    /** The arguments, parsed (they match the tool's `parameters` schema). */
    arguments: Record<string, unknown>;
}

export interface SamplingOptions {
    temperature?: number;
    topK?: number;
    topP?: number;
    minP?: number;
    /** 1 = off. node-llama-cpp's completion applies a penalty by default; code completion must not. */
    repeatPenalty?: number;
    seed?: number;
}

export type SequenceName = "chat" | "completion";

export interface ChatParams {
    messages: ChatMessage[];
    maxTokens: number;
    sampling?: SamplingOptions;
    /** Stop generating when one of these strings is produced (it is not included in the answer). */
    stop?: string[];
    /** Tools the model may call; only for a model whose capabilities include `toolCalling`. */
    tools?: ToolDefinition[];
    /** "required": the answer must be a tool call; "auto" (default): the model chooses between text and calls. */
    toolChoice?: "auto" | "required";
    /** The last message is the model's own unfinished answer: go on with it rather than start a new one (Continue). */
    continueLast?: boolean;
}

export interface GenerationResult {
    text: string;
    tokens: number;
    promptTokens: number;
    /** Tokens actually evaluated for the prompt (the rest were reused from the KV cache). */
    evaluatedPromptTokens: number;
    /** "toolCalls": the model called tools (in `toolCalls`) and waits for their results. */
    stopReason: "eos" | "maxTokens" | "stop" | "cancelled" | "timeBudget" | "toolCalls";
    /** The tools the model called, when it called any. */
    toolCalls?: ToolCall[];
    timeToFirstTokenMs: number;
    totalMs: number;
    tokensPerSecond: number;
    contextUsed: number;
    contextSize: number;
}

export interface CompleteParams {
    sequence: SequenceName;
    /** Plain text prompt, tokenized with special tokens parsed when `specialTokens` is true. */
    prompt: string;
    specialTokens?: boolean;
    maxTokens: number;
    sampling?: SamplingOptions;
    stop?: string[];
    /** Stop after this many ms and return what was generated. */
    timeBudgetMs?: number;
    /** When false the sequence is cleared first (used to measure KV-cache reuse against no reuse). */
    reuseCache?: boolean;
}

export interface InfillParams {
    /** Text ahead of the FIM prefix (snippets from other files); stays stable across keystrokes. */
    extraContext: string;
    /** Prefix lines before the cursor's line. */
    prefix: string;
    suffix: string;
    /** The cursor's line up to the cursor: placed after the middle token so a keystroke only changes the tail. */
    currentLinePrefix: string;
    maxTokens: number;
    sampling?: SamplingOptions;
    stop?: string[];
    timeBudgetMs?: number;
    reuseCache?: boolean;
}
