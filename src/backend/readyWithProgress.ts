/**
 * `backend.ready()` inside a cancellable progress notification, the load's percentage shown as it goes: the one way
 * a command that loads a model on purpose (Select Model, Restart Engine) shows it.
 */
import type * as vscode from "vscode";
import type { BackendModel, LlmBackend } from "./llmBackend";

export async function readyWithProgress(
    backend: Pick<LlmBackend, "onDidChangeState" | "ready">,
    progress: vscode.Progress<{ increment?: number; message?: string }>,
    token: vscode.CancellationToken,
): Promise<BackendModel> {
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    let reported = 0;
    const watch = backend.onDidChangeState((state) => {
        if (state.kind !== "loading") return;
        const pct = Math.floor(state.progress * 100);
        if (pct > reported) progress.report({ increment: pct - reported, message: `${pct}%` });
        reported = Math.max(reported, pct);
    });
    try {
        return await backend.ready(controller.signal);
    } finally {
        watch.dispose();
        cancel.dispose();
    }
}
