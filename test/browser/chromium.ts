/**
 * The browser side of the browser suite: bundle the test app for the browser with esbuild, serve
 * it on 127.0.0.1, and open it in headless Chromium (puppeteer-core), console errors collected.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** The app bundled for the browser: its code, sizes (bytes) and the files esbuild put in it. */
export interface AppBundle {
  bundle: string;
  sizes: { minified: number; gzipped: number };
  inputs: string[];
}

/** Bundle `app.mjs` (next to this file) in `work`, where the packed library is installed. */
export async function bundleApp(work: string): Promise<AppBundle> {
  copyFileSync(join(__dirname, 'app.mjs'), join(work, 'app.mjs'));
  const result = await build({
    absWorkingDir: work,
    entryPoints: ['app.mjs'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome110',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const bundle = result.outputFiles[0].text;
  return {
    bundle,
    sizes: { minified: Buffer.byteLength(bundle), gzipped: gzipSync(bundle, { level: 9 }).length },
    inputs: Object.keys(result.metafile.inputs),
  };
}

/** An HTTP server on 127.0.0.1 (port 0) serving a page that loads `bundle` as a module. */
export async function servePage(bundle: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><link rel="icon" href="data:,"><script type="module" src="/app.js"></script>');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

/** Launch headless Chromium and open `url` until the app's `window.iox` exists; errors go to `consoleErrors`. */
export async function openPage(
  executablePath: string,
  url: string,
  consoleErrors: string[],
): Promise<{ browser: Browser; page: Page }> {
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    pipe: true,
    userDataDir: mkdtempSync(join(tmpdir(), 'iox-chromium-')),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    protocolTimeout: 60_000,
  });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => 'iox' in window, { timeout: 10_000 });
    return { browser, page };
  } catch (error) {
    // The caller never gets the browser: close it here, or a Chromium outlives the suite.
    await closeBrowser(browser);
    throw error;
  }
}

/** Close the browser (when it was launched) and remove its profile directory. */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  const userDataDir = browser
    ?.process()
    ?.spawnargs.find((a) => a.startsWith('--user-data-dir='))
    ?.slice(16);
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}
