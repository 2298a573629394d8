/**
 * "Hearth: Select Model": a QuickPick that opens at once, fills while the disk is scanned (cancellable: closing the
 * picker stops the scan and the engine's inspection), then shows each model's facts and fit from the engine's GGUF
 * inspection, best fit first. Unusable files are listed with their reason and cannot be picked.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { getSetting, updateSetting } from "../config/settings";
import { discoverModels, type DiscoveredModel, type DiscoveryResult } from "../core/models/discoverModels";
import { knownModelFolders, SOURCE_NAMES } from "../core/models/modelLocations";
import { classifyModel, rankModels, type RankedModel } from "../core/models/rankModels";
import type { ModelInfo } from "../protocol/engineProtocol";
import type { HearthServices } from "../services";
import { handleEngineError } from "../backend/errorActions";
import { buildPickItems, type ModelPickItem, type PickAction } from "./modelPickItems";
import { selectServerModel } from "./selectServerModel";
import { useModel } from "./useModel";
import { errorText } from "../core/errorText";

/** Files per inspectModels request: the list refreshes after each batch, and cancelling stops between batches. */
const INSPECT_BATCH = 6;

export function hearthModelsDir(context: vscode.ExtensionContext): string {
    return vscode.Uri.joinPath(context.globalStorageUri, "models").fsPath;
}

export function modelFolders(context: vscode.ExtensionContext) {
    return knownModelFolders({
        home: os.homedir(),
        platform: process.platform,
        env: process.env,
        hearthModelsDir: hearthModelsDir(context),
        customFolders: getSetting("modelFolders"),
    });
}

export async function selectModelCommand(services: HearthServices): Promise<void> {
    // With a server backend the models are the server's.
    if (services.backend.kind === "openai-compatible") return selectServerModel(services);
    const picked = await pickModel(services);
    if (!picked) return;
    if (picked.action) {
        await runAction(services, picked.action);
        return;
    }
    const model = picked.model;
    if (!model) return;
    await useIfConfirmed(services, model, model.discovered.path);
}

/** Uses the model, asking first (modal) when it looks too large for this machine. */
async function useIfConfirmed(services: HearthServices, model: Pick<RankedModel, "fit" | "displayName">, file: string): Promise<void> {
    if (model.fit === "tooLarge") {
        const useAnyway = vscode.l10n.t("Use Anyway");
        const choice = await vscode.window.showWarningMessage(
            vscode.l10n.t("{0} looks too large for this machine's memory; loading it will probably fail or be very slow.", model.displayName),
            { modal: true }, useAnyway);
        if (choice !== useAnyway) return;
    }
    await useModel(services, file, model.displayName);
}

function pickModel(services: HearthServices): Promise<ModelPickItem | undefined> {
    const qp = vscode.window.createQuickPick<ModelPickItem>();
    qp.title = vscode.l10n.t("Hearth: Select Model");
    qp.placeholder = vscode.l10n.t("Searching this computer for GGUF models…");
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.busy = true;
    const controller = new AbortController();
    const currentPath = getSetting("model");
    let ranked: RankedModel[] = [];
    const render = () => {
        const active = qp.activeItems[0]?.model?.discovered.path;
        qp.items = buildPickItems(ranked, currentPath, qp.busy);
        const keep = qp.items.find((i) => i.model && i.model.discovered.path === (active ?? currentPath));
        if (keep) qp.activeItems = [keep];
    };
    render();
    qp.show();

    const done = new Promise<ModelPickItem | undefined>((resolve) => {
        qp.onDidAccept(() => {
            const item = qp.selectedItems[0];
            if (!item || item.kind !== undefined) return;
            // "unknown" is only blocked while the engine is still reading; if reading failed, loading will say why.
            if (item.model && (item.model.fit === "unusable" || (item.model.fit === "unknown" && qp.busy))) {
                // Not selectable: say why and keep the list open.
                qp.placeholder = item.model.fit === "unusable"
                    ? vscode.l10n.t("{0} cannot be used: {1}", item.model.displayName, item.model.reason ?? "")
                    : vscode.l10n.t("Still reading {0}; try again in a moment.", item.model.displayName);
                // The placeholder is one line; the notification shows a long reason in full.
                if (item.model.fit === "unusable") void vscode.window.showWarningMessage(vscode.l10n.t("Hearth: {0} cannot be used: {1}", item.model.discovered.path, item.model.reason ?? ""));
                return;
            }
            resolve(item);
            qp.hide();
        });
        qp.onDidHide(() => {
            controller.abort();
            resolve(undefined);
            qp.dispose();
        });
    });

    void fillList(services, qp, controller.signal, currentPath, (next) => {
        ranked = next;
        render();
    });
    return done;
}

async function fillList(
    services: HearthServices,
    qp: vscode.QuickPick<ModelPickItem>,
    signal: AbortSignal,
    currentPath: string,
    update: (ranked: RankedModel[]) => void,
): Promise<void> {
    const started = Date.now();
    let result: DiscoveryResult;
    try {
        result = await discoverModels(modelFolders(services.context), {
            signal,
            onProgress: (p) => {
                qp.placeholder = vscode.l10n.t("Searching {0} ({1} found so far)…", SOURCE_NAMES[p.folder.kind], p.found);
            },
        });
    } catch (err) {
        if (signal.aborted) return;
        // Never leave "Searching…" behind: say the search failed and keep Browse / Download usable.
        services.log.warn(`Select Model: searching for models failed: ${errorText(err)}`);
        result = { models: [], truncated: false, cancelled: false };
    }
    if (signal.aborted) return;
    const discovered = await withCurrentModel(result.models, currentPath);
    const infos = new Map<string, ModelInfo>();
    const rank = () => rankModels(discovered.map((d) => classifyModel(d, infos.get(d.path))));
    update(rank());
    services.log.info(`Select Model: ${discovered.length} model files found in ${Date.now() - started} ms${result.truncated ? " (scan limits reached)" : ""}`);

    const toInspect = discovered.filter((d) => !d.problem).map((d) => d.path);
    qp.placeholder = vscode.l10n.t("Reading model details ({0} files)…", toInspect.length);
    try {
        for (let i = 0; i < toInspect.length && !signal.aborted; i += INSPECT_BATCH) {
            const batch = toInspect.slice(i, i + INSPECT_BATCH);
            const { models } = await services.engine.request("inspectModels", { paths: batch, gpu: getSetting("gpu") }, { signal });
            for (const info of models) infos.set(info.path, info);
            update(rank());
        }
    } catch (err) {
        if (signal.aborted) return;
        services.log.warn(`Select Model: reading model details failed: ${errorText(err)}`);
        void handleEngineError(err);
    }
    if (signal.aborted) return;
    qp.busy = false;
    // Items still "reading" (the engine could not read them) stop saying so.
    update(rank());
    const usable = rank().filter((m) => m.fit !== "unusable").length;
    qp.placeholder = discovered.length === 0
        ? vscode.l10n.t("No GGUF models found. Browse for a file or download a model.")
        : vscode.l10n.t("{0} usable models found{1}. Pick one to load it.", usable,
            result.truncated ? vscode.l10n.t(" (search limits reached; add your folder to hearth.modelFolders)") : "");
    services.log.info(`Select Model: list complete in ${Date.now() - started} ms`);
}

/** The configured model is listed even when it lives outside every scanned folder (chosen with Browse…). */
async function withCurrentModel(models: DiscoveredModel[], currentPath: string): Promise<DiscoveredModel[]> {
    if (!currentPath || models.some((m) => m.path === currentPath)) return models;
    const stat = await fs.stat(currentPath).catch(() => undefined);
    return [...models, stat?.isFile()
        ? { path: currentPath, source: "setting", sizeBytes: stat.size }
        : { path: currentPath, source: "setting", sizeBytes: 0, problem: vscode.l10n.t("the file does not exist any more") }];
}

async function runAction(services: HearthServices, action: PickAction): Promise<void> {
    switch (action) {
        case "download":
            await vscode.commands.executeCommand("hearth.downloadModel");
            return;
        case "browse":
            await browseForModel(services);
            return;
        case "addFolder": {
            const folders = await vscode.window.showOpenDialog({
                canSelectFiles: false, canSelectFolders: true, canSelectMany: false, openLabel: vscode.l10n.t("Add Models Folder"),
            });
            const folder = folders?.[0]?.fsPath;
            if (!folder) return;
            const current = getSetting("modelFolders");
            if (!current.includes(folder)) await updateSetting("modelFolders", [...current, folder], true);
            await selectModelCommand(services);
            return;
        }
    }
}

async function browseForModel(services: HearthServices): Promise<void> {
    const files = await vscode.window.showOpenDialog({
        canSelectFiles: true, canSelectFolders: false, canSelectMany: false,
        filters: { [vscode.l10n.t("GGUF models")]: ["gguf"] },
        openLabel: vscode.l10n.t("Use This Model"),
    });
    const file = files?.[0]?.fsPath;
    if (!file) return;
    let info: ModelInfo | undefined;
    try {
        info = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Hearth: reading {0}", path.basename(file)), cancellable: true },
            async (_progress, token) => {
                const controller = new AbortController();
                token.onCancellationRequested(() => controller.abort());
                return (await services.engine.request("inspectModels", { paths: [file], gpu: getSetting("gpu") }, { signal: controller.signal })).models[0];
            });
    } catch (err) {
        await handleEngineError(err);
        return;
    }
    if (!info) return;
    const ranked = classifyModel({ path: file, source: "custom", sizeBytes: info.sizeBytes ?? 0 }, info);
    if (ranked.fit === "unusable") {
        const other = vscode.l10n.t("Select Another Model");
        const choice = await vscode.window.showErrorMessage(vscode.l10n.t("Hearth cannot use {0}: {1}", path.basename(file), ranked.reason ?? ""), other);
        if (choice === other) await selectModelCommand(services);
        return;
    }
    await useIfConfirmed(services, ranked, file);
}
