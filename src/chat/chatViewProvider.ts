/**
 * The chat webview view (`hearth.chatView`): strict CSP (default-src 'none', script only with a per-load nonce,
 * styles only from the extension, no images at all), resources only from media/. Incoming messages are checked
 * with the protocol's runtime guard before anything acts on them.
 */
import * as vscode from "vscode";
import { DisposableStore } from "../core/disposables";
import type { BackendState, LlmBackend } from "../backend/llmBackend";
import { getSetting } from "../config/settings";
import { isWebviewToHostMessage, type HostToWebviewMessage, type ModelStatusView, type WebviewToHostMessage } from "../protocol/webviewProtocol";
import { chatUiStrings } from "./chatStrings";
import type { ChatController } from "./chatController";
import { errorText } from "../core/errorText";
import { panelActionsFor } from "../backend/errorActions";

export const CHAT_VIEW_ID = "hearth.chatView";

export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
    private view: vscode.WebviewView | undefined;
    private readonly disposables = new DisposableStore();
    private readonly resolvedEmitter = new vscode.EventEmitter<vscode.WebviewView>();
    /** Fires each time the view is resolved (first shown, or re-created after being moved). */
    readonly onDidResolve = this.resolvedEmitter.event;

    constructor(
        private readonly extensionUri: vscode.Uri,
        private readonly controller: ChatController,
        private readonly backend: LlmBackend,
        private readonly onMessage: (message: WebviewToHostMessage) => Promise<void>,
        private readonly log: vscode.LogOutputChannel,
    ) {
        this.disposables.add(
            this.resolvedEmitter,
            controller.onMessage((m) => this.post(m)),
            backend.onDidChangeState((s) => this.post({ type: "status", status: statusView(s, this.backend) })),
        );
    }

    get isResolved(): boolean {
        return this.view !== undefined;
    }

    resolveWebviewView(view: vscode.WebviewView): void {
        this.view = view;
        const media = vscode.Uri.joinPath(this.extensionUri, "media");
        view.webview.options = { enableScripts: true, localResourceRoots: [media] };
        view.webview.html = this.html(view.webview, media);
        const subscriptions = [
            view.webview.onDidReceiveMessage((raw: unknown) => {
                if (!isWebviewToHostMessage(raw)) {
                    this.log.warn("Chat view sent a malformed message; ignored.");
                    return;
                }
                this.onMessage(raw).catch((err) => {
                    this.log.error(`Chat view action ${raw.type} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
                    void vscode.window.showErrorMessage(vscode.l10n.t("Hearth chat: {0}", errorText(err)));
                });
            }),
        ];
        view.onDidDispose(() => {
            if (this.view === view) this.view = undefined;
            for (const s of subscriptions) s.dispose();
        });
        this.resolvedEmitter.fire(view);
    }

    /** Called when the webview said `ready`: sends the strings, the whole state and the model status. */
    async sendInit(): Promise<void> {
        await this.controller.ready;
        await this.post({ type: "init", strings: chatUiStrings(), state: this.controller.viewState(), status: statusView(this.backend.state, this.backend) });
        this.controller.dismissNotices();
    }

    async reveal(): Promise<void> {
        await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    }

    post(message: HostToWebviewMessage): Thenable<boolean> {
        return this.view ? this.view.webview.postMessage(message) : Promise.resolve(false);
    }

    private html(webview: vscode.Webview, media: vscode.Uri): string {
        const nonce = makeNonce();
        const script = webview.asWebviewUri(vscode.Uri.joinPath(media, "dist", "chat.js"));
        const styles = `<link rel="stylesheet" href="${webview.asWebviewUri(vscode.Uri.joinPath(media, "chat.css")).toString()}">`;
        const csp = [
            "default-src 'none'",
            `style-src ${webview.cspSource}`,
            `font-src ${webview.cspSource}`,
            `script-src 'nonce-${nonce}'`,
            "img-src 'none'",
        ].join("; ");
        return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${csp}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>Hearth Chat</title>
</head>
<body>
    <div id="app" data-testid="chat-root"></div>
    <script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
    }

    dispose(): void {
        this.disposables.dispose();
    }
}

export function statusView(state: BackendState, backend: Pick<LlmBackend, "kind">): ModelStatusView {
    switch (state.kind) {
        case "starting":
            return { kind: "starting" };
        case "loading":
            return { kind: "loading", progress: state.progress, modelName: state.label.split(/[\\/]/).pop() ?? state.label };
        case "ready":
        case "generating":
            return { kind: "ready", modelName: state.model.name, contextSize: state.model.contextSize };
        case "noModel":
            return { kind: "noModel" };
        case "error":
            return { kind: "error", message: state.message, actions: panelActionsFor(state.code, state.stopped) };
        case "idle":
            // The embedded engine needs a model file; a server names its own model.
            return backend.kind !== "embedded" || getSetting("model") ? { kind: "idle" } : { kind: "noModel" };
    }
}

function makeNonce(): string {
    const bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    return Buffer.from(bytes).toString("base64").replace(/[+/=]/g, "");
}
