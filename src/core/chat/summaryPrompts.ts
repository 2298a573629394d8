/**
 * The prompts of the running summary (what the chat remembers of messages that no longer fit the context) and the
 * clean-up of what the model answers. Written in the conversation's language: a small model asked in English to
 * summarise a Chinese chat tends to answer in English, so the instructions themselves are in Chinese for a Chinese
 * conversation, and the language is named again in the request.
 */
import type { ChatMessage } from "../../protocol/generation";
import type { ChatMessageRecord } from "../../protocol/conversation";
import { detectLanguage, type PromptLanguage } from "./systemPrompt";

/** Characters of the newest user messages that decide the conversation's language. */
const LANGUAGE_SAMPLE_CHARS = 4000;

/**
 * The conversation's language, from what the user wrote (newest messages first, code left out: a Chinese question
 * about English code is a Chinese conversation). English when there is nothing to go by.
 */
export function conversationLanguage(messages: readonly Pick<ChatMessageRecord, "role" | "text">[]): PromptLanguage {
    let sample = "";
    for (let i = messages.length - 1; i >= 0 && sample.length < LANGUAGE_SAMPLE_CHARS; i--) {
        const m = messages[i]!;
        if (m.role === "user") sample = `${withoutCode(m.text)}\n${sample}`;
    }
    return detectLanguage(sample);
}

function withoutCode(text: string): string {
    return text.replace(/(```|~~~)[\s\S]*?(\1|$)/g, " ").replace(/`[^`\n]*`/g, " ");
}

/** Length asked of the model, from the summary's token budget: ~0.6 English words or ~0.8 Chinese characters a token. */
export function summaryLengthWords(tokens: number, language: PromptLanguage): number {
    return Math.max(20, Math.floor(tokens * (language === "zh" ? 0.8 : 0.6)));
}

const INSTRUCTIONS: Record<PromptLanguage, (words: number) => string> = {
    en: (words) => [
        "You keep a running summary of a conversation between a user and an AI assistant, so that the assistant still",
        "remembers it after the messages themselves are gone. Keep every fact the conversation may need later: names,",
        "numbers, dates, decisions, the user's requirements and constraints, what was produced (files, code, text) and",
        "open questions. Leave out greetings and filler. Write in English, as short bullet points, at most",
        `${words} words. Reply with the summary only.`,
    ].join(" "),
    zh: (words) => [
        "你负责维护一段用户与 AI 助手之间对话的持续摘要，让助手在原始消息不再可见之后仍然记得对话内容。",
        "保留之后可能用到的一切事实：人名、数字、日期、决定、用户提出的要求和限制、已经产出的内容（文件、代码、文字）以及尚未解决的问题。",
        `省略寒暄和客套话。用简体中文、简短的要点来写，不超过 ${words} 个字。只输出摘要本身。`,
    ].join(""),
};

const LABELS: Record<PromptLanguage, { user: string; assistant: string; attached: string; cut: string; so: string; none: string; add: string; ask: (words: number) => string; again: string }> = {
    en: {
        user: "User", assistant: "Assistant", attached: "attached", cut: "(cut: the rest of this message was left out)",
        so: "Summary so far:", none: "(none yet)", add: "Messages to add, oldest first:",
        ask: (words) => `Write the updated summary: keep what still matters from the summary so far and add what matters in the new messages. At most ${words} words, in English.`,
        again: "Your previous reply was not in English. Write the summary in English.",
    },
    zh: {
        user: "用户", assistant: "助手", attached: "附件", cut: "（此消息过长，其余部分已省略）",
        so: "目前的摘要：", none: "（还没有）", add: "需要补充的消息（按时间先后）：",
        ask: (words) => `请写出更新后的摘要：保留原摘要中仍然重要的内容，并加入新消息中的要点。不超过 ${words} 个字，使用简体中文。`,
        again: "你上一次的回复不是简体中文。请用简体中文写摘要。",
    },
};

/** One message as the summariser sees it: who said it, attachments by name only (their text would not fit). */
export function formatForSummary(m: Pick<ChatMessageRecord, "role" | "text" | "attachments">, language: PromptLanguage, cut = false): string {
    const l = LABELS[language];
    const who = m.role === "user" ? l.user : l.assistant;
    const files = m.attachments?.length ? ` (${l.attached}: ${m.attachments.map((a) => a.label).join(", ")})` : "";
    return `${who}${files}: ${m.text.trim()}${cut ? ` ${l.cut}` : ""}`;
}

export interface SummaryRequestInput {
    /** The summary so far ("" when there is none). */
    previous: string;
    /** Messages to add, each already formatted with formatForSummary, oldest first. */
    messages: readonly string[];
    language: PromptLanguage;
    /** Token budget of the summary. */
    targetTokens: number;
    /** The first answer was in the wrong language: say so. */
    insist?: boolean;
}

/** The incremental update: summary so far + newly left-out messages → new summary. */
export function buildSummaryRequest(input: SummaryRequestInput): ChatMessage[] {
    const l = LABELS[input.language];
    const words = summaryLengthWords(input.targetTokens, input.language);
    const user = [
        l.so, input.previous.trim() || l.none, "",
        l.add, "", input.messages.join("\n\n"), "",
        l.ask(words),
        ...(input.insist ? [l.again] : []),
    ].join("\n");
    return [{ role: "system", text: INSTRUCTIONS[input.language](words) }, { role: "user", text: user }];
}

/** Preamble lines models like to start with: "Updated summary:", "**Summary**", "摘要：". */
const PREAMBLE = /^\s*(?:[#*_\s]*)(?:(?:here is |here's )?(?:the )?(?:updated |new |running )?summary(?: so far)?|(?:更新后的|新的)?摘要(?:如下)?)\s*[:：]?[*_\s]*(?:\n|$)/i;
const SENTENCE_END = /[.!?。！？…](?=[\s"'”’)）]|$)|\n/g;

/**
 * What is kept of the model's answer: reasoning blocks, preambles and a wrapping code fence removed; an answer cut
 * by the token limit ends at its last complete sentence (when that keeps most of it). Empty means no usable summary.
 */
export function cleanSummary(raw: string, hitLimit: boolean): string {
    let text = raw.replace(/<think>[\s\S]*?(<\/think>|$)/gi, "").trim();
    const fenced = /^```[\w-]*\n([\s\S]*?)\n?```$/.exec(text);
    if (fenced) text = fenced[1]!.trim();
    for (let i = 0; i < 2; i++) text = text.replace(PREAMBLE, "").trim();
    if (hitLimit) {
        let end = -1;
        for (const m of text.matchAll(SENTENCE_END)) end = m.index + m[0].length;
        if (end >= text.length * 0.6) text = text.slice(0, end).trim();
    }
    return text;
}

/** True when `text` is clearly written in another language than the conversation's. */
export function wrongLanguage(text: string, language: PromptLanguage): boolean {
    const han = text.match(/[\u3400-\u9fff]/g)?.length ?? 0;
    const words = text.match(/[A-Za-z]{2,}/g)?.length ?? 0;
    if (han + words < 8) return false;
    return detectLanguage(text) !== language;
}

/** Headings of the memory section in the chat's system message (English: the system prompt is English). */
const MEMORY_HEADINGS = {
    pinned: "Messages the user pinned (always keep them in mind):",
    summary: "Summary of the earlier conversation (the messages themselves are no longer shown):",
};

/**
 * The chat's system message: the system prompt, then the pinned messages no longer in the shown history, then the
 * running summary. The summary sits last because it changes most often: everything before it stays byte-identical
 * between summary updates, so the engine keeps that part of its KV cache even when the summary changes.
 */
export function composeSystemMessage(
    systemPrompt: string,
    /** Pinned messages as the history sends them (a user message with its attachments). */
    pinned: readonly { role: "user" | "assistant"; text: string }[],
    summary: string | undefined,
): string {
    const parts = systemPrompt ? [systemPrompt] : [];
    if (pinned.length) {
        parts.push([MEMORY_HEADINGS.pinned, ...pinned.map((m) => `${m.role === "user" ? "User" : "Assistant"}: ${m.text.trim()}`)].join("\n"));
    }
    if (summary?.trim()) parts.push(`${MEMORY_HEADINGS.summary}\n${summary.trim()}`);
    return parts.join("\n\n");
}
