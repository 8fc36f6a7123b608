import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import { DATA_DIR } from '../paths.js';

const noteSchema = z
  .object({
    port: z.number().int().min(0).max(65535),
    proto: z.enum(['tcp', 'udp', 'any']).default('any'),
    service: z.string().min(1).optional(),
    note: z.string().min(1).optional(),
    tags: z.array(z.string().min(1)).default([]),
    references: z.array(z.string().min(1)).default([]),
  })
  .strict();

const notesFileSchema = z.object({ notes: z.array(noteSchema) }).strict();

export type PortNote = z.infer<typeof noteSchema>;

export const SHIPPED_NOTES = path.join(DATA_DIR, 'port-notes.yaml');

/**
 * Reads the analyst notes file. Rankings count a port over every protocol,
 * so a port's note is its TCP or protocol-independent entry, else its UDP one.
 */
export async function loadPortNotes(file = SHIPPED_NOTES): Promise<Map<number, PortNote>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PortbriefError(`Cannot read the port notes file ${file}: ${messageOf(error)}. Fix analysis.notes in the config.`, {
      exitCode: EXIT.usage,
      cause: error,
    });
  }

  const document = parseDocument(text);
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const where = first.linePos ? `:${first.linePos[0].line}:${first.linePos[0].col}` : '';
    throw new PortbriefError(`${file}${where}: invalid YAML: ${first.message.split('\n')[0]}`, { exitCode: EXIT.usage });
  }
  const parsed = notesFileSchema.safeParse(document.toJS());
  if (!parsed.success) {
    // A misspelt key also leaves a required one missing; the misspelling is the clearer report.
    const issue = parsed.error.issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? parsed.error.issues[0];
    const key = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('').replace(/^\./, '');
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((name) => `'${name}'`).join(', ')}; ${issue.path.length === 0 ? 'the file holds only notes' : `a note's keys are ${Object.keys(noteSchema.shape).join(', ')}`}`
        : issue.message;
    throw new PortbriefError(`${file}: ${key || '(top level)'}: ${message}`, { exitCode: EXIT.usage });
  }

  const notes = new Map<number, PortNote>();
  for (const note of parsed.data.notes) {
    const current = notes.get(note.port);
    if (!current || (current.proto === 'udp' && note.proto !== 'udp')) notes.set(note.port, note);
  }
  return notes;
}
