import { type ArchiveLoad, type FileQuality, sumTotals } from '../archive/load.js';
import type { Brief, CountrySection } from '../brief.js';
import type { Client, Config } from '../config/load.js';
import type { DatabaseInfo } from '../enrich/database-info.js';
import { geoStatusLabel } from '../enrich/geo-status.js';
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
  /** The country database, then the ASN database when one is configured. */
  databases: DatabaseInfo[];
  databaseWarnings: string[];
  registryUpdated: string | null;
  archive: ArchiveLoad;
  ranking: WeekRanking;
}

/** Assembles the brief model from the stage results. Pure: no I/O, so tests can build one from fixed inputs. */
export function buildBrief(inputs: BriefInputs): Brief {
  const { week, ranking, archive, files } = inputs;
  const located = ranking.byStatus.find((row) => row.status === 'country')?.sessions ?? 0;
  const weekSessions = ranking.byStatus.reduce((sum, row) => sum + row.sessions, 0);
  const withNetworks = inputs.databases.some((database) => database.role === 'asn');

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
        networks: ranking.networks
          .filter((network) => network.country === row.country && network.port === port.port)
          .map((network) => ({
            asn: network.asn,
            organisation: network.organisation,
            sessions: network.sessions,
            sources: network.sources,
            share: network.share,
          })),
      })),
  }));

  const newEntrants = countries.flatMap((section) =>
    section.topPorts
      .filter((port) => port.newEntrant)
      .map((port) => ({ country: section.country, name: section.name, port: port.port, service: port.service, rank: port.rank, sources: port.sources })),
  );

  const reasons = new Map<string, number>();
  for (const file of files) {
    for (const [reason, rows] of Object.entries(file.reasons)) reasons.set(reason, (reasons.get(reason) ?? 0) + rows);
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
    databases: inputs.databases,
    databaseWarnings: inputs.databaseWarnings,
    registry: { name: REGISTRY_NAME, updated: inputs.registryUpdated },
    totals: sumTotals(files),
    files,
    rejectReasons: [...reasons.entries()]
      .map(([reason, rows]) => ({ reason, rows }))
      .sort((a, b) => b.rows - a.rows || a.reason.localeCompare(b.reason)),
    weekTotals: {
      sessions: weekSessions,
      located,
      countries: ranking.countryCount,
      byStatus: ranking.byStatus.map((row) => ({
        status: row.status,
        label: geoStatusLabel(row.status),
        sessions: row.sessions,
        share: weekSessions === 0 ? 0 : row.sessions / weekSessions,
      })),
    },
    portsShown: inputs.config.top.ports,
    networksShown: withNetworks ? inputs.config.top.networks : 0,
    countries,
    newEntrants,
    archiveWeeks: archive.weeks.map((row) => row.week),
  };
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
