import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { EXIT, PortbriefError, messageOf } from './errors.js';

/** Checks an IANA time zone name with the runtime's own zone database. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().refine(isTimeZone, {
  message: 'unknown time zone; use an IANA name such as UTC or Europe/Berlin',
});

const columnName = z.string().min(1, 'must name a column');

const fieldsSchema = z
  .object({
    time: columnName,
    srcIp: columnName,
    dstPort: columnName,
    proto: columnName.optional(),
    sensor: columnName.optional(),
  })
  .strict();

const sourceSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, dot, dash or underscore'),
    format: z.enum(['csv', 'parquet']),
    path: z.string().min(1, 'must name a file or glob'),
    fields: fieldsSchema,
    sensor: z.string().min(1).optional(),
    proto: z.string().min(1).optional(),
    timeFormat: z.string().min(1).optional(),
    timezone: timeZone.optional(),
    delimiter: z.string().length(1).optional(),
  })
  .strict();

/** The config file as written, before paths are resolved. */
const rawConfigSchema = z
  .object({
    sources: z.array(sourceSchema).min(1, 'needs at least one source'),
    geoip: z
      .object({
        country: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    timezone: timeZone.default('UTC'),
    top: z
      .object({
        countries: z.number().int().min(1).max(50).default(5),
        ports: z.number().int().min(1).max(50).default(10),
      })
      .strict()
      .default({ countries: 5, ports: 10 }),
    brief: z
      .object({
        title: z.string().min(1).default('Weekly port targeting brief'),
        organisation: z.string().min(1).optional(),
        tlp: z.enum(['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']).default('TLP:CLEAR'),
      })
      .strict()
      .default({ title: 'Weekly port targeting brief', tlp: 'TLP:CLEAR' }),
    output: z.string().min(1).default('reports'),
    state: z.string().min(1).default('state'),
  })
  .strict();

export type RawConfig = z.infer<typeof rawConfigSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;

/** A validated config whose paths are absolute, resolved against the config file's folder. */
export interface Config extends Omit<RawConfig, 'geoip'> {
  file: string;
  baseDir: string;
  geoip: { country?: string };
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

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key ${issue.keys.map((key) => `'${key}'`).join(', ')}; check its spelling against the README`;
  }
  return issue.message;
}

/** Validates parsed YAML, naming the file and key path of every problem found. */
export function validateConfig(data: unknown, file: string): Config {
  const result = rawConfigSchema.safeParse(data ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${file}: ${formatKeyPath(issue.path)}: ${describeIssue(issue)}`);
    throw new PortbriefError(lines.join('\n'), { exitCode: EXIT.usage });
  }

  const raw = result.data;
  const names = new Set<string>();
  raw.sources.forEach((source, index) => {
    if (names.has(source.name)) {
      throw new PortbriefError(`${file}: sources[${index}].name: '${source.name}' is used by an earlier source; names must be unique.`, {
        exitCode: EXIT.usage,
      });
    }
    names.add(source.name);
  });

  const baseDir = path.dirname(path.resolve(file));
  const resolve = (p: string) => path.resolve(baseDir, p);
  return {
    ...raw,
    file,
    baseDir,
    geoip: { country: raw.geoip.country === undefined ? undefined : resolve(raw.geoip.country) },
    output: resolve(raw.output),
    state: resolve(raw.state),
  };
}

/** Reads and validates a YAML config file. */
export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : messageOf(error);
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
  return validateConfig(document.toJS(), file);
}
