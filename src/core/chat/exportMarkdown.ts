/**
 * A chat as a Markdown document (Hearth: Export Chat as Markdown…): every message in order, attachments by name,
 * pins marked, and the running summary where the panel shows it — after the messages it stands in for — quoted and
 * labelled as the model's summary, so nobody mistakes it for something that was said.
 */
import type { ChatMessageRecord, Conversation } from "../../protocol/conversation";

/** The document's words, in the user's language (the host fills them with vscode.l10n). */
export interface ExportLabels {
    /** "Exported from Hearth on {0}". */
    exported: string;
    you: string;
    assistant: string;
    pinned: string;
    /** "Attached: {0}". */
    attached: string;
    stopped: string;
    interrupted: string;
    /** An answer cut at the token limit. */
    cut?: string;
    /** "Failed: {0}". */
    failed: string;
    summaryTitle: string;
    /** "The model's running summary of the {0} messages above…". */
    summaryNote: string;
    summaryEdited: string;
    summaryDeleted: string;
}

/** "2024-05-01 14:03" in local time: readable, sortable, the same in every language. */
export function formatTime(ms: number): string {
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const fill = (template: string, value: string | number) => template.replace("{0}", String(value));

/** A file name from the chat's title: no path separators or characters Windows refuses, not empty. */
export function exportFileName(title: string): string {
    const base = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, " ").replace(/\s+/g, " ").trim().slice(0, 80).replace(/[. ]+$/, "");
    return `${base || "chat"}.md`;
}

export function exportMarkdown(c: Conversation, l: ExportLabels, now = Date.now()): string {
    const out: string[] = [`# ${oneLine(c.title)}`, "", `_${fill(l.exported, formatTime(now))}_`, ""];
    let lastSummarised = -1;
    c.messages.forEach((m, i) => { if (m.summarised) lastSummarised = i; });
    c.messages.forEach((m, i) => {
        out.push(...message(m, l));
        if (i === lastSummarised && c.summary) out.push(...summary(c, l));
    });
    return `${out.join("\n").trimEnd()}\n`;
}

function message(m: ChatMessageRecord, l: ExportLabels): string[] {
    const who = m.role === "user" ? l.you : l.assistant;
    const pin = m.pinned ? ` · 📌 ${l.pinned}` : "";
    const lines = [`## ${who}${pin} · ${formatTime(m.createdAt)}`, ""];
    if (m.attachments?.length) lines.push(`_${fill(l.attached, m.attachments.map((a) => `\`${a.path}\``).join(", "))}_`, "");
    const text = m.role === "user" ? m.displayText ?? m.text : m.text;
    if (text.trim()) lines.push(text.trim(), "");
    const status = m.status === "stopped" ? l.stopped : m.status === "interrupted" ? l.interrupted
        : m.status === "cut" ? l.cut ?? ""
        : m.status === "error" ? fill(l.failed, m.error ?? "") : "";
    if (status) lines.push(`_${status}_`, "");
    return lines;
}

function summary(c: Conversation, l: ExportLabels): string[] {
    const s = c.summary!;
    const lines = [`> **${l.summaryTitle}**${s.edited ? ` (${l.summaryEdited})` : ""}`, ">", `> _${fill(l.summaryNote, s.coveredMessages)}_`, ">"];
    const text = s.text.trim() ? s.text.trim() : `_${l.summaryDeleted}_`;
    for (const line of text.split(/\r?\n/)) lines.push(line ? `> ${line}` : ">");
    lines.push("");
    return lines;
}

function oneLine(text: string): string {
    return text.replace(/\s+/g, " ").trim();
}
