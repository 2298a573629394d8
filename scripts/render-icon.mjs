#!/usr/bin/env node
// Renders Hearth's Marketplace icon, scripts/icon/icon.svg, to media/icon.png (128×128, transparent corners): the
// VS Code Marketplace and Open VSX take a PNG `icon`, not an SVG. Uses playwright-core with the Chromium the
// end-to-end tests use (Debian's, or HEARTH_CHROMIUM). The PNG is committed; run this after editing the SVG:
//   node scripts/render-icon.mjs
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { toolPaths } from "./workbench-paths.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const svg = readFileSync(path.join(root, "scripts", "icon", "icon.svg"), "utf8");
const out = path.join(root, "media", "icon.png");

const browser = await chromium.launch({ executablePath: toolPaths(root).chromium, args: ["--no-sandbox"] });
try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
    await page.setContent(`<!DOCTYPE html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
    await page.locator("svg").screenshot({ path: out, omitBackground: true });
    console.log(`[render-icon] wrote ${path.relative(root, out)}`);
} finally {
    await browser.close();
}
