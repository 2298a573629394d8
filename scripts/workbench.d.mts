// Types for scripts/workbench.mjs, so TypeScript tests (test/e2e) can use it.
import type { Browser } from "playwright-core";

export const REPO_ROOT: string;
export const TOOLS: {
    toolsDir: string;
    node24Bin: string;
    node24BinDir: string;
    codeServerEntry: string;
    chromium: string;
};
export const CHROMIUM_ARGS: string[];

export interface WorkbenchOptions {
    folder?: string;
    settings?: Record<string, unknown>;
    userDataDir?: string;
    extensionsDir?: string;
    smokeTestDriver?: boolean;
    /** Leave Workspace Trust on (default: started with --disable-workspace-trust). */
    workspaceTrust?: boolean;
    env?: Record<string, string>;
    logFile?: string;
    startTimeoutMs?: number;
    keepProfile?: boolean;
}

export interface Workbench {
    url: string;
    baseUrl: string;
    port: number;
    userDataDir: string;
    extensionsDir: string;
    logFile: string;
    pid: number;
    stop(): Promise<void>;
    exited: Promise<{ code: number | null; signal: string | null }>;
}

export function assertToolsInstalled(): void;
export function freePort(): Promise<number>;
export function installExtension(vsixPath: string, profile: { userDataDir: string; extensionsDir: string }): string;
export function startWorkbench(options?: WorkbenchOptions): Promise<Workbench>;
/** User settings of a profile, written to User/ and to code-server's Machine/ settings (machine-scoped settings are read there). */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void;
export function launchChromium(options?: { headless?: boolean }): Promise<Browser>;
