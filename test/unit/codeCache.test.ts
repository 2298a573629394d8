/**
 * src/activation/codeCache.ts: the extension's bundle loads through V8's code cache when that cache is intact and made
 * from this very bundle, and from source (as require() would) in every other case, writing a fresh cache.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadBundleWithCodeCache } from "../../src/activation/codeCache";

interface Bundle {
    answer(): string;
    file: string;
    dir: string;
    builtin: string;
}

/** A CommonJS bundle with enough functions for V8 to cache, using what require() gives a module. */
function bundleSource(answer: string): string {
    const helpers = Array.from({ length: 200 }, (_, i) => `function helper${i}(x) { return x.split("").reverse().join("") + ${i}; }`).join("\n");
    return `"use strict";\n${helpers}\nconst path = require("node:path");\n`
        + `module.exports = { answer: () => ${JSON.stringify(answer)} + helper1("ab").length, file: __filename, dir: __dirname, builtin: path.sep };\n`;
}

describe("the V8 code cache for the extension's bundle", () => {
    let dir: string;
    let bundle: string;
    let cacheFile: string;

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-code-cache-"));
        bundle = path.join(dir, "hearth.js");
        cacheFile = path.join(dir, "storage", "nested", "hearth.js.v8-code-cache");
        fs.writeFileSync(bundle, bundleSource("first"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("loads from source the first time, writes the cache, and loads from it the next time", async () => {
        const first = loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0");
        assert.equal(first.cache, "miss");
        assert.equal(first.exports.answer(), "first3");
        assert.equal(first.exports.file, bundle);
        assert.equal(first.exports.dir, dir);
        assert.equal(first.exports.builtin, path.sep);
        assert.equal(await first.saveCache(), "written");
        assert.ok(fs.statSync(cacheFile).size > 1000);
        assert.deepEqual(fs.readdirSync(path.dirname(cacheFile)), [path.basename(cacheFile)], "a temporary file was left behind");

        const second = loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0");
        assert.equal(second.cache, "hit");
        assert.equal(second.exports.answer(), "first3");
        // An accepted cache is not rewritten.
        const before = fs.statSync(cacheFile).mtimeMs;
        assert.equal(await second.saveCache(), "unchanged");
        assert.equal(fs.statSync(cacheFile).mtimeMs, before);
    });

    it("never uses a cache made from another bundle of the same length, or another version", async () => {
        await loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0").saveCache();
        // Same length, other code: V8 alone would accept the cache (it checks only the source's length).
        const other = bundleSource("other");
        assert.equal(other.length, bundleSource("first").length);
        fs.writeFileSync(bundle, other);
        fs.utimesSync(bundle, new Date(), new Date(Date.now() + 5_000));
        const changed = loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0");
        assert.equal(changed.cache, "stale");
        assert.equal(changed.exports.answer(), "other3");
        assert.equal(await changed.saveCache(), "written");
        assert.equal(loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0").cache, "hit");
        assert.equal(loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.1").cache, "stale");
    });

    it("loads from source when the cache file is damaged, and replaces it", async () => {
        await loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0").saveCache();
        const intact = fs.readFileSync(cacheFile);
        const damaged = Buffer.from(intact);
        damaged.writeUInt8(damaged.readUInt8(damaged.length - 100) ^ 0xff, damaged.length - 100); // one flipped byte in V8's data
        for (const bytes of [damaged, intact.subarray(0, intact.length - 1), Buffer.from("HCC1"), Buffer.from("not a cache at all"), Buffer.alloc(0)]) {
            fs.writeFileSync(cacheFile, bytes);
            const loaded = loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0");
            assert.equal(loaded.cache, "corrupt", `${bytes.length} bytes were not recognised as damaged`);
            assert.equal(loaded.exports.answer(), "first3");
        }
        const last = loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0");
        assert.equal(await last.saveCache(), "written");
        assert.equal(loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0").cache, "hit");
    });

    it("fails the save, not the load, when the cache cannot be written", async () => {
        fs.writeFileSync(path.join(dir, "storage"), "a file where the cache's folder should be");
        const loaded = loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0");
        assert.equal(loaded.cache, "miss");
        assert.equal(loaded.exports.answer(), "first3");
        await assert.rejects(loaded.saveCache());
    });

    it("throws what the bundle throws while loading, as require() would", () => {
        fs.writeFileSync(bundle, `throw new Error("the bundle is broken");`);
        assert.throws(() => loadBundleWithCodeCache<Bundle>(bundle, cacheFile, "1.0.0"), /the bundle is broken/);
    });
});
