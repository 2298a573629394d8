/** Every user-facing string of the chat (host code and the webview's strings table) has a Chinese translation. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { UI_STRING_KEYS } from "../../src/protocol/webviewProtocol";
import { REPO_ROOT } from "../helpers/fixtures";

describe("chat localisation", () => {
    const bundle = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "l10n", "bundle.l10n.zh-cn.json"), "utf8")) as Record<string, string>;
    const dir = path.join(REPO_ROOT, "src", "chat");
    const sources = fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n");
    const strings = [...sources.matchAll(/\bt\("((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);

    it("finds the chat's strings", () => assert.ok(strings.length > 50, `only ${strings.length}`));

    it("has a zh-cn translation for each", () => {
        const missing = [...new Set(strings)].filter((s) => !bundle[s]);
        assert.deepEqual(missing, []);
    });

    it("fills every key of the webview's strings table", () => {
        const table = fs.readFileSync(path.join(dir, "chatStrings.ts"), "utf8");
        for (const key of UI_STRING_KEYS) assert.match(table, new RegExp(`\\b${key}: t\\(`), key);
    });
});
