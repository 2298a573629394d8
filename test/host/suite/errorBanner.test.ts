/**
 * The chat's error banner carries the fix (the same actions as the notification): a truncated model file offers
 * Select Model / Download Model, an engine that stopped restarting itself offers Restart Engine; the failed reply
 * stays in the chat.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { panelActionsFor } from "../../../src/backend/errorActions";
import { statusView } from "../../../src/chat/chatViewProvider";
import { hearthApi, waitFor } from "../helpers";

const config = () => vscode.workspace.getConfiguration("hearth");

describe("Chat error banner in the extension host", function () {
    this.timeout(180_000);
    let saved: unknown;
    let dir: string;

    before(async () => {
        saved = config().inspect("model")?.globalValue;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hearth-banner-"));
    });
    after(async () => {
        await config().update("model", saved, vscode.ConfigurationTarget.Global);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a truncated model file: the banner offers Select Model and Download Model, and the failed reply stays", async () => {
        const api = await hearthApi();
        const good = String(saved ?? config().get("model"));
        const bytes = fs.readFileSync(good);
        const truncated = path.join(dir, "truncated.gguf");
        fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
        await config().update("model", truncated, vscode.ConfigurationTarget.Global);
        await vscode.commands.executeCommand("hearth.newChat");
        await api.chat.ask({ prompt: "Say hello.", displayText: "Say hello." });
        const answer = api.chat.conversations()[0]!.messages.at(-1)!;
        assert.equal(answer.role, "assistant");
        assert.equal(answer.status, "error");
        assert.ok(answer.error, "the failed reply says nothing");
        const state = await waitFor("the backend error", () => (api.backend.state.kind === "error" ? api.backend.state : undefined));
        assert.equal(state.code, "badModel", state.message);
        const view = statusView(state, api.backend);
        assert.equal(view.kind, "error");
        assert.deepEqual(view.kind === "error" && view.actions, ["selectModel", "downloadModel", "showLog"]);
        // The failed reply is still the chat's last message after the banner appeared.
        assert.equal(api.chat.conversations()[0]!.messages.at(-1)!.id, answer.id);
    });

    it("an engine that stopped after three crashes: the banner offers Restart Engine", () => {
        assert.deepEqual(panelActionsFor(undefined, true), ["restartEngine", "showLog"]);
        assert.deepEqual(panelActionsFor("engineStopped", false), ["restartEngine", "showLog"]);
        assert.deepEqual(panelActionsFor("noModel", false), ["selectModel", "downloadModel"]);
        assert.deepEqual(panelActionsFor("internal", false), ["showLog"]);
    });
});
