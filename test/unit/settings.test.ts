import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { autoThreadCount, resolveThreads, SETTINGS_DEFAULTS } from "../../src/core/settingsDefaults";
import { REPO_ROOT } from "../helpers/fixtures";

interface ConfigProperty { type: string; default: unknown; enum?: unknown[] }

describe("settings module agrees with package.json", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const props: Record<string, ConfigProperty> = pkg.contributes.configuration.properties;
    const nls = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.nls.json"), "utf8"));
    const nlsZh = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.nls.zh-cn.json"), "utf8"));

    it("declares every setting of the typed module, with the same default", () => {
        for (const [key, value] of Object.entries(SETTINGS_DEFAULTS)) {
            const prop = props[`hearth.${key}`];
            assert.ok(prop, `package.json lacks hearth.${key}`);
            assert.deepEqual(prop.default, value, `default of hearth.${key}`);
            const expectedType = Array.isArray(value) ? "array" : typeof value === "object" ? "object" : typeof value;
            assert.equal(prop.type, expectedType, `type of hearth.${key}`);
        }
    });

    it("has no package.json setting the typed module does not know", () => {
        for (const key of Object.keys(props)) {
            assert.ok(key.startsWith("hearth."), key);
            assert.ok(key.slice("hearth.".length) in SETTINGS_DEFAULTS, `${key} is not in src/core/settingsDefaults.ts`);
        }
    });

    it("every %placeholder% in package.json has an English and a Chinese string", () => {
        const placeholders: string[] = JSON.stringify([pkg.contributes, pkg.capabilities]).match(/%[\w.]+%/g) ?? [];
        placeholders.push(pkg.displayName, pkg.description);
        for (const p of new Set(placeholders)) {
            const key = p.slice(1, -1);
            assert.ok(nls[key], `package.nls.json lacks ${key}`);
            assert.ok(nlsZh[key], `package.nls.zh-cn.json lacks ${key}`);
        }
    });
});

describe("thread count", () => {
    it("leaves one core to VS Code and caps at 8", () => {
        assert.equal(autoThreadCount(1), 1);
        assert.equal(autoThreadCount(2), 1);
        assert.equal(autoThreadCount(4), 3);
        assert.equal(autoThreadCount(64), 8);
    });
    it("an explicit setting wins", () => {
        assert.equal(resolveThreads(3, 2), 3);
        assert.equal(resolveThreads(0, 4), 3);
    });
});
