/** The page's script (with uPlot bundled in) and styles, put in by the build (scripts/build.mjs): nothing from a CDN. */
declare const SERVE_ASSETS: { app: string; css: string; uplotCss: string };

export const ASSETS: Record<string, { type: string; body: string } | undefined> = {
  '/assets/app.js': { type: 'text/javascript; charset=utf-8', body: SERVE_ASSETS.app },
  '/assets/app.css': { type: 'text/css; charset=utf-8', body: SERVE_ASSETS.css },
  '/assets/uplot.css': { type: 'text/css; charset=utf-8', body: SERVE_ASSETS.uplotCss },
};
