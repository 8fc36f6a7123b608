import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import { EXIT, PortbriefError, messageOf } from '../errors.js';
import { type PreparedChart, loadChartSpec, prepareChart } from './charts.js';
import { registerHelpers } from './helpers.js';

/** A compiled brief template set: the main template with its partials, helpers and styles. */
export interface BriefTemplates {
  render(context: object): string;
  styles: string;
  chartsDir: string;
  /** The chart specs, compiled once per template set: top ports, share trend, heatmap, weekly sessions. */
  charts(): Promise<PreparedChart[]>;
}

export const CHART_SPECS = ['top-ports.vl.json', 'share-trend.vl.json', 'country-port-heatmap.vl.json', 'weekly-sessions.vl.json'];

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
  annotateHelperErrors(handlebars);

  const partials = new Map<string, string>();
  for (const folder of [...folders].reverse()) {
    for (const name of await listPartials(path.join(folder, 'partials'))) partials.set(name.slice(0, -'.hbs'.length), path.join(folder, 'partials', name));
  }
  const sources = new Map<string, string>();
  for (const file of partials.values()) sources.set(file, await readTemplate(file));

  for (const [name, file] of [...partials.entries()].sort()) {
    const compiled = compileFile(handlebars, file, sources.get(file)!, new Set(partials.keys()));
    handlebars.registerPartial(name, annotatePartialErrors(compiled, file));
  }

  const mainFile = await firstExisting(folders, MAIN);
  const main = compileFile(handlebars, mainFile, await readTemplate(mainFile), new Set(partials.keys()));
  const styles = await readTemplate(await firstExisting(folders, 'brief.css'));
  const chartsDir = path.dirname(await firstExisting(folders, path.join('charts', 'top-ports.vl.json')));

  let charts: Promise<PreparedChart[]> | undefined;
  return {
    styles,
    chartsDir,
    charts() {
      charts ??= Promise.all(CHART_SPECS.map(async (name) => prepareChart(await loadChartSpec(chartsDir, name), name)));
      return charts;
    },
    render(context: object): string {
      try {
        return main(context);
      } catch (error) {
        const { templateFile = mainFile, templatePosition } = error as LocatedError;
        const where = templatePosition ? `${templateFile}:${templatePosition.line}:${templatePosition.column + 1}` : templateFile;
        throw new PortbriefError(`${where}: template failed while rendering: ${messageOf(error).replace(/\.$/, '')}. Fix the template there or the value it passes.`, {
          cause: error,
        });
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
export async function firstExisting(folders: string[], name: string): Promise<string> {
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

/** Helpers and block helpers that Handlebars itself provides. */
const BUILTIN_HELPERS = ['if', 'unless', 'each', 'with', 'lookup', 'log', 'blockHelperMissing', 'helperMissing'];

/**
 * Compiles a template eagerly, because Handlebars compiles lazily by default,
 * and checks it before any data is near. It checks syntax, unknown helpers and
 * partials that no file provides. knownHelpersOnly makes a misspelt helper an
 * error rather than a silent lookup. Errors name file, line and column.
 */
export function compileFile(
  handlebars: typeof Handlebars,
  file: string,
  source: string,
  partialNames: Set<string>,
  options: { noEscape?: boolean } = {},
): Handlebars.TemplateDelegate {
  const helperNames = [...Object.keys(handlebars.helpers), ...BUILTIN_HELPERS];
  const knownHelpers = Object.fromEntries(helperNames.map((name) => [name, true]));
  const compileOptions = { knownHelpers, knownHelpersOnly: true, noEscape: options.noEscape === true };
  try {
    const ast = handlebars.parse(source);
    checkPartials(ast, partialNames);
    handlebars.precompile(ast, compileOptions);
    return handlebars.compile(ast, compileOptions);
  } catch (error) {
    const located = error as { lineNumber?: number; column?: number; message: string };
    const line = located.lineNumber ?? Number(/line (\d+)/.exec(located.message)?.[1] ?? NaN);
    const column = located.column ?? parseErrorColumn(handlebars, line);
    const where = Number.isFinite(line) ? `:${line}${column !== undefined ? `:${column + 1}` : ''}` : '';
    throw new PortbriefError(`${file}${where}: template error: ${describeCompileError(located.message, source, helperNames)}`, { exitCode: EXIT.usage, cause: error });
  }
}

/**
 * Rewrites Handlebars' compile error text in the template writer's terms.
 * A parse error's first line only repeats the line number, and its last line
 * lists what the parser expected. An unknown helper's error names a compile
 * option the writer never set. For a file that ends inside a block, the message
 * names the block left open, and for a tag cut short it names that cause.
 */
function describeCompileError(text: string, source: string, helperNames: string[]): string {
  const lines = text.split('\n');
  const unknownHelper = /unknown helper (\S+)/.exec(lines[0]);
  if (unknownHelper) {
    const helpers = [...new Set(helperNames)].filter((name) => name !== 'blockHelperMissing' && name !== 'helperMissing').sort();
    return `unknown helper '${unknownHelper[1]}'; the helpers are ${helpers.join(', ')}`;
  }
  if (!/^Parse error on line/.test(lines[0])) return lines[0];
  const open = /got 'EOF'/.test(lines.at(-1)!) ? unclosedBlock(source) : undefined;
  if (open) return `parse error: the file ends inside {{#${open.name}}}, opened on line ${open.line}; close it with {{/${open.name}}}`;
  // The lexer reads a tag cut short, such as {{name}, as one INVALID token, and the parser's list of expected tokens does not help there.
  if (/got 'INVALID'/.test(lines.at(-1)!)) return 'parse error: a tag here is not closed with }} or contains a character that a tag cannot contain';
  return `parse error: ${lines.at(-1)!.replace(/^Expecting/, 'expected')}`;
}

/** Finds the innermost block still open at the end of a template, by pairing {{#name}} with {{/name}}; comments are skipped. */
function unclosedBlock(source: string): { name: string; line: number } | undefined {
  const stack: Array<{ name: string; line: number }> = [];
  const tag = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}|\{\{~?([#/])\s*>?\s*([^\s}~]+)/g;
  for (const match of source.matchAll(tag)) {
    if (!match[1]) continue;
    const line = source.slice(0, match.index).split('\n').length;
    if (match[1] === '#') stack.push({ name: match[2], line });
    else if (stack.at(-1)?.name === match[2]) stack.pop();
  }
  return stack.at(-1);
}

/**
 * Returns the 0-based column of the token a parse error stopped at. The
 * error's text gives only the line, but the parser's lexer still keeps the
 * location of the token it read last.
 */
function parseErrorColumn(handlebars: typeof Handlebars, line: number): number | undefined {
  // Parser is public at run time but missing from the type definitions.
  const parser = (handlebars as unknown as { Parser?: { lexer?: { yylloc?: { first_line: number; first_column: number } } } }).Parser;
  const location = parser?.lexer?.yylloc;
  return location?.first_line === line ? location.first_column : undefined;
}

/** Throws, with the statement's position, for a partial that no template file provides. */
function checkPartials(ast: hbs.AST.Program, names: Set<string>): void {
  const visitor = new Handlebars.Visitor();
  const check = (node: hbs.AST.PartialStatement | hbs.AST.PartialBlockStatement) => {
    const name = (node.name as hbs.AST.PathExpression).original;
    if (node.name.type === 'PathExpression' && !names.has(name)) {
      throw Object.assign(new Error(`partial '${name}' not found; partials are ${[...names].sort().join(', ')}`), {
        lineNumber: node.loc.start.line,
        column: node.loc.start.column,
      });
    }
  };
  visitor.PartialStatement = check;
  visitor.PartialBlockStatement = check;
  visitor.accept(ast);
}

/** Wraps a partial so an error raised inside it names its file (the innermost file wins). */
export function annotatePartialErrors(compiled: Handlebars.TemplateDelegate, file: string): Handlebars.TemplateDelegate {
  return (context, options) => {
    try {
      return compiled(context, options);
    } catch (error) {
      if (error instanceof Error && !('templateFile' in error)) Object.assign(error, { templateFile: file });
      throw error;
    }
  };
}

/** An error raised while rendering, with the template file and the position (0-based column) of the helper call that raised it. */
interface LocatedError {
  templateFile?: string;
  templatePosition?: { line: number; column: number };
}

/** Maximum length, in characters, of one helper argument quoted in an error. */
const ARGUMENT_TEXT_MAX = 80;

/** Writes a helper argument for an error message: as JSON, shortened, or undefined. */
function describeArgument(value: unknown): string {
  const json = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  return json.length > ARGUMENT_TEXT_MAX ? `${json.slice(0, ARGUMENT_TEXT_MAX - 1)}…` : json;
}

/**
 * Wraps every helper so its errors name the helper, its arguments and the
 * position of the call. Handlebars passes the call's position as `loc` in
 * the options, the helper's last argument.
 */
function annotateHelperErrors(handlebars: typeof Handlebars): void {
  for (const [name, helper] of Object.entries(handlebars.helpers)) {
    if (BUILTIN_HELPERS.includes(name)) continue;
    handlebars.registerHelper(name, function (this: unknown, ...args: unknown[]) {
      try {
        return (helper as (...a: unknown[]) => unknown).apply(this, args);
      } catch (error) {
        const options = args.at(-1) as { loc?: { start: { line: number; column: number } } } | undefined;
        const values = args.slice(0, -1).map(describeArgument);
        const argumentText = values.length === 0 ? 'with no argument' : `on ${values.join(', ')}`;
        const located: LocatedError = { templatePosition: options?.loc?.start };
        throw Object.assign(new Error(`helper '${name}' failed ${argumentText}: ${messageOf(error)}`, { cause: error }), located);
      }
    });
  }
}
