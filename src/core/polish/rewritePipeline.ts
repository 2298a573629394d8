/**
 * The Polish pipeline without any editor: budget the context, split long text into parts, rewrite each part
 * through the model's chat, clean every answer and report a live preview. The host adapts the engine to
 * `RewriteBackend`; integration tests drive the same code against the real engine process in plain Node.
 */
import type { ChatMessage } from "../../protocol/generation";
import { cleanRewrite, detectEol } from "./cleanRewrite";
import { buildPolishMessages, buildRefineMessages, buildRefinePieceMessages, type PolishRequest } from "./polishPrompts";
import { planChunks } from "./splitText";

export interface RewriteBackend {
    /** Context window of the loaded model (tokens). */
    contextSize: number;
    countTokens(texts: string[]): Promise<number[]>;
    chat(
        messages: ChatMessage[],
        maxTokens: number,
        onText: (chunk: string) => void,
        signal?: AbortSignal,
    ): Promise<{ text: string; stopReason: string }>;
}

export interface RewriteProgress {
    /** 1-based part being rewritten now. */
    part: number;
    parts: number;
    /** The whole text as it would read now: finished parts rewritten, the current one partial, the rest original. */
    preview: string;
}

export interface RewriteOptions {
    request: PolishRequest;
    /** The text to rewrite: the selection, or for Refine the version the user is looking at. */
    text: string;
    /** Refine: the instruction, plus the original selection so short texts keep the conversation. */
    refine?: { instruction: string; originalText: string };
    eol?: "\n" | "\r\n";
    backend: RewriteBackend;
    signal?: AbortSignal;
    onProgress?: (progress: RewriteProgress) => void;
}

export interface RewriteResult {
    text: string;
    parts: number;
    cancelled: boolean;
    /** Parts whose answer hit the token limit (1-based); their rewrite may be cut short. */
    truncatedParts: number[];
}

/**
 * The longest selection Polish takes at once: about 50k tokens (40 pages), already dozens of parts on a typical
 * context. A 5 MB selection would be a thousand parts (hours) and a 5 MB live diff; it is refused with a message.
 */
export const MAX_POLISH_CHARS = 200_000;

/** Tokens kept free for the chat template's own tokens and rounding. */
const TEMPLATE_SLACK = 48;

/**
 * Input tokens per part. A part appears in the prompt once and the answer needs about as much again (more when
 * translating into Chinese), so a part gets a third of what is left after the instructions.
 */
export function partBudget(contextSize: number, instructionTokens: number): number {
    return Math.max(32, Math.floor((contextSize - instructionTokens - TEMPLATE_SLACK) / 3));
}

export function answerBudget(contextSize: number, promptTokens: number, partTokens: number): number {
    const room = contextSize - promptTokens - TEMPLATE_SLACK;
    return Math.max(16, Math.min(room, partTokens * 2 + 64));
}

export async function rewriteText(options: RewriteOptions): Promise<RewriteResult> {
    const { request, text, refine, backend } = options;
    const eol = options.eol ?? detectEol(text);
    const emptyMessages = refine
        ? buildRefinePieceMessages(request, "", refine.instruction)
        : buildPolishMessages(request, "");
    const [instructionTokens = 0] = await backend.countTokens([emptyMessages.map((m) => m.text).join("\n")]);
    const budget = partBudget(backend.contextSize, instructionTokens);

    // Refine of a text that fits keeps the conversation (original, last version, new instruction).
    if (refine) {
        const [both = Infinity] = await backend.countTokens([refine.originalText + text]);
        if (both <= budget) {
            const messages = buildRefineMessages(request, refine.originalText, text, refine.instruction);
            return runParts([text], () => messages, options, eol, instructionTokens + both);
        }
    }
    const parts = await planChunks(text, budget, (t) => backend.countTokens(t));
    const build = refine
        ? (part: string) => buildRefinePieceMessages(request, part, refine.instruction)
        : (part: string) => buildPolishMessages(request, part);
    return runParts(parts, build, options, eol, instructionTokens);
}

async function runParts(
    parts: string[],
    build: (part: string) => ChatMessage[],
    options: RewriteOptions,
    eol: "\n" | "\r\n",
    promptOverhead: number,
): Promise<RewriteResult> {
    const { backend, signal, onProgress } = options;
    const done: string[] = [];
    const truncatedParts: number[] = [];
    const counts = await backend.countTokens(parts);
    for (let i = 0; i < parts.length; i++) {
        if (signal?.aborted) return { text: "", parts: parts.length, cancelled: true, truncatedParts };
        const part = parts[i]!;
        const rest = parts.slice(i + 1).join("");
        let raw = "";
        const report = () => {
            const partial = cleanRewrite(raw, part, { eol }) || "";
            onProgress?.({ part: i + 1, parts: parts.length, preview: done.join("") + partial + rest });
        };
        report();
        const partTokens = counts[i] ?? 0;
        const maxTokens = answerBudget(backend.contextSize, promptOverhead + partTokens, partTokens);
        const result = await backend.chat(build(part), maxTokens, (chunk) => {
            raw += chunk;
            report();
        }, signal);
        if (signal?.aborted || result.stopReason === "cancelled") {
            return { text: "", parts: parts.length, cancelled: true, truncatedParts };
        }
        if (result.stopReason === "maxTokens") truncatedParts.push(i + 1);
        const cleaned = cleanRewrite(result.text, part, { eol });
        if (!cleaned.trim()) {
            throw new Error(parts.length > 1
                ? `The model returned no text for part ${i + 1} of ${parts.length}.`
                : "The model returned no text.");
        }
        done.push(cleaned);
    }
    const text = done.join("");
    onProgress?.({ part: parts.length, parts: parts.length, preview: text });
    return { text, parts: parts.length, cancelled: false, truncatedParts };
}
