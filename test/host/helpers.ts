/** Helpers for tests that run inside the extension host (test/host/suite/*.test.ts). */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as vscode from "vscode";
import type { HearthApi } from "../../src/extension";

export const EXTENSION_ID = "hearth-local.hearth";

/**
 * Activates Hearth (if the workbench has not yet) and returns what activate() returned, with the services it returns
 * only in test builds (runHostTests.mjs sets HEARTH_TEST_COMMANDS=1; see src/core/testHooks.ts).
 */
export async function hearthApi(): Promise<Required<HearthApi>> {
    const extension = vscode.extensions.getExtension<HearthApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded in this extension host`);
    const api = await extension.activate();
    assert.ok(api && typeof api.activationMs === "number", "activate() did not return a HearthApi");
    assert.ok(api.engine && api.backend && api.chat && api.review, "activate() returned no services: not a test build, or HEARTH_TEST_COMMANDS=1 is not set");
    return api as Required<HearthApi>;
}

/** A fixture model path; HEARTH_FIXTURES is set by test/host/runHostTests.mjs. */
export function fixture(name: string): string {
    const dir = process.env.HEARTH_FIXTURES;
    assert.ok(dir, "HEARTH_FIXTURES is not set (run through npm run test:host)");
    return path.join(dir, name);
}

/** The fresh copy of test/host/workspace/ this run opened. */
export function workspaceFile(relative: string): vscode.Uri {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, "no workspace folder is open");
    return vscode.Uri.joinPath(folder.uri, relative);
}

/** Polls `condition` until it returns a truthy value; fails with `what` after `timeoutMs`. No fixed sleeps. */
export async function waitFor<T>(what: string, condition: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
        try {
            const value = await condition();
            if (value) return value;
        } catch (err) {
            lastError = err;
        }
        await new Promise((r) => setTimeout(r, 50));
    }
    const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
}
