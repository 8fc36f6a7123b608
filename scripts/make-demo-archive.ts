/**
 * Builds demo/tpot-2025.csv.gz, the bundled demo archive, from the T-Pot
 * honeypot exports of the UQO-Biolab/ml_ids repository (Unlicense). Each
 * record keeps its original time text, source address, destination port and
 * transport protocol, with the honeypot's name as the sensor; placeholder
 * records are kept too, so the demo shows how they are rejected.
 *
 * Usage: node --import tsx scripts/make-demo-archive.ts <folder with the three .json.gz exports>
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Database, sqlString } from '../src/db.js';

interface Row {
  time: string;
  srcIp: string;
  dstPort: string;
  proto: string;
  sensor: string;
}

/** Reads a JSON array written one object per line, tolerating a stray line holding only ','. */
function arrayLines(file: string): Array<Record<string, unknown>> {
  const records: Array<Record<string, unknown>> = [];
  for (const rawLine of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    const line = rawLine.trim().replace(/^\[/, '').replace(/\]$/, '').replace(/,$/, '').trim();
    if (line === '' || line === ',') continue;
    records.push(JSON.parse(line) as Record<string, unknown>);
  }
  return records;
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

function honeytrap(folder: string): Row[] {
  const data = JSON.parse(gunzipSync(readFileSync(path.join(folder, 'honeytrap_5k.json.gz'))).toString('utf8')) as {
    attacks: Array<Record<string, any>>;
  };
  return data.attacks.map((record) => ({
    time: text(record['@timestamp']),
    srcIp: text(record.attack_connection?.remote_ip),
    dstPort: text(record.attack_connection?.local_port),
    proto: text(record.attack_connection?.protocol),
    sensor: 'honeytrap',
  }));
}

function dionaea(folder: string): Row[] {
  return arrayLines(path.join(folder, 'dioneae_20k.json.gz')).map((record: Record<string, any>) => ({
    time: text(record.timestamp),
    srcIp: text(record.src_ip),
    dstPort: text(record.dst_port),
    proto: text(record.connection?.transport),
    sensor: 'dionaea',
  }));
}

function heralding(folder: string): Row[] {
  // Heralding's protocol field names the service (vnc, imap); every service it emulates runs over TCP.
  return arrayLines(path.join(folder, 'heralding_82k.json.gz')).map((record: Record<string, any>) => ({
    time: text(record.timestamp),
    srcIp: text(record.source_ip),
    dstPort: text(record.destination_port),
    proto: 'tcp',
    sensor: 'heralding',
  }));
}

async function main(folder: string, output: string): Promise<void> {
  const rows = [...honeytrap(folder), ...dionaea(folder), ...heralding(folder)];
  const db = await Database.open();
  try {
    await db.run('CREATE TABLE demo (timestamp VARCHAR, src_ip VARCHAR, dst_port VARCHAR, proto VARCHAR, sensor VARCHAR)');
    const appender = await db.connection.createAppender('demo');
    for (const row of rows) {
      appender.appendVarchar(row.time);
      appender.appendVarchar(row.srcIp);
      appender.appendVarchar(row.dstPort);
      appender.appendVarchar(row.proto);
      appender.appendVarchar(row.sensor);
      appender.endRow();
    }
    appender.closeSync();
    await db.run(`COPY (SELECT * FROM demo ORDER BY sensor, timestamp, src_ip, dst_port) TO ${sqlString(output)} (FORMAT csv, HEADER, COMPRESSION gzip)`);
  } finally {
    db.close();
  }
  process.stdout.write(`${output}: ${rows.length} rows\n`);
}

const [folder, output = 'demo/tpot-2025.csv.gz'] = process.argv.slice(2);
if (!folder) {
  process.stderr.write('usage: make-demo-archive.ts <folder with honeytrap_5k.json.gz, dioneae_20k.json.gz, heralding_82k.json.gz> [output]\n');
  process.exit(2);
}
await main(folder, output);
