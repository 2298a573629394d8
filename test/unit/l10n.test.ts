/**
 * Every string the host shows through vscode.l10n.t, in every folder of src/, has its Simplified Chinese
 * translation with the same placeholders. (Folder tests such as chatL10n.test.ts also check their own tables.)
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/fixtures";

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return sourceFiles(full);
        return e.name.endsWith(".ts") ? [full] : [];
    });
}

/** `vscode.l10n.t("…")`, `l10n.t("…")`, and `t("…")` in files that alias `const t = vscode.l10n.t`. */
export function l10nStrings(files: string[]): Map<string, string> {
    const found = new Map<string, string>();
    for (const file of files) {
        const text = fs.readFileSync(file, "utf8");
        const aliased = /\bconst t = vscode\.l10n\.t\b/.test(text);
        const pattern = aliased ? /\b(?:l10n\.)?t\(\s*"((?:[^"\\]|\\.)*)"/g : /\bl10n\.t\(\s*"((?:[^"\\]|\\.)*)"/g;
        for (const m of text.matchAll(pattern)) found.set(JSON.parse(`"${m[1]}"`) as string, path.relative(REPO_ROOT, file));
    }
    return found;
}

describe("localisation of every host string (zh-cn)", () => {
    const zh = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "l10n", "bundle.l10n.zh-cn.json"), "utf8")) as Record<string, string>;
    const strings = l10nStrings(sourceFiles(path.join(REPO_ROOT, "src")));

    it("finds the strings (the scan works)", () => assert.ok(strings.size > 150, `only ${strings.size} strings found`));

    it("translates each one, keeping its placeholders", () => {
        const missing = [...strings].filter(([s]) => !zh[s]).map(([s, file]) => `${file}: ${s}`);
        assert.deepEqual(missing, []);
        const placeholders = (t: string) => (t.match(/\{\d+\}/g) ?? []).sort().join();
        for (const [s] of strings) assert.equal(placeholders(zh[s]!), placeholders(s), `placeholders of “${s}”`);
    });
});
