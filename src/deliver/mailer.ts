import nodemailer, { type Transporter } from 'nodemailer';
import type { MailConfig } from '../config/load.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { BriefMessage } from './message.js';

/** Sends one message and returns its Message-ID. */
export type SendMail = (message: BriefMessage) => Promise<string>;

/** Creates an SMTP sender from the mail config (password from the environment variable it names). */
export function smtpSender(mail: MailConfig & { password?: string }): { send: SendMail; close(): void } {
  const transport: Transporter = nodemailer.createTransport({
    host: mail.host,
    port: mail.port,
    secure: mail.security === 'tls',
    requireTLS: mail.security === 'starttls',
    ignoreTLS: mail.security === 'none',
    auth: mail.user ? { user: mail.user, pass: mail.password ?? '' } : undefined,
    connectionTimeout: mail.timeoutMs,
    greetingTimeout: mail.timeoutMs,
    socketTimeout: mail.timeoutMs,
  });
  return {
    send: async (message) => {
      try {
        return (await transport.sendMail(message)).messageId as string;
      } catch (error) {
        // nodemailer's message is only 'Timeout' or 'Connection timeout'. The code stays, so the send is retried as temporary.
        if ((error as { code?: string }).code === 'ETIMEDOUT' && error instanceof Error) {
          error.message = `${error.message}: the SMTP server ${mail.host}:${mail.port} did not reply within ${mail.timeoutMs} ms (mail.timeoutMs)`;
        } else if (isUnreachable(error) && error instanceof Error) {
          error.message = `${error.message}: cannot reach the SMTP server ${mail.host}:${mail.port} (mail.host, mail.port)`;
        }
        throw error;
      }
    },
    close: () => transport.close(),
  };
}

/** Renders a message to RFC 5322 bytes (an .eml file) without sending it. */
export async function renderEml(message: BriefMessage): Promise<{ eml: Buffer; messageId: string }> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await transport.sendMail(message);
  return { eml: info.message as Buffer, messageId: info.messageId as string };
}

/**
 * Tells whether a send failed to connect at all: the connection was refused
 * or reset, or the host name did not resolve. Every other message of the run
 * would fail the same way. Timeouts are left out: nodemailer reports a
 * server that stalls mid-message with the same command as one that never
 * replies, and a stall may concern that one message only.
 */
export function isUnreachable(error: unknown): boolean {
  const { command, code } = error as { command?: string; code?: string };
  return command === 'CONN' && code !== 'ETIMEDOUT';
}

/** Tells whether an SMTP error is permanent (a 5xx reply such as message too big or mailbox unknown), so retrying cannot help. */
export function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export interface RetryPolicy {
  attempts: number;
  /** Delay before the second attempt; each later one waits twice as long. */
  retryDelayMs: number;
}

/**
 * Sends with retries and exponential backoff for temporary failures
 * (connection refused or dropped, timeouts, 4xx replies). Returns the
 * Message-ID and the attempts used; throws the last error with `attempts` set.
 */
export async function sendWithRetry(
  send: SendMail,
  message: BriefMessage,
  policy: RetryPolicy,
  log: Logger,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<{ messageId: string; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { messageId: await send(message), attempts: attempt };
    } catch (error) {
      const last = attempt >= policy.attempts || isPermanent(error);
      log.warn({ attempt, of: policy.attempts, permanent: isPermanent(error), err: messageOf(error) }, last ? 'sending failed' : 'sending failed, will retry');
      if (last) throw Object.assign(error instanceof Error ? error : new Error(String(error)), { attempts: attempt });
      await sleep(policy.retryDelayMs * 2 ** (attempt - 1));
    }
  }
}
