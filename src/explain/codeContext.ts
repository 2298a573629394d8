/**
 * The code around a problem, for Explain and Fix prompts: the enclosing function or method when the language's
 * symbol provider knows it (and it is not huge), otherwise a window of lines around the problem.
 */
import * as vscode from "vscode";
import { lineWindow, type CodeContext, type DiagnosticInfo } from "../core/explain/explainPrompts";

/** How long to wait for a language server's document symbols before falling back to a line window. */
const SYMBOLS_TIMEOUT_MS = 1500;

const FUNCTION_KINDS = new Set([
    vscode.SymbolKind.Function, vscode.SymbolKind.Method, vscode.SymbolKind.Constructor,
]);
const CONTAINER_KINDS = new Set([
    vscode.SymbolKind.Class, vscode.SymbolKind.Interface, vscode.SymbolKind.Struct, vscode.SymbolKind.Enum,
    vscode.SymbolKind.Module, vscode.SymbolKind.Namespace, vscode.SymbolKind.Object,
]);

export interface ContextLimits {
    /** Lines either side when there is no usable enclosing symbol. */
    radius: number;
    /** An enclosing symbol longer than this is replaced by the line window. */
    maxSymbolLines: number;
}

export interface GatheredContext extends CodeContext {
    /** Whole lines covered by `code`, as a document range (for Fix, the range the proposal replaces). */
    range: vscode.Range;
}

export async function gatherCodeContext(document: vscode.TextDocument, around: vscode.Range, limits: ContextLimits): Promise<GatheredContext> {
    const symbol = await enclosingSymbol(document, around);
    let startLine: number;
    let endLine: number;
    let symbolName: string | undefined;
    if (symbol && symbol.range.end.line - symbol.range.start.line + 1 <= limits.maxSymbolLines) {
        startLine = symbol.range.start.line;
        endLine = symbol.range.end.line;
        symbolName = symbol.name;
    } else {
        const w = lineWindow(around.start.line, document.lineCount, limits.radius);
        startLine = w.start;
        endLine = Math.max(w.end, Math.min(document.lineCount - 1, around.end.line));
    }
    const range = new vscode.Range(startLine, 0, endLine, document.lineAt(endLine).text.length);
    return {
        fileName: vscode.workspace.asRelativePath(document.uri, false),
        languageId: document.languageId,
        code: document.getText(range).replace(/\r\n/g, "\n"),
        startLine: startLine + 1,
        symbolName,
        range,
    };
}

/** The innermost function-like symbol containing `range`, else the innermost class-like one. */
async function enclosingSymbol(document: vscode.TextDocument, range: vscode.Range): Promise<{ name: string; range: vscode.Range } | undefined> {
    let symbols: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined;
    try {
        const request = vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>(
            "vscode.executeDocumentSymbolProvider", document.uri);
        symbols = await Promise.race([
            Promise.resolve(request),
            new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SYMBOLS_TIMEOUT_MS)),
        ]);
    } catch {
        return undefined;
    }
    if (!symbols?.length) return undefined;
    const flat: { name: string; kind: vscode.SymbolKind; range: vscode.Range; depth: number }[] = [];
    const walk = (items: (vscode.DocumentSymbol | vscode.SymbolInformation)[], depth: number) => {
        for (const s of items) {
            const r = "location" in s ? s.location.range : s.range;
            if (r.contains(range)) flat.push({ name: s.name, kind: s.kind, range: r, depth });
            if ("children" in s && s.children?.length) walk(s.children, depth + 1);
        }
    };
    walk(symbols, 0);
    const innermost = (kinds: Set<vscode.SymbolKind>) => flat
        .filter((s) => kinds.has(s.kind))
        .sort((a, b) => (b.range.start.line - a.range.start.line) || (a.range.end.line - b.range.end.line))[0];
    return innermost(FUNCTION_KINDS) ?? innermost(CONTAINER_KINDS);
}

export function diagnosticInfo(d: vscode.Diagnostic): DiagnosticInfo {
    const severity = d.severity === vscode.DiagnosticSeverity.Error ? "error"
        : d.severity === vscode.DiagnosticSeverity.Warning ? "warning"
            : d.severity === vscode.DiagnosticSeverity.Information ? "information" : "hint";
    const code = typeof d.code === "object" && d.code !== null ? d.code.value : d.code;
    return {
        message: d.message,
        source: d.source,
        code,
        severity,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
    };
}
