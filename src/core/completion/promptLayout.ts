/**
 * Lays out the prompt of an inline completion so that consecutive requests in the same file share the longest
 * possible token prefix with what the engine's completion sequence already holds (only the tail is evaluated):
 *
 *   FIM:   [extra context] PRE <prefix lines> SUF <suffix> MID <current line up to the cursor>
 *   plain: [extra context] <prefix lines><current line up to the cursor>
 *
 * Typing on a line changes only the text after MID. The prefix window starts on a line number rounded to
 * PREFIX_ALIGN_LINES, so adding lines moves the window start only every few dozen lines, and the suffix is cut at
 * a line end, so it stays byte-identical while the text after the cursor does not change.
 */

/** A piece of another file (or of a definition) shown ahead of the FIM prefix. */
export interface ContextSnippet {
    /** Shown as a comment header, e.g. a workspace-relative path. */
    label: string;
    text: string;
}

export interface CompletionDocument {
    text: string;
    /** Cursor offset in `text` (UTF-16 code units). */
    offset: number;
    languageId?: string;
    /** Workspace-relative name of the file, shown as a header before the prefix. */
    fileName?: string;
}

export interface PromptBudget {
    extraChars: number;
    prefixChars: number;
    suffixChars: number;
}

export type CompletionMode = "code" | "prose";

export interface CompletionPromptLayout {
    /** Text ahead of the prefix: snippets, then the current file's header. Stable across keystrokes. */
    extraContext: string;
    /** Whole lines before the cursor's line, inside the aligned window. */
    prefix: string;
    /** The cursor's line up to the cursor. */
    currentLinePrefix: string;
    /** From the cursor to the end of the suffix window (cut at a line end). */
    suffix: string;
    /** The cursor's line after the cursor. */
    lineSuffix: string;
    /** The text after the cursor's line, inside the suffix window. */
    followingText: string;
    mode: CompletionMode;
}

/** Lines the prefix window start is rounded to (at most; see prefixWindowStart): bigger = more stable cache. */
export const PREFIX_ALIGN_LINES = 32;
/** Conservative characters per token for budgeting without a tokenizer round-trip (code is ~3.5-4). */
export const CHARS_PER_TOKEN = 3;
/**
 * Characters per token measured on a sample, rounded down to a quarter so that it does not jitter between
 * samples (a different ratio moves the windows and costs a full re-evaluation). Clamped to [0.5, 6].
 */
export function charsPerTokenFrom(chars: number, tokens: number): number {
    if (tokens <= 0 || chars <= 0) return CHARS_PER_TOKEN;
    return Math.max(0.5, Math.min(6, Math.floor((chars / tokens) * 4) / 4));
}
/** Upper bound for a prompt: longer prompts make the first (cold) request slow on CPU. */
export const MAX_PROMPT_TOKENS = 2048;

const PROSE_LANGUAGES = new Set(["markdown", "plaintext", "latex", "tex", "restructuredtext", "asciidoc", "git-commit", "scminput"]);

export function modeForLanguage(languageId: string | undefined): CompletionMode {
    return languageId && PROSE_LANGUAGES.has(languageId) ? "prose" : "code";
}

/** Splits the prompt budget left after the answer: 30% other files, 50% prefix, 20% suffix. */
export function budgetFor(contextSize: number, maxTokens: number, charsPerToken = CHARS_PER_TOKEN): PromptBudget {
    const tokens = Math.max(64, Math.min(MAX_PROMPT_TOKENS, contextSize - maxTokens - 32));
    const chars = Math.floor(tokens * charsPerToken);
    return {
        extraChars: Math.floor(chars * 0.3),
        prefixChars: Math.floor(chars * 0.5),
        suffixChars: Math.floor(chars * 0.2),
    };
}

export function layoutPrompt(doc: CompletionDocument, budget: PromptBudget, snippets: readonly ContextSnippet[] = []): CompletionPromptLayout {
    const { text } = doc;
    const offset = Math.max(0, Math.min(doc.offset, text.length));
    const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
    const lineEndIndex = text.indexOf("\n", offset);
    const lineEnd = lineEndIndex < 0 ? text.length : lineEndIndex;

    // A pathological current line (minified code) keeps only its tail; everything else is whole lines.
    let currentLinePrefix = text.slice(lineStart, offset);
    if (currentLinePrefix.length > budget.prefixChars) currentLinePrefix = currentLinePrefix.slice(-budget.prefixChars);

    const prefix = text.slice(prefixWindowStart(text, lineStart, budget.prefixChars), lineStart);
    const suffix = suffixWindow(text, offset, budget.suffixChars);
    const lineSuffix = text.slice(offset, lineEnd);
    const followingText = suffix.length > lineSuffix.length ? suffix.slice(lineSuffix.length + 1) : "";
    const mode = modeForLanguage(doc.languageId);
    return {
        extraContext: formatExtraContext(snippets, doc, budget.extraChars),
        prefix,
        currentLinePrefix,
        suffix,
        lineSuffix,
        followingText,
        mode,
    };
}

/** The plain-completion prompt for models without FIM tokens: the suffix is not shown. */
export function plainPrompt(layout: CompletionPromptLayout): string {
    return layout.extraContext + layout.prefix + layout.currentLinePrefix;
}

/**
 * Start offset of the prefix window: the earliest line start whose text up to `lineStart` fits the budget,
 * moved forward to the next line number divisible by the alignment (unless the whole prefix fits): a power of two
 * up to PREFIX_ALIGN_LINES and at most a quarter of the window's lines.
 */
export function prefixWindowStart(text: string, lineStart: number, budgetChars: number): number {
    if (lineStart <= budgetChars) return 0;
    const earliest = lineStart - budgetChars;
    // First line start at or after `earliest`.
    let start = earliest === 0 || text[earliest - 1] === "\n" ? earliest : text.indexOf("\n", earliest) + 1;
    if (start <= 0 || start > lineStart) return lineStart;
    // Small windows align more finely, so rounding never gives up more than about a quarter of the budget.
    const windowLines = countNewlines(text, start, lineStart);
    const align = Math.min(PREFIX_ALIGN_LINES, 2 ** Math.floor(Math.log2(Math.max(1, windowLines / 4))));
    let lineNumber = countNewlines(text, 0, start);
    while (lineNumber % align !== 0 && start < lineStart) {
        start = text.indexOf("\n", start) + 1;
        lineNumber++;
    }
    return start;
}

function suffixWindow(text: string, offset: number, budgetChars: number): string {
    const rest = text.slice(offset, offset + budgetChars + 1);
    if (rest.length <= budgetChars) return rest;
    const lastNewline = rest.lastIndexOf("\n", budgetChars);
    return lastNewline > 0 ? rest.slice(0, lastNewline + 1) : rest.slice(0, budgetChars);
}

function countNewlines(text: string, from: number, to: number): number {
    let n = 0;
    for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
    return n;
}

/**
 * Snippets in ring order (oldest first, so the order only changes when the ring does), newest kept when over
 * budget, then the current file's name. Each piece is a line comment in the file's language.
 */
export function formatExtraContext(snippets: readonly ContextSnippet[], doc: Pick<CompletionDocument, "languageId" | "fileName">, budgetChars: number): string {
    const header = doc.fileName ? commentLine(doc.languageId, doc.fileName) : "";
    let remaining = budgetChars - header.length;
    const kept: string[] = [];
    for (let i = snippets.length - 1; i >= 0 && remaining > 0; i--) {
        const s = snippets[i]!;
        const body = s.text.endsWith("\n") ? s.text : `${s.text}\n`;
        const piece = `${commentLine(doc.languageId, s.label)}${body}\n`;
        if (piece.length > remaining) break;
        kept.unshift(piece);
        remaining -= piece.length;
    }
    return kept.join("") + header;
}

const HASH_COMMENT = new Set(["python", "shellscript", "ruby", "perl", "r", "yaml", "toml", "dockerfile", "makefile",
    "powershell", "elixir", "julia", "coffeescript", "nim", "cmake", "properties", "ini"]);
const DASH_COMMENT = new Set(["sql", "lua", "haskell", "elm", "ada"]);
const MARKUP_COMMENT = new Set(["html", "xml", "markdown", "vue", "svelte"]);

/** A one-line comment in the language of the current file (what code models saw in training for file headers). */
export function commentLine(languageId: string | undefined, text: string): string {
    const oneLine = text.replace(/[\r\n]+/g, " ");
    if (!languageId || languageId === "plaintext") return `${oneLine}\n`;
    if (HASH_COMMENT.has(languageId)) return `# ${oneLine}\n`;
    if (DASH_COMMENT.has(languageId)) return `-- ${oneLine}\n`;
    if (MARKUP_COMMENT.has(languageId)) return `<!-- ${oneLine} -->\n`;
    return `// ${oneLine}\n`;
}
