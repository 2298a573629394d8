/**
 * Loads highlight.js languages that are not in the panel's bundle, the first time a fenced block names one.
 * esbuild.mjs builds each language into media/dist/hljs/<name>.js (scripts/hljs-languages.mjs) and defines
 * HEARTH_HLJS_INDEX (name or alias → script name). The script is added with this bundle's CSP nonce, so the panel's
 * policy stays "scripts with the nonce only"; it registers its language through the hook below, and the panel renders
 * again. A language that fails to load is not asked for again (its blocks stay plain).
 */
import type { LanguageFn } from "highlight.js";
import { registerHighlightLanguage } from "../../core/chat/highlightLanguages";

declare const HEARTH_HLJS_INDEX: Record<string, string> | undefined;

/** Captured while this bundle's own <script> runs: its URL (the hljs/ folder is next to it) and its nonce. */
const bundleScript = document.currentScript as HTMLScriptElement | null;
const index: Record<string, string> = typeof HEARTH_HLJS_INDEX === "object" && HEARTH_HLJS_INDEX ? HEARTH_HLJS_INDEX : {};
const requested = new Map<string, "loading" | "loaded" | "failed">();
const listeners: (() => void)[] = [];

(window as unknown as { hearthHighlight: { register(name: string, definition: LanguageFn): void } }).hearthHighlight = {
    register: (name, definition) => registerHighlightLanguage(name, definition),
};

/** Runs after a language arrived (re-render what was shown plain). */
export function onHighlightLanguageLoaded(listener: () => void): void {
    listeners.push(listener);
}

/** True while `language` (a fence's info string, lower case) is being loaded; false when it is unknown or failed. */
export function requestHighlightLanguage(language: string): boolean {
    const script = Object.prototype.hasOwnProperty.call(index, language) ? index[language] : undefined;
    if (!script || !bundleScript?.src) return false;
    const state = requested.get(script);
    if (state) return state === "loading";
    requested.set(script, "loading");
    const tag = document.createElement("script");
    tag.nonce = bundleScript.nonce;
    tag.src = new URL(`hljs/${script}.js`, bundleScript.src).toString();
    tag.onload = () => {
        requested.set(script, "loaded");
        for (const listener of listeners) listener();
    };
    tag.onerror = () => {
        requested.set(script, "failed");
        for (const listener of listeners) listener();
    };
    document.head.append(tag);
    return true;
}
