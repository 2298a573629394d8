/** The chat's #file picker shows workspace-relative paths, also for a file at the root of the folder. */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as vscode from "vscode";
import { workspaceFileItem } from "../../../src/chat/chatAttachments";
import { workspaceFile } from "../helpers";

describe("#file picker rows", () => {
    it("show the workspace-relative path, never the absolute one", async () => {
        const files = await vscode.workspace.findFiles("**/*", "**/node_modules/**", 200);
        assert.ok(files.some((f) => f.fsPath === workspaceFile("sample.py").fsPath), "sample.py is not at the workspace root");
        const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
        for (const uri of files) {
            const item = workspaceFileItem(uri);
            assert.equal(item.label, path.basename(uri.fsPath));
            assert.ok(!path.isAbsolute(item.description!) && !item.description!.includes(root), `absolute: ${item.description}`);
            assert.equal(item.description, path.relative(root, uri.fsPath).split(path.sep).join("/"));
        }
    });
});
