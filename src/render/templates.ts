import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { PortbriefError, messageOf } from '../errors.js';
import { registerHelpers } from './helpers.js';

/** A compiled brief template set: the main template with its partials, helpers and styles. */
export interface BriefTemplates {
  render(context: object): string;
  styles: string;
  chartsDir: string;
}

const MAIN = 'brief.hbs';

/**
 * Compiles templates/brief.hbs with every partial in templates/partials/ (a
 * partial's name is its file name without .hbs). Syntax errors name the
 * template file and line.
 */
export async function loadTemplates(dir: string): Promise<BriefTemplates> {
  const handlebars = Handlebars.create();
  registerHelpers(handlebars);

  const partialsDir = path.join(dir, 'partials');
  for (const name of (await readdir(partialsDir)).filter((file) => file.endsWith('.hbs')).sort()) {
    const file = path.join(partialsDir, name);
    handlebars.registerPartial(name.slice(0, -'.hbs'.length), compileFile(handlebars, file, await readTemplate(file)));
  }

  const mainFile = path.join(dir, MAIN);
  const main = compileFile(handlebars, mainFile, await readTemplate(mainFile));
  const styles = await readTemplate(path.join(dir, 'brief.css'));

  return {
    styles,
    chartsDir: path.join(dir, 'charts'),
    render(context: object): string {
      try {
        return main(context);
      } catch (error) {
        throw new PortbriefError(`Template ${mainFile} (or a partial it uses) failed: ${messageOf(error)}`, { cause: error });
      }
    },
  };
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
