import path from 'node:path';
import type { Brief } from '../brief.js';
import type { Client, Config } from '../config/load.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { Ledger } from './ledger.js';
import { type SendMail, isUnreachable, renderEml, sendWithRetry } from './mailer.js';
import { type BriefMessage, type MessageTemplates, briefHash, composeMessage, encodedSize } from './message.js';
import { OUTBOX_FOLDER, rejectLinkedFolders, writeFileAtomic } from './publish.js';

export interface DeliveryJob {
  client: Client;
  brief: Brief;
  pdf: Buffer;
  /** The mail body templates of the client's template folders. */
  templates: MessageTemplates;
}

export type DeliveryStatus =
  | 'sent'
  | 'dry-run'
  | 'already-sent'
  | 'changed-since-sent'
  | 'no-recipients'
  | 'mail-not-configured'
  | 'failed';

export interface DeliveryOutcome {
  client: string;
  status: DeliveryStatus;
  messageId?: string;
  /** The .eml written by a dry run. */
  file?: string;
  error?: string;
  /** The SMTP server could not be reached at all, so the clients after this one are not tried. */
  unreachable?: boolean;
}

export interface DeliveryContext {
  config: Config;
  log: Logger;
  runId: string;
  now: () => Date;
  dryRun: boolean;
  resend: boolean;
  /** Needed unless dryRun. */
  ledger?: Ledger;
  send?: SendMail;
}

/** Mails each client its brief, or writes it to the outbox in a dry run. A client's failure stops the others only when the server cannot be reached at all. */
export async function deliverBriefs(jobs: DeliveryJob[], context: DeliveryContext): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  // Once the server cannot be reached after every attempt for one client, the
  // others are not tried: with 20 clients the retries would take minutes and
  // end the same way. The ledger shows them unsent, so the rerun sends them.
  let unreachable: DeliveryOutcome | undefined;
  for (const job of jobs) {
    const log = context.log.child({ client: job.client.id });
    let outcome: DeliveryOutcome;
    try {
      outcome = await deliverOne(job, context, log, unreachable);
    } catch (error) {
      outcome = { client: job.client.id, status: 'failed', error: messageOf(error) };
    }
    if (outcome.unreachable) unreachable ??= outcome;
    if (outcome.status === 'failed') log.error({ err: outcome.error }, 'brief not delivered');
    else log.info({ status: outcome.status, messageId: outcome.messageId, file: outcome.file }, 'delivery');
    outcomes.push(outcome);
  }
  return outcomes;
}

/** Delivers one client's brief; `unreachable`, the outcome of an earlier client whose server could not be reached, makes it record a failure instead of sending. */
async function deliverOne(job: DeliveryJob, context: DeliveryContext, log: Logger, unreachable?: DeliveryOutcome): Promise<DeliveryOutcome> {
  const { client, brief } = job;
  const { config } = context;
  if (!client.recipients) return { client: client.id, status: 'no-recipients' };
  if (!config.mail) return { client: client.id, status: 'mail-not-configured' };

  if (context.dryRun) {
    const message = composeMessage(config.mail, client, brief, job.pdf, job.templates);
    const oversize = checkSize(client, message, config.mail.maxMessageBytes);
    if (oversize) return oversize;
    const { eml, messageId } = await renderEml(message);
    const file = path.join(config.outbox, brief.week, `${client.id}.eml`);
    await rejectLinkedFolders(config.outbox, path.dirname(file), OUTBOX_FOLDER);
    await writeFileAtomic(file, eml, OUTBOX_FOLDER);
    return { client: client.id, status: 'dry-run', messageId, file };
  }

  const ledger = context.ledger!;
  const sha = briefHash(brief);
  const prior = await ledger.prior(client.id, brief.week);
  if (!context.resend && prior.kind === 'sent') {
    if (prior.record.briefSha256 === sha) return { client: client.id, status: 'already-sent', messageId: prior.record.messageId ?? undefined };
    log.warn({ sentAt: prior.record.at }, 'the brief changed since it was sent; not sending again (use --resend to send the new one)');
    return { client: client.id, status: 'changed-since-sent', messageId: prior.record.messageId ?? undefined };
  }
  // A run killed after its 'sending' record and before the outcome leaves it unknown. The server most
  // likely never accepted the message, because the ledger records 'sent' right after its reply.
  // Sending again under the same Message-ID lets mail clients see a copy that did arrive as one message.
  let messageId: string | undefined;
  if (!context.resend && prior.kind === 'unknown') {
    messageId = prior.record.messageId ?? undefined;
    log.warn(
      { startedAt: prior.record.at, runId: prior.record.runId, messageId },
      'an earlier run was stopped while sending this brief; sending it again with the same Message-ID',
    );
  }
  const message = composeMessage(config.mail, client, brief, job.pdf, job.templates, messageId);
  const oversize = checkSize(client, message, config.mail.maxMessageBytes);
  if (oversize) return oversize;

  const entry = { client: client.id, week: brief.week, briefSha256: sha, runId: context.runId };
  if (unreachable) {
    const error = `not tried: the mail server could not be reached for client ${unreachable.client} (${unreachable.error}). Rerun once it is reachable.`;
    await ledger.record({ ...entry, messageId: null, status: 'failed', attempts: 0, error }, context.now());
    return { client: client.id, status: 'failed', error };
  }
  await ledger.record({ ...entry, messageId: message.messageId, status: 'sending', attempts: 0, error: null }, context.now());
  try {
    const { messageId, attempts } = await sendWithRetry(context.send!, message, config.mail, log);
    await ledger.record({ ...entry, messageId, status: 'sent', attempts, error: null }, context.now());
    return { client: client.id, status: 'sent', messageId };
  } catch (error) {
    const attempts = (error as { attempts?: number }).attempts ?? 1;
    await ledger.record({ ...entry, messageId: null, status: 'failed', attempts, error: messageOf(error) }, context.now());
    return {
      client: client.id,
      status: 'failed',
      error: `${messageOf(error)} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
      unreachable: isUnreachable(error),
    };
  }
}

/** Returns a failed outcome when the encoded message would exceed the server's size limit, else undefined. */
function checkSize(client: Client, message: BriefMessage, maxMessageBytes: number): DeliveryOutcome | undefined {
  const size = encodedSize(message);
  if (size <= maxMessageBytes) return undefined;
  return {
    client: client.id,
    status: 'failed',
    error: `the message would be about ${size} bytes encoded, over mail.maxMessageBytes (${maxMessageBytes}). Raise the limit if the server allows it, or show fewer countries.`,
  };
}
