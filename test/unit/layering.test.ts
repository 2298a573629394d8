/**
 * The folder layering in eslint.config.mjs really rejects what it should: each case lints a one-line file placed
 * in a folder (nothing is written to disk) through ESLint's own API with the project's configuration.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ESLint } from "eslint";
import { REPO_ROOT } from "../helpers/fixtures";

describe("layering lint (eslint.config.mjs)", function () {
    this.timeout(60_000);
    const eslint = new ESLint({ cwd: REPO_ROOT });

    async function restricted(file: string, source: string): Promise<string[]> {
        const [result] = await eslint.lintText(`${source}\nexport const x = y;\n`, { filePath: path.join(REPO_ROOT, file) });
        return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
    }

    const cases: [file: string, source: string, allowed: boolean][] = [
        ["src/core/chat/x.ts", 'import { y } from "../../chat/chatController";', false],
        ["src/core/chat/x.ts", 'import { y } from "../polish/splitText";', true],
        ["src/core/chat/x.ts", 'import { y } from "../../protocol/conversation";', true],
        ["src/core/x.ts", 'import { y } from "../engineClient/engineProcess";', false],
        ["src/core/x.ts", 'import * as y from "vscode";', false],
        ["src/protocol/x.ts", 'import { y } from "../core/chat/chatModel";', false],
        ["src/protocol/x.ts", 'import { y } from "./generation";', true],
        ["src/engine/x.ts", 'import { y } from "../engineClient/engineProcess";', false],
        ["src/engine/x.ts", 'import { y } from "node-llama-cpp";', true],
        ["src/chat/x.ts", 'import { y } from "../polish/polishCommand";', false],
        ["src/chat/x.ts", 'import { y } from "../engineClient/engineService";', false],
        ["src/chat/x.ts", 'import { y } from "node-llama-cpp";', false],
        ["src/chat/x.ts", 'import { y } from "../backend/llmBackend";', true],
        ["src/chat/x.ts", 'import { y } from "../services";', true],
        ["src/polish/x.ts", 'import { y } from "../review/reviewService";', true],
        ["src/explain/x.ts", 'import { y } from "../models/useModel";', false],
        ["src/backend/backendService.ts", 'import * as y from "vscode";', false],
        ["src/backend/x.ts", 'import { y } from "../engineClient/embeddedBackend";', false],
        ["src/engineClient/embeddedBackend.ts", 'import * as y from "vscode";', false],
        ["src/webview/chat/x.ts", 'import { y } from "../../chat/chatController";', false],
        ["src/webview/chat/x.ts", 'import { y } from "../../core/chat/markdown";', true],
        ["src/chat/x.ts", 'import { y } from "../../test/helpers/fixtures";', false],
    ];
    for (const [file, source, allowed] of cases) {
        it(`${allowed ? "allows" : "rejects"} in ${file}: ${source}`, async () => {
            const messages = await restricted(file, source);
            if (allowed) assert.deepEqual(messages, []);
            else assert.ok(messages.length > 0, "the import was not rejected");
        });
    }
});
