import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import { registerHelpers } from './helpers.js';

/** A compiled brief template set: the main template with its partials, helpers and styles. */
export interface BriefTemplates {
  render(context: object): string;
  styles: string;
  chartsDir: string;
}

const MAIN = 'brief.hbs';

/**
 * Compiles brief.hbs with every partial in partials/ (a partial's name is
 * its file name without .hbs). `dirs` are template folders, most specific
 * first (a client's override folder, the deployment's, the shipped one):
 * each file is taken from the first folder that has it, so an override
 * folder holds only the files it changes. Syntax errors name the file and line.
 */
export async function loadTemplates(dirs: string | string[]): Promise<BriefTemplates> {
  const folders = typeof dirs === 'string' ? [dirs] : dirs;
  for (const folder of folders.slice(0, -1)) await requireFolder(folder);

  const handlebars = Handlebars.create();
  registerHelpers(handlebars);

  const partials = new Map<string, string>();
  for (const folder of [...folders].reverse()) {
    for (const name of await listPartials(path.join(folder, 'partials'))) partials.set(name, path.join(folder, 'partials', name));
  }
  for (const [name, file] of [...partials.entries()].sort()) {
    handlebars.registerPartial(name.slice(0, -'.hbs'.length), compileFile(handlebars, file, await readTemplate(file)));
  }

  const mainFile = await firstExisting(folders, MAIN);
  const main = compileFile(handlebars, mainFile, await readTemplate(mainFile));
  const styles = await readTemplate(await firstExisting(folders, 'brief.css'));
  const chartsDir = path.dirname(await firstExisting(folders, path.join('charts', 'top-ports.vl.json')));

  return {
    styles,
    chartsDir,
    render(context: object): string {
      try {
        return main(context);
      } catch (error) {
        throw new PortbriefError(`Template ${mainFile} (or a partial it uses) failed: ${messageOf(error)}`, { cause: error });
      }
    },
  };
}

async function requireFolder(folder: string): Promise<void> {
  try {
    if ((await stat(folder)).isDirectory()) return;
  } catch {
    // Reported below.
  }
  throw new PortbriefError(`Template override folder ${folder} not found. Create it or fix the templates setting in the config.`, {
    exitCode: EXIT.usage,
  });
}

async function listPartials(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder)).filter((file) => file.endsWith('.hbs'));
  } catch {
    return [];
  }
}

/** Returns the path of `name` in the first folder that has it; the last folder is the shipped one and must. */
async function firstExisting(folders: string[], name: string): Promise<string> {
  for (const folder of folders) {
    const file = path.join(folder, name);
    try {
      await stat(file);
      return file;
    } catch {
      continue;
    }
  }
  return path.join(folders.at(-1)!, name);
}

async function readTemplate(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new PortbriefError(`Cannot read template ${file}: ${messageOf(error)}. Restore it or fix the template folder.`, { cause: error });
  }
}

/** Compiles eagerly (Handlebars compiles lazily by default) so syntax errors surface with their file. */
function compileFile(handlebars: typeof Handlebars, file: string, source: string): Handlebars.TemplateDelegate {
  try {
    handlebars.precompile(source, { strict: false });
    return handlebars.compile(source, { noEscape: false });
  } catch (error) {
    const message = messageOf(error).split('\n');
    const line = /line (\d+)/.exec(message[0])?.[1];
    throw new PortbriefError(`${file}${line ? `:${line}` : ''}: template syntax error: ${message.join(' ').replace(/\s+/g, ' ')}`, { cause: error });
  }
}
