import { detectJsonLayout, sampleJsonRecords } from './formats/json-layout.js';
import type { FileProbe } from './probe.js';
import type { ArchiveFormat } from './source.js';

/** The formats `auto` can detect, in the order it tries them. */
export const DETECTABLE_FORMATS: ArchiveFormat[] = ['parquet', 'zeek', 'suricata', 'zeek-json', 'json', 'syslog-ufw', 'csv'];

const SYSLOG_LINE = /^(?:[A-Z][a-z]{2} +\d{1,2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+) +\S+ /;

/**
 * Detects a file's format from its first 64 KiB: parquet's magic bytes, a
 * Zeek #separator or #fields header, JSON records, syslog lines with
 * iptables' SRC= key, or a delimited header line. JSON records with
 * Suricata's event_type are suricata, with Zeek's id.orig_h zeek-json.
 * Returns null when no format fits.
 */
export function detectFormat(probe: FileProbe): ArchiveFormat | null {
  if (probe.parquet) return 'parquet';

  const lines = probe.head.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = lines.find((line) => line.trim() !== '')?.trim() ?? '';

  if (/^#(separator|fields)\s/.test(first)) return 'zeek';

  const layout = detectJsonLayout(probe.head, undefined);
  if (layout !== null) {
    const records = sampleJsonRecords(probe.head, layout);
    if (records.some((record) => 'event_type' in record && 'src_ip' in record)) return 'suricata';
    if (records.some((record) => 'id.orig_h' in record && 'ts' in record)) return 'zeek-json';
    return 'json';
  }

  if (SYSLOG_LINE.test(first) && lines.some((line) => /(^|\s)SRC=\S/.test(line))) return 'syslog-ufw';

  if (looksDelimited(lines)) return 'csv';
  return null;
}

/** Checks whether a header line and the line after it split into the same number (at least 3) of fields by one of , ; tab |. */
function looksDelimited(lines: string[]): boolean {
  const [header, row] = lines;
  if (row === undefined) return false;
  return [',', ';', '\t', '|'].some((delimiter) => {
    const columns = header.split(delimiter).length;
    return columns >= 3 && row.split(delimiter).length === columns;
  });
}
