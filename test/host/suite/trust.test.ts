/**
 * A hostile repository cannot choose what Hearth runs. test/host/runHostTests.mjs opens every in-host run on a
 * workspace whose .vscode/settings.json points hearth.model at ANOTHER real model (and sets model folders, a system
 * prompt and a download endpoint); these tests prove all of it is ignored and the engine loads the user's model.
 * The "Restricted Mode" tests run in a second window with Workspace Trust on and the folder untrusted.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { getSetting } from "../../../src/config/settings";
import { USER_ONLY_SETTINGS } from "../../../src/core/settingsDefaults";
import { fixture, hearthApi, workspaceFile } from "../helpers";

const USER_MODEL = () => fixture("stories260K-chat-fim.derived.gguf");

function hostileSettings(): Record<string, unknown> {
    const file = workspaceFile(".vscode/settings.json").fsPath;
    assert.ok(fs.existsSync(file), `${file} is missing: run through test/host/runHostTests.mjs`);
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

describe("Workspace Trust: a workspace's settings cannot choose what Hearth runs", function () {
    this.timeout(120_000);

    it("the workspace really tries: its settings.json names another real model and sets every user-only setting", () => {
        const hostile = hostileSettings();
        for (const key of USER_ONLY_SETTINGS) assert.ok(`hearth.${key}` in hostile, `the hostile settings lack hearth.${key}`);
        const model = hostile["hearth.model"] as string;
        assert.ok(fs.existsSync(model), `${model} does not exist: obeying it would not be visible`);
        assert.notEqual(path.resolve(model), path.resolve(USER_MODEL()));
    });

    it("VS Code drops the workspace values (machine/application scope) and keeps the user's", () => {
        const hostile = hostileSettings();
        const config = vscode.workspace.getConfiguration("hearth");
        for (const key of USER_ONLY_SETTINGS) {
            const inspected = config.inspect(key);
            assert.equal(inspected?.workspaceValue, undefined, `hearth.${key}: VS Code kept the workspace's value`);
            assert.equal(inspected?.workspaceFolderValue, undefined, `hearth.${key}: VS Code kept the folder's value`);
            assert.notDeepEqual(config.get(key), hostile[`hearth.${key}`], `hearth.${key} resolves to the workspace's value`);
        }
        assert.equal(config.get("model"), USER_MODEL());
    });

    it("Hearth's settings reader gives the user's values", () => {
        assert.equal(getSetting("model"), USER_MODEL());
        assert.deepEqual(getSetting("modelFolders"), [path.dirname(USER_MODEL())]);
        assert.equal(getSetting("chat.systemPrompt"), "");
        assert.equal(getSetting("download.huggingFaceEndpoint"), "");
    });

    it("the engine loads the user's model, not the one the workspace names", async () => {
        const api = await hearthApi();
        await api.engine.restart();
        const model = await api.backend.ready();
        assert.equal(path.resolve(model.id), path.resolve(USER_MODEL()));
        const stats = await api.engine.request("stats", {});
        assert.equal(path.resolve(stats.modelPath ?? ""), path.resolve(USER_MODEL()), "the engine process holds another model");
    });
});

describe("Restricted Mode: Hearth works with the user's own settings", function () {
    this.timeout(120_000);

    before(function () {
        // Only in runHostTests.mjs's second window (Workspace Trust on, folder untrusted).
        if (process.env.HEARTH_HOST_WORKSPACE_TRUST !== "1") this.skip();
    });

    it("the folder is untrusted, and Hearth (limited support) is active", async () => {
        assert.equal(vscode.workspace.isTrusted, false, "this window was meant to be in Restricted Mode");
        const api = await hearthApi();
        assert.ok(vscode.extensions.getExtension("hearth-local.hearth")?.isActive);
        assert.ok(api.engine);
    });

    it("a chat turn is answered by the user's model", async () => {
        const api = await hearthApi();
        await vscode.commands.executeCommand("hearth.newChat");
        await api.chat.ask({ prompt: "Tell me a story.", displayText: "Story" });
        const answer = api.chat.conversations()[0]?.messages.filter((m) => m.role === "assistant").at(-1);
        assert.ok(answer, "no answer recorded");
        // "cut": ended at hearth.chat.maxTokens (a finished answer, marked so Continue can go on with it).
        assert.ok(answer.status === "complete" || answer.status === "cut", `${answer.status}: ${answer.error}`);
        assert.ok(answer.text.length > 0);
        assert.equal(path.resolve(api.backend.model?.id ?? ""), path.resolve(USER_MODEL()));
        assert.equal(getSetting("chat.systemPrompt"), "", "the workspace's system prompt would have been used");
    });
});
