import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkSource } from './archive/check.js';
import { loadArchive } from './archive/load.js';
import { WorkDir, resolveSource } from './archive/resolve.js';
import { fixedSensor } from './archive/source.js';
import { loadPortNotes } from './analyse/port-notes.js';
import { type Config, checkClientSensors, loadConfig, queryFolders, validateConfig } from './config/load.js';
import { Database } from './db.js';
import { loadMessageTemplates } from './deliver/message.js';
import { openConfiguredDatabases } from './enrich/enrich.js';
import { PortbriefError, messageOf } from './errors.js';
import { silentLogger } from './log.js';
import { QUERIES_DIR, TEMPLATES_DIR } from './paths.js';
import { renderBriefHtml } from './render/brief-html.js';
import { sampleBrief } from './render/sample-brief.js';
import { loadTemplates } from './render/templates.js';
import { analyse, templateChain } from './weekly.js';
import { lastCompleteWeek, previousWeek } from './week.js';

export interface CheckResult {
  /** The thing checked, such as "mail templates of client acme". */
  subject: string;
  problem?: string;
  /** Something that does not stop a check but will matter for a run. */
  warning?: string;
}

/**
 * Validates a deployment without running it. It checks the config, the
 * templates and chart specs, the mail templates, the SQL, the port notes,
 * the GeoIP databases and each source's files and mapped columns.
 * Templates are rendered with a sample brief, and the SQL (the config's
 * override folder, then queries/) is parsed and run on a sample archive.
 * The archive's rows are read only where a client's sensor comes from a
 * column. `queriesDir` replaces the shipped queries/ folder.
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
  // The line already names the config file, so its errors need not repeat it.
  const configResult = results.at(-1)!;
  if (configResult.problem?.startsWith(`${configFile}: `)) configResult.problem = configResult.problem.slice(configFile.length + 2);
  // Every other check reads the config: its templates, SQL folder, GeoIP databases and sources.
  if (!config) return results;
  const checked = config;
  const shipped = options.templatesDir ?? TEMPLATES_DIR;
  const queriesDir = queryFolders(checked, options.queriesDir ?? QUERIES_DIR);
  await checkQueries(queriesDir, attempt);

  for (const client of checked.clients) {
    const chain = templateChain(checked, client, shipped);
    await attempt(`templates and chart specs of client ${client.id} (${chain.join(', ')})`, async () => {
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
  // Parsing finds syntax errors only; running the SQL on a sample archive also
  // finds names of columns, tables and functions that do not exist.
  if (!results.some((result) => result.problem && result.subject.startsWith('query '))) {
    await attempt('queries, run on a sample archive', () => runSampleAnalysis(checked, queriesDir));
  }
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

  // Reading the archive needs readable sources and working queries: the 'source ', 'query ' and 'queries, run on a sample archive' checks.
  const readable = !results.some((result) => result.problem && /^(source |query |queries, )/.test(result.subject));
  const columnSources = sensorColumnSources(checked);
  if (readable && columnSources.length > 0) {
    await attempt(`client sensors, read from source${columnSources.length > 1 ? 's' : ''} ${columnSources.join(', ')}`, () => checkSensorColumns(checked, columnSources, queriesDir));
  }
  return results;
}

/**
 * Lists the sources whose sensor comes from a column, when some client sensor
 * is no source's constant sensor (config loading checks those).
 */
function sensorColumnSources(config: Config): string[] {
  const fixed = config.sources.map(fixedSensor);
  const unresolved = config.clients.some((client) => client.sensors.some((sensor) => !fixed.includes(sensor)));
  return unresolved ? config.sources.filter((_, index) => fixed[index] === undefined).map((source) => source.name) : [];
}

/**
 * Reads the given sources as the weekly run does, and rejects client sensors
 * that the archive lacks. It takes as long as the run's archive stage.
 */
async function checkSensorColumns(config: Config, sources: string[], queriesDir: string[]): Promise<void> {
  const db = await Database.open({ queriesDir });
  try {
    const archive = await loadArchive(db, config, new Date(), silentLogger(), { only: sources, grouped: true });
    const fixed = config.sources.map(fixedSensor).filter((sensor): sensor is string => sensor !== undefined);
    checkClientSensors(config, [...new Set([...fixed, ...archive.sensors])].sort());
  } finally {
    db.close();
  }
}

/**
 * Runs the whole analysis, from reading the archive to every brief's model,
 * on a small sample archive: two weeks of sessions from public and private
 * addresses, for one client. It uses the config's GeoIP databases, analysis
 * settings and notes. It only reads the config's state folder, for its GeoIP
 * range caches.
 */
async function runSampleAnalysis(config: Config, queriesDir: string[]): Promise<void> {
  const folder = await mkdtemp(path.join(tmpdir(), 'portbrief-check-'));
  try {
    const now = new Date();
    const week = lastCompleteWeek(now);
    const previous = previousWeek(week);
    const rows = ['time,src,port,proto'];
    for (const [start, offset] of [[previous.start, 0], [week.start, 1]] as const) {
      for (let hour = 0; hour < 24; hour++) {
        const time = new Date(start.getTime() + (hour + 1) * 3_600_000).toISOString();
        rows.push(`${time},8.8.8.${hour % 4 + 1},${hour % 2 === 0 ? 22 : 3389 + offset},tcp`, `${time},192.168.1.${hour},445,udp`, `${time},1.1.1.1,,icmp`);
      }
    }
    await writeFile(path.join(folder, 'sample.csv'), `${rows.join('\n')}\n`);

    // The range caches spare the database walk, and copying them keeps the
    // config's state folder untouched. Without a readable cache the run walks the database.
    const state = path.join(folder, 'state');
    await cp(path.join(config.state, 'geoip'), path.join(state, 'geoip'), { recursive: true }).catch(() => undefined);

    const sample = validateConfig(
      {
        sources: [{ name: 'sample', format: 'csv', path: 'sample.csv', fields: { time: 'time', srcIp: 'src', dstPort: 'port', proto: 'proto' } }],
        clients: [{ id: 'sample', name: 'Sample client', sources: ['sample'] }],
        geoip: config.geoip,
        top: config.top,
        analysis: config.analysis,
        state,
      },
      path.join(folder, 'portbrief.yaml'),
    );
    const geoip = await openConfiguredDatabases(sample);
    await analyse({ config: sample, now, storeHistory: false, queriesDir }, week, previous, geoip, silentLogger());
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Lists an SQL override folder's files; a folder that cannot be read is a failed check. */
async function overrideFiles(folder: string, attempt: (subject: string, step: () => Promise<unknown>) => Promise<void>): Promise<string[]> {
  let files: string[] = [];
  await attempt(`SQL folder ${folder}`, async () => {
    try {
      files = await readdir(folder);
    } catch (error) {
      throw new PortbriefError(`Cannot read the SQL folder ${folder}: ${messageOf(error)}. Fix the queries setting in the config.`, { cause: error });
    }
  });
  return files;
}

/**
 * Parses every .sql file that a run would read from the SQL folders (most
 * specific first), so a syntax error surfaces with its file before a run
 * needs it. Shipped files are named queries/<name>, override files by path.
 */
async function checkQueries(folders: string[], attempt: (subject: string, step: () => Promise<unknown>) => Promise<void>): Promise<void> {
  const db = await Database.open({ queriesDir: folders });
  const shipped = folders.at(-1)!;
  try {
    const names = new Map<string, string>();
    for (const folder of [...folders].reverse()) {
      const files = folder === shipped ? await readdir(folder) : await overrideFiles(folder, attempt);
      for (const name of files.filter((file) => file.endsWith('.sql'))) names.set(name, folder === shipped ? path.join('queries', name) : path.join(folder, name));
    }
    for (const [name, shown] of [...names.entries()].sort()) {
      await attempt(`query ${shown}`, async () => {
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
