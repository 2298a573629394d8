// PLACEHOLDER until the chat issue lands: the chat capability replaces this file.
import * as vscode from "vscode";
import type { ChatApi, HearthServices } from "../services";

export function registerChat(services: HearthServices): ChatApi {
    void services;
    return { ask: async () => { void vscode.window.showWarningMessage("Hearth chat is not built yet."); } };
}
