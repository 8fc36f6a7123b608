import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { checkSource } from './archive/check.js';
import { WorkDir, resolveSource } from './archive/resolve.js';
import { loadPortNotes } from './analyse/port-notes.js';
import { type Config, loadConfig } from './config/load.js';
import { Database } from './db.js';
import { loadMessageTemplates } from './deliver/message.js';
import { openConfiguredDatabases } from './enrich/enrich.js';
import { messageOf } from './errors.js';
import { silentLogger } from './log.js';
import { QUERIES_DIR, TEMPLATES_DIR } from './paths.js';
import { renderBriefHtml } from './render/brief-html.js';
import { sampleBrief } from './render/sample-brief.js';
import { loadTemplates } from './render/templates.js';
import { templateChain } from './weekly.js';

export interface CheckResult {
  /** The thing checked, such as "templates of client acme". */
  subject: string;
  problem?: string;
  /** Something that does not stop a check but will matter for a run. */
  warning?: string;
}

/**
 * Validates a deployment without reading the archive's contents. It checks
 * the config, every client's templates (compiled and rendered with a sample
 * brief, charts included), the mail templates, the SQL of queries/, the port
 * notes, the GeoIP database, and each source's files and mapped columns.
 */
export async function checkDeployment(configFile: string, options: { templatesDir?: string; queriesDir?: string } = {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const attempt = async (subject: string, step: () => Promise<unknown>) => {
    try {
      await step();
      results.push({ subject });
    } catch (error) {
      results.push({ subject, problem: messageOf(error) });
    }
  };

  let config: Config | undefined;
  await attempt(`config ${configFile}`, async () => {
    config = await loadConfig(configFile, { requireSecrets: false });
  });
  const shipped = options.templatesDir ?? TEMPLATES_DIR;
  await checkQueries(options.queriesDir ?? QUERIES_DIR, attempt);
  if (!config) return results;
  const checked = config;

  for (const client of checked.clients) {
    const chain = templateChain(checked, client, shipped);
    await attempt(`templates of client ${client.id} (${chain.join(', ')})`, async () => {
      const templates = await loadTemplates(chain);
      await renderBriefHtml(sampleBrief({ client: { id: client.id, name: client.name } }), templates);
    });
    await attempt(`mail templates of client ${client.id} (${chain.map((dir) => path.join(dir, 'email')).join(', ')})`, async () => {
      const templates = await loadMessageTemplates(chain);
      const brief = sampleBrief({ client: { id: client.id, name: client.name } });
      templates.text(brief);
      templates.html(brief);
    });
  }
  await attempt(`port notes ${checked.analysis.notes ?? 'data/port-notes.yaml'}`, () => loadPortNotes(checked.analysis.notes));
  await attempt(`GeoIP databases (country: ${checked.geoip.country ?? 'embedded'}${checked.geoip.asn ? `, ASN: ${checked.geoip.asn}` : ''})`, () => openConfiguredDatabases(checked));
  if (checked.mail?.passwordEnv && checked.mail.password === undefined) {
    results.push({ subject: 'mail password', warning: `the environment variable ${checked.mail.passwordEnv} is not set here; a weekly run that sends mail will need it` });
  }

  const db = await Database.open();
  const work = new WorkDir();
  try {
    for (const [index, source] of checked.sources.entries()) {
      await attempt(`source ${source.name}`, async () => checkSource(db, checked, await resolveSource(checked, index, silentLogger(), work)));
    }
  } finally {
    db.close();
    if (work.created) await rm(work.created, { recursive: true, force: true });
  }
  return results;
}

/** Parses every .sql file of the queries folder, so a syntax error surfaces with its file before a run needs it. */
async function checkQueries(dir: string, attempt: (subject: string, step: () => Promise<unknown>) => Promise<void>): Promise<void> {
  const db = await Database.open({ queriesDir: dir });
  try {
    for (const name of (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort()) {
      await attempt(`query ${path.join('queries', name)}`, async () => {
        try {
          await db.connection.extractStatements(await db.readQuery(name));
        } catch (error) {
          throw new Error(messageOf(error).split('\n').slice(0, 3).join(' '));
        }
      });
    }
  } finally {
    db.close();
  }
}
