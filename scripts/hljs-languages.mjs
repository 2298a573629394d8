// highlight.js languages for the chat panel (esbuild.mjs): the languages most chat answers use are bundled into
// media/dist/chat.js (src/core/chat/highlightLanguages.ts registers them); every highlight.js language is also built
// into its own small script, media/dist/hljs/<name>.js, which the panel loads the first time a fenced block names a
// language it does not have (src/webview/chat/highlightLoader.ts). Building the bundled ones too keeps the list of
// bundled languages in one place, at the cost of a few KB in the VSIX. highlight.js's "common" set in the bundle
// made it 690 KB (306 KB minified).
import * as esbuild from "esbuild";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** The name the loaded script registers itself with, window.hearthHighlight.register(name, definition). */
export const REGISTER_HOOK = "hearthHighlight";

function languagesDir() {
    return path.join(path.dirname(require.resolve("highlight.js/package.json")), "lib", "languages");
}

/** Every language highlight.js ships (lib/languages/<name>.js; the <name>.js.js files are import-path shims). */
export function allLanguages() {
    return readdirSync(languagesDir())
        .filter((f) => f.endsWith(".js") && !f.endsWith(".js.js"))
        .map((f) => f.slice(0, -3))
        .sort();
}

/**
 * name or alias (lower case) → script name, for every language. The aliases come from the language definitions
 * themselves (```hs → haskell), evaluated here against highlight.js's core at build time.
 */
export function lazyLanguageIndex() {
    const hljs = require("highlight.js/lib/core");
    const index = {};
    for (const name of allLanguages()) {
        const definition = require(path.join(languagesDir(), `${name}.js`));
        const aliases = (definition(hljs).aliases ?? []).map((a) => a.toLowerCase());
        for (const key of [name, ...aliases]) index[key] ??= name;
    }
    return index;
}

/**
 * Builds the per-language scripts into <outdir>/hljs/ and returns lazyLanguageIndex(). Both are skipped when the
 * scripts are all there, built from this highlight.js version with these options (a stamp file that also keeps the
 * index), so a plain `node esbuild.mjs` stays fast.
 */
export async function buildLazyLanguages(common, outdir) {
    const version = JSON.parse(readFileSync(require.resolve("highlight.js/package.json"), "utf8")).version;
    const names = allLanguages();
    // The stamp lives in .cache/, not next to the scripts, so that it never ships in the VSIX.
    const stamp = path.join(".cache", "hljs-languages.json");
    const key = JSON.stringify({ version, outdir: path.resolve(outdir), minify: Boolean(common.minify), names });
    const present = names.every((n) => existsSync(path.join(outdir, "hljs", `${n}.js`)));
    if (present && existsSync(stamp)) {
        const saved = JSON.parse(readFileSync(stamp, "utf8"));
        if (saved.key === key) return saved.index;
    }
    await esbuild.build(lazyLanguageBuild(common, outdir));
    const index = lazyLanguageIndex();
    mkdirSync(path.dirname(stamp), { recursive: true });
    writeFileSync(stamp, JSON.stringify({ key, index }));
    return index;
}

/** esbuild options for the lazily loaded languages: one IIFE per language, written to <outdir>/hljs/<name>.js. */
function lazyLanguageBuild(common, outdir) {
    const names = allLanguages();
    return {
        ...common,
        // No source maps: the files are highlight.js's own code, nothing of ours to debug.
        sourcemap: false,
        entryPoints: Object.fromEntries(names.map((n) => [`hljs/${n}`, `hljs-language:${n}`])),
        outdir,
        format: "iife",
        platform: "browser",
        target: "es2022",
        logLevel: "warning",
        plugins: [{
            name: "hljs-language",
            setup(build) {
                build.onResolve({ filter: /^hljs-language:/ }, (args) => ({ path: args.path.slice("hljs-language:".length), namespace: "hljs-language" }));
                build.onLoad({ filter: /.*/, namespace: "hljs-language" }, (args) => ({
                    contents: `import definition from ${JSON.stringify(path.join(languagesDir(), `${args.path}.js`))};\n` +
                        `self.${REGISTER_HOOK}?.register(${JSON.stringify(args.path)}, definition);\n`,
                    resolveDir: languagesDir(),
                    loader: "js",
                }));
            },
        }],
    };
}
