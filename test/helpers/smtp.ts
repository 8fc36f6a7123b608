import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';

export interface ReceivedMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  port: number;
  received: ReceivedMail[];
  /** Messages the server rejected with an error reply, counted per attempt. */
  rejected: number;
  /** Messages whose data the server took without ever replying, counted per attempt. */
  held: number;
  /** Resolves once `count` messages have been held. */
  waitForHeld(count: number): Promise<void>;
  /** Accepts every message held so far, as if the server had only been slow. */
  releaseHeld(): Promise<void>;
  close(): Promise<void>;
}

/** A message's fate: undefined accepts it, a code and text reject it with that SMTP reply, 'hold' never replies. */
export type SmtpAnswer = { code: number; text: string } | 'hold' | undefined;

/** Options of an SMTP server on 127.0.0.1 with no TLS or authentication. */
export const PLAIN_SMTP_OPTIONS = { secure: false, authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false };

/**
 * Starts a real SMTP server on 127.0.0.1 with no TLS or authentication.
 * `answer` decides each message's fate once its data has arrived.
 */
export async function startSmtpServer(answer: (attempt: number, to: string[]) => SmtpAnswer = () => undefined): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let attempts = 0;
  const state = { rejected: 0, held: 0 };
  const heldWaiters: Array<{ count: number; resolve: () => void }> = [];
  const heldMessages: Array<{ to: string[]; data: Buffer; callback: () => void }> = [];

  const server = new SMTPServer({
    ...PLAIN_SMTP_OPTIONS,
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        attempts++;
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        const rejection = answer(attempts, to);
        if (rejection === 'hold') {
          heldMessages.push({ to, data: Buffer.concat(chunks), callback: () => callback() });
          state.held++;
          for (const waiter of heldWaiters.filter((entry) => state.held >= entry.count)) waiter.resolve();
          return;
        }
        if (rejection) {
          state.rejected++;
          callback(Object.assign(new Error(rejection.text), { responseCode: rejection.code }));
          return;
        }
        received.push({ envelopeTo: to, parsed: await simpleParser(Buffer.concat(chunks)) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    get rejected() {
      return state.rejected;
    },
    get held() {
      return state.held;
    },
    waitForHeld: (count) => (state.held >= count ? Promise.resolve() : new Promise<void>((resolve) => heldWaiters.push({ count, resolve }))),
    async releaseHeld() {
      for (const message of heldMessages.splice(0)) {
        received.push({ envelopeTo: message.to, parsed: await simpleParser(message.data) });
        message.callback();
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
