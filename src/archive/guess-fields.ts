import type { Fields } from './source.js';

/** Names that archives commonly give each session value, most specific first. */
const CANDIDATES: Record<keyof Fields, string[]> = {
  time: ['ts', 'timestamp', '@timestamp', 'starttime', 'start_time', 'flow.start', 'datetime', 'time', 'date'],
  srcIp: ['src_ip', 'srcip', 'srcaddr', 'src_addr', 'source_ip', 'sourceip', 'saddr', 'src', 'id.orig_h', 'remote_ip', 'client_ip'],
  dstPort: ['dst_port', 'dest_port', 'dstport', 'dport', 'destination_port', 'dpt', 'id.resp_p', 'local_port', 'port'],
  proto: ['proto', 'protocol', 'transport', 'ip_proto'],
  sensor: ['sensor', 'sensor_id', 'sensorid', 'sensor_name', 'honeypot', 'observer.name'],
};

/**
 * Guesses a field mapping from the column names or JSON field paths a file
 * has, for `portbrief inspect` on a file without a config. A name matches a
 * candidate whole or by its last dotted part (attack_connection.remote_ip
 * matches remote_ip), ignoring case.
 */
export function guessFields(available: string[]): Fields {
  const fields: Fields = {};
  for (const [key, candidates] of Object.entries(CANDIDATES)) {
    for (const candidate of candidates) {
      const found =
        available.find((name) => name.toLowerCase() === candidate) ?? available.find((name) => name.toLowerCase().split('.').at(-1) === candidate);
      if (found !== undefined) {
        fields[key as keyof Fields] = found;
        break;
      }
    }
  }
  return fields;
}
