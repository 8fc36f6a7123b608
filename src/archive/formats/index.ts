import type { ResolvedSource } from '../source.js';
import { jsonRead } from './json.js';
import type { PreGroup, SourceRead } from './sql.js';
import { syslogRead } from './syslog.js';
import { tableRead } from './tabular.js';
import { zeekRead } from './zeek.js';

/** Builds the SQL that reads a resolved source into the raw session columns, grouped in the reader where `preGroup` allows (see rawSelect). */
export function readSource(source: ResolvedSource, configFile: string, preGroup?: PreGroup): SourceRead {
  switch (source.format) {
    case 'csv':
    case 'parquet':
    case 'lake':
      return tableRead(source, preGroup);
    case 'zeek':
      return zeekRead(source, configFile);
    case 'json':
    case 'zeek-json':
    case 'suricata':
      return jsonRead(source);
    case 'syslog-ufw':
      return syslogRead(source, configFile);
  }
}
