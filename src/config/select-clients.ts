import { EXIT, PortbriefError } from '../errors.js';
import type { Config } from './load.js';

/**
 * Narrows a config to the named clients, in the config's order. Each brief
 * depends only on its own client's sensors, so a narrowed run builds the same briefs.
 */
export function selectClients(config: Config, ids: readonly string[]): Config {
  const known = config.clients.map((client) => client.id);
  const unknown = [...new Set(ids)].filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    const names = unknown.map((id) => `'${id}'`).join(', ');
    // Without a clients list the one brief has the id 'default' (see defaultClient).
    const listed = config.clients.some((client) => client.outputSegment !== '');
    const hint = listed ? `Its clients are ${known.join(', ')}: use one of those ids.` : `It lists no clients, so its one brief is '${known[0]}': leave out --client.`;
    throw new PortbriefError(`--client: ${config.file} has no client ${names}. ${hint}`, { exitCode: EXIT.usage });
  }
  return { ...config, clients: config.clients.filter((client) => ids.includes(client.id)) };
}
