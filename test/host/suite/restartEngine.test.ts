/** Hearth: Restart Engine ends with the model loaded again (the status bar shows it), not an idle engine. */
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { BackendState } from "../../../src/backend/llmBackend";
import { hearthApi } from "../helpers";

describe("Restart Engine in the extension host", function () {
    this.timeout(120_000);

    it("restarts the process, shows the load and ends ready with the same model", async () => {
        const api = await hearthApi();
        const before = await api.backend.ready();
        const pid = api.engine.enginePid;
        const states: BackendState["kind"][] = [];
        const watch = api.backend.onDidChangeState((s) => states.push(s.kind));
        try {
            await vscode.commands.executeCommand("hearth.restartEngine");
        } finally {
            watch.dispose();
        }
        assert.ok(api.engine.enginePid && api.engine.enginePid !== pid, "the engine process was not restarted");
        assert.ok(states.includes("loading"), `no load was shown: ${states.join(" → ")}`);
        const state = api.backend.state;
        assert.equal(state.kind, "ready", `state after Restart Engine: ${states.join(" → ")}`);
        assert.equal(state.kind === "ready" && state.model.name, before.name);
    });
});
