import { z } from 'zod';

/** Checks an IANA time zone name with the runtime's own zone database. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().superRefine((name, context) => {
  if (!isTimeZone(name)) context.addIssue({ code: 'custom', message: `unknown time zone '${name}'; use an IANA name such as UTC or Europe/Berlin` });
});

/** Text that goes into mail headers or file names must not carry line breaks. */
const singleLine = z.string().min(1).refine((text) => !/[\r\n]/.test(text), { message: 'must not contain CR or LF' });

const columnName = z.string().min(1, 'must name a column');

export const TLP_MARKINGS = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const;

/** Archive formats a source can name; `auto` picks one from each file's first bytes. */
export const SOURCE_FORMATS = ['auto', 'csv', 'parquet', 'lake', 'zeek', 'zeek-json', 'suricata', 'syslog-ufw', 'json'] as const;

/** Formats with built-in field names, so a source may leave `fields` out. */
const FORMATS_WITH_DEFAULT_FIELDS: ReadonlySet<string> = new Set(['auto', 'lake', 'zeek', 'zeek-json', 'suricata', 'syslog-ufw']);

/**
 * The column, JSON field path or syslog key of each session value.
 * Formats with known field names fill in what is left out.
 */
const fieldsSchema = z
  .object({
    time: columnName.optional(),
    srcIp: columnName.optional(),
    dstPort: columnName.optional(),
    proto: columnName.optional(),
    sensor: columnName.optional(),
  })
  .strict();

/** Checks a JavaScript regular expression from the config, so a typo fails at load time. */
function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

const sourceSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, dot, dash or underscore'),
    format: z.enum(SOURCE_FORMATS),
    path: z.string().min(1, 'must name a file or glob').optional(),
    fields: fieldsSchema.optional(),
    sensor: singleLine.optional(),
    proto: z.string().min(1).optional(),
    timeFormat: z.string().min(1).optional(),
    timezone: timeZone.optional(),
    delimiter: z.string().length(1).optional(),
    eventTypes: z.array(z.string().min(1)).min(1, 'needs at least one event type, such as flow').optional(),
    year: z.number().int().min(1970).max(9999).optional(),
    yearFrom: z
      .string()
      .refine(isRegex, { message: 'is not a valid regular expression' })
      .refine((pattern) => !isRegex(pattern) || new RegExp(`${pattern}|`).exec('')!.length === 2, {
        message: 'needs exactly one capture group around the year, such as _(\\d{4})-',
      })
      .optional(),
    match: z.string().min(1, 'must be the text that marks firewall lines, such as [UFW BLOCK]').optional(),
    recordsPath: z.string().min(1).optional(),
    strict: z.boolean().default(false),
  })
  .strict()
  .superRefine((source, context) => {
    const problem = (key: string, message: string) => context.addIssue({ code: 'custom', path: [key], message });
    const only = (key: keyof typeof source, formats: string[]) => {
      if (source[key] !== undefined && !formats.includes(source.format)) {
        problem(key, `applies only to format ${formats.join(' or ')}, not ${source.format}`);
      }
    };

    if (source.path === undefined && source.format !== 'lake') problem('path', 'missing; expected a file or glob');
    if (!FORMATS_WITH_DEFAULT_FIELDS.has(source.format)) {
      for (const key of ['time', 'srcIp', 'dstPort'] as const) {
        if (source.fields?.[key] === undefined) {
          context.addIssue({ code: 'custom', path: ['fields', key], message: `missing; format ${source.format} needs the name of the column or field that contains it` });
        }
      }
    }
    if (source.format === 'syslog-ufw' && source.fields?.time !== undefined) {
      context.addIssue({ code: 'custom', path: ['fields', 'time'], message: 'syslog-ufw reads the time from the syslog line prefix; remove this key' });
    }
    if (source.year !== undefined && source.yearFrom !== undefined) problem('yearFrom', 'set either year or yearFrom, not both');
    if (source.format === 'syslog-ufw' && source.year === undefined && source.yearFrom === undefined) {
      problem('year', 'missing; syslog times carry no year, so set year (such as 2024) or yearFrom (a pattern that finds it in the file name)');
    }
    only('year', ['syslog-ufw', 'auto']);
    only('yearFrom', ['syslog-ufw', 'auto']);
    only('match', ['syslog-ufw', 'auto']);
    only('eventTypes', ['suricata', 'auto']);
    only('recordsPath', ['json', 'auto']);
    only('delimiter', ['csv', 'auto']);
  });

/**
 * A mail address without display name. The check is deliberately plain
 * (one @, no spaces or line breaks); the SMTP server has the final word.
 */
const mailAddress = z
  .string()
  .refine((text) => !/[\r\n]/.test(text), { message: 'must not contain CR or LF' })
  .refine((text) => /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(text), { message: 'is not a valid mail address' });

const clientSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be a slug: lower-case letters, digits, dash or underscore, starting with a letter or digit'),
    name: singleLine,
    sensors: z.array(singleLine).default([]),
    sources: z.array(z.string().min(1)).default([]),
    recipients: z
      .object({
        to: z.array(mailAddress).min(1, 'needs at least one address'),
        cc: z.array(mailAddress).default([]),
      })
      .strict()
      .optional(),
    countries: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as IR')).default([]),
    tlp: z.enum(TLP_MARKINGS).optional(),
    templates: z.string().min(1).optional(),
    paper: z.enum(['Letter', 'A4']).optional(),
  })
  .strict()
  .refine((client) => client.sensors.length > 0 || client.sources.length > 0, {
    message: 'must list at least one sensor or source that belongs to the client',
  });

const mailSchema = z
  .object({
    host: singleLine,
    port: z.number().int().min(1).max(65535).default(587),
    security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
    user: singleLine.optional(),
    passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
    from: singleLine,
    subject: singleLine.default('{client}: weekly port targeting brief, {week}'),
    maxMessageBytes: z.number().int().min(1024).default(10 * 1024 * 1024),
    attempts: z.number().int().min(1).max(10).default(4),
    retryDelayMs: z.number().int().min(0).default(5000),
    timeoutMs: z.number().int().min(100).default(60_000),
  })
  .strict()
  .superRefine((mail, context) => {
    // Over a plain connection nodemailer sends the password unencrypted if the
    // server offers AUTH, and sends without logging in at all if it does not.
    if (mail.security === 'none' && mail.user !== undefined) {
      context.addIssue({
        code: 'custom',
        path: ['user'],
        message: 'set with security: none, which would send the password unencrypted, or no login at all when the server offers none. Use security: starttls or tls, or remove user for a relay that needs no login',
      });
    }
  });

const cidr = z.string().refine((text) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(text), { message: 'must be a CIDR block such as 198.51.100.0/24' });

const analysisSchema = z
  .object({
    rankBy: z.enum(['sessions', 'sources']).default('sessions'),
    minSources: z.number().int().min(1).default(3),
    excludeUdpFromFindings: z.boolean().default(true),
    baselineWeeks: z.number().int().min(1).max(12).default(4),
    trendWeeks: z.number().int().min(2).max(12).default(8),
    surgeThreshold: z.number().positive().default(10),
    clusterDistance: z.number().int().min(1).max(100).default(2),
    notes: z.string().min(1).optional(),
    scanners: z
      .array(z.object({ name: singleLine, networks: z.array(cidr).min(1) }).strict())
      .default([]),
  })
  .strict();

export const ANALYSIS_DEFAULTS = analysisSchema.parse({});

/** The config file as written, before paths are resolved. */
export const rawConfigSchema = z
  .object({
    sources: z.array(sourceSchema).min(1, 'needs at least one source'),
    geoip: z
      .object({
        country: z.string().min(1).optional(),
        asn: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
    timezone: timeZone.default('UTC'),
    top: z
      .object({
        countries: z.number().int().min(1).max(50).default(5),
        ports: z.number().int().min(1).max(50).default(10),
        networks: z.number().int().min(1).max(20).default(3),
      })
      .strict()
      .default({ countries: 5, ports: 10, networks: 3 }),
    brief: z
      .object({
        title: singleLine.default('Weekly port targeting brief'),
        organisation: singleLine.optional(),
        tlp: z.enum(TLP_MARKINGS).default('TLP:CLEAR'),
        paper: z.enum(['Letter', 'A4']).default('Letter'),
      })
      .strict()
      .default({ title: 'Weekly port targeting brief', tlp: 'TLP:CLEAR', paper: 'Letter' }),
    analysis: analysisSchema.default(ANALYSIS_DEFAULTS),
    print: z
      .object({
        // How long Chromium may take to start, and to print one brief, before it counts as hung.
        timeoutMs: z.number().int().min(100).default(60_000),
      })
      .strict()
      .default({ timeoutMs: 60_000 }),
    /** Countries shown whenever they have sessions, for the single brief made without a clients list. */
    countries: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as IR')).default([]),
    clients: z.array(clientSchema).optional(),
    mail: mailSchema.optional(),
    templates: z.string().min(1).optional(),
    /** A folder of .sql files that replace the shipped ones of the same name. */
    queries: z.string().min(1).optional(),
    output: z.string().min(1).default('reports'),
    lake: z.string().min(1).default('lake'),
    outbox: z.string().min(1).default('outbox'),
    state: z.string().min(1).default('state'),
  })
  .strict();

export type RawConfig = z.infer<typeof rawConfigSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type RawClient = z.infer<typeof clientSchema>;
export type MailConfig = z.infer<typeof mailSchema>;
export type AnalysisConfig = z.infer<typeof analysisSchema>;
