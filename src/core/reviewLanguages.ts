/**
 * The languages a review's documents (read-only `hearth-review:` documents behind the diff) are shown in. Language
 * servers that check documents of any scheme (TypeScript/JavaScript, JSON, CSS, HTML) would report every unresolved
 * import of a proposal as a problem ("Fix with Hearth" once took a file from 1 to 136 problems), so for those languages
 * the review documents get a Hearth "proposal" language instead: package.json contributes each with a grammar that
 * includes the original one (the same colours) and a file-name pattern matching the review URI, so no server ever
 * opens them. Every other language is shown as itself.
 */

/** languageId → the TextMate scope of its grammar, for the languages whose servers check virtual documents. */
export const CHECKED_LANGUAGES: Readonly<Record<string, string>> = {
    typescript: "source.ts",
    typescriptreact: "source.tsx",
    javascript: "source.js",
    javascriptreact: "source.js.jsx",
    json: "source.json",
    jsonc: "source.json.comments",
    css: "source.css",
    scss: "source.css.scss",
    less: "source.css.less",
    html: "text.html.basic",
};

export function proposalLanguageId(languageId: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(CHECKED_LANGUAGES, languageId) ? `hearth-proposed-${languageId}` : undefined;
}

/**
 * The path of a review document (`/<id>/<side>/<file>`), with a folder naming the proposal language when the file's
 * language is a checked one: the language contribution's filenamePatterns match it.
 */
export function reviewDocumentPath(id: number, side: "original" | "proposed", fileName: string, languageId: string): string {
    const language = proposalLanguageId(languageId);
    return language ? `/${id}/${side}/${language}/${fileName}` : `/${id}/${side}/${fileName}`;
}
