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
  close(): Promise<void>;
}

/**
 * Starts a real SMTP server on 127.0.0.1 with no TLS or authentication.
 * `answer` decides each message's fate: undefined accepts it, an error with
 * responseCode rejects it with that SMTP reply.
 */
export async function startSmtpServer(answer: (attempt: number, to: string[]) => { code: number; text: string } | undefined = () => undefined): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let attempts = 0;
  const state = { rejected: 0 };

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        attempts++;
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        const rejection = answer(attempts, to);
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
