/**
 * A scripted editing session for the completion benchmarks: the document and cursor at every keystroke, and the
 * snippets of other files the editor would pass along. Two frozen source files (bench/session/*.ts.txt, copies of
 * Hearth's own code, so the session does not change when src/ does) stand for a small project:
 *
 *   1. type a stretch of a method in file A (it was removed and is typed back one character at a time),
 *   2. delete the last characters with Backspace and type them again,
 *   3. move to another method of A and type there,
 *   4. switch to file B and type in one of its functions,
 *   5. switch back to A where step 3 stopped and type on.
 *
 * Snippets follow Hearth's ContextCollector (src/completion/contextCollector.ts): leaving a file puts 40 lines
 * around where the cursor was into a SnippetRing. llama-server gets the very same snippets as `input_extra`, so
 * both sides see the same context.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CompletionDocument, ContextSnippet } from "../src/core/completion/promptLayout";
import { SnippetRing, snippetAround } from "../src/core/completion/snippetRing";
import { REPO_ROOT } from "./lib";

/** ContextCollector's SNIPPET_LINES. */
const SNIPPET_LINES = 40;

export type EditAction = "type" | "delete" | "move" | "switch";

export interface Keystroke {
    action: EditAction;
    doc: CompletionDocument;
    snippets: ContextSnippet[];
}

interface SessionFile {
    name: string;
    text: string;
}

function sessionFile(name: string): SessionFile {
    const text = fs.readFileSync(path.join(REPO_ROOT, "bench", "session", `${name}.txt`), "utf8");
    return { name, text };
}

function anchor(file: SessionFile, marker: string): number {
    const at = file.text.indexOf(marker);
    if (at < 0) throw new Error(`bench/session/${file.name}.txt no longer contains "${marker.trim()}"`);
    // Start typing inside the body: after the first line of the declaration.
    return file.text.indexOf("\n", at) + 1;
}

function lineOf(text: string, offset: number): number {
    let line = 0;
    for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
    return line;
}

/** The session's keystrokes; `scale` 1 is the full run (~260 keystrokes), smaller for --quick. */
export function editingSession(scale = 1): Keystroke[] {
    const a = sessionFile("engineProcess.ts");
    const b = sessionFile("generation.ts");
    const n = (full: number) => Math.max(4, Math.round(full * scale));
    const ring = new SnippetRing(10);
    const keystrokes: Keystroke[] = [];
    // Each file's current text; a region being retyped is cut out of it and re-inserted character by character.
    const texts = new Map([[a.name, a.text], [b.name, b.text]]);

    const push = (action: EditAction, file: SessionFile, text: string, offset: number) => keystrokes.push({
        action,
        doc: { text, offset, languageId: "typescript", fileName: file.name },
        snippets: ring.snippets(file.name),
    });

    /** Retypes `count` characters at `start` of `file`; returns the offset after the last one. */
    const retype = (file: SessionFile, start: number, count: number, first: EditAction): number => {
        const full = texts.get(file.name)!;
        const typed = full.slice(start, start + count);
        const before = full.slice(0, start);
        const after = full.slice(start + count);
        for (let k = 1; k <= typed.length; k++) push(k === 1 ? first : "type", file, before + typed.slice(0, k) + after, start + k);
        return start + typed.length;
    };

    const leave = (file: SessionFile, offset: number) =>
        ring.upsert(file.name, file.name, snippetAround(texts.get(file.name)!, lineOf(texts.get(file.name)!, offset), SNIPPET_LINES));

    // 1. Typing in A.
    const a1 = anchor(a, "    private recordCrash(");
    let cursor = retype(a, a1, n(90), "type");
    // 2. Backspace over the last characters, then type them again.
    const full = texts.get(a.name)!;
    const deleted = n(12);
    for (let k = 1; k <= deleted; k++) push("delete", a, full.slice(0, cursor - k) + full.slice(cursor), cursor - k);
    cursor = retype(a, cursor - deleted, deleted, "type");
    // 3. Another method of A.
    const a2 = anchor(a, "    private settle(");
    const a2End = retype(a, a2, n(50), "move");
    // 4. Switch to B (A's snippet enters the ring).
    leave(a, a2End);
    const b1 = anchor(b, "export async function runInfill(");
    const b1End = retype(b, b1, n(70), "switch");
    // 5. Back to A where step 3 stopped (B's snippet enters the ring).
    leave(b, b1End);
    retype(a, a2End, n(40), "switch");
    return keystrokes;
}

/**
 * llama.vscode's /infill request for a document (its getFIMCompletion + createRequestPayload): up to 256 lines
 * before the cursor's line as input_prefix, the rest of the line and 64 lines after as input_suffix, the line up
 * to the cursor as prompt (empty when it is only indentation, with n_indent), its default sampling (top_k 40,
 * top_p 0.99), cache_prompt, n_predict and t_max_predict_ms; snippets as input_extra.
 *
 * One deviation: llama.vscode also lists llama.cpp's "infill" sampler, which ends the answer when no candidate is
 * clearly ahead. The bench's random-weight model has a flat distribution, so that sampler ended every answer after
 * one token (measured: tokens_predicted 1, stop_type eos) and the server would have done a sixteenth of Hearth's
 * work. Without it both sides generate up to n_predict tokens (the generated-token means are reported).
 */
export function llamaVscodeInfillRequest(doc: CompletionDocument, snippets: readonly ContextSnippet[], nPredict: number) {
    const lines = doc.text.split("\n");
    const line = lineOf(doc.text, doc.offset);
    const lineStart = doc.text.lastIndexOf("\n", doc.offset - 1) + 1;
    const lineText = lines[line] ?? "";
    const linePrefix = doc.text.slice(lineStart, doc.offset);
    const lineSuffix = lineText.slice(linePrefix.length);
    const onlyIndent = /^[ \t]*$/.test(linePrefix);
    return {
        input_prefix: `${lines.slice(Math.max(0, line - 256), line).join("\n")}\n`,
        input_suffix: `${lineSuffix}\n${lines.slice(line + 1, line + 1 + 64).join("\n")}\n`,
        input_extra: snippets.map((s) => ({ filename: s.label, text: s.text })),
        prompt: onlyIndent ? "" : linePrefix,
        n_predict: nPredict,
        top_k: 40,
        top_p: 0.99,
        stream: false,
        samplers: ["top_k", "top_p"],
        cache_prompt: true,
        n_indent: lineText.length - lineText.trimStart().length,
        t_max_prompt_ms: 500,
        t_max_predict_ms: 500,
    };
}
