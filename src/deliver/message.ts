import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import type { Brief } from '../brief.js';
import type { Client, MailConfig } from '../config/load.js';
import { PortbriefError, messageOf } from '../errors.js';
import { registerHelpers } from '../render/helpers.js';
import { findingLists } from '../render/brief-html.js';
import { annotatePartialErrors, compileFile, firstExisting } from '../render/templates.js';

/** A message ready for nodemailer: headers, bodies and the PDF attachment. */
export interface BriefMessage {
  /** The Message-ID header, with angle brackets; kept in the ledger before sending. */
  messageId: string;
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/** The brief's partials that the mail bodies can use. */
const MAIL_PARTIALS = ['finding', 'sensor-gap'];

export interface MessageTemplates {
  text: (brief: Brief) => string;
  html: (brief: Brief) => string;
}

/**
 * Compiles the mail body templates, email/body.txt.hbs and email/body.html.hbs.
 * `folders` are template folders, most specific first, as for the brief: each
 * file comes from the first folder that has it. The bodies can use the
 * brief's partials in MAIL_PARTIALS, so a finding or a sensor gap reads the
 * same in mail and PDF.
 */
export async function loadMessageTemplates(folders: string[]): Promise<MessageTemplates> {
  const partials = await Promise.all(
    MAIL_PARTIALS.map(async (name) => {
      const file = await firstExisting(folders, path.join('partials', `${name}.hbs`));
      return { name, file, source: await readMailTemplate(file) };
    }),
  );
  const compile = async (name: string, noEscape: boolean) => {
    // Each body gets its own Handlebars with its own copy of the partials, because escaping is set per compiled template.
    const handlebars = Handlebars.create();
    registerHelpers(handlebars);
    for (const partial of partials) {
      handlebars.registerPartial(partial.name, annotatePartialErrors(compileFile(handlebars, partial.file, partial.source, new Set(), { noEscape }), partial.file));
    }
    const file = await firstExisting(folders, path.join('email', name));
    const body = compileFile(handlebars, file, await readMailTemplate(file), new Set(MAIL_PARTIALS), { noEscape });
    // The bodies get the same finding lists as the brief's templates.
    return (brief: Brief) => body({ ...brief, ...findingLists(brief) });
  };
  return { text: await compile('body.txt.hbs', true), html: await compile('body.html.hbs', false) };
}

async function readMailTemplate(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new PortbriefError(`Cannot read mail template ${file}: ${messageOf(error)}. Restore it or fix the template folder.`, { cause: error });
  }
}

/**
 * Builds one client's message, with a new Message-ID unless `messageId` gives
 * one. Every header value comes from the validated config (no CR or LF), from
 * fixed text or from randomUUID, so archive data never reaches a header. It
 * appears only in the escaped HTML body, the text body and the PDF.
 */
export function composeMessage(
  mail: MailConfig,
  client: Client,
  brief: Brief,
  pdf: Buffer,
  templates: MessageTemplates,
  messageId: string = newMessageId(mail.from),
): BriefMessage {
  if (!client.recipients) throw new Error(`client ${client.id} has no recipients`);
  const subject = mail.subject.replaceAll('{client}', client.name).replaceAll('{week}', brief.week);
  return {
    messageId,
    from: mail.from,
    to: client.recipients.to,
    cc: client.recipients.cc,
    subject,
    text: templates.text(brief),
    html: templates.html(brief),
    attachments: [{ filename: `portbrief-${client.id}-${brief.week}.pdf`, content: pdf, contentType: 'application/pdf' }],
  };
}

/** Makes a Message-ID on the sender's domain, as nodemailer does when none is given. */
export function newMessageId(from: string): string {
  const [sender] = addressparser(from, { flatten: true });
  const domain = sender?.address.split('@')[1] || 'portbrief.invalid';
  return `<${randomUUID()}@${domain}>`;
}

/**
 * Estimates the size of a message on the wire: base64 turns every 3 bytes
 * into 4 characters, plus CRLF after each 76, and the bodies and headers add
 * a few kilobytes (counted with 8 KiB to spare).
 */
export function encodedSize(message: BriefMessage): number {
  const base64 = (bytes: number) => Math.ceil(bytes / 3) * 4 * (78 / 76);
  const attachments = message.attachments.reduce((sum, attachment) => sum + base64(attachment.content.length), 0);
  return Math.ceil(attachments + Buffer.byteLength(message.text) * 1.1 + Buffer.byteLength(message.html) * 1.1 + 8192);
}

/**
 * Hashes a brief's content for the delivery ledger. The generation time is
 * left out, so a rerun that reproduces the same brief has the same hash.
 */
export function briefHash(brief: Brief): string {
  const { generatedAt: _generatedAt, ...content } = brief;
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}
