/**
 * The chat capability: the side-panel webview, its commands (Hearth: Open Chat, Ctrl+Alt+H; Hearth: New Chat)
 * and the ChatApi other capabilities use to stream a turn into the panel (Explain Error).
 */
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { ConversationStore } from "../core/chat/conversationStore";
import { exportFileName, exportMarkdown, type ExportLabels } from "../core/chat/exportMarkdown";
import { isWebviewToHostMessage } from "../protocol/webviewProtocol";
import type { ChatApi, HearthServices } from "../services";
import type { WebviewToHostMessage } from "../protocol/webviewProtocol";
import { EditorTracker, fileAttachment, gatherAttachments } from "./chatAttachments";
import { ChatCodeActions } from "./chatCodeActions";
import { LINK_UI, openModelLink } from "./chatLinks";
import { ChatController } from "./chatController";
import { openSource } from "./chatSources";
import { CHAT_VIEW_ID, ChatViewProvider } from "./chatViewProvider";

export function registerChat(services: HearthServices): ChatApi {
    const { context, backend, log } = services;
    const t = vscode.l10n.t;
    const historyDir = path.join(context.globalStorageUri.fsPath, "chats");
    const store = new ConversationStore(historyDir);
    const tracker = new EditorTracker();
    const codeActions = new ChatCodeActions(tracker, services.review);
    const controller = new ChatController(backend, store, tracker, log, services.modelGate, services.knowledge);

    const handle = async (m: WebviewToHostMessage): Promise<void> => {
        switch (m.type) {
            case "ready": return provider.sendInit();
            case "send":
                controller.memory.promptSent();
                return controller.send(m.text, { editOf: m.editOf, scope: m.scope });
            case "openSource": {
                const source = controller.source(m.messageId, m.n);
                if (source) await openSource(source);
                return;
            }
            case "stop": return controller.stop();
            case "newChat": return controller.newChat();
            case "selectChat": return controller.select(m.id);
            case "renameChat": {
                const c = controller.list().find((x) => x.id === m.id);
                if (!c) return;
                const title = await vscode.window.showInputBox({ title: t("Rename chat"), value: c.title, validateInput: (v) => (v.trim() ? undefined : t("The name cannot be empty.")) });
                if (title) controller.rename(m.id, title);
                return;
            }
            case "deleteChat": {
                const c = controller.list().find((x) => x.id === m.id);
                if (!c) return;
                const yes = t("Delete");
                if (await vscode.window.showWarningMessage(t("Delete the chat “{0}”?", c.title), { modal: true }, yes) === yes) await controller.deleteChat(m.id);
                return;
            }
            case "clearAll": {
                const yes = t("Delete All");
                const n = controller.list().length;
                if (n && await vscode.window.showWarningMessage(t("Delete all {0} chats? This cannot be undone.", n), { modal: true }, yes) === yes) await controller.clearAll();
                return;
            }
            case "deleteMessage": return controller.deleteMessage(m.id);
            case "regenerate": return controller.regenerate();
            case "continue": return controller.continueAnswer();
            case "attach": return controller.addAttachments(await gatherAttachments(m.kind, tracker, backend));
            case "removeAttachment": return controller.removeAttachment(m.id);
            case "code": return codeActions.run(m.action, m.code);
            case "openLink": {
                await openModelLink(m.href, { ...LINK_UI, log });
                return;
            }
            case "command": {
                const command = { selectModel: "hearth.selectModel", downloadModel: "hearth.downloadModel", restartEngine: "hearth.restartEngine", showLog: "hearth.showLog" }[m.command];
                await vscode.commands.executeCommand(command);
                return;
            }
            case "composing": return controller.memory.setComposing(m.active);
            case "pinMessage": {
                const c = controller.current;
                const r = c ? await controller.memory.pin(c, m.id, m.pinned) : { ok: true as const };
                if (!r.ok) {
                    void vscode.window.showWarningMessage(t("This message takes {0} tokens, but only {1} tokens are left for pinned messages. Unpin another message first, or pin a shorter one.", r.tokens, r.room));
                }
                return;
            }
            case "editSummary": {
                const c = controller.find(m.chatId);
                if (c) await controller.memory.editSummary(c, m.text);
                return;
            }
            case "deleteSummary": {
                const c = controller.find(m.chatId);
                const yes = t("Delete");
                const question = t("Delete the summary of the earlier messages? The model will no longer know what they said.");
                if (c && await vscode.window.showWarningMessage(question, { modal: true }, yes) === yes) await controller.memory.deleteSummary(c);
                return;
            }
            case "exportChat": {
                await exportChat(m.id);
                return;
            }
        }
    };

    /** Writes the chat as Markdown to `target`, or where the user picks in a save dialog. */
    const exportChat = async (id?: string, target?: vscode.Uri): Promise<vscode.Uri | undefined> => {
        await controller.ready;
        const c = id ? controller.find(id) : controller.current;
        if (!c || c.messages.length === 0) {
            void vscode.window.showInformationMessage(t("There is no chat to export yet."));
            return undefined;
        }
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
        const uri = target ?? await vscode.window.showSaveDialog({
            title: t("Export Chat as Markdown"),
            defaultUri: vscode.Uri.joinPath(folder, exportFileName(c.title)),
            filters: { Markdown: ["md"] },
        });
        if (!uri) return undefined;
        await vscode.workspace.fs.writeFile(uri, Buffer.from(exportMarkdown(c, exportLabels()), "utf8"));
        if (!target) {
            const open = t("Open");
            void vscode.window.showInformationMessage(t("Chat exported to {0}.", uri.fsPath), open).then(async (choice) => {
                if (choice === open) await vscode.window.showTextDocument(uri);
            });
        }
        return uri;
    };
    const provider = new ChatViewProvider(context.extensionUri, controller, backend, handle, log);

    context.subscriptions.push(
        tracker, controller, provider,
        vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: true } }),
        vscode.commands.registerCommand("hearth.openChat", async () => {
            await provider.reveal();
            void provider.post({ type: "focusPrompt" });
        }),
        vscode.commands.registerCommand("hearth.exportChat", (id?: unknown, target?: unknown) =>
            exportChat(typeof id === "string" ? id : undefined, target instanceof vscode.Uri ? target : undefined)),
        vscode.commands.registerCommand("hearth.newChat", async () => {
            await controller.ready;
            controller.newChat();
            await provider.reveal();
            void provider.post({ type: "focusPrompt" });
        }),
    );

    return {
        ask: async (request) => {
            await provider.reveal();
            let attachments = request.attachments;
            if (attachments?.length) {
                // The chips show a count before the request re-counts them for real.
                const { counts, estimated } = await backend.countTokens(attachments.map((a) => a.text));
                attachments = attachments.map((a, i) => ({ ...a, tokens: counts[i] ?? a.tokens, estimated }));
            }
            await controller.send(request.prompt, { displayText: request.displayText, attachments, newChat: request.thread === "new" });
        },
        attach: async (target) => {
            const added = typeof target === "string"
                ? await gatherAttachments(target, tracker, backend)
                : (await fileAttachment(target, backend).then((a) => (a ? [a] : [])));
            controller.addAttachments(added);
            return added;
        },
        historyDir,
        isViewResolved: () => provider.isResolved,
        conversations: () => controller.list(),
        post: async (message) => {
            if (!isWebviewToHostMessage(message)) throw new Error(`not a chat view message: ${JSON.stringify(message)}`);
            await handle(message);
        },
        lastRequest: () => controller.lastRequest,
        memoryIdle: () => controller.memory.idle(),
    };
}

function exportLabels(): ExportLabels {
    const t = vscode.l10n.t;
    return {
        exported: t("Exported from Hearth on {0}"),
        you: t("You"),
        assistant: t("Hearth"),
        pinned: t("Pinned"),
        attached: t("Attached: {0}"),
        stopped: t("Stopped"),
        interrupted: t("Interrupted: the answer was cut off when the engine or the window stopped."),
        cut: t("Cut at the token limit (hearth.chat.maxTokens): the answer may be unfinished"),
        failed: t("Failed: {0}"),
        summaryTitle: t("Earlier messages, summarised"),
        summaryNote: t("The model's running summary of the {0} messages above: it stood in for them once they no longer fit the model's context."),
        summaryEdited: t("edited by the user"),
        summaryDeleted: t("The summary was deleted: the model no longer knows the messages above."),
    };
}
