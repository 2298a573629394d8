/**
 * Prompts of the document summary (map-reduce, see mapReduce.ts), in the language of the document. Small local
 * models follow a named output language and "no preamble" far better than implied ones, so both are explicit.
 */
import type { ChatMessage } from "../../protocol/generation";
import type { PromptLanguage } from "../chat/systemPrompt";

const LANGUAGE_NAME: Record<PromptLanguage, string> = { en: "English", zh: "Simplified Chinese (简体中文)" };

export function mapMessages(title: string, language: PromptLanguage, text: string, part: number, parts: number, label: string): ChatMessage[] {
    const where = label ? ` (${label})` : "";
    return [
        {
            role: "system",
            text: `You summarise one part of a longer document titled “${title}”. Write a concise summary of this part in `
                + `${LANGUAGE_NAME[language]}: its main points, facts, figures, names and conclusions. Use only what the text says. `
                + "Write the summary only: no preamble, no comments about the task.",
        },
        { role: "user", text: `Part ${part} of ${parts}${where}:\n\n${text}` },
    ];
}

export function reduceMessages(title: string, language: PromptLanguage, partials: readonly string[], final: boolean): ChatMessage[] {
    const shape = final
        ? "Start with a one-sentence overview, then list the key points in order. "
        : "Keep it compact: this summary will be combined with others. ";
    return [
        {
            role: "system",
            text: `You combine partial summaries of the document “${title}” into one summary in ${LANGUAGE_NAME[language]}. `
                + "Keep every important point, fact and figure, drop repetition, and keep the references in square brackets "
                + `(such as [p. 12]) next to the points they support. ${shape}`
                + "Write the summary only: no preamble, no comments about the task.",
        },
        { role: "user", text: partials.map((p, i) => `Summary ${i + 1}:\n${p}`).join("\n\n") },
    ];
}

/** Reasoning models wrap their thoughts in <think>…</think>: only the answer after them is the summary. */
export function stripThinking(text: string): string {
    return text.replace(/<think>[\s\S]*?(<\/think>|$)/g, "");
}
