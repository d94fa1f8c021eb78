// Listing keys the way an operator would: SCAN (never KEYS, which blocks the server), on every
// master of a cluster, since each holds only its own slots.
import { Cluster, type Redis } from 'ioredis';

/** Every key matching `pattern`, sorted (SCAN returns them in no particular order). */
export async function scanKeys(client: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const found = await Promise.all(nodes.map((node) => scanNode(node, pattern)));
  return found.flat().sort();
}

async function scanNode(node: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}
