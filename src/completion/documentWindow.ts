/**
 * What of a document a completion request needs, without copying a huge one: `document.getText()` of a 50 MB log
 * joins its half a million lines on every keystroke (measured: the extension host blocked for hundreds of ms), while
 * a prompt uses at most a few thousand tokens around the cursor.
 */
import * as vscode from "vscode";
import { PREFIX_ALIGN_LINES } from "../core/completion/promptLayout";

/** Documents up to this size are sent whole, as before (the prompt layout cuts its windows from them). */
const WHOLE_DOCUMENT_CHARS = 256 * 1024;
/** Taken on each side of the cursor in bigger ones: far more than any prompt window (2,048 tokens × 6 chars). */
const WINDOW_CHARS = 64 * 1024;

/** Characters in `document`, from VS Code's line index (no copy of the text). */
export function documentLength(document: vscode.TextDocument): number {
    return document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
}

/**
 * The text around `offset` and the cursor's offset in it. The window starts at a line whose number is a multiple of
 * PREFIX_ALIGN_LINES: the prompt layout aligns its prefix to line numbers counted from the start of the text it gets,
 * so the prefix (and the KV cache it keeps) is the same as with the whole document.
 */
export function documentWindow(document: vscode.TextDocument, offset: number): { text: string; offset: number } {
    const length = documentLength(document);
    if (length <= WHOLE_DOCUMENT_CHARS) return { text: document.getText(), offset };
    let startLine = document.positionAt(Math.max(0, offset - WINDOW_CHARS)).line;
    startLine -= startLine % PREFIX_ALIGN_LINES;
    const start = new vscode.Position(startLine, 0);
    const end = document.lineAt(document.positionAt(Math.min(length, offset + WINDOW_CHARS)).line).range.end;
    return { text: document.getText(new vscode.Range(start, end)), offset: offset - document.offsetAt(start) };
}
