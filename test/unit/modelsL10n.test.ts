/** Every user-facing string of the models capability has its Chinese translation, and the walkthrough is wired up. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CURATED_MODELS } from "../../src/core/models/curatedModels";
import { CURATED_EMBEDDING_MODELS } from "../../src/core/models/embeddingModels";
import { REPO_ROOT } from "../helpers/fixtures";

function l10nLiterals(dir: string): string[] {
    const found = new Set<string>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
        const text = fs.readFileSync(path.join(dir, file), "utf8");
        for (const m of text.matchAll(/l10n\.t\(\s*"((?:[^"\\]|\\.)*)"/g)) found.add(JSON.parse(`"${m[1]}"`) as string);
    }
    return [...found];
}

describe("models: translations and walkthrough", () => {
    const zh = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "l10n", "bundle.l10n.zh-cn.json"), "utf8")) as Record<string, string>;

    it("translates every vscode.l10n.t string in src/models and every curated model summary", () => {
        const strings = [...l10nLiterals(path.join(REPO_ROOT, "src", "models")), ...CURATED_MODELS.map((m) => m.summary), ...CURATED_EMBEDDING_MODELS.map((m) => m.summary)];
        assert.ok(strings.length > 30, `only ${strings.length} strings found: the scan is broken`);
        const missing = strings.filter((s) => !zh[s]);
        assert.deepEqual(missing, []);
        for (const s of strings) {
            const placeholders = (t: string) => (t.match(/\{\d\}/g) ?? []).sort().join();
            assert.equal(placeholders(zh[s]!), placeholders(s), `placeholders of “${s}”`);
        }
    });

    it("declares the walkthrough with its four steps, media files and translated titles", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
        const nls = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.nls.json"), "utf8")) as Record<string, string>;
        const nlsZh = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.nls.zh-cn.json"), "utf8")) as Record<string, string>;
        const walkthrough = (pkg.contributes.walkthroughs as { id: string; steps: { id: string; title: string; description: string; media: { markdown: string } }[] }[])
            .find((w) => w.id === "hearth.gettingStarted");
        assert.ok(walkthrough);
        assert.deepEqual(walkthrough.steps.map((s) => s.id), ["hearth.selectModel", "hearth.downloadModel", "hearth.openChat", "hearth.polish"]);
        for (const step of walkthrough.steps) {
            assert.ok(fs.existsSync(path.join(REPO_ROOT, step.media.markdown)), step.media.markdown);
            for (const key of [step.title, step.description].map((k) => k.replace(/^%|%$/g, ""))) {
                assert.ok(nls[key] && nlsZh[key], `nls key ${key}`);
            }
            assert.match(nls[step.description.replace(/%/g, "")]!, /\(command:hearth\.\w+\)/, "each step has its action button");
        }
    });
});
