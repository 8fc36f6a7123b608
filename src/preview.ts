import { type FSWatcher, watch } from 'chokidar';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Handlebars from 'handlebars';
import type { Brief } from './brief.js';
import { type Config, queryFolders } from './config/load.js';
import { openConfiguredDatabases } from './enrich/enrich.js';
import { EXIT, PortbriefError, messageOf } from './errors.js';
import type { Logger } from './log.js';
import { TEMPLATES_DIR } from './paths.js';
import { renderBriefHtml } from './render/brief-html.js';
import { analyse, templatesByClient } from './weekly.js';
import { parseIsoWeek, previousWeek } from './week.js';
import { SHIPPED_NOTES } from './analyse/port-notes.js';

export interface PreviewOptions {
  config: Config;
  week: string;
  /** Client id; the first client when absent. */
  client?: string;
  port: number;
  log: Logger;
  now: Date;
  templatesDir?: string;
}

export interface PreviewServer {
  url: string;
  /** Rebuilds the page now, as a file change would. */
  refresh(kind: 'templates' | 'analysis'): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves one client's brief as HTML on 127.0.0.1 and rebuilds it when a
 * template, chart spec, notes file or query changes: template and chart
 * changes re-render the cached model, notes and query changes rerun the
 * analysis. Errors are shown in the page instead of stopping the server. The
 * page polls /version and reloads itself, so it carries a small script that
 * the printed brief never has.
 */
export async function startPreview(options: PreviewOptions): Promise<PreviewServer> {
  const { config, log } = options;
  const client = options.client ? config.clients.find((c) => c.id === options.client) : config.clients[0];
  if (!client) {
    throw new PortbriefError(`No client '${options.client}' in ${config.file}; clients are ${config.clients.map((c) => c.id).join(', ')}.`, { exitCode: EXIT.usage });
  }
  const week = parseIsoWeek(options.week);
  const shipped = options.templatesDir ?? TEMPLATES_DIR;

  let brief: Brief | null = null;
  let page = '';
  let version = 0;

  const rebuild = async (kind: 'templates' | 'analysis') => {
    try {
      if (kind === 'analysis' || brief === null) {
        const geoip = await openConfiguredDatabases(config);
        const briefs = await analyse({ config, now: options.now, storeHistory: false }, week, previousWeek(week), geoip, log);
        brief = briefs.find((entry) => entry.client.id === client.id)!.brief;
      }
      const templates = (await templatesByClient({ ...config, clients: [client] }, shipped)).get(client.id)!;
      page = withReload(await renderBriefHtml(brief, templates));
      log.info({ client: client.id, week: week.id, kind }, 'preview rebuilt');
    } catch (error) {
      page = errorPage(messageOf(error));
      log.warn({ err: messageOf(error) }, 'preview failed; the page shows the error');
    }
    version++;
  };
  await rebuild('analysis');

  const server: Server = createServer((request, response) => {
    if (request.url === '/version') {
      response.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      response.end(String(version));
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The brief's own policy allows no script; the preview allows only its inline reload script and polling itself.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'; connect-src 'self'",
    });
    response.end(page);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new PortbriefError(`Cannot serve the preview on 127.0.0.1:${options.port}: ${messageOf(error)}. Pick another --port.`, { cause: error })));
    server.listen(options.port, '127.0.0.1', resolve);
  });

  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let pending: 'templates' | 'analysis' = 'templates';
  const schedule = (kind: 'templates' | 'analysis') => {
    if (kind === 'analysis') pending = 'analysis';
    clearTimeout(timer);
    // Editors write a file in several steps; wait for them to settle.
    timer = setTimeout(() => {
      const next = pending;
      pending = 'templates';
      void rebuild(next);
    }, 150);
  };
  // chokidar follows a file that an editor saves by writing a new file and
  // renaming it over the old one, which Node's own recursive watch loses.
  const templateDirs = [client.templates, config.templates, shipped].filter((dir): dir is string => dir !== undefined);
  watchers.push(watch(templateDirs, { ignoreInitial: true }).on('all', () => schedule('templates')));
  watchers.push(watch([...queryFolders(config), config.analysis.notes ?? SHIPPED_NOTES], { ignoreInitial: true }).on('all', () => schedule('analysis')));
  // An edit made before the first scan ends would go unseen.
  await Promise.all(watchers.map((watcher) => new Promise<void>((resolve) => watcher.once('ready', () => resolve()))));

  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  log.info({ url, client: client.id, week: week.id }, 'preview serving');
  return {
    url,
    refresh: rebuild,
    close: async () => {
      clearTimeout(timer);
      await Promise.all(watchers.map((watcher) => watcher.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      log.info({ url }, 'preview stopped');
    },
  };
}

const RELOAD_SCRIPT = `<script>
let seen = null;
setInterval(async () => {
  const version = await (await fetch('/version')).text();
  if (seen !== null && version !== seen) location.reload();
  seen = version;
}, 1000);
</script>`;

function withReload(html: string): string {
  const withoutPolicy = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  return withoutPolicy.replace('</body>', `${RELOAD_SCRIPT}</body>`);
}

function errorPage(message: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>portbrief preview: error</title></head>
<body style="font-family: sans-serif"><h1>The brief could not be built</h1><pre style="white-space: pre-wrap; color: #b5461a">${Handlebars.escapeExpression(message)}</pre>
<p>Fix the file named above and save it; this page reloads by itself.</p>${RELOAD_SCRIPT}</body></html>`;
}
