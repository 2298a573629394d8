/**
 * The highlight.js instance of the chat: its core plus the languages most answers use, bundled into the chat panel.
 * Every other language highlight.js knows is loaded on demand by the panel (scripts/hljs-languages.mjs builds one
 * script per language; src/webview/chat/highlightLoader.ts loads it) and registered here. The whole "common" set
 * of highlight.js made the panel's bundle 690 KB; this set covers the languages of nearly every chat answer.
 */
import hljs from "highlight.js/lib/core";
import type { LanguageFn } from "highlight.js";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import ini from "highlight.js/lib/languages/ini";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import plaintext from "highlight.js/lib/languages/plaintext";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

const BUNDLED: Record<string, LanguageFn> = {
    bash, c, cpp, csharp, css, diff, go, ini, java, javascript, json, markdown, plaintext, python, rust, shell, sql,
    typescript, xml, yaml,
};

export const BUNDLED_LANGUAGES: readonly string[] = Object.keys(BUNDLED);

for (const [name, definition] of Object.entries(BUNDLED)) hljs.registerLanguage(name, definition);

/** Adds a language loaded later (its script calls this through the panel's registration hook). */
export function registerHighlightLanguage(name: string, definition: LanguageFn): void {
    if (!hljs.getLanguage(name)) hljs.registerLanguage(name, definition);
}

export { hljs };
