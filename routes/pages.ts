// HTML shells for the Preact pages, the bundled assets they load, the home page and health.
import { Hono } from "hono";
import type { Context } from "hono";
import { join } from "node:path";
import type { SiteViewer } from "./accounts/wire.ts";
import { serveFile } from "./serve_file.ts";

export interface PageOptions {
  title: string;
  /** The bundle in static/dist to load, e.g. "image_room" for image_room.js. */
  entry: string;
  /** Handed to the page as `window.__ROOMCAST__` (JSON, script-safe). */
  data?: Record<string, unknown>;
  status?: 200 | 404;
  /** Extra stylesheets from static/dist besides app.css, e.g. ["code.css"]. */
  styles?: string[];
}

export type PageRenderer = (c: Context, options: PageOptions) => Response;

export interface PagesDeps {
  basePath: string;
  /** Folder of the bundled browser files. */
  assetsDir: string;
  /** Answers `GET /` for non-browser clients (the Media Server's health check). */
  health: () => Record<string, unknown>;
}

export interface PageRendererOptions {
  /**
   * Pages other sites may embed, by entry: CSP frame-ancestors sources besides 'self' (e.g. the
   * image viewer, IMAGE_VIEWER_FRAME_ANCESTORS). Every other page is framed by this server only.
   */
  embeddable?: Record<string, string | undefined>;
  /** Who is signed in, handed to every page as `viewer` for the common header. */
  viewer?: (c: Context) => SiteViewer | null;
}

/** Makes the page renderer: one HTML shell, the page's data inline, its script and stylesheet. */
export function createPageRenderer(
  basePath: string,
  options: PageRendererOptions = {},
): PageRenderer {
  return (c, { title, entry, data = {}, status = 200, styles = [] }) => {
    const ancestors = options.embeddable?.[entry];
    // Set here only for embeddable pages; edge/headers.ts gives the rest 'self' and X-Frame-Options.
    if (ancestors) c.header("content-security-policy", `frame-ancestors 'self' ${ancestors}`);
    const viewer = options.viewer?.(c) ?? null;
    const boot = JSON.stringify({ basePath, viewer, ...data }).replace(/</g, "\\u003c");
    const extraStyles = styles
      .map((file) => `<link rel="stylesheet" href="${basePath}assets/${escapeHtml(file)}">\n`)
      .join("");
    c.header("cache-control", "no-store");
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "same-origin");
    return c.html(
      `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, interactive-widget=resizes-content">
<meta name="color-scheme" content="dark light">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${basePath}assets/app.css">
${extraStyles}</head>
<body>
<div id="app"></div>
<script>window.__ROOMCAST__ = ${boot};</script>
<script type="module" src="${basePath}assets/${entry}.js"></script>
</body>
</html>`,
      status,
    );
  };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export function createPageRoutes(deps: PagesDeps, page: PageRenderer): Hono {
  const app = new Hono();

  app.get("/assets/:file{[A-Za-z0-9_.-]+}", async (c) => {
    const file = c.req.param("file");
    const ext = file.slice(file.lastIndexOf("."));
    if (!TYPES[ext] || file.startsWith(".")) return c.json({ error: "Not found" }, 404);
    const path = join(deps.assetsDir, file);
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(path);
    } catch {
      return c.json({ error: "Not found" }, 404);
    }
    return serveFile(c.req.raw, path, {
      contentType: TYPES[ext],
      etag: `"${stat.size.toString(36)}-${(stat.mtime?.getTime() ?? 0).toString(36)}"`,
      lastModified: stat.mtime?.getTime(),
      // Bundles keep their names across builds: revalidate, and let the ETag make it cheap.
      cacheControl: "public, max-age=0, must-revalidate",
    });
  });

  app.get("/", (c) => {
    // Browsers get the home page; scripts and health checks (curl, monitors) get JSON.
    if (!(c.req.header("accept") ?? "").includes("text/html")) return c.json(deps.health());
    return page(c, { title: "Roomcast", entry: "home" });
  });

  return app;
}
