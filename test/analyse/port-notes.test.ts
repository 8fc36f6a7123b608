import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPortNotes } from '../../src/analyse/port-notes.js';
import { tempDir } from '../helpers/temp.js';

describe('loadPortNotes', () => {
  const dir = tempDir();

  it('reads the shipped notes with their sources', async () => {
    const notes = await loadPortNotes();
    for (const port of [23, 445, 1433, 3389, 5555, 5900, 6379, 7001, 9530, 4876]) expect(notes.get(port)?.note).toBeTruthy();
    expect(notes.get(3389)?.service).toBe('RDP');
    expect(notes.get(9530)?.references).toEqual([
      'https://habr.com/en/post/486856/',
      'https://www.zdnet.com/article/researcher-backdoor-mechanism-still-active-in-many-iot-products/',
    ]);
  });

  it('prefers the TCP note over the UDP one', async () => {
    const file = path.join(dir, 'notes.yaml');
    writeFileSync(file, 'notes:\n  - { port: 53, proto: udp, note: udp }\n  - { port: 53, proto: tcp, note: tcp }\n');
    expect((await loadPortNotes(file)).get(53)?.note).toBe('tcp');
  });

  it('names the file and key of an invalid entry', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'notes:\n  - { port: 70000, note: too high }\n');
    await expect(loadPortNotes(file)).rejects.toThrow(`${file}: notes[0].port:`);
  });

  it('names a misspelt key rather than the key it leaves missing', async () => {
    const file = path.join(dir, 'misspelt.yaml');
    writeFileSync(file, 'notes:\n  - { port: 22, service: SSH }\n  - { prot: 23, service: Telnet }\n');
    await expect(loadPortNotes(file)).rejects.toThrow(`${file}: notes[1]: unknown key 'prot'; a note's keys are port, proto, service, note, tags, references`);
  });

  it('names a missing file', async () => {
    await expect(loadPortNotes(path.join(dir, 'absent.yaml'))).rejects.toThrow('Cannot read the port notes file');
  });
});
