/**
 * One end-to-end session for the whole run: the PACKAGED extension (linux-x64 VSIX from scripts/package.mjs, or
 * HEARTH_E2E_VSIX) installed with `code-server --install-extension` into a fresh profile whose user settings point
 * hearth.model at the fixture model, one private code-server, one headless Debian Chromium. Each flow opens its own
 * page on its own fresh copy of test/e2e/workspace/, so flows do not see each other's editors or workspace state.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type * as WorkbenchModule from "../../scripts/workbench.mjs" with { "resolution-mode": "import" };
import { fixturesDir, REPO_ROOT } from "../helpers/fixtures";

export const RUN_ROOT = path.join(REPO_ROOT, ".test-workspaces", "e2e");
export const SCREENSHOTS_DIR = path.join(REPO_ROOT, "docs", "screenshots");
const TARGET = "linux-x64";

interface Session {
    workbench: WorkbenchModule.Workbench;
    browser: Browser;
    vsix: string;
    /** Writes the profile's user (and code-server machine) settings: e2eSettings() plus a flow's own. */
    setUserSettings(extra?: Record<string, unknown>): void;
}

let current: Session | undefined;
/** Pages of flows still open: a failing test's afterEach hook screenshots them (test-results/). */
export const openPages = new Set<Page>();
let starting: Promise<Session> | undefined;

async function workbenchModule(): Promise<typeof WorkbenchModule> {
    // scripts/workbench.mjs is ESM; the compiled tests are CommonJS, so it is loaded with import().
    return (await import(pathToFileURL(path.join(REPO_ROOT, "scripts", "workbench.mjs")).href)) as typeof WorkbenchModule;
}

/** The settings every flow runs with: the fixture model, small, on one CPU thread; a quiet workbench. */
export function e2eSettings(): Record<string, unknown> {
    const models = fixturesDir();
    return {
        "hearth.model": path.join(models, "stories260K-chat-fim.derived.gguf"),
        "hearth.modelFolders": [models],
        "hearth.threads": 1,
        "hearth.contextSize": 1024,
        "hearth.gpu": "cpu",
        "hearth.chat.maxTokens": 200,
        "hearth.completions.maxTokens": 16,
        "hearth.completions.debounceMs": 50,
        "editor.inlineSuggest.enabled": true,
        "workbench.startupEditor": "none",
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "workbench.tips.enabled": false,
        "git.openRepositoryInParentFolders": "never",
        "git.enabled": false,
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "update.mode": "none",
        "security.workspace.trust.enabled": false,
        "chat.commandCenter.enabled": false,
    };
}

function packageVsix(): string {
    if (process.env.HEARTH_E2E_VSIX) {
        const vsix = path.resolve(process.env.HEARTH_E2E_VSIX);
        if (!fs.existsSync(vsix)) throw new Error(`HEARTH_E2E_VSIX=${vsix} does not exist`);
        return vsix;
    }
    // A private output folder, so the packaging engineer's dist-vsix/ is not overwritten mid-run.
    const outDir = path.join(RUN_ROOT, "vsix");
    const version = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
    const vsix = path.join(outDir, `hearth-${TARGET}-${version}.vsix`);
    const started = Date.now();
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts", "package.mjs"), "--target", TARGET, "--out", outDir], {
        cwd: REPO_ROOT,
        encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`packaging the ${TARGET} VSIX failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    if (!fs.existsSync(vsix)) throw new Error(`scripts/package.mjs did not write ${vsix}:\n${r.stdout}`);
    console.log(`      [e2e] packaged ${path.relative(REPO_ROOT, vsix)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return vsix;
}

async function start(): Promise<Session> {
    const wb = await workbenchModule();
    wb.assertToolsInstalled();
    fs.rmSync(RUN_ROOT, { recursive: true, force: true, maxRetries: 3 });
    fs.mkdirSync(RUN_ROOT, { recursive: true });
    const vsix = packageVsix();
    const userDataDir = path.join(RUN_ROOT, "profile");
    const extensionsDir = path.join(userDataDir, "extensions");
    const setUserSettings = (extra: Record<string, unknown> = {}) => wb.writeUserSettings(userDataDir, { ...e2eSettings(), ...extra });
    setUserSettings();
    const installed = Date.now();
    wb.installExtension(vsix, { userDataDir, extensionsDir });
    console.log(`      [e2e] installed the VSIX into a fresh profile in ${((Date.now() - installed) / 1000).toFixed(1)} s`);
    const workbench = await wb.startWorkbench({ userDataDir, extensionsDir });
    const browser = await wb.launchChromium();
    return { workbench, browser, vsix, setUserSettings };
}

export async function session(): Promise<Session> {
    if (current) return current;
    starting ??= start().then((s) => (current = s));
    return starting;
}

export async function stopSession(): Promise<void> {
    const s = current ?? (starting ? await starting.catch(() => undefined) : undefined);
    current = undefined;
    starting = undefined;
    if (!s) return;
    await s.browser.close().catch(() => undefined);
    await s.workbench.stop();
}

export interface FlowPage {
    page: Page;
    context: BrowserContext;
    /** This flow's fresh copy of test/e2e/workspace/. */
    folder: string;
    url: string;
    close(): Promise<void>;
}

/**
 * Opens the workbench on a fresh copy of the e2e workspace, for one flow; waits for Hearth's status bar item.
 * `userSettings` are added to the profile's user settings while the flow's page is open (e.g. a different
 * hearth.model; `undefined` removes a setting): a workspace's .vscode/settings.json cannot set hearth.model (it is a
 * machine setting).
 */
export async function openFlowPage(flow: string, userSettings?: Record<string, unknown>): Promise<FlowPage> {
    const s = await session();
    const folder = path.join(RUN_ROOT, "workspaces", flow);
    fs.rmSync(folder, { recursive: true, force: true });
    fs.cpSync(path.join(REPO_ROOT, "test", "e2e", "workspace"), folder, { recursive: true });
    // Always rewritten: a flow (Select Model) may have changed the user's hearth.model.
    s.setUserSettings(userSettings);
    const context = await s.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const url = `${s.workbench.baseUrl}/?folder=${encodeURIComponent(folder)}`;
    await page.goto(url);
    openPages.add(page);
    page.once("close", () => openPages.delete(page));
    await waitForWorkbench(page);
    return {
        page, context, folder, url,
        close: async () => {
            await context.close();
            if (userSettings) s.setUserSettings();
        },
    };
}

/**
 * The lifecycle every flow file shares, called inside its `describe`: the session (workbench + Chromium; its first
 * start packages and installs the VSIX, hence the long timeout) starts before the flow's tests, and every page a test
 * opened is closed after it. Returns openFlowPage, remembering the page.
 */
export function useFlowPages(): (flow: string, userSettings?: Record<string, unknown>) => Promise<FlowPage> {
    const opened: FlowPage[] = [];
    before(async function () {
        this.timeout(300_000);
        await session();
    });
    afterEach(async function () {
        // A failing test's pages are photographed before they close (the root hook runs after this one).
        if (this.currentTest?.state === "failed") {
            fs.mkdirSync(path.join(REPO_ROOT, "test-results"), { recursive: true });
            for (const [i, flow] of opened.entries()) {
                const file = path.join(REPO_ROOT, "test-results", `e2e-${this.currentTest.title.replace(/[^\w]+/g, "-").slice(0, 60)}-${i}.png`);
                await flow.page.screenshot({ path: file }).then(() => console.log(`      failure screenshot: ${path.relative(REPO_ROOT, file)}`), () => undefined);
            }
        }
        for (const flow of opened.splice(0)) await flow.close();
    });
    return async (flow, userSettings) => {
        const page = await openFlowPage(flow, userSettings);
        opened.push(page);
        return page;
    };
}

/** The workbench has rendered and Hearth (installed from the VSIX) has activated: its status bar item is shown. */
export async function waitForWorkbench(page: Page): Promise<void> {
    await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    await page.locator(ENGINE_STATUS).waitFor({ timeout: 60_000 });
}

/** Hearth's engine status bar item (id = `<extension id>.<item id>`). */
export const ENGINE_STATUS = '[id="hearth-local.hearth.hearth.engine"]';

export async function screenshot(page: Page, flow: string): Promise<string> {
    fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    const file = path.join(SCREENSHOTS_DIR, `${flow}.png`);
    await page.screenshot({ path: file });
    return file;
}
