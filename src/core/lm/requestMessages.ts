/**
 * VS Code language-model request messages → Hearth's protocol chat messages.
 *
 * Parts are recognised by shape, not by class, so this stays free of `vscode` (unit-tested in Node) and accepts
 * parts of newer VS Code versions gracefully: text parts have a string `value`; tool calls a `callId`, `name` and
 * object `input`; tool results a `callId` and `content` parts; data parts a `mimeType` and bytes (textual ones are
 * read as text, images and cache markers are skipped). Anything else (thinking parts, future kinds) is ignored.
 */
import type { ChatMessage, ToolCall } from "../../protocol/generation";

/** LanguageModelChatMessageRole: User and Assistant are stable; System (3) is what VS Code's own chat sends. */
export const LM_ROLE = { user: 1, assistant: 2, system: 3 } as const;

/** The shape of LanguageModelChatRequestMessage. */
export interface RequestMessageLike {
    readonly role: number;
    readonly content: ReadonlyArray<unknown>;
    readonly name?: string | undefined;
}

interface ParsedParts {
    text: string;
    toolCalls: ToolCall[];
    toolResults: { callId: string; text: string }[];
}

export function toChatMessages(messages: readonly RequestMessageLike[]): ChatMessage[] {
    const out: ChatMessage[] = [];
    for (const message of messages) {
        const parts = parseParts(message.content);
        if (message.role === LM_ROLE.assistant) {
            out.push({ role: "assistant", text: parts.text, ...(parts.toolCalls.length ? { toolCalls: parts.toolCalls } : {}) });
        } else if (message.role === LM_ROLE.system) {
            out.push({ role: "system", text: parts.text });
        } else {
            // A user message answers the previous turn's tool calls first, then may add text of its own.
            for (const r of parts.toolResults) out.push({ role: "tool", toolCallId: r.callId, text: r.text });
            if (parts.text || parts.toolResults.length === 0) out.push({ role: "user", text: parts.text });
        }
    }
    return out;
}

/** The text a message's tokens are counted on: its text, its calls (name + JSON arguments) and its results. */
export function messageTokenText(message: RequestMessageLike): string {
    const parts = parseParts(message.content);
    return [
        parts.text,
        ...parts.toolCalls.map((c) => `${c.name} ${JSON.stringify(c.arguments)}`),
        ...parts.toolResults.map((r) => r.text),
    ].filter(Boolean).join("\n");
}

function parseParts(content: ReadonlyArray<unknown>): ParsedParts {
    const parsed: ParsedParts = { text: "", toolCalls: [], toolResults: [] };
    for (const part of content) {
        if (!isRecord(part)) {
            if (typeof part === "string") parsed.text += part;
            continue;
        }
        if (typeof part.callId === "string" && typeof part.name === "string" && isRecord(part.input)) {
            parsed.toolCalls.push({ id: part.callId, name: part.name, arguments: part.input });
        } else if (typeof part.callId === "string" && Array.isArray(part.content)) {
            parsed.toolResults.push({ callId: part.callId, text: resultText(part.content) });
        } else if (typeof part.value === "string") {
            parsed.text += part.value;
        } else {
            parsed.text += dataText(part);
        }
    }
    return parsed;
}

/** A tool result's parts as text: text parts, textual data parts, and the text nodes of prompt-tsx parts. */
function resultText(content: readonly unknown[]): string {
    return content.map((part) => {
        if (!isRecord(part)) return typeof part === "string" ? part : "";
        if (typeof part.value === "string") return part.value;
        if (part.value !== undefined) return collectText(part.value, 0);
        return dataText(part);
    }).join("");
}

const TEXTUAL_MIME = /^(text\/|application\/(json|xml|javascript|x-[\w.+-]+)$)/;

/** A LanguageModelDataPart with a textual mime type, decoded; "" for images, cache markers and other binaries. */
function dataText(part: Record<string, unknown>): string {
    if (typeof part.mimeType !== "string" || !(part.data instanceof Uint8Array) || !TEXTUAL_MIME.test(part.mimeType)) return "";
    return new TextDecoder().decode(part.data);
}

/** prompt-tsx JSON (a tree of elements whose leaves carry `text`): its text in document order. */
function collectText(node: unknown, depth: number): string {
    if (depth > 64) return "";
    if (Array.isArray(node)) return node.map((n) => collectText(n, depth + 1)).join("");
    if (!isRecord(node)) return "";
    if (typeof node.text === "string") return node.text;
    return Object.values(node).map((v) => (typeof v === "object" ? collectText(v, depth + 1) : "")).join("");
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
