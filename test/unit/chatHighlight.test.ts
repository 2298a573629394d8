/**
 * Code highlighting in the chat: the bundled languages highlight at once, any other highlight.js language is asked
 * for (the panel loads its script) and highlights once registered, and the build's index of those scripts covers
 * every language highlight.js ships, under its aliases too.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import createDOMPurify from "dompurify";
import type { LanguageFn } from "highlight.js";
import { JSDOM } from "jsdom";
import { BUNDLED_LANGUAGES, hljs, registerHighlightLanguage } from "../../src/core/chat/highlightLanguages";
import { createMarkdownRenderer } from "../../src/core/chat/markdown";
import { REPO_ROOT } from "../helpers/fixtures";

const purify = createDOMPurify(new JSDOM("").window);

interface HljsLanguagesModule {
    allLanguages(): string[];
    lazyLanguageIndex(): Record<string, string>;
}

async function buildScript(): Promise<HljsLanguagesModule> {
    return (await import(pathToFileURL(path.join(REPO_ROOT, "scripts", "hljs-languages.mjs")).href)) as HljsLanguagesModule;
}

describe("chat code highlighting", () => {
    it("highlights a bundled language without asking for anything", () => {
        const asked: string[] = [];
        const md = createMarkdownRenderer(purify, { onMissingLanguage: (l) => (asked.push(l), true) });
        const html = md.render("```python\ndef f(x):\n    return x\n```");
        assert.match(html, /class="language-python"/);
        assert.match(html, /<span class="hljs-keyword">def<\/span>/);
        assert.deepEqual(asked, []);
    });

    it("asks for a language it does not have, shows the block plain meanwhile, and highlights it once registered", () => {
        const asked: string[] = [];
        const md = createMarkdownRenderer(purify, { onMissingLanguage: (l) => (asked.push(l), true) });
        const source = "```elixir\ndefmodule Greeter do\n  def hello, do: :world\nend\n```";
        const plain = md.render(source);
        assert.deepEqual(asked, ["elixir"]);
        assert.doesNotMatch(plain, /hljs-/, "shown plain (not guessed) while it loads");
        assert.match(plain, /defmodule Greeter do/);
        // What the language's script does when it arrives (the same definition highlight.js ships).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        registerHighlightLanguage("elixir", require("highlight.js/lib/languages/elixir") as LanguageFn);
        const highlighted = md.render(source);
        assert.match(highlighted, /<span class="hljs-keyword">defmodule<\/span>/);
        assert.equal(asked.length, 1);
    });

    it("guesses from the bundled languages when nothing can be loaded for a name", () => {
        const md = createMarkdownRenderer(purify, { onMissingLanguage: () => false });
        const html = md.render("```no-such-language\nconst x = { a: 1 };\n```");
        assert.match(html, /hljs-/);
    });

    it("bundles the everyday languages and not the rest of highlight.js", async () => {
        for (const name of ["typescript", "javascript", "python", "bash", "json", "cpp", "java", "go", "rust", "sql", "xml", "css", "markdown", "yaml"]) {
            assert.ok(BUNDLED_LANGUAGES.includes(name), `${name} should be bundled`);
        }
        const all = (await buildScript()).allLanguages();
        assert.ok(all.length > 150, `highlight.js ships ${all.length} languages`);
        assert.ok(BUNDLED_LANGUAGES.length <= 25, "the bundle holds only the common languages");
        for (const name of BUNDLED_LANGUAGES) assert.ok(all.includes(name), `${name} is a highlight.js language`);
        assert.equal(hljs.getLanguage("haskell"), undefined, "haskell is loaded on demand, not bundled");
    });

    it("indexes every highlight.js language under its name and its aliases", async () => {
        const build = await buildScript();
        const index = build.lazyLanguageIndex();
        for (const name of build.allLanguages()) assert.equal(index[name], name);
        assert.equal(index["hs"], "haskell");
        assert.equal(index["ex"], "elixir");
        assert.equal(index["kt"], "kotlin");
    });
});
