/**
 * Turns a model's rewrite into exactly the text that replaces the selection. Models add "Here is your text:"
 * preambles, wrap prose in code fences, append "I made the following changes..." and lose the selection's
 * surrounding whitespace, indentation, comment markers and CRLF line endings. The prompt asks them not to; this
 * module makes sure, because a prompt is only a request.
 */

export interface CleanOptions {
    /** Line ending of the document the text goes back into. Defaults to the original's own style. */
    eol?: "\n" | "\r\n";
}

const PREAMBLE_LINE: RegExp[] = [
    // "Sure! Here is the improved version:" / "Certainly." / "Okay, here's a shorter version."
    /^(?:sure|certainly|of course|absolutely|okay|ok|alright|great|no problem)\b.{0,160}$/i,
    /^(?:here(?:'s| is| are)|below is|the following is)\b.{0,160}$/i,
    /^(?:the |your |a )?(?:polished|rewritten|revised|improved|corrected|translated|shortened|edited|updated|fixed|more (?:formal|casual)|shorter|formal|casual)\b.{0,120}[:：]$/i,
    /^(?:好的|当然|没问题|可以)[，,。！!：:]?.{0,80}$/,
    /^(?:以下是|下面是|这是|以下为|修改后|润色后|翻译后|改写后|更正后).{0,80}$/,
];

/** A label in front of the answer on the same line: "Rewritten text: ...", "译文：...", "Assistant: ...". */
const LEADING_LABEL = new RegExp(
    "^(?:" + [
        "assistant|answer|output|result|translation|english|chinese|fixed code|corrected code",
        "(?:the )?(?:rewritten|revised|improved|corrected|polished|shortened|translated|edited|formal|casual|shorter)(?: (?:version|text|code))?",
        "英文|中文|译文|结果|答案|(?:润色|修改|翻译|改写|更正|优化)后的?(?:文本|版本|内容|句子|代码)?",
    ].join("|") + ")\\s*[:：]\\s*",
    "i",
);

/** The first line of a closing remark after the rewrite. */
const COMMENTARY_START = new RegExp(
    "^(?:" + [
        "I(?: have|'ve)? (?:made|changed|corrected|fixed|kept|removed|rewrote|rewritten|replaced|improved|shortened|simplified|translated|adjusted|updated)",
        "(?:notes?|changes(?: made)?|explanation|summary of changes|key changes)\\s*[:：]",
        "this (?:version|revision|rewrite|revised|translation|change)",
        "the (?:changes|main changes|revised version|rewritten version|code now|fix)",
        "let me know",
        "hope (?:this|that) helps",
        "feel free",
        "(?:in this|with these) (?:version|changes)",
        "我(?:做了|修改了|对|将|把)",
        "(?:说明|注|修改说明|主要修改|改动)[:：]",
        "希望(?:这|对)",
    ].join("|") + ")",
    "i",
);

const FENCE_OPEN = /^[ \t]*(`{3,}|~{3,})[^\n`]*$/;

export function detectEol(text: string): "\n" | "\r\n" {
    return text.includes("\r\n") ? "\r\n" : "\n";
}

/**
 * Cleans `raw` (what the model produced for `original`) into the replacement text. Returns "" when nothing of
 * substance is left; callers treat that as a failed rewrite.
 */
export function cleanRewrite(raw: string, original: string, options: CleanOptions = {}): string {
    const eol = options.eol ?? detectEol(original);
    const originalLf = original.replace(/\r\n/g, "\n");
    let text = raw.replace(/\r\n/g, "\n").replace(/\u0000/g, "");

    text = stripTags(text);
    // A selection that holds fenced blocks (a fenced snippet, markdown with code) keeps the model's fences.
    const originalHasFence = /^[ \t]*(`{3,}|~{3,})/m.test(originalLf);
    if (!originalHasFence) text = unwrapFence(text);
    text = stripPreamble(text, originalLf);
    if (!originalHasFence) text = unwrapFence(text);
    text = stripCommentary(text, originalLf);
    text = stripWrappingQuotes(text, originalLf);
    text = text.trim();
    if (!text) return "";

    text = restoreCommentPrefix(text, originalLf);
    text = restoreIndentation(text, originalLf);
    const leading = /^\s*/.exec(originalLf)?.[0] ?? "";
    const trailing = originalLf.trim() ? /\s*$/.exec(originalLf)?.[0] ?? "" : "";
    text = leading + text + trailing;
    return eol === "\r\n" ? text.replace(/\n/g, "\r\n") : text;
}

function firstContentLine(text: string): string {
    return text.split("\n").find((l) => l.trim() !== "") ?? "";
}

/** Our prompt wraps the text in <text>…</text>; small models sometimes echo the tags. */
function stripTags(text: string): string {
    // Reasoning models think aloud first; an unclosed <think> means the answer has not started yet.
    text = text.replace(/<think>[\s\S]*?<\/think>\s*/gi, "").replace(/<think>[\s\S]*$/i, "");
    return text.replace(/^\s*<text>\s*\n?/i, "").replace(/\n?\s*<\/text>\s*$/i, "").replace(/<\/?text>/gi, "");
}

/**
 * When the answer holds a fenced block, the rewrite is its content: whatever surrounds the first fence is
 * preamble or commentary. Only used when the original was not itself fenced.
 */
function unwrapFence(text: string): string {
    const lines = text.split("\n");
    const open = lines.findIndex((l) => FENCE_OPEN.test(l));
    if (open < 0) return text;
    const before = lines.slice(0, open).filter((l) => l.trim() !== "");
    // Prose before the fence that is not a preamble means the fence is part of the text (a markdown document).
    if (before.length > 0 && !before.every((l) => isPreambleLine(l) || /[:：]\s*$/.test(l))) return text;
    const marker = /^[ \t]*(`{3,}|~{3,})/.exec(lines[open]!)![1]!;
    const close = lines.findIndex((l, i) => i > open && l.trim().startsWith(marker) && l.trim().replace(/[`~]/g, "") === "");
    const body = close < 0 ? lines.slice(open + 1) : lines.slice(open + 1, close);
    return body.join("\n");
}

function isPreambleLine(line: string): boolean {
    // "**Here is the revised text:**" — markdown emphasis around a preamble is still a preamble.
    const t = line.trim().replace(/^[*_#>\s]+|[*_\s]+$/g, "");
    return PREAMBLE_LINE.some((re) => re.test(t));
}

function stripPreamble(text: string, original: string): string {
    const originalFirst = firstContentLine(original).trim().toLowerCase();
    let lines = text.split("\n");
    for (let pass = 0; pass < 3; pass++) {
        const i = lines.findIndex((l) => l.trim() !== "");
        if (i < 0) break;
        const line = lines[i]!.trim();
        const rest = lines.slice(i + 1).some((l) => l.trim() !== "");
        // A line the original starts with is content, not chatter ("Sure enough, ..." in a story).
        const inOriginal = originalFirst !== "" && originalFirst.startsWith(line.toLowerCase().slice(0, 12));
        if (rest && !inOriginal && isPreambleLine(line) && looksLikeChatter(line)) {
            lines = lines.slice(i + 1);
            continue;
        }
        // "**Revised text:** ..." counts as the label "Revised text:".
        const candidate = lines[i]!.trimStart().replace(/^(\*\*|__)(.{1,60}?[:：])\1\s*/, "$2 ");
        const label = LEADING_LABEL.exec(candidate);
        if (label && !LEADING_LABEL.test(firstContentLine(original).trimStart())) {
            lines[i] = candidate.slice(label[0].length);
            if (lines[i]!.trim() === "") lines = lines.slice(i + 1);
            continue;
        }
        break;
    }
    return lines.join("\n");
}

/** Preamble lines end in ":" or are a short remark ("Sure!", "Here is a shorter version."). */
function looksLikeChatter(line: string): boolean {
    return /[:：]$/.test(line) || line.length <= 80;
}

function stripCommentary(text: string, original: string): string {
    const lines = text.split("\n");
    const originalLower = original.toLowerCase();
    for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!.trim();
        const afterBreak = lines[i - 1]!.trim() === "" || /^[-*_]{3,}$/.test(lines[i - 1]!.trim());
        if (!afterBreak || !COMMENTARY_START.test(line)) continue;
        if (originalLower.includes(line.toLowerCase().slice(0, 40))) continue;
        let end = i - 1;
        while (end > 0 && (lines[end - 1]!.trim() === "" || /^[-*_]{3,}$/.test(lines[end - 1]!.trim()))) end--;
        return lines.slice(0, end).join("\n");
    }
    return text;
}

const QUOTE_PAIRS: [string, string][] = [['"', '"'], ["“", "”"], ["「", "」"], ["'", "'"]];

function stripWrappingQuotes(text: string, original: string): string {
    const t = text.trim();
    const o = original.trim();
    for (const [open, close] of QUOTE_PAIRS) {
        if (t.length > 2 && t.startsWith(open) && t.endsWith(close) && !o.startsWith(open)) {
            const inner = t.slice(open.length, -close.length);
            if (!inner.includes(open) && !inner.includes(close)) return inner;
        }
    }
    return text;
}

/** `// `, `# `, ` * `, `-- `, `; `, `% ` shared by every non-empty line of the original. */
export function commonCommentPrefix(text: string): string | undefined {
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    if (lines.length === 0) return undefined;
    const markers = lines.map((l) => /^\s*(\/\/+|#+|\*|--|;+|%+)(?=\s|$)/.exec(l)?.[1]);
    const first = markers[0];
    if (!first || markers.some((m) => m !== first)) return undefined;
    // "#" alone is also a markdown heading; a single markdown heading line is not a comment block.
    if (first.startsWith("#") && lines.length === 1 && !/^\s*#\s/.test(lines[0]!)) return undefined;
    return first;
}

/** Puts back comment markers the model dropped when polishing a comment block. */
function restoreCommentPrefix(text: string, original: string): string {
    const marker = commonCommentPrefix(original);
    if (!marker) return text;
    const lines = text.split("\n");
    const present = lines.filter((l) => l.trim() !== "").every((l) => l.trimStart().startsWith(marker));
    if (present) return text;
    return lines.map((l) => (l.trim() === "" ? marker : `${marker} ${l.trimStart()}`)).join("\n");
}

/**
 * Re-applies the original's indentation: the first line's indentation travels with the leading whitespace, the
 * following lines get the original's common indentation on top of the rewrite's own relative indentation.
 */
function restoreIndentation(text: string, original: string): string {
    const lines = text.split("\n");
    const originalLines = original.replace(/^\s*\n/, "").split("\n");
    const rest = originalLines.slice(1).filter((l) => l.trim() !== "");
    const baseIndent = rest.length ? commonIndent(rest) : "";
    const tail = lines.slice(1);
    const ownIndent = commonIndent(tail.filter((l) => l.trim() !== ""));
    const first = lines[0]!.trimStart();
    const reindented = tail.map((l) => (l.trim() === "" ? "" : baseIndent + l.slice(ownIndent.length)));
    return [first, ...reindented].join("\n");
}

function commonIndent(lines: string[]): string {
    if (lines.length === 0) return "";
    let prefix = /^[ \t]*/.exec(lines[0]!)![0];
    for (const l of lines.slice(1)) {
        const indent = /^[ \t]*/.exec(l)![0];
        let k = 0;
        while (k < prefix.length && k < indent.length && prefix[k] === indent[k]) k++;
        prefix = prefix.slice(0, k);
    }
    return prefix;
}
