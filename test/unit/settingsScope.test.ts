/**
 * A workspace (a cloned repository's .vscode/settings.json) must never choose what Hearth runs or what the model is
 * told. This walks package.json's configuration and fails when a setting of a dangerous kind — a path, folder, URL,
 * server, backend, model id, prompt or any other free text — is not user-only: scoped `machine` or `application`
 * (VS Code drops workspace values of those; `machine-overridable` is NOT enough, a workspace may set it), listed in
 * `restrictedConfigurations` (Restricted Mode) and in USER_ONLY_SETTINGS (getSetting reads only the user's value).
 * New settings (hearth.server.url, hearth.backend, hearth.embeddingModel, library folders…) are caught by kind.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { USER_ONLY_SETTINGS } from "../../src/core/settingsDefaults";
import { REPO_ROOT } from "../helpers/fixtures";

interface ConfigProperty {
    type?: string | string[];
    scope?: string;
    enum?: unknown[];
    items?: ConfigProperty;
    additionalProperties?: ConfigProperty | boolean;
}

/** Words in a setting's name (split at dots and camelCase) that say it names something to run, load, reach or tell the model. */
const DANGEROUS_WORDS = new Set([
    "model", "models", "folder", "folders", "path", "paths", "dir", "dirs", "directory", "file", "files", "url", "urls", "uri",
    "endpoint", "server", "host", "port", "backend", "prompt", "prompts", "instruction", "instructions", "template", "command",
    "library", "libraries", "embedding", "proxy", "key", "secret", "credential", "credentials",
]);
const USER_ONLY_SCOPES = new Set(["machine", "application"]);

function types(p: ConfigProperty | undefined): string[] {
    if (!p?.type) return [];
    return Array.isArray(p.type) ? p.type : [p.type];
}

/** Free text (a string that is not one of a fixed list) anywhere in the value: it can hold a path, URL or prompt. */
function holdsFreeText(p: ConfigProperty | undefined): boolean {
    if (!p) return false;
    if (types(p).includes("string") && !p.enum) return true;
    if (types(p).includes("array") && holdsFreeText(p.items)) return true;
    if (types(p).includes("object")) {
        // An object whose values are not declared could hold anything.
        if (p.additionalProperties === undefined || p.additionalProperties === true) return true;
        if (typeof p.additionalProperties === "object" && holdsFreeText(p.additionalProperties)) return true;
    }
    return false;
}

/** Why a setting must be user-only, or undefined when a workspace may set it. */
export function dangerousKind(key: string, p: ConfigProperty): string | undefined {
    const words = key.replace(/^hearth\./, "").split(/[.\-_]|(?=[A-Z])/).map((w) => w.toLowerCase());
    const word = words.find((w) => DANGEROUS_WORDS.has(w));
    if (word) return `its name says it is a ${word}`;
    if (holdsFreeText(p)) return "it holds free text (a path, URL, model id or prompt could go there)";
    return undefined;
}

describe("settings a workspace must not set (Workspace Trust)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const props: Record<string, ConfigProperty> = pkg.contributes.configuration.properties;
    const untrusted = pkg.capabilities?.untrustedWorkspaces as { supported: unknown; description?: string; restrictedConfigurations?: string[] } | undefined;

    it("declares limited support for untrusted workspaces, with a description", () => {
        assert.ok(untrusted, "package.json lacks capabilities.untrustedWorkspaces");
        assert.equal(untrusted.supported, "limited");
        assert.match(untrusted.description ?? "", /^%[\w.]+%$/, "the description is localised through package.nls");
    });

    it("every setting of a dangerous kind is machine/application scoped, restricted, and read as user-only", () => {
        const problems: string[] = [];
        const restricted = new Set(untrusted?.restrictedConfigurations ?? []);
        for (const [key, p] of Object.entries(props)) {
            const why = dangerousKind(key, p);
            if (!why) continue;
            if (!USER_ONLY_SCOPES.has(p.scope ?? "")) {
                problems.push(`${key} (${why}) has scope ${JSON.stringify(p.scope ?? "window (default)")}: use "machine" (paths/servers of this machine) or "application"`);
            }
            if (!restricted.has(key)) problems.push(`${key} is missing from capabilities.untrustedWorkspaces.restrictedConfigurations`);
            if (!USER_ONLY_SETTINGS.includes(key.replace(/^hearth\./, "") as never)) problems.push(`${key} is missing from USER_ONLY_SETTINGS in src/core/settingsDefaults.ts`);
        }
        assert.deepEqual(problems, []);
    });

    it("the user-only list and restrictedConfigurations name only real settings, all user-only scoped", () => {
        for (const key of USER_ONLY_SETTINGS) {
            const p = props[`hearth.${key}`];
            assert.ok(p, `hearth.${key} is not a setting`);
            assert.ok(USER_ONLY_SCOPES.has(p.scope ?? ""), `hearth.${key} has scope ${p.scope}`);
        }
        for (const key of untrusted?.restrictedConfigurations ?? []) assert.ok(props[key], `${key} is not a setting`);
    });

    it("Hearth's settings are read only through src/config/settings.ts (which reads user-only ones as user-only)", () => {
        const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
        const readers = files(path.join(REPO_ROOT, "src"))
            .filter((f) => /getConfiguration\(\s*["'`]hearth["'`]/.test(fs.readFileSync(f, "utf8")))
            .map((f) => path.relative(REPO_ROOT, f));
        assert.deepEqual(readers, [path.join("src", "config", "settings.ts")]);
    });

    it("covers the settings the issue names", () => {
        for (const key of ["hearth.model", "hearth.modelFolders", "hearth.chat.systemPrompt", "hearth.download.huggingFaceEndpoint"]) {
            assert.ok(dangerousKind(key, props[key]!), `${key} is not recognised as dangerous`);
        }
    });

    it("the classifier catches future settings of these kinds and lets harmless ones through", () => {
        // Shapes the coming settings are likely to have; each must be flagged so its author is told to scope it.
        const flagged: Record<string, ConfigProperty> = {
            "hearth.server.url": { type: "string" },
            "hearth.backend": { type: "string", enum: ["embedded", "server"] },
            "hearth.embeddingModel": { type: "string" },
            "hearth.knowledge.libraryFolders": { type: "array", items: { type: "string" } },
            "hearth.polish.customInstructions": { type: "object", additionalProperties: { type: "string" } },
            "hearth.server.headers": { type: "object" },
            "hearth.someFreeText": { type: "string" },
            "hearth.server.apiKey": { type: "string" },
        };
        for (const [key, p] of Object.entries(flagged)) assert.ok(dangerousKind(key, p), `${key} would slip through`);
        const harmless: Record<string, ConfigProperty> = {
            "hearth.chat.temperature": { type: "number" },
            "hearth.completions.enabled": { type: "boolean" },
            "hearth.completions.languages": { type: "object", additionalProperties: { type: "boolean" } },
            "hearth.gpu": { type: "string", enum: ["auto", "cpu"] },
            "hearth.chat.maxTokens": { type: "number" },
            "hearth.completions.ghostTextDelayMs": { type: "number" },
        };
        for (const [key, p] of Object.entries(harmless)) assert.equal(dangerousKind(key, p), undefined, key);
    });
});
