import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Document, isScalar, parseDocument } from 'yaml';
import type { z } from 'zod';
import { fixedSensor } from '../archive/source.js';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import { QUERIES_DIR } from '../paths.js';
import { type MailConfig, type RawClient, type RawConfig, type SourceConfig, rawConfigSchema } from './schema.js';

/** A client whose brief is built from its own sensors' sessions only. */
export interface Client {
  id: string;
  name: string;
  /** Sensor names that belong to the client. */
  sensors: string[];
  /** Source names whose every sensor belongs to the client. */
  sources: string[];
  recipients?: { to: string[]; cc: string[] };
  /** Countries shown in the brief even when outside the top countries. */
  countries: string[];
  tlp: string;
  paper: 'Letter' | 'A4';
  /** Absolute path of the client's template override folder. */
  templates?: string;
  /** Folder under the output folder for this client's briefs; '' when no clients are configured. */
  outputSegment: string;
}

export type { MailConfig, SourceConfig };

/** Lists the SQL folders of a deployment, most specific first: its override folder, then the shipped queries/. */
export function queryFolders(config: Pick<Config, 'queries'>, shipped = QUERIES_DIR): string[] {
  return config.queries === undefined ? [shipped] : [config.queries, shipped];
}

/** A validated config whose paths are absolute, resolved against the config file's folder. */
export interface Config extends Omit<RawConfig, 'geoip' | 'clients' | 'mail'> {
  file: string;
  baseDir: string;
  geoip: { country?: string; asn?: string };
  clients: Client[];
  mail?: MailConfig & { password?: string };
}

export interface LoadOptions {
  /** Environment to read secrets from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Whether the SMTP password variable must be set (false for dry runs and checks). */
  requireSecrets?: boolean;
}

/** Formats a zod issue path in the user's own key names: `sources[0].fields.time`. */
function formatKeyPath(keyPath: PropertyKey[]): string {
  let text = '';
  for (const key of keyPath) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (text === '') text = String(key);
    else text += `.${String(key)}`;
  }
  return text === '' ? '(top level)' : text;
}

function describeIssue(issue: z.core.$ZodIssue, yaml: Document | undefined): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key ${issue.keys.map((key) => `'${key}'`).join(', ')}; check its spelling against the README`;
  }
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return `missing; expected ${issue.expected === 'object' ? 'a mapping of keys' : `a ${issue.expected}`}`;
  }
  if (issue.code === 'invalid_type' && issue.expected === 'string') {
    const unquoted = unquotedScalar(yaml, issue.path);
    if (unquoted) return `expected a string, but YAML reads the unquoted ${unquoted.reading}; write it as '${unquoted.source}' to keep it as text`;
  }
  if (issue.code === 'invalid_type') return `expected a ${issue.expected}`;
  return issue.message;
}

/**
 * Describes a plain YAML scalar at `keyPath` that YAML 1.2 resolved to
 * something other than text, such as the id 0022 read as the number 22, or
 * returns undefined.
 */
function unquotedScalar(yaml: Document | undefined, keyPath: PropertyKey[]): { source: string; reading: string } | undefined {
  const node = yaml?.getIn(keyPath as Array<string | number>, true);
  if (!isScalar(node) || node.type !== 'PLAIN' || typeof node.source !== 'string') return undefined;
  const { source, value } = node;
  if (typeof value === 'number') return { source, reading: `${source} as the number ${value}` };
  if (typeof value === 'boolean') return { source, reading: `${source} as the boolean ${value}` };
  if (value === null) return { source, reading: `${source} as null` };
  return undefined;
}

/**
 * Validates parsed YAML, naming the file and key path of every problem found.
 * `yaml` is the parsed document, so that an error can quote a value as written.
 */
export function validateConfig(data: unknown, file: string, options: LoadOptions = {}, yaml?: Document): Config {
  const result = rawConfigSchema.safeParse(data ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${file}: ${formatKeyPath(issue.path)}: ${describeIssue(issue, yaml)}`);
    throw new PortbriefError(lines.join('\n'), { exitCode: EXIT.usage });
  }

  const raw = result.data;
  const fail = (key: string, problem: string) => {
    throw new PortbriefError(`${file}: ${key}: ${problem}`, { exitCode: EXIT.usage });
  };

  const sourceNames = new Set<string>();
  raw.sources.forEach((source, index) => {
    if (sourceNames.has(source.name)) fail(`sources[${index}].name`, `'${source.name}' is used by an earlier source; names must be unique.`);
    sourceNames.add(source.name);
  });

  const baseDir = path.dirname(path.resolve(file));
  const resolve = (p: string) => path.resolve(baseDir, p);
  if (raw.clients && raw.countries.length > 0) {
    fail('countries', 'applies only without a clients list; with clients, set clients[].countries for each client.');
  }
  const clients = raw.clients ? raw.clients.map((client, index) => resolveClient(client, index, raw, resolve, fail)) : [defaultClient(raw)];
  checkStaticSensors(raw, clients, fail);

  let mail: Config['mail'];
  if (raw.mail) {
    const env = options.env ?? process.env;
    const password = raw.mail.passwordEnv ? env[raw.mail.passwordEnv] : undefined;
    if (raw.mail.passwordEnv && password === undefined && options.requireSecrets !== false) {
      fail('mail.passwordEnv', `the environment variable ${raw.mail.passwordEnv} is not set. Set it where the run starts (cron has a sparse environment: set it in the crontab or the systemd unit).`);
    }
    mail = { ...raw.mail, password };
  }

  return {
    ...raw,
    file,
    baseDir,
    geoip: {
      country: raw.geoip.country === undefined ? undefined : resolve(raw.geoip.country),
      asn: raw.geoip.asn === undefined ? undefined : resolve(raw.geoip.asn),
    },
    clients,
    mail,
    templates: raw.templates === undefined ? undefined : resolve(raw.templates),
    queries: raw.queries === undefined ? undefined : resolve(raw.queries),
    analysis: { ...raw.analysis, notes: raw.analysis.notes === undefined ? undefined : resolve(raw.analysis.notes) },
    output: resolve(raw.output),
    outbox: resolve(raw.outbox),
    state: resolve(raw.state),
    lake: resolve(raw.lake),
  };
}

function resolveClient(
  client: RawClient,
  index: number,
  raw: RawConfig,
  resolve: (p: string) => string,
  fail: (key: string, problem: string) => never,
): Client {
  const earlier = raw.clients!.findIndex((other) => other.id === client.id);
  if (earlier !== index) fail(`clients[${index}].id`, `'${client.id}' is used by clients[${earlier}]; client ids must be unique.`);

  client.sources.forEach((name, sourceIndex) => {
    if (!raw.sources.some((source) => source.name === name)) {
      fail(`clients[${index}].sources[${sourceIndex}]`, `no source is named '${name}'; sources are ${raw.sources.map((s) => s.name).join(', ')}.`);
    }
  });

  return {
    id: client.id,
    name: client.name,
    sensors: client.sensors,
    sources: client.sources,
    recipients: client.recipients,
    countries: client.countries,
    tlp: client.tlp ?? raw.brief.tlp,
    paper: client.paper ?? raw.brief.paper,
    templates: client.templates === undefined ? undefined : resolve(client.templates),
    outputSegment: client.id,
  };
}

/** Without a clients list, one brief covers every source, written straight under the output folder. */
function defaultClient(raw: RawConfig): Client {
  return {
    id: 'default',
    name: raw.brief.organisation ?? 'All sensors',
    sensors: [],
    sources: raw.sources.map((source) => source.name),
    countries: raw.countries,
    tlp: raw.brief.tlp,
    paper: raw.brief.paper,
    outputSegment: '',
  };
}

/**
 * Rejects client sensors that no source can produce, when every source names
 * its sensor as a constant. Sources that read the sensor from a column are
 * checked after the archive is read (see checkClientSensors).
 */
function checkStaticSensors(raw: RawConfig, clients: Client[], fail: (key: string, problem: string) => never): void {
  // A sensor read from the data (a mapped field, or the lake's own column) is known only once the archive is read.
  const fixed = raw.sources.map(fixedSensor);
  if (fixed.some((sensor) => sensor === undefined)) return;
  const known = new Set(fixed);
  clients.forEach((client, index) => {
    client.sensors.forEach((sensor, sensorIndex) => {
      if (!known.has(sensor)) fail(`clients[${index}].sensors[${sensorIndex}]`, `no source produces sensor '${sensor}'; sensors are ${[...known].join(', ')}. Fix the name, or set the sensor: of the source that reads it.`);
    });
  });
}

/** Rejects client sensors that the archive never mentions, naming the key and the sensors it has. */
export function checkClientSensors(config: Config, seen: string[]): void {
  const known = new Set(seen);
  config.clients.forEach((client, index) => {
    client.sensors.forEach((sensor, sensorIndex) => {
      if (known.has(sensor)) return;
      throw new PortbriefError(
        `${config.file}: clients[${index}].sensors[${sensorIndex}]: no source produces sensor '${sensor}'; the archive has ${seen.join(', ') || 'no sensors'}. Fix the name or the source's sensor field.`,
        { exitCode: EXIT.usage },
      );
    });
  });
}

/** Reads and validates a YAML config file. */
export async function loadConfig(file: string, options: LoadOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    let reason = messageOf(error);
    if (code === 'ENOENT') reason = 'not found';
    if (code === 'EISDIR') reason = 'it is a folder, not a file';
    throw new PortbriefError(`Cannot read config ${file}: ${reason}. Pass an existing YAML file with --config.`, {
      exitCode: EXIT.usage,
      cause: error,
    });
  }

  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const where = first.linePos ? `${first.linePos[0].line}:${first.linePos[0].col}` : '?';
    throw new PortbriefError(`${file}:${where}: invalid YAML: ${first.message.split('\n')[0]}`, { exitCode: EXIT.usage });
  }
  return validateConfig(document.toJS(), file, options, document);
}
