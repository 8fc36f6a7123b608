import { type ArchiveLoad, type FileQuality, sumTotals } from '../archive/load.js';
import type { Brief, CountrySection } from '../brief.js';
import type { Client, Config } from '../config/load.js';
import type { DatabaseInfo } from '../enrich/geoip-database.js';
import { countryName } from '../render/helpers.js';
import type { IsoWeek } from '../week.js';
import { REGISTRY_NAME } from './port-registry.js';
import type { WeekRanking } from './rank.js';

export interface BriefInputs {
  config: Pick<Config, 'brief' | 'top'>;
  client: Client;
  /** The client's own data-quality accounting. */
  files: FileQuality[];
  week: IsoWeek;
  previous: IsoWeek;
  generatedAt: Date;
  database: DatabaseInfo;
  registryUpdated: string | null;
  archive: ArchiveLoad;
  ranking: WeekRanking;
}

/** Assembles the brief model from the stage results. Pure: no I/O, so tests can build one from fixed inputs. */
export function buildBrief(inputs: BriefInputs): Brief {
  const { week, ranking, archive, files } = inputs;
  const located = ranking.byStatus.find((row) => row.status === 'country')?.sessions ?? 0;

  const countries: CountrySection[] = ranking.countries.map((row) => ({
    country: row.country,
    name: countryName(row.country),
    sessions: row.sessions,
    sources: row.sources,
    share: located === 0 ? 0 : row.sessions / located,
    topPorts: ranking.ports
      .filter((port) => port.country === row.country)
      .map((port) => ({
        rank: port.rank,
        port: port.port,
        service: port.service,
        registryStatus: port.registry_status,
        sessions: port.sessions,
        sources: port.sources,
        share: port.share,
        previousRank: port.previous_rank,
        newEntrant: port.new_entrant,
      })),
  }));

  const newEntrants = countries.flatMap((section) =>
    section.topPorts
      .filter((port) => port.newEntrant)
      .map((port) => ({ country: section.country, name: section.name, port: port.port, service: port.service, rank: port.rank, sources: port.sources })),
  );

  const reasons = new Map<string, number>();
  const skipped = new Map<string, number>();
  for (const file of files) {
    for (const [reason, rows] of Object.entries(file.reasons)) reasons.set(reason, (reasons.get(reason) ?? 0) + rows);
    for (const [kind, records] of Object.entries(file.skipped)) skipped.set(kind, (skipped.get(kind) ?? 0) + records);
  }

  return {
    client: { id: inputs.client.id, name: inputs.client.name },
    title: inputs.config.brief.title,
    organisation: inputs.config.brief.organisation ?? null,
    tlp: inputs.client.tlp,
    week: week.id,
    weekStart: isoDate(week.start),
    weekEnd: isoDate(new Date(week.end.getTime() - 86_400_000)),
    previousWeek: inputs.previous.id,
    comparisonAvailable: ranking.comparisonAvailable,
    generatedAt: inputs.generatedAt.toISOString(),
    database: inputs.database,
    registry: { name: REGISTRY_NAME, updated: inputs.registryUpdated },
    totals: sumTotals(files),
    files,
    rejectReasons: [...reasons.entries()]
      .map(([reason, rows]) => ({ reason, rows }))
      .sort((a, b) => b.rows - a.rows || a.reason.localeCompare(b.reason)),
    skippedRecords: [...skipped.entries()]
      .map(([kind, records]) => ({ kind, records }))
      .sort((a, b) => b.records - a.records || a.kind.localeCompare(b.kind)),
    damagedFiles: files.filter((file) => file.damage !== null).map((file) => ({ file: file.file, damage: file.damage! })),
    weekTotals: {
      sessions: ranking.byStatus.reduce((sum, row) => sum + row.sessions, 0),
      located,
      countries: ranking.countryCount,
      byStatus: ranking.byStatus,
    },
    portsShown: inputs.config.top.ports,
    countries,
    newEntrants,
    archiveWeeks: archive.weeks.map((row) => row.week),
  };
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
