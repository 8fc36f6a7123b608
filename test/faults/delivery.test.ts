import { type AddressInfo, type Socket, createServer } from 'node:net';
import path from 'node:path';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { Ledger } from '../../src/deliver/ledger.js';
import { EXIT, PortbriefError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { runWeekly } from '../../src/weekly.js';
import { PLAIN_SMTP_OPTIONS, startSmtpServer } from '../helpers/smtp.js';
import { printerForFile } from '../helpers/printer.js';
import { tempDir } from '../helpers/temp.js';
import { freshStateDir, twoClientConfig, writeTwoClientArchive } from '../helpers/two-clients.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const dir = tempDir();
const archive = writeTwoClientArchive(dir);
const printer = printerForFile();

async function runAgainst(port: number) {
  const state = freshStateDir();
  const config = validateConfig(twoClientConfig(archive, tempDir(), state, port), path.join(dir, 'portbrief.yaml'));
  const result = await runWeekly({ config, week: '2025-W08', now: NOW, log: silentLogger(), printer: printer() });
  const ledger = await Ledger.open(state);
  // The ledger records a 'sending' entry before each message and its outcome after it.
  const history = (await ledger.history()).filter((entry) => entry.status !== 'sending');
  ledger.close();
  return { result, history };
}

/**
 * Starts an SMTP server on 127.0.0.1 that closes the connection while the
 * first message's data arrives, and accepts every later message.
 */
async function startDroppingServer(): Promise<{ port: number; dropped: number; accepted: number; close(): Promise<void> }> {
  const counts = { dropped: 0, accepted: 0 };
  const server: SMTPServer = new SMTPServer({
    ...PLAIN_SMTP_OPTIONS,
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      if (counts.dropped === 0) {
        counts.dropped++;
        // smtp-server keeps no public handle on the socket, so find the connection that owns this session.
        const connections = (server as unknown as { connections: Set<{ session: SMTPServerSession; _socket: { destroy(): void } }> }).connections;
        [...connections].find((connection) => connection.session === session)!._socket.destroy();
        return;
      }
      stream.resume();
      stream.on('end', () => {
        counts.accepted++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    get dropped() {
      return counts.dropped;
    },
    get accepted() {
      return counts.accepted;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('delivery faults', () => {
  it('times out a server that stalls after DATA', async () => {
    const state = freshStateDir();
    const output = tempDir();
    const runAt = async (port: number) => {
      const raw = twoClientConfig(archive, output, state, port, { timeoutMs: 1000, attempts: 2 });
      return runWeekly({ config: validateConfig(raw, path.join(dir, 'portbrief.yaml')), week: '2025-W08', now: NOW, log: silentLogger(), printer: printer() });
    };
    const stalling = await startSmtpServer(() => 'hold');
    let first;
    try {
      first = await runAt(stalling.port);
    } finally {
      await stalling.close();
    }

    expect(first.exitCode).toBe(EXIT.partialDelivery);
    const timeout = `Timeout: the SMTP server 127.0.0.1:${stalling.port} did not reply within 1000 ms (mail.timeoutMs)`;
    expect(first.clients.map((client) => [client.client, client.delivery?.status, client.delivery?.error])).toEqual([
      ['alpha', 'failed', `${timeout} (after 2 attempts)`],
      ['beta', 'failed', `${timeout} (after 2 attempts)`],
    ]);
    expect(stalling.held).toBe(4);
    const ledger = await Ledger.open(state);
    const outcomes = (await ledger.history()).filter((entry) => entry.status !== 'sending');
    ledger.close();
    expect(outcomes.map((entry) => [entry.client, entry.status, entry.attempts, entry.error])).toEqual([
      ['alpha', 'failed', 2, timeout],
      ['beta', 'failed', 2, timeout],
    ]);

    // The ledger shows both unsent, so the rerun sends each once, and a third run sends nothing.
    const server = await startSmtpServer();
    try {
      const second = await runAt(server.port);
      expect(second.exitCode).toBe(EXIT.ok);
      expect(second.clients.map((client) => client.delivery?.status)).toEqual(['sent', 'sent']);
      const third = await runAt(server.port);
      expect(third.clients.map((client) => client.delivery?.status)).toEqual(['already-sent', 'already-sent']);
      expect(server.received.map((mail) => mail.envelopeTo.sort().join(' '))).toEqual(['ciso@alpha.example soc@alpha.example', 'security@beta.example']);
    } finally {
      await server.close();
    }
  });


  it('times out a server that never greets', async () => {
    // A plain TCP server on 127.0.0.1 that accepts connections and never writes a byte.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    let result;
    try {
      const raw = twoClientConfig(archive, tempDir(), freshStateDir(), port, { timeoutMs: 500, attempts: 2 });
      result = await runWeekly({ config: validateConfig(raw, path.join(dir, 'portbrief.yaml')), week: '2025-W08', now: NOW, log: silentLogger(), printer: printer() });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }

    expect(result.exitCode).toBe(EXIT.partialDelivery);
    const timeout = `Timeout: the SMTP server 127.0.0.1:${port} did not reply within 500 ms (mail.timeoutMs) (after 2 attempts)`;
    expect(result.clients.map((client) => [client.client, client.delivery?.status, client.delivery?.error])).toEqual([
      ['alpha', 'failed', timeout],
      ['beta', 'failed', timeout],
    ]);
  });

  it('stops trying once the server refuses connections, and the rerun sends every client', async () => {
    // A port on 127.0.0.1 that nothing listens on: bound, then closed.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const state = freshStateDir();
    const output = tempDir();
    const runAt = (at: number) =>
      runWeekly({ config: validateConfig(twoClientConfig(archive, output, state, at, { attempts: 2 }), path.join(dir, 'portbrief.yaml')), week: '2025-W08', now: NOW, log: silentLogger(), printer: printer() });

    const first = await runAt(port);

    expect(first.exitCode).toBe(EXIT.partialDelivery);
    const refused = `connect ECONNREFUSED 127.0.0.1:${port}: cannot reach the SMTP server 127.0.0.1:${port} (mail.host, mail.port) (after 2 attempts)`;
    expect(first.clients.map((client) => [client.client, client.delivery?.error])).toEqual([
      ['alpha', refused],
      ['beta', `not tried: the mail server could not be reached for client alpha (${refused}). Rerun once it is reachable.`],
    ]);
    const ledger = await Ledger.open(state);
    const outcomes = (await ledger.history()).filter((entry) => entry.status !== 'sending');
    ledger.close();
    expect(outcomes.map((entry) => [entry.client, entry.status, entry.attempts])).toEqual([
      ['alpha', 'failed', 2],
      ['beta', 'failed', 0],
    ]);

    const server = await startSmtpServer();
    try {
      const second = await runAt(server.port);
      expect(second.clients.map((client) => client.delivery?.status)).toEqual(['sent', 'sent']);
      expect(server.received).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('fails a 552 reply without retrying', async () => {
    const server = await startSmtpServer((_, to) => (to.includes('soc@alpha.example') ? { code: 552, text: 'message size exceeds fixed maximum' } : undefined));
    try {
      const { result, history } = await runAgainst(server.port);
      expect(result.exitCode).toBe(EXIT.partialDelivery);
      expect(result.clients.map((client) => client.delivery?.status)).toEqual(['failed', 'sent']);
      expect(result.clients[0].delivery?.error).toContain('552');
      expect(server.rejected).toBe(1);
      expect(history.map((entry) => [entry.client, entry.status, entry.attempts])).toEqual([
        ['alpha', 'failed', 1],
        ['beta', 'sent', 1],
      ]);
    } finally {
      await server.close();
    }
  });

  it('retries a connection dropped mid-message', async () => {
    const server = await startDroppingServer();
    try {
      const { result, history } = await runAgainst(server.port);
      expect(result.exitCode).toBe(EXIT.ok);
      expect(server.dropped).toBe(1);
      expect(server.accepted).toBe(2);
      expect(history.map((entry) => [entry.client, entry.status, entry.attempts])).toEqual([
        ['alpha', 'sent', 2],
        ['beta', 'sent', 1],
      ]);
    } finally {
      await server.close();
    }
  });

  it.each([['soc@alpha.example\rBcc: x@y.example'], ['soc@alpha.example\nBcc: x@y.example']])('rejects the recipient %j at config load', (address) => {
    const raw = twoClientConfig(archive, dir, dir, 25);
    raw.clients[0].recipients.to = [address];
    expect(() => validateConfig(raw, 'pb.yaml')).toThrow(PortbriefError);
    expect(() => validateConfig(raw, 'pb.yaml')).toThrow(/^pb\.yaml: clients\[0\]\.recipients\.to\[0\]: must not contain CR or LF/);
  });
});
